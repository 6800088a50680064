"""Evaluation metrics on tiny inline data, with hand-computed expectations."""
from __future__ import annotations

import pytest

from qa.evaluation.metrics import (
    CaseResult,
    Gold,
    Observed,
    Quote,
    Span,
    aggregate,
    answer_correct,
    changed_cases,
    citation_scores,
    compare,
    evaluate_case,
    evidence_correct,
    headline,
    item_share,
    locate_evidence,
    normalise,
    occurrences,
    percentile,
    worst_failures,
)

#            0         1         2         3
#            0123456789012345678901234567890123456
DOC_A = "目标：宽带用户达到95万户。宽带用户达到95万户。上网率80%。"
DOC_B = "投资30,000万元，建设数据中心。"
DOCS = {"a": DOC_A, "b": DOC_B}


def gold(answers=("95万户",), evidence=(("a", "宽带用户达到95万户"),), answerable=True, id="c1", type="number") -> Gold:
    return Gold(id, type, answerable, tuple(answers), tuple(evidence))


def observed(answerable=True, answer="", quotes=(), passages=(), latency=10.0) -> Observed:
    return Observed(answerable, answer, tuple(quotes), tuple(passages), latency)


def quote(doc: str, start: int, end: int, display: str = "", key: str = "") -> Quote:
    return Quote(doc, start, end, DOCS[doc][start:end], display, key)


# --------------------------------------------------------------------------- locating evidence


def test_every_occurrence_is_located() -> None:
    assert occurrences(DOC_A, "宽带用户达到95万户") == [(3, 13), (14, 24)]
    assert occurrences("aaa", "aa") == [(0, 2), (1, 3)]
    spans = locate_evidence([("a", "上网率80%"), ("b", "数据中心")], DOCS)
    assert spans == [[Span("a", 25, 31)], [Span("b", 13, 17)]]
    assert DOC_A[25:31] == "上网率80%" and DOC_B[13:17] == "数据中心"


@pytest.mark.parametrize(
    ("evidence", "message"),
    [((("zz", "x"),), "unknown doc 'zz'"), ((("a", "不存在的话"),), "not found in 'a'")],
)
def test_missing_evidence_is_an_error(evidence, message) -> None:
    with pytest.raises(ValueError, match=message):
        locate_evidence(evidence, DOCS)


# --------------------------------------------------------------------------- retrieval


def test_hit_rank_uses_containment_and_any_occurrence() -> None:
    passages = (
        Span("b", 0, 18),   # wrong doc
        Span("a", 0, 10),   # cuts the first occurrence short: no hit
        Span("a", 14, 24),  # exactly the second occurrence: hit at rank 3
    )
    result = evaluate_case(gold(), observed(passages=passages), DOCS)
    assert result.hit_rank == 3
    assert result.evidence_rank == 3
    summary = aggregate([result])["overall"]
    assert (summary["hit@1"], summary["hit@5"], summary["mrr@10"]) == (0.0, 1.0, pytest.approx(1 / 3))


def test_multi_evidence_hit_is_any_and_evidence_recall_is_all() -> None:
    two = gold(answers=("95万户", "80%"), evidence=(("a", "宽带用户达到95万户"), ("a", "上网率80%")))
    only_first = evaluate_case(two, observed(passages=(Span("a", 0, 14),)), DOCS)
    assert (only_first.hit_rank, only_first.evidence_rank) == (1, None)
    both = evaluate_case(two, observed(passages=(Span("b", 0, 5),) * 5 + (Span("a", 20, 33), Span("a", 0, 14))), DOCS)
    assert (both.hit_rank, both.evidence_rank) == (6, 7)
    summary = aggregate([only_first, both])["overall"]
    assert summary["hit@5"] == 0.5
    assert summary["mrr@10"] == pytest.approx((1 + 1 / 6) / 2)
    assert summary["evidence_recall@5"] == 0.0
    assert summary["evidence_recall@10"] == 0.5


def test_rank_beyond_ten_is_a_miss() -> None:
    passages = (Span("b", 0, 5),) * 10 + (Span("a", 0, 30),)
    assert evaluate_case(gold(), observed(passages=passages), DOCS).hit_rank is None


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("expected", "shown"),
    [
        ("30000万元", "投资30,000万元"),
        ("30,000万元", "投资30000万元"),
        ("80%", "上网率８０％"),
        ("95万户", "95 万户"),
        ("第三十五次常务会议", "第三十五次\n常务会议"),
    ],
)
def test_normalised_answers_match(expected: str, shown: str) -> None:
    assert normalise(expected) in normalise(shown)


def test_normalise_keeps_commas_that_are_not_thousands() -> None:
    assert normalise("1,2") == "1,2"
    assert normalise("1,2345") == "1,2345"
    assert normalise("１，０００") == "1000"


