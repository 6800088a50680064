"""The 文档 tab's behaviour without a browser or the model: token, read-only, size limit, safe names."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qa.app import docs_tab
from qa.app.docs_tab import DocRow, DocsApp, safe_upload_name, table_html
from qa.index.library import Change
from qa.ingest.documents import MAX_DOC_BYTES, DocumentProblem
from qa.settings import Settings

TOKEN = "s3cret-admin-token"


class LivePipe:
    """Just enough of a LivePipeline: settings, documents, refresh/wait."""

    def __init__(self, tmp: Path) -> None:
        self.settings = Settings(index_dir=tmp / "index", docs_dir=tmp / "docs")
        self.documents: list[Any] = []
        self.encoder = object()
        self.refreshed = 0

    def refresh(self) -> bool:
        self.refreshed += 1
        return True

    def wait(self, timeout: float | None = None) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docs_tab, "WRONG_TOKEN_DELAY", 0.0)


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    seen: list[list[Path]] = []

    def fake_add(settings: Settings, encoder: Any, paths: list[Path], **_: Any) -> Change:
        seen.append(list(paths))
        assert all(p.is_file() for p in paths)
        return Change(("good",), (DocumentProblem(str(paths[-1]), f"{paths[-1]}: named .pdf but the content is plain text"),), None)

    monkeypatch.setattr(docs_tab, "add_documents", fake_add)
    return seen


@pytest.mark.parametrize(("name", "safe"), [
    ("baoji plan.TXT", "baoji-plan.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\evil.DOCX", "evil.docx"),
    ("..", "document"),
    ("plan.p$d f", "plan.pdf"),
    ("榆林市规划.txt", "榆林市规划-" + __import__("hashlib").sha256("榆林市规划".encode()).hexdigest()[:6] + ".txt"),
])
def test_upload_names_are_safe_and_keep_the_id(name: str, safe: str) -> None:
    assert safe_upload_name(name) == safe
    assert safe_upload_name(safe) == safe  # the stored file gives the same id again


@pytest.mark.parametrize(("env", "token"), [(None, None), ("", None), ("  ", None), (" abc ", "abc")])
def test_admin_token_from_env(monkeypatch: pytest.MonkeyPatch, env: str | None, token: str | None) -> None:
    if env is None:
        monkeypatch.delenv(docs_tab.TOKEN_ENV, raising=False)
    else:
        monkeypatch.setenv(docs_tab.TOKEN_ENV, env)
    assert docs_tab.admin_token_from_env() == token


def test_without_a_token_or_a_live_pipeline_nothing_can_change(tmp_path: Path, calls: list[list[Path]]) -> None:
    upload = tmp_path / "a.txt"
    upload.write_text("规划", encoding="utf-8")
    readonly = DocsApp(LivePipe(tmp_path), None)
    static = LivePipe(tmp_path)
    static.refresh = None  # a plain Pipeline never follows generations
    for app in (readonly, DocsApp(static, TOKEN)):
        assert not app.writable and not app.authorized(TOKEN)
        outcome = app.add(TOKEN, [str(upload)])
        assert "只读" in outcome.message and not outcome.changed
        assert "只读" in app.remove(TOKEN, "a").message
    assert calls == []


@pytest.mark.parametrize("wrong", ["", None, "s3cret", TOKEN + "x", TOKEN.upper()])
def test_a_wrong_token_is_refused_before_anything_is_read(tmp_path: Path, calls: list[list[Path]], wrong: str | None) -> None:
    app = DocsApp(LivePipe(tmp_path), TOKEN)
    assert app.writable and app.authorized(TOKEN) and not app.authorized(wrong)
    outcome = app.add(wrong, [str(tmp_path / "missing.txt")])
    assert outcome.message.startswith("管理令牌不正确") and not outcome.changed
    assert app.remove(wrong, "x").message.startswith("管理令牌不正确")
    assert calls == []


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path, calls: list[list[Path]]) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_DOC_BYTES + 1)  # sparse: no 50 MB written
    outcome = DocsApp(LivePipe(tmp_path), TOKEN).add(TOKEN, [str(big)])
    assert "big.pdf" in outcome.message and "50 MB" in outcome.message and not outcome.changed
    assert calls == []


def test_uploads_are_staged_under_safe_names_and_messages_hide_server_paths(tmp_path: Path, calls: list[list[Path]]) -> None:
    (tmp_path / "up").mkdir()
    first, second = tmp_path / "up" / "Good Plan.TXT", tmp_path / "up" / "bad.pdf"
    first.write_text("规划", encoding="utf-8")
    second.write_text("not a pdf", encoding="utf-8")
    pipe = LivePipe(tmp_path)
    outcome = DocsApp(pipe, TOKEN).add(f"  {TOKEN} ", [str(first), str(second)])
    [[staged_first, staged_second]] = calls
    assert (staged_first.name, staged_second.name) == ("Good-Plan.txt", "bad.pdf")
    assert not staged_first.parent.exists()  # the staging folder is gone
    assert outcome.changed and not outcome.ok and pipe.refreshed == 1
    assert "已添加 good" in outcome.message and "未添加：bad.pdf: named .pdf" in outcome.message
    assert str(staged_first.parent) not in outcome.message and str(tmp_path) not in outcome.message


def test_table_escapes_what_the_documents_say() -> None:
    html = table_html([DocRow("x", "<b>规划</b>", "咸阳", "十二五", 3, "-", "added/x.txt", "txt gb18030", True)])
    assert "&lt;b&gt;规划&lt;/b&gt;" in html and 'data-doc="x"' in html and "gb18030" in html
