"""Drafting in the chat, in real headless Chromium: copy, export, reload, feedback and input.

The page is what is tested here, so it serves canned answers (web_fake.FakePipeline);
tests/system/test_browser.py drives the real pipeline. The feedback test ends with
the real `planqa feedback export` and `planqa eval --dataset` commands.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ANSWERED, BOT, CHROMIUM_ARGS, SHOWN, _chromium, _free_port
from web_fake import SLOW_SECONDS, FakePipeline

from qa.settings import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XIANYANG_Q = "到2015年咸阳的宽带用户目标是多少？"
BOTH_Q = "咸阳和宝鸡2015年的宽带用户目标分别是多少？"
MARKUP = ("<", ">", "**", "&gt;", "\\[", "&lt;", "cite-src", "mark")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakePipeline, Path]]:
    from qa.app.web import build_demo, launch

    pipe = FakePipeline()
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    demo = build_demo(pipe, feedback)
    launch(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield demo.local_url, pipe, feedback
    demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(_chromium()), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def context(served: tuple[str, FakePipeline, Path], browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=served[0].rstrip("/"))
    yield ctx
    ctx.close()


@pytest.fixture()
def page(served: tuple[str, FakePipeline, Path], context: Any) -> Any:
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.goto(served[0])
    pg.wait_for_selector("#planqa-input textarea")
    return pg


def _ask(page: Any, question: str) -> Any:
    before = page.locator(BOT).count()
    box = page.locator("#planqa-input textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    return page.locator(BOT).nth(before)  # not .last: a locator is re-resolved on each use


def _clipboard(page: Any) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def _status(bubble: Any, text: str) -> None:
    bubble.locator(".act-status").filter(has_text=text).wait_for()


def test_bubble_copy_is_plain_text(page: Any) -> None:
    first = _ask(page, XIANYANG_Q)
    _ask(page, BOTH_Q)
    first.locator("button.act-copy").click()
    _status(first, "已复制")
    text = _clipboard(page)
    assert text.startswith("全市宽带用户达到95万户 [1]\n\n“")
    assert "[1] 《咸阳市“十二五”信息化发展规划》（咸政办发〔2011〕11号，2011年1月26日印发）第二部分“" in text
    assert not [m for m in MARKUP if m in text], text
    assert first.locator("button.act-copy").get_attribute("title") == "复制为纯文本"


def test_copy_all_references_of_one_answer(page: Any) -> None:
    _ask(page, XIANYANG_Q)
    both = _ask(page, BOTH_Q)
    assert both.locator("table.cmp").is_visible() and both.locator("table.cmp button.cite-n").count() == 2
    both.locator("button.act-refs").click()
    _status(both, "已复制")
    lines = _clipboard(page).splitlines()
    assert len(lines) == 2 and lines[0].startswith("[1] 《咸阳市") and lines[1].startswith("[2] 《宝鸡市")
    assert "“二、指导思想、基本原则和发展目标／（三）发展目标”" in lines[1]  # glued prose cut from the heading
    assert lines[1].endswith("：“宽带用户数超过60万户”")


def test_export_docx_is_opened_and_checked(page: Any, tmp_path: Path) -> None:
    from docx import Document

    _ask(page, XIANYANG_Q)
    _ask(page, "渭南市的宽带目标是多少？")
    button = page.locator("#planqa-export-docx")
    page.wait_for_function("() => { const b = document.querySelector('#planqa-export-docx');"
                           " return !b.disabled && b.innerText.includes('2问'); }")
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".docx"
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert f"问题 1：{XIANYANG_Q}" in texts and "问题 2：渭南市的宽带目标是多少？" in texts
    assert "“全市宽带用户达到95万户” [1]" in texts
    assert any(t.startswith("[1] 《咸阳市“十二五”信息化发展规划》（咸政办发〔2011〕11号") for t in texts)
    assert any("没有关于渭南的内容" in t for t in texts)
    with page.expect_download() as info:
        page.locator("#planqa-export-md").click()
    md = tmp_path / info.value.suggested_filename
    info.value.save_as(md)
    assert md.read_text(encoding="utf-8").startswith("# PlanQA 规划问答记录")


def test_reload_keeps_the_chat_and_new_conversation_starts_over(page: Any) -> None:
    _ask(page, XIANYANG_Q)
    _ask(page, "那宝鸡呢？")
    page.reload()
    page.wait_for_function(f"() => document.querySelectorAll('{BOT} .ans').length === 2")
    assert "60万户" in page.locator(BOT).last.inner_text()
    page.locator(BOT).first.locator("button.cite-n").first.click()
    assert "咸阳市" in page.locator(f"{SHOWN} .src-title").first.inner_text()
    follow = _ask(page, "那宝鸡呢？")  # the follow-up history survived the reload too
    assert "60万户" in follow.inner_text()
    page.locator("#planqa-new").click()
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length === 0")
    page.reload()
    page.wait_for_selector("#planqa-input textarea")
    time.sleep(1.0)  # the stored conversation would be back by now
    assert page.locator(BOT).count() == 0 and "提问后" in page.locator("#planqa-sources").inner_text()


def test_thumbs_down_becomes_an_eval_case_that_runs(page: Any, served: tuple[str, FakePipeline, Path], tmp_path: Path) -> None:
    feedback = served[2]
    before = len(feedback.read_text(encoding="utf-8").splitlines()) if feedback.exists() else 0
    bubble = _ask(page, XIANYANG_Q)
    bubble.locator("button.act-down").click()
    page.locator("#planqa-feedback").first.wait_for(state="visible")
    page.locator("#planqa-notice .notice.ok").filter(has_text="有误").wait_for()
    lines = feedback.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    record = json.loads(lines[-1])
    assert record["rating"] == "down" and record["question"] == XIANYANG_Q and record["citations"][0]["quote"] == "全市宽带用户达到95万户"
    page.locator("#planqa-fb-comment textarea").fill("应引用宝鸡的目标")
    page.locator("#planqa-fb-passage textarea").fill("宽带用户数超过60万户")
    page.locator("#planqa-fb-send").click()
    page.locator("#planqa-notice .notice.ok").filter(has_text="已保存").wait_for()
    page.locator("#planqa-feedback").first.wait_for(state="hidden")  # the form closes once saved
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["comment"] == "应引用宝鸡的目标" and record["correct_passage"] == "宽带用户数超过60万户"

    cases = tmp_path / "feedback-cases.jsonl"
    run = [sys.executable, "-m", "qa"]
    exported = subprocess.run([*run, "feedback", "export", "--from", str(feedback), "--out", str(cases)],
                              capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, check=False)
    assert exported.returncode == 0, exported.stderr
    [case] = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines() if XIANYANG_Q in line]
    assert case["answerable"] is True and case["evidence"][0]["text"] == "宽带用户数超过60万户" and case["split"] == "dev"
    evaluated = subprocess.run([*run, "eval", "--dataset", str(cases), "--out", str(tmp_path / "report")],
                               capture_output=True, text=True, cwd=REPO_ROOT, timeout=600, check=False)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert (tmp_path / "report" / "report.md").is_file() and "headline" in evaluated.stdout


def test_double_enter_never_loses_an_answer(page: Any, served: tuple[str, FakePipeline, Path]) -> None:
    pipe = served[1]
    box = page.locator("#planqa-input textarea")
    for i in range(20):
        asked = len(pipe.asked)
        question = f"咸阳第{i + 1}次问宽带目标？"
        before = page.locator(BOT).count()
        box.fill(question)
        box.press("Enter")
        box.press("Enter")
        page.wait_for_function(ANSWERED, arg=before)
        time.sleep(0.15)  # a late second press would show up by now
        assert page.locator(BOT).count() == before + 1, f"try {i + 1}"
        assert question in page.locator("#planqa-chat [data-testid=user]").last.inner_text()
        assert "95万户" in page.locator(BOT).last.inner_text()
        assert len(pipe.asked) == asked + 1
        assert not page.locator("#planqa-notice .notice").is_visible(), page.locator("#planqa-notice").inner_text()


def test_send_is_disabled_while_an_answer_is_pending(page: Any) -> None:
    before = page.locator(BOT).count()
    page.locator("#planqa-input textarea").fill("咸阳慢一点的宽带问题？")
    started = time.perf_counter()
    page.locator("#planqa-send").click()
    page.locator(f"{BOT} .pending").wait_for()
    assert page.locator("#planqa-send").is_disabled()
    page.wait_for_function(ANSWERED, arg=before)
    assert time.perf_counter() - started >= SLOW_SECONDS * 0.9
    page.wait_for_function("() => !document.querySelector('#planqa-send').disabled")


def test_over_long_question_stays_in_the_box_with_one_error(page: Any) -> None:
    long = "咸" * 2001
    box = page.locator("#planqa-input textarea")
    box.fill(long)
    box.press("Enter")
    notice = page.locator("#planqa-notice .notice")
    notice.wait_for()
    assert "问题太长" in notice.inner_text() and notice.count() == 1
    assert box.input_value() == long
    assert page.locator(BOT).count() == 0 and "问题太长" not in page.locator("#planqa-chat").inner_text()


def test_english_question_gets_a_hint_to_ask_in_chinese(page: Any) -> None:
    bubble = _ask(page, "What is the broadband target of Xianyang?")
    assert "文档中没有找到相关内容" in bubble.inner_text()
    assert "请用中文提问" in bubble.locator(".hint").inner_text()


def test_clicking_an_example_asks_at_once(page: Any) -> None:
    page.locator("#planqa-examples button").first.click()
    page.wait_for_function(ANSWERED, arg=0)
    assert "95万户" in page.locator(BOT).last.inner_text()
    assert page.locator("#planqa-input textarea").input_value() == ""
