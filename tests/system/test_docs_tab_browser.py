"""The 文档 tab in real headless Chromium: an admin uploads a GBK plan, the chat answers from it
without a restart, and the admin removes it again; without PLANQA_ADMIN_TOKEN the tab only lists.

The app serves a LivePipeline over a copy of the session's index (tests/system/test_documents.py
``copy_index``), with the session's encoder, so the repository's index/ and data/ are never touched.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ANSWERED, BOT, CHROMIUM_ARGS, _chromium, _free_port
from test_documents import copy_index

from qa.answer.pipeline import Pipeline
from qa.app import docs_tab
from qa.app.live import LivePipeline
from qa.index.storage import load_index
from qa.ingest.documents import MAX_DOC_BYTES
from qa.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN = "test-admin-token-0123456789"
QUESTION = "2007年安康启动实施了什么政务平台建设？"


def _gbk_plan(folder: Path) -> Path:
    """The 2007 review laid out for 安康, in GBK (a file an office would really hold)."""
    seed = Settings().seeds_dir / "xianyang-2007-informatization-review.txt"
    text = seed.read_text(encoding="utf-8").replace("咸阳", "安康").replace("\xa0", " ")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ankang-2007-review.txt"
    path.write_bytes(text.encode("gbk"))
    return path


@pytest.fixture(scope="module")
def live(pipe: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> LivePipeline:
    settings = copy_index(pipe, tmp_path_factory.mktemp("docs-tab"))
    return LivePipeline(Pipeline(settings, load_index(settings), pipe.encoder), log=lambda _: None)


def _serve(live: LivePipeline, token: str | None) -> Iterator[tuple[str, Any]]:
    from qa.app.web import build_demo, launch

    demo = build_demo(live, admin_token=token)
    launch(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield demo.local_url, demo
    demo.close()


@pytest.fixture(scope="module")
def admin_app(live: LivePipeline) -> Iterator[tuple[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(docs_tab.TOKEN_ENV, TOKEN)
        token = docs_tab.admin_token_from_env()
    yield from _serve(live, token)


@pytest.fixture(scope="module")
def readonly_app(live: LivePipeline) -> Iterator[tuple[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(docs_tab.TOKEN_ENV, raising=False)
        token = docs_tab.admin_token_from_env()
    yield from _serve(live, token)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(_chromium()), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    yield ctx
    ctx.close()


def _open_docs(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    page.wait_for_selector("#planqa-input textarea")
    page.get_by_role("tab", name="文档").click()
    page.locator("#planqa-docs-list table").wait_for()
    return page


def _add(page: Any, token: str, path: Path) -> str:
    page.locator("#planqa-docs-token input").fill(token)
    page.locator("#planqa-docs-files input[type=file]").set_input_files(str(path))
    # the upload reaches the server before its name shows; a loaded machine may take a while
    page.locator("#planqa-docs-files").get_by_text(path.name).wait_for(timeout=90_000)
    shown = "() => { const n = document.querySelector('#planqa-docs-notice .notice'); return n ? n.innerText : ''; }"
    before = page.evaluate(shown)
    page.locator("#planqa-docs-add").click()
    page.wait_for_function(f"b => {{ const t = ({shown})(); return t && t !== b; }}", arg=before, timeout=300_000)
    return page.evaluate(shown)


def test_admin_uploads_a_gbk_plan_and_the_chat_answers_from_it(admin_app: tuple[str, Any], live: LivePipeline,
                                                               context: Any, tmp_path: Path) -> None:
    url, demo = admin_app
    assert docs_tab.uploads_enabled(demo) and demo.max_file_size == MAX_DOC_BYTES
    page = _open_docs(context, url)
    rows = page.locator("#planqa-docs-list tbody tr")
    assert rows.count() == 3 and "seeds/baoji-12th-five-year-informatization-plan.txt" in rows.first.inner_text()
    plan = _gbk_plan(tmp_path)
    served = live.generation

    assert "管理令牌不正确" in _add(page, "wrong-token", plan)
    assert live.generation == served and not live.settings.docs_folder.exists()

    message = _add(page, TOKEN, plan)
    assert "已添加 ankang-2007-review" in message, message
    assert live.generation != served and "ankang-2007-review" in live.index.documents
    row = page.locator('#planqa-docs-list tr[data-doc="ankang-2007-review"]')
    assert "added/ankang-2007-review.txt" in row.inner_text() and "gb18030" in row.inner_text()
    assert [p.name for p in live.settings.docs_folder.iterdir()] == ["ankang-2007-review.txt"]

    page.get_by_role("tab", name="问答").click()
    box = page.locator("#planqa-input textarea")
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_function(ANSWERED, arg=0, timeout=60_000)
    answer = page.locator(BOT).last.inner_text()
    assert "安康市政务协同办公平台" in answer, answer
    page.locator("#planqa-doc input").click()  # the dropdown was refreshed with the new document
    page.get_by_role("option", name=live.index.documents["ankang-2007-review"].title).wait_for()
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="文档").click()
    page.locator("#planqa-docs-doomed input").click()
    page.get_by_role("option", name="ankang-2007-review").click()
    page.locator("#planqa-docs-remove").click()
    row.wait_for(state="detached", timeout=300_000)
    assert "已移除 ankang-2007-review" in page.locator("#planqa-docs-notice").inner_text()
    assert "ankang-2007-review" not in live.index.documents and not any(live.settings.docs_folder.iterdir())


def test_without_the_token_the_tab_is_read_only(readonly_app: tuple[str, Any], context: Any) -> None:
    url, demo = readonly_app
    assert not docs_tab.uploads_enabled(demo)
    page = _open_docs(context, url)
    assert "只读" in page.locator("#planqa-docs-readonly").inner_text()
    assert page.locator("#planqa-docs-list tbody tr").count() >= 3
    for control in ("#planqa-docs-token", "#planqa-docs-files", "#planqa-docs-add", "#planqa-docs-remove"):
        assert page.locator(control).count() == 0
    assert page.locator("input[type=file]").count() == 0
