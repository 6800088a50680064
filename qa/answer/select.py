"""Pick the sentence(s) that answer a question and cut verbatim quotes from them.

A quote is always `document.text[start:end]`; whatever is shown around it
(bold key span, ellipses, table headers) is display only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from qa.answer.query import QUALIFIER_GROUPS, QueryFacts, find_years
from qa.answer.retrieval import Hit
from qa.answer.roles import sentence_role, sentence_year
from qa.answer.view import AnswerView
from qa.ingest.text import clause_spans

_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s*[-—~至]\s*\d+(?:[.,]\d+)*)?"
    r"(?:%|％|/百户|/百人|部/百人|台/百户|万户|万人|万门|万条|万元|亿元|万公里|公里|万|亿|户|人|个|家|所|台|部|条|次|项|门|元|M|倍)?"
)
_QUOTE_MAX = 110
_CN_NUM = "〇○零一二三四五六七八九十"
# A date: 二○一一年一月二十六日, 2007年12月28日, 12月28日, 2014年6月.
_DATE = re.compile(
    rf"(?:[{_CN_NUM}\d]{{4}}年)?[{_CN_NUM}\d]{{1,3}}月(?:[{_CN_NUM}\d]{{1,3}}日)?"
    rf"|[{_CN_NUM}\d]{{4}}年(?=[底末初]|[^\d{_CN_NUM}月])"
)


@dataclass(frozen=True)
class Weights:
    """Sentence-score weights; tuned on the dev split (see README, "Evaluation")."""

    dense: float = 1.0
    lexical: float = 1.0
    passage: float = 0.5
    number: float = 0.2
    year: float = 0.3
    role: float = 0.6
    qualifier: float = 0.4
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


@dataclass
class Decision:
    """The chosen quotes; score, lexical coverage and dense similarity of the best sentence."""

    quotes: list[Quote] = field(default_factory=list)
    score: float = 0.0
    coverage: float = 0.0
    similarity: float = 0.0


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


# The unit a question's wording asks for, as a pattern on the number's unit.
_UNIT_WANTED: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"率|比例|比重|占比|百分|几成|多大比例"), re.compile(r"%|％|/百")),
    (re.compile(r"投资|资金|经费|钱|产值|增加值|交易额|销售额|收入|预算|金额|花费|造价|费用"), re.compile(r"元")),
    (re.compile(r"用户|户数|多少户|家庭"), re.compile(r"户")),
    (re.compile(r"人数|多少人|几人|人口|网民"), re.compile(r"人")),
    (re.compile(r"指数"), re.compile(r"^$")),
)
_INCREMENT_BEFORE = re.compile(r"(?:新增|增加|增长|提高|减少|下降|新建|净增)[了]?$")
_INCREMENT_ASKED = re.compile(r"新增|增加|增长|提高|减少|下降|新建|净增|增幅|增速")


def _unit_of_number(number: str) -> str:
    return re.sub(r"^[\d.,\s\-—~至]+", "", number)


_MEASURE = re.compile(r"(?:多少|几)([家个项条所台部次名座处户人门])")


def _fits_unit(question: str, number: str) -> bool | None:
    """Whether a number's unit fits what the question asks (None: the question says no unit).

    "多少家/几个/多少项" ask for that measure word; rate, money, user and people words
    for %, 元, 户 and 人.
    """
    measure = _MEASURE.search(question)
    if measure and not re.search(r"多少(?:万|亿)", question):
        return _unit_of_number(number).endswith(measure.group(1))
    for asked, unit in _UNIT_WANTED:
        if asked.search(question):
            return bool(unit.search(_unit_of_number(number)))
    return None


def key_span(text: str, start: int, end: int, terms: list[tuple[str, float]], facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """The number (or year) that answers: the value bound to the asked attribute.

    Candidates are the numbers of the quote that the question does not itself name;
    those with the unit the question asks for (% for a rate, 元 for money, 户 for
    users) and, unless an increase is asked, those that are not increments
    ("新增4万户") are preferred. The anchor is the asked sub-group if the question
    names one, else the strongest query term; the answer is the first number after
    it in the same clause ("宽带用户达到95万户"), else the nearest.
    """
    region = text[start:end]
    if facts.wants_when:
        dates = [m for m in _DATE.finditer(region) if m.group() not in question]
        if dates:
            anchor = _anchor(region, terms, facts)
            after = [m for m in dates if anchor is None or m.start() >= anchor]
            chosen = (after or dates)[0]
            return start + chosen.start(), start + chosen.end()
    numbers = [m for m in _NUMBER.finditer(region) if m.group() not in question and not re.fullmatch(r"\d", m.group())]
    if facts.wants_when:
        numbers = [m for m in numbers if find_years(m.group() + "年")] or numbers
    elif numbers and any(not find_years(m.group() + "年") or m.group().endswith(("万", "户", "元", "%")) for m in numbers):
        numbers = [m for m in numbers if not re.fullmatch(r"(?:19|20)\d{2}", m.group())] or numbers
    if not numbers:
        return None
    if not facts.wants_when:
        # "9月23日" is a date, not a quantity.
        numbers = [m for m in numbers if not re.match(r"[月日号]", region[m.end():m.end() + 1])] or numbers
    numbers = [m for m in numbers if _fits_unit(question, m.group()) is not False] or numbers
    if not _INCREMENT_ASKED.search(question):
        numbers = [m for m in numbers if not _INCREMENT_BEFORE.search(region[max(0, m.start() - 4):m.start()])] or numbers
    anchor = _anchor(region, terms, facts)
    if anchor is None:
        chosen = numbers[0]
    else:
        clause_end = _clause_end(region, anchor)
        same_clause = [m for m in numbers if anchor <= m.start() < clause_end]
        after = [m for m in numbers if m.start() >= anchor]
        if same_clause:
            chosen = same_clause[0]
        elif after:
            chosen = min(after, key=lambda m: m.start() - anchor)
        else:
            chosen = min(numbers, key=lambda m: anchor - m.end())
    return start + chosen.start(), start + chosen.end()


def longest_shared(attribute: str, region: str, minimum: int = 3) -> tuple[int, int] | None:
    """(start, length) in ``region`` of the longest substring of ``attribute`` it holds."""
    for length in range(len(attribute), minimum - 1, -1):
        for lo in range(len(attribute) - length + 1):
            at = region.find(attribute[lo:lo + length])
            if at >= 0:
                return at, length
    return None


def _anchor(region: str, terms: list[tuple[str, float]], facts: QueryFacts) -> int | None:
    """Where the asked thing is named in the quote: its sub-group word, else the longest
    piece of the asked attribute ("移动通信总容量"), else its strongest term."""
    for word in facts.qualifiers:
        at = region.find(word)
        if at >= 0:
            return at
    shared = longest_shared(facts.attribute, region)
    if shared is not None:
        return shared[0]
    anchors = [(region.find(t), w) for t, w in terms if t in region]
    if not anchors:
        return None
    return max(anchors, key=lambda a: (a[1], -a[0]))[0]


def _clause_end(region: str, at: int) -> int:
    ends = [i for i in (region.find(p, at) for p in "，；。,;") if i >= 0]
    return min(ends) if ends else len(region)


def table_key(view: AnswerView, chunk: int, facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """For a table row, the cell the question asks about (by its column header)."""
    cells = view.chunks[chunk].cells
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


def _candidates(view: AnswerView, hits: list[Hit], facts: QueryFacts, terms: list[tuple[str, float]],
                query_vector: np.ndarray | None, weights: Weights, passages: int) -> list[_Candidate]:
    """Every sentence of the top passages with its score (see :func:`choose`)."""
    top = max(h.score for h in hits) or 1.0
    # Without sentence rescoring every sentence gets the same, typical dense
    # term, so thresholds stay comparable across modes (ablation).
    neutral = weights.dense_floor + weights.dense_scale
    found: list[_Candidate] = []
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
            role = "" if is_row else sentence_role(profile, view.chunk_roles[hit.chunk], text)
            year = None if is_row else sentence_year(profile, role, text, doc.text[chunk.start:sentence.start])
            # A one-line chunk (a document number, a date) is described by its heading.
            coverage = lexical_coverage(terms, text + section if len(chunk.text) < 30 else text, section)
            # Every row of a year-column table names the year; that alone is weak evidence.
            year_weight = weights.year * (0.5 if is_row else 1.0)
            year_score = 1.0 if facts.years and year in facts.years else year_feature(facts.years, text, chunk.text, section, doc.years)
            features = (
                weights.dense * (float(sim) - weights.dense_floor) / weights.dense_scale
                + weights.lexical * coverage
                + weights.passage * hit.score / top
                + weights.number * (1.0 if facts.wants_number and re.search(r"\d", text) else 0.0)
                + year_weight * year_score
                + weights.role * role_fit(facts.role, role)
                + weights.qualifier * qualifier_fit(facts.qualifiers, text)
            )
            found.append(_Candidate(features, coverage, sid, rank, role, year, float(sim)))
    found.sort(key=lambda c: (-c.score, c.rank, c.sentence))
    return found


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
        start, end = quote_window(text, sentence.start, sentence.end, terms, facts.wants_number)
        key = key_span(text, start, end, terms, facts, question) if (facts.wants_number or facts.wants_when) else None
        if key and role == "status":
            before = find_years(text[sentence.start:key[0]])
            year = before[-1] if before else year
    key_start, key_end = key if key else (-1, -1)
    return Quote(sentence.doc_id, sentence.chunk, start, end, key_start, key_end, candidate.score, role=role, year=year)


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
    scored = _candidates(view, hits, facts, terms, query_vector, weights, passages)
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
    return Decision(quotes=quotes, score=best.score, coverage=best.coverage, similarity=best.similarity)
