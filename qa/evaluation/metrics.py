"""Evaluation metrics as pure functions over plain data (BEIR-style: gold, run -> numbers).

Nothing here loads a model or an index. The harness turns an :class:`EvalCase`
and an ``AskResponse`` into the frozen records below; the functions score them.

* Retrieval: a passage *hits* when its ``[start, end)`` span contains an
  occurrence of an evidence text; hit@k, MRR@10 and evidence_recall@k (every
  evidence item inside the top k).
* Answers, two ways. *Headline* (primary): the expected answers must appear in
  the answer line the user reads, the text before the first quote block (for an
  answer that is only quotes, the quotes); a list case needs at least half of its
  items there, every other case all of its answers (a comparison: every side's
  value). *Evidence* (lenient, the old metric): anywhere in the quotes, their
  displays and keys or the answer text, so a right passage with the wrong number
  in bold still counts there but not in the headline.
* Citations: recall over evidence items (a quote of the same document covers at
  least half of an occurrence), precision over quotes (overlaps any occurrence).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qa.errors import PlanQAError

RETRIEVAL_DEPTH = 10  # MRR@10, as in MS MARCO passage ranking.
COVER_FRACTION = 0.5  # a quote must cover half an evidence span to count as citing it.
NO_DOC = "none"  # the "document" of an unanswerable case.

_SPACE = re.compile(r"\s+")
# After NFKC "３０，０００" is "30,000"; the comma is a thousands separator only
# when exactly three digits follow it.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class Span:
    """A character span ``[start, end)`` of one document."""

    doc: str
    start: int
    end: int


@dataclass(frozen=True)
class Gold:
    """What a case expects. ``evidence`` holds (doc, text) pairs."""

    id: str
    type: str
    answerable: bool
    answers: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Quote:
    """One citation of a response: its span and the texts shown for it."""

    doc: str
    start: int
    end: int
    quote: str
    display: str = ""
    key: str = ""


@dataclass(frozen=True)
class Observed:
    """What the system returned: passages ranked best first."""

    answerable: bool
    answer: str
    quotes: tuple[Quote, ...]
    passages: tuple[Span, ...]
    latency_ms: float


@dataclass(frozen=True)
class CaseResult:
    """The scores of one case; ``None`` where a metric does not apply.

    Attributes:
        doc: the first evidence document, or ``"none"`` for an unanswerable case.
        hit_rank: 1-based rank of the first passage holding any evidence (top 10).
        evidence_rank: rank by which every evidence item was held, or None.
        correct: headline-correct (see module docstring); the primary metric.
        evidence_correct: the lenient match anywhere in the quotes.
        item_share: share of the gold items found in the headline (list cases).
        citations: number of quotes; ``verbatim`` of them equal the document slice.
    """

    id: str
    type: str
    doc: str
    answerable_expected: bool
    answerable_got: bool
    correct: bool
    evidence_correct: bool
    item_share: float | None
    hit_rank: int | None
    evidence_rank: int | None
    citation_recall: float | None
    citation_precision: float | None
    citations: int
    verbatim: int
    latency_ms: float


@dataclass(frozen=True)
class Regression:
    """A metric that moved the wrong way past its tolerance."""

    metric: str
    baseline: float
    current: float
    tolerance: float
    severity: str  # "fail" or "warn"


@dataclass(frozen=True)
class ChangedCases:
    """Case ids whose pass/fail flipped against the baseline, sorted."""

    newly_failing: tuple[str, ...]
    newly_passing: tuple[str, ...]


def normalise(text: str) -> str:
    """Fold a string for answer matching: NFKC, no white space, no thousands commas.

    >>> normalise("３０,０００ 人")
    '30000人'
    """
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return _THOUSANDS.sub("", folded)


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` where ``needle`` occurs in ``text``, overlaps included."""
    found: list[tuple[int, int]] = []
    at = text.find(needle)
    while needle and at >= 0:
        found.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return found


