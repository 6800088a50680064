"""What the web app renders from hand-built responses (no browser, no model)."""
from __future__ import annotations

import logging
from typing import Any

import gradio as gr
import pytest
from markdown_it import MarkdownIt

from qa.answer.pipeline import QuestionError
from qa.app.web import (
    ALL_DOCS,
    GENERIC_ERROR,
    RELATED_HEAD,
    SILENT,
    answer_turn,
    api_ask,
    copy_text,
    doc_choices,
    render_answer,
    render_sources,
    stage_question,
)
from qa.schemas import AskResponse, CitationOut, PassageOut

TITLE = "咸阳市“十二五”信息化发展规划"
SECTION = "二、“十二五”信息化建设发展目标（二）发展目标"
CONTEXT = "城镇居民拥有电脑数达到85/百户，全市宽带用户达到95万户，城镇家庭上网率达到80%。"
QUOTE = "全市宽带用户达到95万户"
REFERENCE = (
    "《咸阳市“十二五”信息化发展规划》（咸政办发〔2011〕11号）"
    "“二、‘十二五’信息化建设发展目标（二）发展目标”：“全市宽带用户达到95万户”"
)


def _chat_html(markdown: str) -> str:
    # The chat renders markdown with inline HTML allowed (then sanitizes); mimic the first step.
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def cite(**changes: Any) -> CitationOut:
    start = 3700 + CONTEXT.index(QUOTE)
    data: dict[str, Any] = dict(
        n=1, doc_id="xianyang-12th", title=TITLE, section=SECTION, start=start, end=start + len(QUOTE),
        quote=QUOTE, key="95万户", display=QUOTE, doc_number="咸政办发〔2011〕11号",
        context_start=3700, context_end=3700 + len(CONTEXT), context=CONTEXT, reference=REFERENCE,
    )
    return CitationOut(**{**data, **changes})


def answer(**changes: Any) -> AskResponse:
    data: dict[str, Any] = dict(
        question="到2015年咸阳的宽带用户目标是多少？", rewritten_question="到2015年咸阳的宽带用户目标是多少？",
        answerable=True, answer="全市宽带用户达到**95万户** [1]\n\n> “全市宽带用户达到95万户” [1]", citations=[cite()],
    )
    return AskResponse(**{**data, **changes})


def silent(**changes: Any) -> AskResponse:
    related = [PassageOut(doc_id="baoji", chunk_id="c1", section="（三）发展目标", start=10, end=40,
                          text="宽带用户数超过60万户，数字电视用户突破35万户。", score=0.2)]
    data: dict[str, Any] = dict(
        question="渭南市的宽带目标是多少？", rewritten_question="渭南市的宽带目标是多少？", answerable=False,
        answer=SILENT, message="这些文档只涉及宝鸡、咸阳，没有关于渭南的内容。", related=related,
    )
    return AskResponse(**{**data, **changes})


def test_quote_shown_with_marker_key_and_source() -> None:
    html = _chat_html(render_answer(answer()))
    assert "<blockquote>" in html
    assert "[1]" in html
    assert "全市宽带用户达到<mark>95万户</mark>" in html
    assert "《咸阳市“十二五”信息化发展规划》" in html
    assert "<strong>95万户</strong>" in html  # the pipeline's key line is kept, bold intact


def test_table_row_shown_with_its_headers() -> None:
    row = cite(quote="840", key="840", display="数字档案馆工程 · 牵头单位：档案局 · 投资（万元）：840")
    html = _chat_html(render_answer(answer(citations=[row], answer="")))
    assert "数字档案馆工程 · 牵头单位：档案局 · 投资（万元）：<mark>840</mark>" in html


def test_several_quotes_keep_their_numbers() -> None:
    second = cite(n=2, title="宝鸡市“十二五”信息化建设规划", quote="宽带用户数超过60万户", key="60万户",
                  display="宽带用户数超过60万户", context="宽带用户数超过60万户。", context_start=3700, start=3700, end=3712)
    html = _chat_html(render_answer(answer(citations=[cite(), second])))
    assert html.index("[1]") < html.index("[2]")
    sources = render_sources(answer(citations=[cite(), second]))
    assert sources.count('class="copy-ref"') == 2 and 'id="src-2"' in sources


def test_script_in_question_and_quote_is_escaped() -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    resp = answer(
        question=evil, rewritten_question=evil + "咸阳？",
        citations=[cite(quote=evil, display=evil, key="", context=evil, context_start=0, start=0, end=len(evil),
                        title=evil, section=evil, reference=evil)],
    )
    for html in (_chat_html(render_answer(resp)), render_sources(resp)):
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html
    _, chat, _ = stage_question(evil, [])
    assert "<script" not in _chat_html(chat[-1]["content"])


def test_markdown_in_documents_stays_literal() -> None:
    resp = answer(citations=[cite(display="**不是粗体** [链接](http://x) `代码`", quote="x", key="")])
    html = _chat_html(render_answer(resp))
    assert "**不是粗体**" in html and "<a " not in html and "<code>" not in html


def test_sources_panel_highlights_quote_inside_paragraph() -> None:
    html = render_sources(answer())
    assert "《咸阳市“十二五”信息化发展规划》" in html
    assert "咸政办发〔2011〕11号" in html
    assert SECTION in html
    c = cite()
    assert f"字符 {c.start}–{c.end}" in html
    assert "城镇居民拥有电脑数达到85/百户，<mark>全市宽带用户达到<strong>95万户</strong></mark>，城镇家庭上网率" in html
    assert f">{REFERENCE}</textarea>" in html and "复制引用" in html