def test_evidence_answer_is_found_in_quote_display_key_or_answer() -> None:
    case = gold(answers=("95万户", "80%"))
    assert evidence_correct(case, observed(quotes=[quote("a", 3, 13), quote("a", 25, 31)]))
    assert evidence_correct(case, observed(answer="宽带95万户", quotes=[quote("a", 0, 2, key="８０％")]))
    assert not evidence_correct(case, observed(answer="宽带95万户"))
    # "…95" ending a quote and "万户" in the answer must not join into "95万户".
    straddle = observed(answer="万户", quotes=[quote("a", 0, 11)])
    assert DOC_A[0:11].endswith("95") and not evidence_correct(gold(), straddle)
    assert not evidence_correct(case, observed(answerable=False, answer="95万户 80%"))


def test_headline_is_the_text_before_the_first_quote_block() -> None:
    assert headline("达到**95万户** [1]\n\n> “全市宽带用户达到95万户” [1]\n\n[1] 《规划》") == "达到95万户 [1]"
    # An answer that is only quotes: the quotes are what the user reads.
    assert headline("> “宽带用户达到95万户” [1]\n\n[1] 《规划》") == "> “宽带用户达到95万户” [1]"


def test_headline_accuracy_ignores_a_gold_value_only_in_the_quote() -> None:
    case = gold(answers=("85.9万户",))
    bolded_wrong = observed(answer="移动通信总容量**108万门** [1]\n\n> “固定电话用户85.9万户，移动通信总容量108万门” [1]")
    assert evidence_correct(case, bolded_wrong)
    assert not answer_correct(case, bolded_wrong)
    assert answer_correct(case, observed(answer="固定电话用户**85.9万户** [1]\n\n> “…” [1]"))


@pytest.mark.parametrize(("found", "expected"), [(("甲", "乙"), True), (("甲",), False), ((), False)])
def test_list_needs_half_of_the_items_in_the_headline(found: tuple[str, ...], expected: bool) -> None:
    case = gold(answers=("甲", "乙", "丙", "丁"), type="list")
    text = "、".join(found) or "无"
    assert answer_correct(case, observed(answer=f"{text} [1]\n\n> “甲乙丙丁” [1]")) is expected
    assert item_share(case, text) == len(found) / 4


def test_comparison_needs_every_side_in_the_headline() -> None:
    case = gold(answers=("35万户", "95万户"), type="comparison")
    assert not answer_correct(case, observed(answer="2015年：**95万户** [1]\n\n> “35万户…95万户” [1]"))
    assert answer_correct(case, observed(answer="2010年：**35万户** [1]\n2015年：**95万户** [2]"))


def test_unanswerable_is_correct_only_when_refused() -> None:
    case = gold(answers=(), evidence=(), answerable=False, type="unanswerable")
    assert answer_correct(case, observed(answerable=False))
    assert not answer_correct(case, observed(answerable=True, answer="随便"))
    result = evaluate_case(case, observed(answerable=False), DOCS)
    assert (result.doc, result.hit_rank, result.citation_recall) == ("none", None, None)


# --------------------------------------------------------------------------- citations


def test_citation_overlap_rules() -> None:
    evidence = locate_evidence([("a", "宽带用户达到95万户"), ("a", "上网率80%")], DOCS)
    # Covers 5 of the 10 characters of the second occurrence: exactly half counts.
    half = quote("a", 19, 24)
    # Covers 3 of the 6 characters of "上网率80%": exactly half counts too.
    half_of_second = quote("a", 28, 31)
    # Covers 4 of 10: overlaps (precise) but does not cover (no recall).
    under_half = quote("a", 20, 24)
    elsewhere = quote("b", 0, 5)
    assert citation_scores(evidence, [half]) == (0.5, 1.0)
    assert citation_scores(evidence, [half_of_second]) == (0.5, 1.0)
    assert citation_scores(evidence, [under_half]) == (0.0, 1.0)
    assert citation_scores(evidence, [half, elsewhere]) == (0.5, 0.5)
    assert citation_scores(evidence, [half, half_of_second, elsewhere]) == (1.0, pytest.approx(2 / 3))
    assert citation_scores(evidence, [quote("a", 0, 32)]) == (1.0, 1.0)
    assert citation_scores(evidence, []) == (0.0, None)


def test_citation_metrics_only_for_answered_answerable_cases() -> None:
    refused = evaluate_case(gold(), observed(answerable=False), DOCS)
    assert (refused.citation_recall, refused.citation_precision) == (None, None)
    answered = evaluate_case(gold(), observed(quotes=[quote("a", 14, 24)]), DOCS)
    assert (answered.citation_recall, answered.citation_precision) == (1.0, 1.0)


