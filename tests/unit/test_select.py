"""Quote windows, key spans and sentence features (qa.answer.select) on inline sentences."""
from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answer.query import QueryFacts, analyse
from qa.answer.select import key_span, lexical_coverage, quote_window, year_feature


def facts(**wants: bool) -> QueryFacts:
    """Question facts with only the given wishes set (no places, years or sub-groups)."""
    return replace(analyse(""), **wants)


# --------------------------------------------------------------------------- lexical_coverage


def test_coverage_is_idf_weighted_with_half_credit_for_context() -> None:
    terms = [("宽带", 2.0), ("用户", 1.0), ("北京", 1.0)]
    assert lexical_coverage(terms, "全市宽带达到95万户", "二、发展目标 用户") == pytest.approx((2.0 + 0.5 * 1.0) / 4.0)
    assert lexical_coverage(terms, "宽带用户", "") == pytest.approx(3.0 / 4.0)
    assert lexical_coverage(terms, "宽带", "宽带") == pytest.approx(2.0 / 4.0)  # the text counts, not both
    assert lexical_coverage(terms, "电话", "") == 0.0


@pytest.mark.parametrize("terms", [[], [("宽带", 0.0)]], ids=["no-terms", "zero-weight"])
def test_coverage_without_weight_is_zero(terms: list[tuple[str, float]]) -> None:
    assert lexical_coverage(terms, "宽带", "宽带") == 0.0


# --------------------------------------------------------------------------- year_feature


@pytest.mark.parametrize(
    ("years", "sentence", "chunk", "section", "doc_years", "expected"),
    [
        pytest.param((), "2015年宽带用户达到95万户", "", "", None, 0.0, id="no-year-asked"),
        pytest.param((2015,), "到2015年，宽带用户达到95万户", "", "", None, 1.0, id="in-sentence"),
        pytest.param((2015,), "宽带用户达到95万户", "到2015年，宽带用户达到95万户", "", None, 0.6, id="in-paragraph"),
        pytest.param((2015,), "宽带用户达到95万户", "", "2015年目标", None, 0.6, id="in-heading"),
        pytest.param((2015,), "宽带用户达到95万户", "", "", (2011, 2015), 0.5, id="in-period"),
        pytest.param((2015,), "宽带用户达到95万户", "", "", (2006, 2010), -0.5, id="nothing-ties-it"),
        pytest.param((2015,), "2010年宽带用户35万户", "到2015年", "", None, 0.3, id="other-year-in-sentence"),
        pytest.param((2015,), "2010年宽带用户35万户", "", "", (2011, 2015), 0.2, id="other-year-in-period"),
        pytest.param((2010, 2015), "2010年宽带用户35万户", "", "", None, 1.0, id="best-of-two-years"),
    ],
)
def test_year_feature(years: tuple[int, ...], sentence: str, chunk: str, section: str,
                      doc_years: tuple[int, int] | None, expected: float) -> None:
    assert year_feature(years, sentence, chunk, section, doc_years) == pytest.approx(expected)


# --------------------------------------------------------------------------- key_span

PREFIX = "二、发展目标\n"
SENTENCE = "到2015年，全市宽带用户达到95万户，城镇家庭上网率达到80%。"
DOC = PREFIX + SENTENCE + "\n三、主要任务"
START, END = len(PREFIX), len(PREFIX) + len(SENTENCE)


def key(terms: list[tuple[str, float]], wants: QueryFacts, question: str, text: str = DOC,
        start: int = START, end: int = END) -> str | None:
    span = key_span(text, start, end, terms, wants, question)
    if span is None:
        return None
    assert start <= span[0] < span[1] <= end
    return text[span[0]:span[1]]


def test_key_is_the_number_after_the_strongest_term() -> None:
    number = facts(wants_number=True)
    assert key([("宽带", 3.0), ("上网率", 1.0)], number, "宽带目标是多少？") == "95万户"
    assert key([("宽带", 1.0), ("上网率", 3.0)], number, "上网率目标是多少？") == "80%"


def test_key_offsets_point_into_the_document() -> None:
    span = key_span(DOC, START, END, [("宽带", 3.0)], facts(wants_number=True), "宽带目标是多少？")
    assert span == (DOC.index("95万户"), DOC.index("95万户") + len("95万户"))


def test_numbers_named_in_the_question_are_not_the_answer() -> None:
    text = "2010年宽带用户35万户，2015年宽带用户达到95万户。"
    question = "2010年宽带用户是35万户，2015年呢？"
    assert key([("宽带", 2.0)], facts(wants_number=True), question, text, 0, len(text)) == "95万户"


def test_a_year_is_not_the_key_when_a_quantity_is_there() -> None:
    text = "到2015年达到95万户。"
    assert key([("达到", 1.0)], facts(wants_number=True), "目标是多少？", text, 0, len(text)) == "95万户"


def test_when_question_takes_the_year() -> None:
    text = "电子政务工程于2013年建成，投资3,000万元。"
    question = "电子政务工程什么时候建成？"
    answer = key([("电子政务", 2.0), ("建成", 1.0)], facts(wants_when=True), question, text, 0, len(text))
    assert answer in ("2013", "2013年")  # the year, with or without its 年; never the investment


def test_without_a_matching_term_the_first_number_is_the_key() -> None:
    assert key([("北京", 2.0)], facts(wants_number=True), "北京是多少？") == "95万户"


