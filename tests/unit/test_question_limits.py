"""Issue 15: an oversized question is refused before any per-character work."""
from __future__ import annotations

import time

import pytest

from qa.answer.question import QuestionError, clean_question


def test_huge_question_is_refused_before_normalising() -> None:
    started = time.perf_counter()
    with pytest.raises(QuestionError, match="问题太长"):
        clean_question("咸" * 24_000_000, 2000)
    assert time.perf_counter() - started < 0.5  # normalising 24 M characters takes seconds


def test_a_two_digit_year_is_read_as_a_year_and_a_span_is_not() -> None:
    from qa.answer.question import clean_question
    assert clean_question("宝鸡09年电信业务收入多少？", 200) == "宝鸡2009年电信业务收入多少？"
    assert clean_question("到15年底咸阳宽带用户目标？", 200) == "到2015年底咸阳宽带用户目标？"
    for span in ("10年内建成", "用15年时间", "第10年", "12.5年"):
        assert clean_question(span, 200) == span