def test_stale_context_offset_falls_back_to_search() -> None:
    html = render_sources(answer(citations=[cite(context_start=0)]))
    assert "<mark>全市宽带用户达到<strong>95万户</strong></mark>" in html
    html = render_sources(answer(citations=[cite(context="无关段落。")]))
    assert "<mark>全市宽带用户达到<strong>95万户</strong></mark>" in html


def test_long_paragraph_is_trimmed_around_quote() -> None:
    long = "甲" * 1000 + QUOTE + "乙" * 1000
    html = render_sources(answer(citations=[cite(context=long, context_start=0, start=1000, end=1000 + len(QUOTE))]))
    assert "<mark>" in html and html.count("甲") < 200 and html.count("乙") < 200 and "…" in html


def test_copy_text_is_the_reference_or_built_from_parts() -> None:
    assert copy_text(cite()) == REFERENCE
    assert copy_text(cite(reference="")) == REFERENCE
    assert copy_text(cite(reference="", doc_number="", section="")) == f"《{TITLE}》：“{QUOTE}”"


def test_rewritten_question_shown_only_when_different() -> None:
    assert "按此理解" not in render_answer(answer())
    follow = answer(question="那宝鸡呢？", rewritten_question="到2015年宝鸡的宽带用户目标是多少？")
    html = _chat_html(render_answer(follow))
    assert 'class="rewritten"' in html and "到2015年宝鸡的宽带用户目标是多少？" in html


def test_silent_documents_message_and_related_passages() -> None:
    resp = silent()
    html = _chat_html(render_answer(resp, {"baoji": "宝鸡市“十二五”信息化建设规划"}))
    assert f'<span class="silent">{SILENT}</span>' in html
    assert "没有关于渭南的内容" in html
    assert RELATED_HEAD in html and "《宝鸡市“十二五”信息化建设规划》" in html and "60万户" in html
    sources = render_sources(resp, {"baoji": "宝鸡市“十二五”信息化建设规划"})
    assert RELATED_HEAD in sources and "60万户" in sources and "copy-ref" not in sources
    assert SILENT in render_sources(silent(related=[]))


def test_nothing_asked_yet_shows_hint() -> None:
    assert "提问后" in render_sources(None)


class FakePipe:
    documents = [type("D", (), {"doc_id": "xianyang", "title": TITLE, "doc_number": ""})()]

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, list[str] | None, str | None]] = []

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        self.calls.append((question, history, doc))
        if self.error:
            raise self.error
        return answer(question=question)


def test_turn_passes_history_and_doc_and_records_question() -> None:
    pipe = FakePipe()
    chat, sources, history, notice = answer_turn(pipe, "第一问", [], [], ALL_DOCS)
    assert pipe.calls[-1] == ("第一问", None, None)
    assert history == ["第一问"] and notice == "" and sources and "copy-ref" in sources
    assert chat[-1]["role"] == "assistant" and "95万户" in chat[-1]["content"]
    answer_turn(pipe, "那宝鸡呢？", chat, history, "baoji")
    assert pipe.calls[-1] == ("那宝鸡呢？", ["第一问"], "baoji")


def test_question_error_is_a_friendly_notice() -> None:
    pipe = FakePipe(QuestionError("问题为空，请输入要查询的问题。"))
    _, chat, pending = stage_question("   ", [])
    assert chat == []  # no empty bubble
    chat, sources, history, notice = answer_turn(pipe, pending, chat, ["旧问题"], ALL_DOCS)
    assert "问题为空" in notice and sources is None and history == ["旧问题"] and chat == []


def test_unexpected_error_is_generic_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    pipe = FakePipe(RuntimeError("index file /secret/path corrupt"))
    _, chat, pending = stage_question("咸阳宽带？", [])
    with caplog.at_level(logging.ERROR, logger="qa.app.web"):
        chat, _, history, notice = answer_turn(pipe, pending, chat, [], ALL_DOCS)
    assert GENERIC_ERROR in notice and "secret" not in notice and "Traceback" not in notice
    assert GENERIC_ERROR in chat[-1]["content"] and history == []
    assert "index file /secret/path corrupt" in caplog.text


def test_api_returns_response_json_and_errors_as_gr_error() -> None:
    out = api_ask(FakePipe(), "咸阳宽带？", [])
    assert AskResponse.model_validate(out).citations[0].reference == REFERENCE
    with pytest.raises(gr.Error, match="问题为空"):
        api_ask(FakePipe(QuestionError("问题为空，请输入要查询的问题。")), "", [])
    with pytest.raises(gr.Error) as info:
        api_ask(FakePipe(RuntimeError("boom")), "x", [])
    assert "boom" not in str(info.value)


def test_doc_choices_start_with_all_documents() -> None:
    assert doc_choices(FakePipe.documents) == [("全部文档", ALL_DOCS), (TITLE, "xianyang")]


def test_table_key_prefers_the_whole_cell() -> None:
    row = cite(quote="档案局\n2011-2015\n840", key="840", display="数字档案馆工程840 · 实施单位：档案局 · 计划经费（万元）：840",
               context="档案局\n2011-2015\n840", context_start=0, start=0, end=17)
    html = _chat_html(render_answer(answer(citations=[row], answer="")))
    assert "数字档案馆工程840 · 实施单位：档案局 · 计划经费（万元）：<mark>840</mark>" in html
    assert "表格行：" in render_sources(answer(citations=[row]))