def locate_evidence(evidence: Sequence[tuple[str, str]], documents: Mapping[str, str]) -> list[list[Span]]:
    """All occurrences of each evidence text in its document.

    Args:
        evidence: (doc id, exact text) pairs.
        documents: doc id -> full text, the text citation offsets refer to.

    Returns:
        One list of spans per evidence item, in text order.

    Raises:
        ValueError: an evidence document is unknown or its text is not found.
    """
    located: list[list[Span]] = []
    for k, (doc, text) in enumerate(evidence):
        if doc not in documents:
            raise PlanQAError(f"evidence[{k}] names unknown doc {doc!r}; known: {sorted(documents)}")
        spans = [Span(doc, s, e) for s, e in occurrences(documents[doc], text)]
        if not spans:
            raise PlanQAError(f"evidence[{k}] text not found in {doc!r}: {text[:40]!r}")
        located.append(spans)
    return located


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _first_rank(passages: Sequence[Span], spans: Sequence[Span], depth: int) -> int | None:
    """1-based rank of the first passage containing one of ``spans``, within ``depth``."""
    for rank, p in enumerate(passages[:depth], start=1):
        if any(s.doc == p.doc and p.start <= s.start and s.end <= p.end for s in spans):
            return rank
    return None


LIST_TYPES = frozenset({"list"})
LIST_SHARE = 0.5  # a list answer is right when at least half of its items are in the headline
_BOLD = re.compile(r"\*\*|__")


def headline(answer: str) -> str:
    """The part of an answer the user reads as the answer.

    The lines before the first Markdown quote block (``> …``); when the answer
    starts with quotes, the quote lines themselves. Bold markers are dropped.

    >>> headline("达到**95万户** [1]\n\n> “全市宽带用户达到95万户” [1]")
    '达到95万户 [1]'
    """
    lines = answer.splitlines()
    before: list[str] = []
    for line in lines:
        if line.lstrip().startswith(">"):
            break
        before.append(line)
    text = "\n".join(before).strip()
    if not text:
        text = "\n".join(line for line in lines if line.lstrip().startswith(">"))
    return _BOLD.sub("", text)


def item_share(gold: Gold, text: str) -> float:
    """Share of the gold answers found in ``text`` (after :func:`normalise`)."""
    if not gold.answers:
        return 0.0
    folded = normalise(text)
    return sum(normalise(a) in folded for a in gold.answers) / len(gold.answers)


def answer_correct(gold: Gold, observed: Observed) -> bool:
    """Headline correctness: what the user reads answers the case (module docstring)."""
    if not gold.answerable:
        return not observed.answerable
    if not observed.answerable:
        return False
    share = item_share(gold, headline(observed.answer))
    return share >= LIST_SHARE if gold.type in LIST_TYPES else share == 1.0


def evidence_correct(gold: Gold, observed: Observed) -> bool:
    """Lenient correctness: every answer anywhere in the quotes or the answer text."""
    if not gold.answerable:
        return not observed.answerable
    if not observed.answerable:
        return False
    # Pieces are normalised apart so no match can straddle two of them.
    pieces = [text for q in observed.quotes for text in (q.quote, q.display, q.key)] + [observed.answer]
    haystack = "\0".join(normalise(text) for text in pieces)
    return all(normalise(answer) in haystack for answer in gold.answers)


def citation_scores(evidence: Sequence[Sequence[Span]], quotes: Sequence[Quote]) -> tuple[float, float | None]:
    """Citation recall over evidence items and precision over quotes.

    Returns:
        (recall, precision); precision is None when there are no quotes.
    """
    def covers(q: Quote, s: Span) -> bool:
        return q.doc == s.doc and _overlap(q.start, q.end, s.start, s.end) >= COVER_FRACTION * (s.end - s.start)

    covered = sum(any(covers(q, s) for q in quotes for s in spans) for spans in evidence)
    recall = covered / len(evidence) if evidence else 0.0
    every = [s for spans in evidence for s in spans]
    relevant = sum(any(q.doc == s.doc and _overlap(q.start, q.end, s.start, s.end) > 0 for s in every) for q in quotes)
    return recall, (relevant / len(quotes) if quotes else None)