def test_a_term_after_every_number_takes_the_nearest_before_it() -> None:
    text = "95万户，30万户是宽带用户的目标"
    assert key([("目标", 2.0)], facts(wants_number=True), "目标是多少？", text, 0, len(text)) == "30万户"


@pytest.mark.parametrize(
    ("text", "question"),
    [
        pytest.param("全市推进电子政务建设。", "电子政务有多少？", id="no-number"),
        pytest.param("全市宽带用户达到95万户。", "宽带用户达到95万户吗，是多少？", id="only-the-asked-number"),
        pytest.param("建成第3期工程。", "建成几期？", id="single-digit"),
    ],
)
def test_no_key(text: str, question: str) -> None:
    assert key([("宽带", 1.0)], facts(wants_number=True), question, text, 0, len(text)) is None


# --------------------------------------------------------------------------- quote_window

CLAUSES = [
    "加快推进全市信息基础设施建设和改造升级工作，",  # 22
    "完善城乡一体化的综合信息网络和公共服务平台，",  # 22
    "到2015年全市宽带用户达到95万户，",  # 19
    "城镇家庭上网率达到80%以上并继续提高，",  # 20
    "农村信息服务站覆盖全部行政村和主要自然村落，",  # 22
    "信息化水平显著提高并进入全省先进行列。",  # 19
]
LONG = "".join(CLAUSES)


def test_short_sentence_is_quoted_whole() -> None:
    text = "前言。" + SENTENCE
    assert quote_window(text, 3, len(text), [("宽带", 1.0)], True) == (3, len(text))


def test_long_sentence_is_cut_to_whole_clauses_around_the_best() -> None:
    assert len(LONG) > 110
    text = "一、目标\n" + LONG + "\n二、任务"
    start, end = text.index(LONG), text.index(LONG) + len(LONG)
    s, e = quote_window(text, start, end, [("宽带", 2.0), ("用户", 1.0)], True)
    quote = text[s:e]
    assert start <= s < e <= end and e - s <= 110
    assert "到2015年全市宽带用户达到95万户，" in quote
    assert any(quote.startswith(c) for c in CLAUSES) and any(quote.endswith(c) for c in CLAUSES)
    # Grown one clause at a time, the earlier side first, while it stays within 110 characters.
    assert quote == "".join(CLAUSES[0:5])


def test_window_follows_the_best_clause() -> None:
    s, e = quote_window(LONG, 0, len(LONG), [("先进行列", 3.0)], False)
    assert LONG[s:e] == "".join(CLAUSES[1:6])  # 101 characters; the first clause would make 123
    s, e = quote_window(LONG, 0, len(LONG), [("北京", 1.0)], True)
    assert LONG[s:e] == "".join(CLAUSES[0:5])  # no term: the first clause with a number wins (ties: earliest)


def test_a_framed_what_question_keys_what_the_frame_holds() -> None:
    from qa.answer.select import _framed_key
    text = "以网络设施建设为基础，以电子政务建设为先导，以信息资源开发利用为中心，实现跨越式发展。"
    span = _framed_key(text, 0, len(text), "宝鸡以什么为中心？")
    assert span is not None and text[span[0]:span[1]] == "信息资源开发利用"
    assert _framed_key(text, 0, len(text), "宝鸡以什么为核心？") is None
    assert _framed_key(text, 0, len(text), "宝鸡的指导思想是什么？") is None


def test_the_part_a_question_narrows_to_is_sought() -> None:
    from qa.answer.select import focus_fit
    question = "机场航空物流园在航空快递方面要达到什么水平？"
    assert focus_fit(question, "打造西北最强的航空快递服务，航空货运服务。", {}) == 1.0
    assert focus_fit(question, "依托国际机场，重点发展航空物流、航空服务。", {}) == 0.0
    assert focus_fit("机场物流园要达到什么水平？", "打造西北最强的航空快递服务。", {}) == 0.0  # nothing narrowed
    assert focus_fit("在网上买卖方面呢？", "发展电子商务。", {"网上买卖": ("电子商务",)}) == 1.0


def test_a_whole_word_the_documents_never_use_is_carried_by_its_parts() -> None:
    from qa.answer.pipeline import _counted_once
    terms = [("税务", 3.9), ("税务局", 5.0), ("国库", 4.2)]
    assert _counted_once(terms, {"税务": 0, "国库": 1}) == [("税务", 3.9), ("国库", 4.2)]
    assert _counted_once(terms, {"税务": 0, "税务局": 1, "国库": 2}) == terms  # used whole: kept


def test_x_shi_shenme_is_read_from_yi_y_wei_x() -> None:
    from qa.answer.select import _framed_key
    text = "建成以政府信息公开为基础、以检索查询服务为主要内容、以办事服务为最终目的的一站式服务平台。"
    lo, hi = _framed_key(text, 0, len(text), "最终目的又是什么？")
    assert text[lo:hi] == "办事服务"


def test_yi_sha_wei_x_needs_a_sentence_that_frames_something_as_x() -> None:
    from qa.answer.select import _FRAME, _framed_key
    question = "宝鸡在高耗能行业推节能减排，信息化上以啥为重点？"
    assert _FRAME.search(question)
    framing = "以能耗数据实时采集和分析、能源利用综合平衡和调度为重点，促进节能减排目标的实现。"
    plain = "在有色、冶金等高耗能行业中推广使用数字化、智能化生产设备。"
    assert _framed_key(framing, 0, len(framing), question) is not None
    assert _framed_key(plain, 0, len(plain), question) is None