def test_verbatim_counts_quotes_equal_to_the_document_slice() -> None:
    forged = Quote("a", 3, 13, "宽带用户达到96万户")
    result = evaluate_case(gold(), observed(quotes=[quote("a", 3, 13), forged, Quote("zz", 0, 1, "x")]), DOCS)
    assert (result.citations, result.verbatim) == (3, 1)
    assert aggregate([result])["overall"]["verbatim_rate"] == pytest.approx(1 / 3)


# --------------------------------------------------------------------------- aggregation


def result(id: str, type: str, doc: str, expected: bool, got: bool, correct: bool, rank: int | None = None,
           latency: float = 10.0) -> CaseResult:
    answered = expected and got
    return CaseResult(id, type, doc, expected, got, correct, correct, 1.0 if answered else None, rank, rank, 1.0 if answered else None,
                      1.0 if answered else None, 1 if got else 0, 1 if got else 0, latency)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([float(v) for v in range(1, 21)], 95) == 19.0


def test_aggregation_golden_with_ties() -> None:
    results = [
        result("q1", "number", "b", True, True, True, rank=1, latency=30.0),
        result("q2", "fact", "a", True, False, False, rank=2, latency=10.0),
        result("q3", "unanswerable", "none", False, False, True, latency=20.0),
        result("q4", "unanswerable", "none", False, True, False, latency=40.0),
    ]
    got = aggregate(results)
    # Groups ordered by size, ties broken by name.
    assert list(got["by_type"]) == ["unanswerable", "fact", "number"]
    assert list(got["by_doc"]) == ["none", "a", "b"]
    assert got["overall"] == {
        "count": 4, "answerable": 2, "unanswerable": 2, "headline_accuracy": 0.5, "evidence_accuracy": 0.5,
        "item_share": 1.0,
        "hit@1": 0.5, "hit@5": 1.0, "mrr@10": 0.75, "evidence_recall@5": 1.0, "evidence_recall@10": 1.0,
        "citation_recall": 1.0, "citation_precision": 1.0, "abstain_accuracy": 0.5, "false_abstain_rate": 0.5,
        "wrong_answer_rate": 0.25,  # q4: an answer where the documents are silent
        "verbatim_rate": 1.0, "latency_p50_ms": 20.0, "latency_p95_ms": 40.0,
    }
    assert got["by_type"]["unanswerable"]["hit@5"] is None
    assert got["by_type"]["fact"]["citation_recall"] is None
    assert got["by_doc"]["none"]["abstain_accuracy"] == 0.5


def test_worst_failures_order_and_tie_break() -> None:
    results = [
        result("z-refused", "fact", "a", True, False, False, rank=1),
        result("b-wrong", "fact", "a", True, True, False, rank=1),
        result("a-wrong", "fact", "a", True, True, False, rank=1),
        result("c-wrong-unretrieved", "fact", "a", True, True, False, rank=None),
        result("answered-unanswerable", "unanswerable", "none", False, True, False),
        result("ok", "fact", "a", True, True, True, rank=1),
    ]
    assert [r.id for r in worst_failures(results, 4)] == ["c-wrong-unretrieved", "a-wrong", "b-wrong", "answered-unanswerable"]


# --------------------------------------------------------------------------- regression gate


BASE = {"headline_accuracy": 0.80, "hit@5": 0.90, "false_abstain_rate": 0.10, "latency_p50_ms": 100.0, "count": 50}


def test_compare_within_tolerance_is_quiet() -> None:
    current = {"headline_accuracy": 0.78, "hit@5": 0.95, "false_abstain_rate": 0.12, "latency_p50_ms": 150.0, "count": 10}
    assert compare(current, BASE) == []


def test_compare_flags_drops_beyond_tolerance() -> None:
    current = {"headline_accuracy": 0.77, "hit@5": 0.90, "false_abstain_rate": 0.13, "latency_p50_ms": 151.0}
    found = {r.metric: r for r in compare(current, BASE)}
    assert set(found) == {"headline_accuracy", "false_abstain_rate", "latency_p50_ms"}
    assert found["headline_accuracy"].severity == "fail"
    assert found["false_abstain_rate"].severity == "fail"
    assert found["latency_p50_ms"].severity == "warn"
    assert (found["headline_accuracy"].baseline, found["headline_accuracy"].current) == (0.80, 0.77)


def test_compare_tolerance_override_and_missing_metrics() -> None:
    assert [r.metric for r in compare({"headline_accuracy": 0.77}, BASE, {"headline_accuracy": 0.05})] == []
    assert compare({"headline_accuracy": None, "mrr@10": 0.1}, BASE) == []


def test_changed_cases() -> None:
    changed = changed_cases({"a": True, "b": False, "c": True, "new": False}, {"b": True, "a": False, "c": True, "old": True})
    assert changed.newly_failing == ("b",)
    assert changed.newly_passing == ("a",)