def evaluate_case(gold: Gold, observed: Observed, documents: Mapping[str, str]) -> CaseResult:
    """Score one response against its case.

    Args:
        gold: the expected outcome.
        observed: the system's response.
        documents: doc id -> full text.

    Returns:
        The per-case scores; retrieval metrics only for answerable cases,
        citation metrics only for answerable cases that were answered.
    """
    evidence = locate_evidence(gold.evidence, documents)
    hit_rank = evidence_rank = None
    if evidence:
        ranks = [_first_rank(observed.passages, spans, RETRIEVAL_DEPTH) for spans in evidence]
        found = [r for r in ranks if r is not None]
        hit_rank = min(found) if found else None
        evidence_rank = max(found) if len(found) == len(ranks) else None
    recall = precision = None
    if gold.answerable and observed.answerable:
        recall, precision = citation_scores(evidence, observed.quotes)
    verbatim = sum(q.doc in documents and documents[q.doc][q.start:q.end] == q.quote for q in observed.quotes)
    return CaseResult(
        id=gold.id, type=gold.type, doc=gold.evidence[0][0] if gold.evidence else NO_DOC,
        answerable_expected=gold.answerable, answerable_got=observed.answerable,
        correct=answer_correct(gold, observed), evidence_correct=evidence_correct(gold, observed),
        item_share=item_share(gold, headline(observed.answer)) if gold.answerable and observed.answerable else (0.0 if gold.answerable else None),
        hit_rank=hit_rank, evidence_rank=evidence_rank,
        citation_recall=recall, citation_precision=precision,
        citations=len(observed.quotes), verbatim=verbatim, latency_ms=observed.latency_ms,
    )


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (no interpolation, so it is always an observed value)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def summarize(results: Sequence[CaseResult]) -> dict[str, float | int | None]:
    """Metrics of a group of cases; a rate is None when no case of the group applies."""
    positive = [r for r in results if r.answerable_expected]
    negative = [r for r in results if not r.answerable_expected]
    answered = [r for r in positive if r.answerable_got]
    citations = sum(r.citations for r in results)
    latencies = [r.latency_ms for r in results]
    return {
        "count": len(results),
        "answerable": len(positive),
        "unanswerable": len(negative),
        "headline_accuracy": _mean(float(r.correct) for r in results),
        "evidence_accuracy": _mean(float(r.evidence_correct) for r in results),
        "item_share": _mean(r.item_share for r in positive if r.item_share is not None),
        "hit@1": _mean(float(r.hit_rank is not None and r.hit_rank <= 1) for r in positive),
        "hit@5": _mean(float(r.hit_rank is not None and r.hit_rank <= 5) for r in positive),
        "mrr@10": _mean(1.0 / r.hit_rank if r.hit_rank else 0.0 for r in positive),
        "evidence_recall@5": _mean(float(r.evidence_rank is not None and r.evidence_rank <= 5) for r in positive),
        "evidence_recall@10": _mean(float(r.evidence_rank is not None) for r in positive),
        "citation_recall": _mean(r.citation_recall for r in answered if r.citation_recall is not None),
        "citation_precision": _mean(r.citation_precision for r in answered if r.citation_precision is not None),
        "abstain_accuracy": _mean(float(not r.answerable_got) for r in negative),
        "false_abstain_rate": _mean(float(not r.answerable_got) for r in positive),
        # the worst outcome: an answer shown that does not answer (a wrong value with a
        # real citation, or an answer where the documents are silent)
        "wrong_answer_rate": _mean(float(r.answerable_got and not r.correct) for r in results),
        "verbatim_rate": sum(r.verbatim for r in results) / citations if citations else 1.0,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def _groups(results: Sequence[CaseResult], key: str) -> dict[str, dict[str, float | int | None]]:
    """Summaries per group, ordered by size then name (ties broken by name)."""
    members: dict[str, list[CaseResult]] = {}
    for r in results:
        members.setdefault(getattr(r, key), []).append(r)
    order = sorted(members, key=lambda name: (-len(members[name]), name))
    return {name: summarize(members[name]) for name in order}


def aggregate(results: Sequence[CaseResult]) -> dict[str, dict]:
    """Overall, per-type and per-document metrics.

    Returns:
        ``{"overall": {...}, "by_type": {type: {...}}, "by_doc": {doc: {...}}}``.
    """
    return {"overall": summarize(results), "by_type": _groups(results, "type"), "by_doc": _groups(results, "doc")}


def worst_failures(results: Sequence[CaseResult], n: int = 10) -> list[CaseResult]:
    """The ``n`` failed cases to read first.

    Wrong answers come before answered unanswerables, which come before refusals
    of answerable cases; then less of the evidence cited, evidence ranked lower,
    and case id break ties.
    """
    def key(r: CaseResult) -> tuple[int, float, int, str]:
        kind = 2 if not r.answerable_got else (0 if r.answerable_expected else 1)
        return kind, r.citation_recall or 0.0, -(r.hit_rank or RETRIEVAL_DEPTH + 1), r.id

    return sorted((r for r in results if not r.correct), key=key)[:n]


# Lower is better for these; every other compared metric is a rate where higher is better.
LOWER_IS_BETTER = frozenset({"false_abstain_rate", "wrong_answer_rate", "latency_p50_ms", "latency_p95_ms"})
LATENCY = frozenset({"latency_p50_ms", "latency_p95_ms"})
RATES = (
    "headline_accuracy", "evidence_accuracy", "hit@1", "hit@5", "mrr@10", "evidence_recall@5", "evidence_recall@10",
    "citation_recall", "citation_precision", "abstain_accuracy", "false_abstain_rate", "wrong_answer_rate", "verbatim_rate",
)
# Rates: absolute drop allowed. Latency: relative rise allowed (+50%), and only a
# warning, because machines differ.
DEFAULT_TOLERANCES: Mapping[str, float] = {**{name: 0.02 for name in RATES}, **{name: 0.5 for name in LATENCY}}


def compare(
    current: Mapping[str, float | int | None],
    baseline: Mapping[str, float | int | None],
    tolerances: Mapping[str, float] | None = None,
) -> list[Regression]:
    """Metrics that got worse than the baseline by more than their tolerance.

    Args:
        current: metric name -> value, e.g. ``aggregate(...)["overall"]``.
        baseline: the same for the baseline run.
        tolerances: overrides of :data:`DEFAULT_TOLERANCES`; rate tolerances are
            absolute, latency tolerances relative to the baseline.

    Returns:
        Regressions in :data:`DEFAULT_TOLERANCES` order; latency ones are
        ``"warn"``, the others ``"fail"``. Metrics missing or None on either side
        are skipped.
    """
    limits = {**DEFAULT_TOLERANCES, **(tolerances or {})}
    found: list[Regression] = []
    for name, tolerance in limits.items():
        now, then = current.get(name), baseline.get(name)
        if now is None or then is None:
            continue
        if name in LATENCY:
            worse = now > then * (1 + tolerance)
        elif name in LOWER_IS_BETTER:
            worse = now - then > tolerance + 1e-12
        else:
            worse = then - now > tolerance + 1e-12
        if worse:
            found.append(Regression(name, float(then), float(now), tolerance, "warn" if name in LATENCY else "fail"))
    return found


def changed_cases(current: Mapping[str, bool], baseline: Mapping[str, bool]) -> ChangedCases:
    """Case ids whose pass/fail flipped; ids present on one side only are ignored.

    Args:
        current: case id -> correct, this run.
        baseline: case id -> correct, the baseline run.
    """
    shared = sorted(set(current) & set(baseline))
    return ChangedCases(
        newly_failing=tuple(i for i in shared if baseline[i] and not current[i]),
        newly_passing=tuple(i for i in shared if current[i] and not baseline[i]),
    )
