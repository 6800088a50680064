"""What the web app renders and does, from hand-built responses (no browser, no model)."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from markdown_it import MarkdownIt
from web_samples import (
    BAOJI,
    CONTEXT,
    QUOTE,
    REFERENCE,
    ROW,
    SECTION,
    TITLE,
    TITLES,
    FakePipe,
    answer,
    cite,
    comparison,
    row_cite,
    silent,
    turn,
)

from qa.answer.pipeline import QuestionError
from qa.app.conversation import dump_turns, load_turns
from qa.app.render import chat_messages, render_panel
from qa.app.web import (
    ALL_DOCS,
    DOUBLE_PRESS_SECONDS,
    GENERIC_ERROR,
    RELATED_HEAD,
    SILENT,
    ChatApp,
    api_ask,
    copy_text,
    doc_choices,
    render_answer,
    render_sources,
)
from qa.app.web_assets import PAGE_JS


def _chat_html(markdown: str) -> str:
    # The chat renders markdown with inline HTML allowed (then sanitizes); mimic the first step.
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def test_quote_shown_with_marker_key_and_source() -> None:
    html = _chat_html(render_answer(answer(), turn_id="abc123"))
    assert "<blockquote>" in html
    assert "[1]" in html
    assert "全市宽带用户达到<mark>95万户</mark>" in html
    assert "《咸阳市“十二五”信息化发展规划》" in html
    assert "<strong>95万户</strong>" in html  # the pipeline's key line is kept, bold intact


def test_bubble_is_one_html_block_the_markdown_renderer_leaves_alone() -> None:
    for resp in (answer(), comparison(), silent(), answer(citations=[row_cite()], answer="")):
        bubble = render_answer(resp, TITLES, "abc123")
        assert "\n\n" not in bubble and bubble.startswith('<div class="ans t-abc123">')
        assert _chat_html(bubble).strip() == bubble.strip()


def test_every_cite_button_names_its_answer_and_number_in_classes() -> None:
    html = render_answer(comparison(), TITLES, "abc123")
    buttons = re.findall(r'<button type="button" class="cite-n t-abc123 n-(\d)"', html)
    assert set(buttons) == {"1", "2"} and "data-" not in html  # the chat's sanitizer drops data-*


def test_table_row_shown_with_its_headers_not_in_quotation_marks() -> None:
    html = _chat_html(render_answer(answer(citations=[row_cite()], answer=""), turn_id="abc123"))
    assert "数字档案馆工程 · 实施单位：档案局 · 计划经费：<mark>840</mark>万元" in html
    assert "表格行：" in html and "“数字档案馆" not in html


def test_comparison_is_a_table_with_a_citation_per_cell() -> None:
    html = render_answer(comparison(), TITLES, "abc123")
    assert '<table class="cmp">' in html
    rows = re.findall(r"<tr><td>(.+?)</td><td>(.+?)</td><td>(.+?)</td><td>(.*?)</td></tr>", html)
    assert [(r[0], r[2]) for r in rows] == [("咸阳", "2015年目标"), ("宝鸡", "2015年目标")]
    assert "n-1" in rows[0][3] and "n-2" in rows[1][3] and "<strong>95万户</strong>" in rows[0][1]


def test_several_quotes_keep_their_numbers() -> None:
    html = _chat_html(render_answer(comparison(), turn_id="abc123"))
    assert html.index("[1]") < html.index("[2]")
    sources = render_sources(comparison())
    assert sources.count('class="copy-ref"') == 2 and 'id="src-2"' in sources


def test_script_in_question_and_quote_is_escaped() -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    resp = answer(
        question=evil, rewritten_question=evil + "咸阳？",
        citations=[cite(quote=evil, display=evil, key="", context=evil, context_start=0, start=0, end=len(evil),
                        title=evil, section=evil, reference=evil, doc_number=evil)],
    )
    t = turn(resp)
    for html in (_chat_html(render_answer(resp, turn_id="abc123")), render_sources(resp), render_panel([t], TITLES)):
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html
    assert "<script" not in _chat_html(chat_messages([t], TITLES)[0]["content"])


def test_markdown_in_documents_stays_literal() -> None:
    resp = answer(citations=[cite(display="**不是粗体** [链接](http://x) `代码`", quote="**不是粗体** [链接](http://x) `代码`", key="")])
    html = _chat_html(render_answer(resp, turn_id="abc123"))
    assert "**不是粗体**" in html and "<a " not in html and "<code>" not in html


def test_sources_panel_highlights_quote_inside_paragraph() -> None:
    html = render_sources(answer())
    assert "《咸阳市“十二五”信息化发展规划》" in html
    assert "咸政办发〔2011〕11号" in html and "2011年1月26日印发" in html
    assert "第二部分 二、“十二五”信息化建设发展目标／（二）发展目标" in html
    c = cite()
    assert f"字符 {c.start}–{c.end}" in html  # offsets stay in the panel's detail line
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


def test_copy_text_is_the_reference_or_built_in_the_same_format() -> None:
    assert copy_text(cite()) == REFERENCE
    assert copy_text(cite(reference="")) == REFERENCE
    assert copy_text(cite(reference="", doc_number="", issue_date="", section="")) == f"《{TITLE}》：“{QUOTE}”"
    assert copy_text(row_cite()) == f"《{BAOJI}》“附件／社会信息化重点工程”，表格行：{ROW}"


def test_rewritten_question_shown_only_when_different() -> None:
    assert "按此理解" not in render_answer(answer())
    follow = answer(question="那宝鸡呢？", rewritten_question="到2015年宝鸡的宽带用户目标是多少？")
    html = _chat_html(render_answer(follow))
    assert 'class="rewritten"' in html and "到2015年宝鸡的宽带用户目标是多少？" in html


def test_silent_documents_message_and_labelled_related_passages() -> None:
    resp = silent()
    html = _chat_html(render_answer(resp, TITLES, "abc123"))
    assert f'<span class="silent">{SILENT}</span>' in html
    assert "没有关于渭南的内容" in html
    assert RELATED_HEAD in html and f"《{BAOJI}》" in html and "60万户" in html and "【到2015年的目标】" in html
    sources = render_sources(resp, TITLES)
    assert RELATED_HEAD in sources and "60万户" in sources and "copy-ref" not in sources
    assert '<span class="src-label">到2015年的目标</span>' in sources
    assert SILENT in render_sources(silent(related=[]))


def test_english_question_gets_a_hint_to_ask_in_chinese() -> None:
    html = render_answer(silent(question="What is the broadband target of Xianyang?"), TITLES, "abc123")
    assert "请用中文提问" in html
    assert "请用中文提问" not in render_answer(silent(), TITLES, "abc123")


def test_nothing_asked_yet_shows_hint() -> None:
    assert "提问后" in render_sources(None)
    assert "提问后" in render_panel([], TITLES)


def test_panel_holds_every_answer_and_shows_the_latest() -> None:
    first, second = turn(answer(), asked_at="2026-11-27T10:00:00+08:00"), turn(comparison(), asked_at="2026-11-27T10:01:00+08:00")
    html = render_panel([first, second], TITLES)
    assert f'<section class="turn-src" data-turn="{first.id}" hidden>' in html
    assert f'<section class="turn-src" data-turn="{second.id}">' in html
    assert f'id="src-{first.id}-1"' in html and f'id="src-{second.id}-2"' in html
    assert html.count('class="plain-answer"') == 2 and html.count('class="plain-refs"') == 2
    shown_first = render_panel([first, second], TITLES, active=first.id)
    assert f'data-turn="{first.id}">' in shown_first and f'data-turn="{second.id}" hidden>' in shown_first


def test_phone_view_has_the_sources_folded_under_each_answer() -> None:
    html = render_answer(answer(), TITLES, "abc123")
    fold = re.search(r'<details class="src-inline t-abc123"><summary>出处（1）</summary>(.+?)</details>', html)
    assert fold and "咸政办发〔2011〕11号" in fold.group(1) and 'class="copy-ref t-abc123 n-1"' in fold.group(1)


def test_answer_actions_are_chinese_and_name_the_turn() -> None:
    html = render_answer(answer(), TITLES, "abc123")
    for label in ("复制回答", "复制全部引用", "👍 有用", "👎 有误"):
        assert label in html
    assert "复制全部引用" not in render_answer(silent(), TITLES, "abc123")


def test_page_script_triggers_the_feedback_event_it_is_wired_to() -> None:
    assert "trigger('feedback'" in PAGE_JS  # gr.HTML only exposes custom events named in its js_on_load


# --- ChatApp: the page's behaviour without a browser --------------------------------------------

def _run(app: ChatApp, question: str, store: Any, doc: str = ALL_DOCS, last: float | None = None) -> list[tuple[Any, ...]]:
    return list(app.submit(question, store, doc, last))


def test_submit_stages_then_answers_and_keeps_the_turn(tmp_path: Path) -> None:
    pipe = FakePipe()
    app = ChatApp(pipe, tmp_path / "fb.jsonl")
    staged, done = _run(app, "第一问", [])
    box, chat, _, _, notice, send, _, docx, _ = staged
    assert box == "" and chat[-1]["content"] == '<span class="pending">正在查找规划原文…</span>' and notice == ""
    assert send.interactive is False and docx.interactive is False  # off while the answer is pending
    _, chat, panel, store, notice, send, last, _, _ = done
    assert send.interactive is True and notice == "" and last is not None
    assert pipe.calls[-1] == ("第一问", None, None)
    [kept] = load_turns(store)
    assert kept.question == "第一问" and f't-{kept.id}' in chat[-1]["content"] and kept.id in panel
    _run(app, "那宝鸡呢？", store, "baoji")
    assert pipe.calls[-1] == ("那宝鸡呢？", ["第一问"], "baoji")


@pytest.mark.parametrize(("question", "message"), [
    pytest.param("咸" * 2001, "问题太长", id="too-long"),
    pytest.param("", "问题为空", id="empty"),
])
def test_refused_question_stays_in_the_box_with_one_notice(tmp_path: Path, question: str, message: str) -> None:
    pipe = FakePipe()
    [(box, chat, _panel, _store, notice, _send, _last, _, _)] = _run(ChatApp(pipe, tmp_path / "fb.jsonl"), question, [])
    assert isinstance(box, type(gr.skip())) and isinstance(chat, type(gr.skip()))  # box and chat untouched
    assert message in notice and notice.count('class="notice"') == 1 and pipe.calls == []


def test_empty_submit_right_after_a_question_is_a_double_press(tmp_path: Path) -> None:
    import time

    app = ChatApp(FakePipe(), tmp_path / "fb.jsonl")
    [outputs] = _run(app, "", [], last=time.monotonic())
    assert all(isinstance(o, type(gr.skip())) for o in outputs)  # no spurious 问题为空
    [outputs] = _run(app, "", [], last=time.monotonic() - DOUBLE_PRESS_SECONDS - 1)
    assert "问题为空" in outputs[4]


def test_unexpected_error_is_generic_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = ChatApp(FakePipe(RuntimeError("index file /secret/path corrupt")), tmp_path / "fb.jsonl")
    with caplog.at_level(logging.ERROR, logger="qa.app.web"):
        _, (_box, chat, _panel, store, _notice, send, _, _, _) = _run(app, "咸阳宽带？", [])
    assert GENERIC_ERROR in chat[-1]["content"] and "secret" not in json.dumps(chat, ensure_ascii=False)
    assert isinstance(store, type(gr.skip())) and send.interactive is True
    assert "index file /secret/path corrupt" in caplog.text


def test_restore_rebuilds_chat_and_panel_and_drops_unreadable_turns(tmp_path: Path) -> None:
    app = ChatApp(FakePipe(), tmp_path / "fb.jsonl")
    kept = turn()
    chat, panel = app.restore([*dump_turns([kept]), {"id": "zz", "question": 1}, "garbage"])
    assert len(chat) == 2 and kept.id in panel
    assert app.restore(None) == ([], render_panel([], TITLES))


def test_feedback_is_appended_and_a_thumbs_down_opens_the_form(tmp_path: Path) -> None:
    path = tmp_path / "data" / "fb.jsonl"
    app = ChatApp(FakePipe(), path)
    kept = turn()
    store = dump_turns([kept])
    show, target, notice = app.feedback(store, kept.id, "down")
    assert show and target["turn"] == kept.id and "有误" in notice
    app.feedback_detail(target, "应该是95万户", "全市宽带用户达到95万户", store)
    show, _, notice = app.feedback(store, kept.id, "up")
    assert not show and "有用" in notice
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["rating"], r["comment"]) for r in lines] == [("down", ""), ("down", "应该是95万户"), ("up", "")]
    assert lines[0]["id"] == lines[1]["id"] and lines[0]["question"] == kept.question
    assert lines[0]["citations"][0]["quote"] == QUOTE and "95万户" in lines[0]["answer"]
    show, _, notice = app.feedback(store, "ffffff", "down")
    assert not show and "找不到" in notice


def test_exports_offer_word_and_markdown_files(tmp_path: Path) -> None:
    app = ChatApp(FakePipe(), tmp_path / "fb.jsonl")
    docx, markdown = app.exports(dump_turns([turn()]))
    docx_path, md_path = Path(docx.value["path"]), Path(markdown.value["path"])
    assert docx_path.suffix == ".docx" and docx_path.stat().st_size > 0 and docx.interactive
    assert CONTEXT not in md_path.read_text(encoding="utf-8")  # quotes, not whole paragraphs
    assert REFERENCE in md_path.read_text(encoding="utf-8")
    docx, _ = app.exports([])
    assert docx.interactive is False


def test_api_returns_response_json_and_errors_as_gr_error() -> None:
    out = api_ask(FakePipe(), "咸阳宽带？", [])
    assert out["citations"][0]["reference"] == REFERENCE
    with pytest.raises(gr.Error, match="问题为空"):
        api_ask(FakePipe(QuestionError("问题为空，请输入要查询的问题。")), "", [])
    with pytest.raises(gr.Error) as info:
        api_ask(FakePipe(RuntimeError("boom")), "x", [])
    assert "boom" not in str(info.value)


def test_doc_choices_start_with_all_documents() -> None:
    assert doc_choices(FakePipe.documents)[:2] == [("全部文档", ALL_DOCS), (TITLE, "xianyang-12th")]


def test_table_key_prefers_the_whole_cell() -> None:
    row = cite(quote="档案局\n2011-2015\n840", key="840", display="数字档案馆工程840 · 实施单位：档案局 · 计划经费（万元）：840",
               context="档案局\n2011-2015\n840", context_start=0, start=0, end=17, kind="table_row")
    html = _chat_html(render_answer(answer(citations=[row], answer="")))
    assert "数字档案馆工程840 · 实施单位：档案局 · 计划经费（万元）：<mark>840</mark>" in html
    assert "表格行：" in render_sources(answer(citations=[row]))


def test_section_is_shown_with_real_separators() -> None:
    assert SECTION.replace(" > ", "／") in render_sources(answer())


def test_a_comparisons_verdict_stands_above_its_table() -> None:
    verdict = "比较（按引文数字）：咸阳（95万户）多于宝鸡（60万户）。"
    html = render_answer(comparison().model_copy(update={"verdict": verdict}), TITLES, "abc123")
    assert verdict in html and html.index(verdict) < html.index('<table class="cmp">')
    assert "按引文数字" not in render_answer(comparison(), TITLES, "abc123")
