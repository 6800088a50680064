"""Pick the sentence(s) that answer a question and cut verbatim quotes from them.

A quote is always `document.text[start:end]`; whatever is shown around it
(bold key span, ellipses, table headers) is display only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from qa.answer.query import QueryFacts, find_years
from qa.answer.retrieval import Hit
from qa.index.storage import LoadedIndex
from qa.ingest.text import clause_spans

_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s*[-—~至]\s*\d+(?:[.,]\d+)*)?"
    r"(?:%|％|/百户|/百人|部/百人|台/百户|万户|万人|万门|万条|万元|亿元|万公里|公里|万|亿|户|人|个|家|所|台|部|条|次|项|门|元|M|倍)?"
)
_QUOTE_MAX = 110


@dataclass(frozen=True)
class Weights:
    """Sentence-score weights; tuned on the dev split (see README, "Evaluation")."""

    dense: float = 1.0
    lexical: float = 1.0
    passage: float = 0.5
    number: float = 0.2
    year: float = 0.3
    dense_floor: float = 0.78
    dense_scale: float = 0.12


@dataclass(frozen=True)
class Quote:
    doc_id: str
    chunk: int
    start: int
    end: int
    key_start: int
    key_end: int
    score: float
    label: str = ""


@dataclass
class Decision:
    quotes: list[Quote] = field(default_factory=list)
    score: float = 0.0
    coverage: float = 0.0


def lexical_coverage(terms: list[tuple[str, float]], text: str, context: str) -> float:
    """idf-weighted share of query terms found in the text (half credit in its heading/context)."""
    total = sum(w for _, w in terms)
    if total <= 0:
        return 0.0
    got = sum(w if t in text else 0.5 * w if t in context else 0.0 for t, w in terms)
    return got / total


def year_feature(years: tuple[int, ...], sentence: str, chunk_text: str, section: str, doc_years: tuple[int, int] | None) -> float:
    """How well a sentence's place in the documents fits the asked year(s).

    1 when the year is in the sentence, 0.6 when only in its paragraph or heading,
    0.5 when the document's period covers it, -0.5 when nothing ties it to the
    year; another year in the sentence costs 0.3 more.
    """
    if not years:
        return 0.0
    best = -1.0
    for year in years:
        token = str(year)
        if token in sentence:
            score = 1.0
        elif token in chunk_text or token in section:
            score = 0.6
        elif doc_years and doc_years[0] <= year <= doc_years[1]:
            score = 0.5
        else:
            score = -0.5
        if token not in sentence and any(y != year for y in find_years(sentence)):
            score -= 0.3
        best = max(best, score)
    return best


def key_span(text: str, start: int, end: int, terms: list[tuple[str, float]], facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """The number (or year) that answers, located after the best-matching query term."""
    region = text[start:end]
    numbers = [m for m in _NUMBER.finditer(region) if m.group() not in question and not re.fullmatch(r"\d", m.group())]
    if facts.wants_when:
        numbers = [m for m in numbers if find_years(m.group() + "年")] or numbers
    elif numbers and any(not find_years(m.group() + "年") or m.group().endswith(("万", "户", "元", "%")) for m in numbers):
        numbers = [m for m in numbers if not re.fullmatch(r"(?:19|20)\d{2}", m.group())] or numbers
    if not numbers:
        return None
    anchors = [(region.find(t), w) for t, w in terms if t in region]
    if not anchors:
        chosen = numbers[0]
    else:
        # The strongest term that appears; the answer usually follows it ("宽带用户达到95万户").
        anchor = max(anchors, key=lambda a: (a[1], -a[0]))[0]
        after = [m for m in numbers if m.start() >= anchor]
        chosen = min(after, key=lambda m: m.start() - anchor) if after else min(numbers, key=lambda m: anchor - m.end())
    return start + chosen.start(), start + chosen.end()


def table_key(index: LoadedIndex, chunk: int, facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """For a table row, the cell the question asks about (by its column header)."""
    cells = index.chunks[chunk].cells
    if len(cells) < 2:
        return None
    wanted = None
    for cell in cells[1:]:
        header = cell.header
        if any(str(y) in header for y in facts.years) or (facts.wants_who and "单位" in header) \
                or (facts.wants_when and "年度" in header) or (re.search(r"经费|钱|资金|投资|预算", question) and "经费" in header):
            wanted = cell
            break
    if wanted is None:
        numeric = [c for c in cells[1:] if re.search(r"\d", c.value)]
        wanted = numeric[-1] if numeric else cells[-1]
    return wanted.start, wanted.end


def quote_window(text: str, start: int, end: int, terms: list[tuple[str, float]], wants_number: bool) -> tuple[int, int]:
    """Trim a long sentence to the clauses around its best clause (still verbatim)."""
    if end - start <= _QUOTE_MAX:
        return start, end
    clauses = clause_spans(text, start, end)
    scores = [lexical_coverage(terms, text[s:e], "") + (0.2 if wants_number and re.search(r"\d", text[s:e]) else 0.0) for s, e in clauses]
    best = max(range(len(clauses)), key=lambda i: (scores[i], -i))
    lo = hi = best
    while True:
        grown = False
        for cand_lo, cand_hi in ((lo - 1, hi), (lo, hi + 1)):
            if 0 <= cand_lo and cand_hi < len(clauses) and clauses[cand_hi][1] - clauses[cand_lo][0] <= _QUOTE_MAX:
                lo, hi, grown = cand_lo, cand_hi, True
                break
        if not grown:
            break
    return clauses[lo][0], clauses[hi][1]


def choose(
    index: LoadedIndex,
    hits: list[Hit],
    facts: QueryFacts,
    question: str,
    terms: list[tuple[str, float]],
    query_vector: np.ndarray | None,
    weights: Weights,
    passages: int,
    max_quotes: int,
) -> Decision:
    """Score the sentences of the top passages and quote the best.

    Args:
        index: loaded index.
        hits: fused retrieval hits, best first.
        facts: what the question asks about.
        question: the standalone question.
        terms: (query token, idf) pairs.
        query_vector: normalized query embedding, or None without a dense model.
        weights: feature weights.
        passages: how many top hits to look inside.
        max_quotes: 1 for a fact, more for a list question.
    """
    if not hits:
        return Decision()
    top = max(h.score for h in hits) or 1.0
    scored: list[tuple[float, float, int, int]] = []  # (score, coverage, sentence, hit rank)
    for rank, hit in enumerate(hits[:passages]):
        chunk = index.chunks[hit.chunk]
        doc = index.documents[chunk.doc_id]
        ids = index.chunk_sentences[hit.chunk]
        # Without sentence rescoring every sentence gets the same, typical dense
        # term, so thresholds stay comparable across modes (ablation).
        neutral = weights.dense_floor + weights.dense_scale
        sims = index.sentence_vectors[ids] @ query_vector if query_vector is not None and ids else np.full(len(ids), neutral)
        section = chunk.section_path
        for sid, sim in zip(ids, sims):
            sentence = index.sentences[sid]
            is_row = chunk.kind == "table_row"
            text = chunk.display if is_row else doc.text[sentence.start:sentence.end]
            # A one-line chunk (a document number, a date) is described by its heading.
            coverage = lexical_coverage(terms, text + section if len(chunk.text) < 30 else text, section)
            # Every row of a year-column table names the year; that alone is weak evidence.
            year_weight = weights.year * (0.5 if is_row else 1.0)
            features = (
                weights.dense * (float(sim) - weights.dense_floor) / weights.dense_scale
                + weights.lexical * coverage
                + weights.passage * hit.score / top
                + weights.number * (1.0 if facts.wants_number and re.search(r"\d", text) else 0.0)
                + year_weight * year_feature(facts.years, text, chunk.text, section, doc.years)
            )
            scored.append((features, coverage, sid, rank))
    scored.sort(key=lambda item: (-item[0], item[3], item[2]))
    best_score, best_coverage = scored[0][0], scored[0][1]
    quotes: list[Quote] = []
    used_chunks: set[int] = set()
    for score, _, sid, _ in scored:
        if len(quotes) >= max_quotes or (quotes and score < best_score - 0.35):
            break
        sentence = index.sentences[sid]
        if sentence.chunk in used_chunks and max_quotes > 1:
            continue
        used_chunks.add(sentence.chunk)
        text = index.documents[sentence.doc_id].text
        if index.chunks[sentence.chunk].kind == "table_row":
            start, end = sentence.start, sentence.end
            key = table_key(index, sentence.chunk, facts, question)
        else:
            start, end = quote_window(text, sentence.start, sentence.end, terms, facts.wants_number)
            key = key_span(text, start, end, terms, facts, question) if (facts.wants_number or facts.wants_when) else None
        key_start, key_end = key if key else (-1, -1)
        quotes.append(Quote(sentence.doc_id, sentence.chunk, start, end, key_start, key_end, score))
    return Decision(quotes=quotes, score=best_score, coverage=best_coverage)
