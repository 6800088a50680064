"""Property-based tests: ask() on arbitrary questions never crashes and quotes verbatim."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qa.answer.pipeline import Pipeline, QuestionError

# Plan-like vocabulary, as in tests/unit/test_chunking_properties.py.
MARKERS = ["一、", "十二、", "（一）", "(三)", "1、", "1.", "12．", "（1）", "专栏1：", "专栏 2", "附件：", "附件1:", "附件二："]
WORDS = ["宽带用户", "达到", "95万户", "信息化", "建设", "2015年", "合计", "项目名称", "投资（万元）", "（万元）",
         "咸阳市", "宝鸡", "“十二五”", "840", "2011-2015", "档案局", "%", "，", "、", "：", "。", "；", "！", "？", "）"]


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(question=st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(WORDS + MARKERS + ["那", "呢", "多少", "哪些", "咸阳和宝鸡", "2007年"]),
                       st.text(max_size=3)), max_size=12).map("".join),
    st.text(min_size=1990, max_size=2100, alphabet=st.sampled_from("宽带用户 a。")),
), history=st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["到2015年咸阳的宽带用户目标是多少？"])), max_size=3))
def test_ask_never_crashes_and_quotes_verbatim(pipe: Pipeline, verbatim: Callable[..., None], question: str,
                                               history: list[str]) -> None:
    try:
        response = pipe.ask(question, history)
    except QuestionError as exc:
        assert str(exc)
        event("refused")
        return
    event("answered" if response.answerable else "silent")
    verbatim(pipe, response)
    assert response.answerable == bool(response.citations)
    for passage in response.passages:
        assert pipe.index.documents[passage.doc_id].text[passage.start:passage.end] == passage.text
