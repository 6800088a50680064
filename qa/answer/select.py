"""Pick the sentence(s) that answer a question and cut verbatim quotes from them.

A quote is always `document.text[start:end]`; whatever is shown around it
(bold key span, ellipses, table headers) is display only.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from qa.answer.query import QUALIFIER_GROUPS, QueryFacts, find_years
from qa.answer.retrieval import Hit
from qa.answer.roles import (
    TARGET_SECTIONS,
    lists_problems,
    sentence_role,
    sentence_year,
)
from qa.answer.thesaurus import phrase_synonyms
from qa.answer.values import (
    docpart_key,
    key_span,
    longest_shared,
    named_key,
    post_key,
    table_key,
    value_fit,
)
from qa.answer.view import AnswerView
from qa.index.segment import tokenize
from qa.ingest.chunking import Chunk
from qa.ingest.text import clause_spans

_QUOTE_MAX = 110
VALUE_REQUIRED = frozenset({"when", "docpart", "who"})
_ROW_NAME_ONLY = frozenset({"how", "what", "yesno"})
ROWS_PER_TABLE = 4
# The passage prior is by rank, as in reciprocal-rank fusion (Cormack et al. 2009,
# k=60), so it means the same whichever retrieval mode ranked the passages.
PRIOR_K = 60


@dataclass(frozen=True)
class Weights:
    """Sentence-score weights; tuned on the dev split (see README, "Evaluation")."""

    dense: float = 1.5
    lexical: float = 1.5
    passage: float = 0.5
    value: float = 0.5
    year: float = 0.3
    role: float = 0.3
    qualifier: float = 0.8
    phrase: float = 1.0
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
    role: str = ""  # "status", "target" or "": what the quoted sentence reports
    year: int | None = None  # the year its figure describes
    heading: bool = False  # the quote is a heading (a list item), not its chunk's prose or row


@dataclass
class Decision:
    """The chosen quotes; score, lexical coverage and dense similarity of the best sentence."""

    quotes: list[Quote] = field(default_factory=list)
    score: float = 0.0
    coverage: float = 0.0
    similarity: float = 0.0
    # the next best sentences of other passages, for when the evidence check rejects the best
    runners_up: list[Quote] = field(default_factory=list)
    # the passages looked inside, by their best sentence's score (dense similarity included)
    ranked: tuple[int, ...] = ()


def lexical_coverage(terms: list[tuple[str, float]], text: str, context: str,
                     synonyms: Mapping[str, tuple[str, ...]] | None = None) -> float:
    """idf-weighted share of query terms found in the text (half credit in its
    heading/context); a thesaurus equivalent of a term counts as the term."""
    total = sum(w for _, w in terms)
    if total <= 0:
        return 0.0
    synonyms = synonyms or {}

    def found(term: str, where: str) -> bool:
        return term in where or any(s in where for s in synonyms.get(term, ()))

    got = sum(w if found(t, text) else 0.5 * w if found(t, context) else 0.0 for t, w in terms)
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


def qualifier_fit(qualifiers: tuple[str, ...], text: str) -> float:
    """+1 when the text names the asked sub-group, -1 when it names only another one of
    its group (农村 asked, 城镇 given), 0 when the question names none."""
    score = 0.0
    for word in qualifiers:
        group = next((g for g in QUALIFIER_GROUPS if word in g), ())
        if word in text:
            score = max(score, 1.0)
        elif any(other in text for other in group if other != word and other not in word and word not in other):
            return -1.0
    return score


# "在航空快递方面", "在信息安全领域": the part of a subject the question narrows to.
_FOCUS = re.compile(r"在([\u4e00-\u9fffA-Za-z]{2,10}?)(?:方面|领域|这块|这一块)")


def focus_fit(question: str, text: str, synonyms: dict[str, tuple[str, ...]]) -> float:
    """1 when the text names the part the question narrows to ("在航空快递方面" and
    "打造西北最强的航空快递服务"), 0 when it does not or nothing is narrowed."""
    found = _FOCUS.search(question)
    if found is None:
        return 0.0
    focus = found.group(1)
    return 1.0 if focus in text or any(s in text for s in synonyms.get(focus, ())) else 0.0


def phrase_match(attribute: str, text: str) -> float:
    """Share of the asked attribute that the text holds as one unbroken phrase
    ("移动通信总容量" whole, not just "总容量"): how directly it names the indicator."""
    if len(attribute) < 2:
        return 0.0
    shared = longest_shared(attribute, text, minimum=2)
    return shared[1] / len(attribute) if shared else 0.0


_TOTAL_ASKED = re.compile(r"总投资|总经费|总金额|总额|合计|总计|一共|总共|加起来|累计")
_TOTAL_ROW = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计)")


def total_fit(question: str, chunk: Chunk) -> float:
    """+1 for a table's 合计/总计 row when the question asks for a total ("总投资多少",
    "一共要花多少钱"), -1 for that row when it asks for one item."""
    if not chunk.cells:
        return 0.0
    is_total = bool(_TOTAL_ROW.match(chunk.cells[0].value))
    if _TOTAL_ASKED.search(question):
        return 1.0 if is_total else 0.0
    return -1.0 if is_total else 0.0


def role_fit(asked: str, found: str) -> float:
    """+1 when a sentence reports what the question asks (a target for a target), -1
    for the opposite; an outcome question is answered by nothing, but its target is
    the related passage to show."""
    asked = "target" if asked == "outcome" else asked
    if not asked or not found:
        return 0.0
    return 1.0 if asked == found else -1.0


@dataclass(frozen=True)
class _Candidate:
    score: float
    coverage: float
    sentence: int
    rank: int
    role: str
    year: int | None
    similarity: float
    value_fit: float


def _row_role(chunk: Chunk, section_role: str) -> str:
    """A table row in a target section is a target, unless its columns are years
    (2009年 | 2015年): then the column asked decides, once chosen."""
    if any(find_years(cell.header) for cell in chunk.cells):
        return ""
    return "target" if section_role in TARGET_SECTIONS else ""


def _candidates(view: AnswerView, hits: list[Hit], facts: QueryFacts, question: str, terms: list[tuple[str, float]],
                query_vector: np.ndarray | None, weights: Weights, passages: int) -> list[_Candidate]:
    """Every sentence of the top passages with its score (see :func:`choose`)."""
    # Without sentence rescoring every sentence gets the same, typical dense
    # term, so thresholds stay comparable across modes (ablation).
    neutral = weights.dense_floor + weights.dense_scale
    synonyms = phrase_synonyms(question, view.synonyms, tokenize)
    found: list[_Candidate] = []
    latest = max((y for y in (view.profiles[view.chunks[h.chunk].doc_id].status_year for h in hits[:passages]) if y), default=None)
    for rank, hit in enumerate(hits[:passages]):
        chunk = view.chunks[hit.chunk]
        doc = view.documents[chunk.doc_id]
        profile = view.profiles[chunk.doc_id]
        ids = view.chunk_sentences[hit.chunk]
        sims = view.sentence_vectors[ids] @ query_vector if query_vector is not None and ids else np.full(len(ids), neutral)
        section = chunk.section_path
        is_row = chunk.kind == "table_row"
        for sid, sim in zip(ids, sims):
            sentence = view.sentences[sid]
            text = chunk.display if is_row else doc.text[sentence.start:sentence.end]
            # A table row's role depends on the column asked (2009年 vs 2015年), chosen later.
            role = _row_role(chunk, view.chunk_roles[hit.chunk]) if is_row else sentence_role(profile, view.chunk_roles[hit.chunk], text)
            year = None if is_row else sentence_year(profile, role, text, doc.text[chunk.start:sentence.start])
            # A one-line chunk (a document number, a date) is described by its heading.
            if is_row and facts.answer_type in _ROW_NAME_ONLY:
                # Column headers (计划经费, 实施单位) name what a cell holds; a how- or
                # what-question is about the row's item, so only its name counts.
                coverage = lexical_coverage(terms, chunk.cells[0].value if chunk.cells else text, section, synonyms)
            else:
                coverage = lexical_coverage(terms, text + section if len(chunk.text) < 30 else text, section, synonyms)
            fit = value_fit(facts, text, question)
            # Every row of a year-column table names the year; that alone is weak evidence.
            year_weight = weights.year * (0.5 if is_row else 1.0)
            year_score = 1.0 if facts.years and year in facts.years else year_feature(facts.years, text, chunk.text, section, doc.years)
            if facts.role == "status" and not facts.years and latest is not None:
                # "目前/现在": the most recent status the documents give.
                year_score = 1.0 if profile.status_year == latest else 0.0
            features = (
                weights.dense * (float(sim) - weights.dense_floor) / weights.dense_scale
                + weights.lexical * coverage
                + weights.passage * PRIOR_K / (PRIOR_K + rank)
                + weights.value * fit
                + year_weight * year_score
                + weights.role * role_fit(facts.role, role)
                + weights.qualifier * qualifier_fit(facts.qualifiers, text)
                + weights.qualifier * focus_fit(question, text, synonyms)
                + weights.phrase * phrase_match(facts.attribute, text)
                + (weights.phrase * total_fit(question, chunk) if is_row else 0.0)
            )
            found.append(_Candidate(features, coverage, sid, rank, role, year, float(sim), fit))
    found.sort(key=lambda c: (-c.score, c.rank, c.sentence))
    if facts.answer_type == "how" or (facts.answer_type == "what" and _AIM_ASKED.search(question)):
        # A table row lists an item's unit, year and money: it never says how, nor what an aim is.
        prose = [c for c in found if view.chunks[view.sentences[c.sentence].chunk].kind != "table_row"]
        found = prose or found
    if facts.answer_type == "how" and facts.role != "status" and _ACTION_ASKED.search(question):
        # what a plan will do is never in the problems it lists ("信息安全意识薄弱…")
        acting = [c for c in found if not lists_problems(view.chunks[view.sentences[c.sentence].chunk].section)]
        found = acting or found
    if facts.answer_type == "what" and _FRAME.search(question):
        # "以啥为重点": only a sentence that frames something as 重点 answers
        framed = [c for c in found if _framed_key(*_candidate_text(view, c), question) is not None]
        found = framed or found
    if facts.answer_type in VALUE_REQUIRED and any(c.value_fit > 0 for c in found):
        # A date, a document number or an organisation is the answer itself: a
        # sentence without one cannot answer however well it matches.
        found = [c for c in found if c.value_fit > 0]
    return found


def _candidate_text(view: AnswerView, candidate: _Candidate) -> tuple[str, int, int]:
    """A candidate sentence as (document text, start, end)."""
    sentence = view.sentences[candidate.sentence]
    return view.text(sentence.doc_id), sentence.start, sentence.end


# "有什么措施", "怎么推进": how a plan will act ("怎么说的" asks what it says).
_ACTION_ASKED = re.compile(r"措施|办法|举措|手段|途径|怎么(?!说|写|讲|提|定|表述)|如何(?!说|写|讲|提|表述)|咋")
# "电子政务目标有什么不同", "有哪些要求": a what-question about what a plan aims at.
_AIM_ASKED = re.compile(r"目标|要求|任务|思路|原则")


def _quote(view: AnswerView, candidate: _Candidate, facts: QueryFacts, question: str,
           terms: list[tuple[str, float]]) -> Quote:
    """Cut the verbatim quote (and its key span) out of a chosen sentence; the quote's
    year and role are those of its key ("2009年…达到0.686，预计2010年达到0.707")."""
    sentence = view.sentences[candidate.sentence]
    text = view.text(sentence.doc_id)
    chunk = view.chunks[sentence.chunk]
    role, year = candidate.role, candidate.year
    if chunk.kind == "table_row":
        start, end = sentence.start, sentence.end
        key = table_key(view, sentence.chunk, facts, question)
        cell = next((c for c in chunk.cells if key and c.start == key[0]), None)
        cell_years = find_years(cell.header) if cell else ()
        if cell_years:
            profile = view.profiles[sentence.doc_id]
            year = cell_years[-1]
            role = "status" if profile.start is not None and year < profile.start else "target"
    else:
        # A list's sentence stays whole: a window would cut its enumeration.
        framed = _framed_key(text, sentence.start, sentence.end, question) if facts.answer_type == "what" else None
        # "以什么为中心": the window holds the clause that says "以…为中心"
        window_terms = [*terms, (text[framed[1]:framed[1] + 3], 100.0)] if framed else terms
        start, end = (sentence.start, sentence.end) if facts.wants_list else quote_window(
            text, sentence.start, sentence.end, window_terms, facts.wants_number)
        start = _with_lead(view, sentence) if start == sentence.start else start
        if facts.answer_type in ("how", "what", "yesno"):
            end = _past_heading(view, sentence, end)
        if facts.answer_type == "docpart":
            key = docpart_key(text, start, end, question)
            title = view.documents[sentence.doc_id].title
            at = text.find(title, start, end) if title and key is None else -1
            key = (at, at + len(title)) if at >= 0 else key
        elif framed and start <= framed[0] and framed[1] <= end:
            key = framed
        elif facts.answer_type == "what":
            key = named_key(text, start, end, question)
        elif facts.answer_type == "who":
            key = post_key(text, start, end, question)
        else:
            key = key_span(text, start, end, terms, facts, question) if (facts.wants_number or facts.wants_when) else None
        if key and role == "status":
            before = find_years(text[sentence.start:key[0]])
            year = before[-1] if before else year
    key_start, key_end = key or (-1, -1)
    return Quote(sentence.doc_id, sentence.chunk, start, end, key_start, key_end, candidate.score, role=role, year=year)


_BARE = 10  # Han characters: a sentence this short names no topic of its own ("计划每年培训500人。")


def _with_lead(view: AnswerView, sentence) -> int:
    """Where a quote of the sentence starts: a sentence too short to say what it is about
    takes in the sentence before it in its passage, which does."""
    said = view.text(sentence.doc_id)[sentence.start:sentence.end]
    if len(re.findall(r"[\u4e00-\u9fff]", said)) > _BARE:
        return sentence.start
    before = view.neighbour(sentence.chunk, sentence.start, sentence.end, after=False)
    return before.start if before else sentence.start


# "以什么为核心", "以什么为中心": the answer is what the plan puts between 以 and 为核心.
_FRAME = re.compile(r"以(?:什么|啥|哪些|哪个)为([\u4e00-\u9fff]{1,3}?)(?:[？?，,。；]|$)")
_IS_WHAT = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:又|还|则|究竟|到底)?是(?:什么|啥)")


def _framed_key(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """The span between 以 and 为X in the sentence, for a question "以什么为X" or "X是什么"
    ("最终目的又是什么" of "以办事服务为最终目的")."""
    frame = _FRAME.search(question) or _IS_WHAT.search(question)
    if frame is None:
        return None
    said = re.compile(r"以([^，。；：以]{2,30}?)为" + re.escape(frame.group(1))).search(text, start, end)
    return said.span(1) if said else None


def _past_heading(view: AnswerView, sentence, end: int) -> int:
    """A sentence that is only its section's heading ("（六）加强信息化人才培养和队伍建设。")
    says what, not how: the quote runs on to the next sentence of its passage."""
    chunk = view.chunks[sentence.chunk]
    said = view.text(sentence.doc_id)[sentence.start:sentence.end].strip(" 。\n")
    if not chunk.section or said != chunk.section[-1].strip(" 。"):
        return end
    following = view.neighbour(sentence.chunk, sentence.start, sentence.end, after=True)
    return following.end if following else end


def diversify(view: AnswerView, hits: list[Hit], per_table: int) -> list[Hit]:
    """At most ``per_table`` rows of one table, so that rows sharing column headers
    (计划经费, 实施单位 in every row) do not crowd prose passages out of the answer step."""
    seen: dict[tuple[str, str], int] = {}
    kept = []
    for hit in hits:
        chunk = view.chunks[hit.chunk]
        if chunk.kind == "table_row":
            table = (chunk.doc_id, chunk.section[0] if chunk.section else "")
            seen[table] = seen.get(table, 0) + 1
            if seen[table] > per_table:
                continue
        kept.append(hit)
    return kept


def choose(
    view: AnswerView,
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

    The score adds dense similarity, idf-weighted coverage of the question's terms,
    the passage's retrieval rank, a number when one is asked for, the fit of the
    sentence's year and time role (target vs status) to the question's, and the fit
    of its sub-group (农村/城镇, 市级/县级).

    Args:
        view: the index as answer selection sees it.
        hits: fused retrieval hits, best first.
        facts: the question's slots.
        question: the standalone question.
        terms: (query token, idf) pairs.
        query_vector: normalized query embedding, or None without a dense model.
        weights: feature weights.
        passages: how many top hits to look inside.
        max_quotes: 1 for a fact, more for a list question.
    """
    if not hits:
        return Decision()
    hits = diversify(view, hits, ROWS_PER_TABLE)
    scored = _candidates(view, hits, facts, question, terms, query_vector, weights, passages)
    best = scored[0]
    quotes: list[Quote] = []
    used_chunks: set[int] = set()
    for candidate in scored:
        if len(quotes) >= max_quotes or (quotes and candidate.score < best.score - 0.35):
            break
        chunk = view.sentences[candidate.sentence].chunk
        if chunk in used_chunks and max_quotes > 1:
            continue
        used_chunks.add(chunk)
        quotes.append(_quote(view, candidate, facts, question, terms))
    runners_up = _runners_up(view, scored, used_chunks, facts, question, terms) if max_quotes == 1 else []
    ranked = tuple(dict.fromkeys(view.sentences[c.sentence].chunk for c in scored))
    return Decision(quotes=quotes, score=best.score, coverage=best.coverage, similarity=best.similarity,
                    runners_up=runners_up, ranked=ranked)


RUNNERS_UP = 3  # other passages' best sentences kept for the evidence check to fall back on
RUNNER_UP_MARGIN = 0.5  # ... when they score within this much of the best


def _runners_up(view: AnswerView, scored: list[_Candidate], used: set[int], facts: QueryFacts, question: str,
                terms: list[tuple[str, float]]) -> list[Quote]:
    """The best sentence of each next passage, close enough in score to the best."""
    picked: list[Quote] = []
    seen, same = set(used), set()
    close = [c for c in scored[1:] if c.score >= scored[0].score - RUNNER_UP_MARGIN]
    if facts.wants_number:
        # a passage's sentence that gives a figure of the asked kind stands for its passage
        close.sort(key=lambda c: c.value_fit <= 0)
    for candidate in close:
        if len(picked) >= RUNNERS_UP:
            break
        chunk = view.sentences[candidate.sentence].chunk
        valued = facts.wants_number and candidate.value_fit > 0 and scored[0].value_fit <= 0
        if chunk not in seen or (valued and chunk in used and chunk not in same):
            (seen if chunk not in seen else same).add(chunk)
            picked.append(_quote(view, candidate, facts, question, terms))
    return picked
