"""The web app's 文档 tab: the documents in service, and adding or removing one behind an admin token.

:class:`DocsApp` holds the behaviour as plain methods over plain values (tests drive
it without a browser); :func:`build_docs_tab` wires it to gradio inside the page's
``gr.Tabs``. Without an admin token (``PLANQA_ADMIN_TOKEN``) or without a pipeline
that follows index generations (:class:`qa.app.live.LivePipeline`) the tab only
lists, and the page has no upload component at all (:func:`uploads_enabled`).

An upload is copied to a private staging folder under a safe name (the id the
document will get, plus its lower-cased extension), then handed to
:func:`qa.index.library.add_documents`, which checks its bytes against its type,
stores it in the data folder as ``<id><ext>`` and writes a new generation; the
served pipeline is then swapped to that generation before the tab answers.
"""
from __future__ import annotations

import hmac
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from qa.app.render import esc
from qa.errors import PlanQAError
from qa.index.library import Change, add_documents, list_documents, remove_document
from qa.ingest.documents import MAX_DOC_BYTES, make_doc_id
from qa.ingest.readers import SUPPORTED

log = logging.getLogger(__name__)

TOKEN_ENV = "PLANQA_ADMIN_TOKEN"
COLUMNS = ("id", "标题", "地区", "期间", "分块", "加入时间", "来源文件", "编码/页数")
# How often an open page looks for a generation written by `planqa docs add` or another session.
POLL_SECONDS = 10.0
# A wrong token costs this long, so guessing it through the page is slow.
WRONG_TOKEN_DELAY = 1.0
# How long the tab waits for the new generation to be taken into service.
SWAP_TIMEOUT = 300.0
_UPLOADS_ATTR = "planqa_uploads_enabled"
_SAFE_SUFFIX = re.compile(r"[^A-Za-z0-9]+")


def admin_token_from_env() -> str | None:
    """The admin token from PLANQA_ADMIN_TOKEN; None (read-only tab) when unset or blank."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def uploads_enabled(demo: gr.Blocks) -> bool:
    """Whether this page accepts files (the launch then allows uploads up to MAX_DOC_BYTES)."""
    return bool(getattr(demo, _UPLOADS_ATTR, False))


def safe_upload_name(name: str) -> str:
    """A file name that is safe to write and gives the same document id as ``name``.

    The id is made from the name's last component only (never a path), and an id is
    kept as is when made again, so the stored file and the index agree.
    """
    original = Path(Path(name.replace("\\", "/")).name)
    suffix = _SAFE_SUFFIX.sub("", original.suffix).lower()
    return make_doc_id(original) + (f".{suffix}" if suffix else "")


@dataclass(frozen=True)
class DocRow:
    """One row of the tab's table."""

    doc_id: str
    title: str
    place: str
    period: str
    chunks: int
    added: str
    source: str
    detail: str
    removable: bool


@dataclass(frozen=True)
class Outcome:
    """What an add or remove did: the message for the user, and whether anything changed."""

    message: str
    ok: bool
    changed: bool


class DocsApp:
    """The tab's behaviour over one pipeline.

    Args:
        pipe: the pipeline served; a LivePipeline (with ``refresh``/``wait``) can take changes.
        admin_token: needed to add or remove; None makes the tab read-only.
        encoder: makes the encoder for new chunks (default: the pipeline's own, already loaded).
    """

    def __init__(self, pipe: Any, admin_token: str | None = None,
                 encoder: Callable[[], Any] | None = None) -> None:
        self.pipe = pipe
        self.live = callable(getattr(pipe, "refresh", None)) and getattr(pipe, "settings", None) is not None
        self.admin_token = admin_token or None
        self.encoder = encoder or (lambda: pipe.encoder)

    @property
    def writable(self) -> bool:
        return self.live and self.admin_token is not None

    def generation(self) -> str | None:
        return getattr(self.pipe, "generation", None)

    def rows(self) -> list[DocRow]:
        """The documents of the current index (seeds first), or those the pipeline serves when it has no index."""
        settings = getattr(self.pipe, "settings", None)
        if settings is not None:
            try:
                return [DocRow(r.doc_id, r.title, r.place or "-", r.period or "-", r.chunks, r.added or "-",
                               f"{r.folder}/{r.source}", " ".join(x for x in (r.format, r.detail) if x) or "-",
                               r.folder == "added")
                        for r in list_documents(settings)]
            except (PlanQAError, OSError):
                log.exception("could not list the documents of %s", settings.index_dir)
        return [DocRow(d.doc_id, d.title, d.city or "-", d.period or "-", 0, "-", "-", "-", False)
                for d in self.pipe.documents]

    def removable(self) -> list[str]:
        return [r.doc_id for r in self.rows() if r.removable]

    def authorized(self, token: str | None) -> bool:
        """The token matches (compared in constant time); always False on a read-only tab."""
        if not self.writable or not token:
            return False
        return hmac.compare_digest(token.strip().encode("utf-8"), self.admin_token.encode("utf-8"))

    def _refused_token(self, token: str | None) -> Outcome | None:
        if not self.writable:
            return Outcome("文档列表为只读：服务器未设置管理令牌（PLANQA_ADMIN_TOKEN）。", False, False)
        if not self.authorized(token):
            time.sleep(WRONG_TOKEN_DELAY)
            return Outcome("管理令牌不正确，未做任何更改。", False, False)
        return None

    def _take_into_service(self) -> None:
        self.pipe.refresh()
        if not self.pipe.wait(SWAP_TIMEOUT):
            log.warning("the new index generation was not in service after %.0f s", SWAP_TIMEOUT)

    def add(self, token: str | None, files: list[str] | None, progress: Callable[..., Any] | None = None) -> Outcome:
        """Add uploaded files (paths of gradio's copies) and take the new generation into service."""
        refused = self._refused_token(token)
        if refused is not None:
            return refused
        paths = [Path(f) for f in files or []]
        if not paths:
            return Outcome("请先选择要添加的文件（" + "、".join(SUPPORTED) + "）。", False, False)
        step = progress or (lambda *_a, **_k: None)
        step(0.05, desc="检查文件…")
        too_big = [p for p in paths if p.stat().st_size > MAX_DOC_BYTES]
        if too_big:
            names = "、".join(p.name for p in too_big)
            return Outcome(f"{names}：超过 {MAX_DOC_BYTES // 1_000_000} MB 的上限，未做任何更改。", False, False)
        staging = Path(tempfile.mkdtemp(prefix="planqa-upload-"))
        try:
            staged = []
            for path in paths:
                target = staging / safe_upload_name(path.name)
                if target.exists():  # two uploads with the same id: let add_documents refuse the second
                    target = staging / f"dup{len(staged)}" / target.name
                    target.parent.mkdir()
                shutil.copyfile(path, target)
                staged.append(target)
            step(0.1, desc="读取并编入索引…")
            change = add_documents(self.pipe.settings, self.encoder, staged, progress=progress is not None,
                                   log=log.info)
            if change.accepted:
                step(0.95, desc="载入新索引…")
                self._take_into_service()
        except PlanQAError as exc:
            return Outcome(_strip(str(exc), staging) + "；未做任何更改。", False, False)
        except Exception:
            log.exception("adding %s failed", [p.name for p in paths])
            return Outcome("添加文件时出错，未做任何更改；详情见服务器日志。", False, False)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return _added_message(change, staging)

    def remove(self, token: str | None, doc_id: str | None, progress: Callable[..., Any] | None = None) -> Outcome:
        """Remove one added document and take the new generation into service."""
        refused = self._refused_token(token)
        if refused is not None:
            return refused
        if not doc_id:
            return Outcome("请先选择要移除的文档。", False, False)
        step = progress or (lambda *_a, **_k: None)
        step(0.1, desc="移除并重建索引…")
        try:
            change = remove_document(self.pipe.settings, self.encoder, doc_id, progress=progress is not None,
                                     log=log.info)
            step(0.95, desc="载入新索引…")
            self._take_into_service()
        except PlanQAError as exc:
            return Outcome(f"{exc}；未做任何更改。", False, False)
        except Exception:
            log.exception("removing %s failed", doc_id)
            return Outcome("移除文档时出错，未做任何更改；详情见服务器日志。", False, False)
        return Outcome(f"已移除 {', '.join(change.accepted)}，问答已使用新索引。", True, True)


def _strip(message: str, staging: Path) -> str:
    """A message without the server's staging folder in it (the user knows the file by its name)."""
    return message.replace(f"{staging}/", "").replace(str(staging), "")


def _added_message(change: Change, staging: Path) -> Outcome:
    parts = []
    if change.accepted:
        parts.append(f"已添加 {', '.join(change.accepted)}，可以在问答中提问了。")
    for problem in change.refused:
        parts.append(f"未添加：{_strip(problem.message, staging)}")
    return Outcome("\n".join(parts), bool(change.accepted) and not change.refused, bool(change.accepted))


def table_html(rows: list[DocRow]) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    body = "".join(
        f'<tr data-doc="{esc(r.doc_id)}">' + "".join(
            f"<td>{esc(str(v))}</td>"
            for v in (r.doc_id, r.title, r.place, r.period, r.chunks, r.added, r.source, r.detail)
        ) + "</tr>"
        for r in rows
    )
    return f'<table class="docs-list"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _notice(outcome: Outcome) -> str:
    lines = "<br>".join(esc(line) for line in outcome.message.splitlines())
    return f'<div class="notice{" ok" if outcome.ok else ""}">{lines}</div>'


def build_docs_tab(demo: gr.Blocks, pipe: Any, doc_choices: Callable[[], list[tuple[str, str]]],
                   chat_doc: gr.Dropdown, admin_token: str | None = None) -> DocsApp:
    """The 文档 tab (call inside ``gr.Tabs``), plus a timer that refreshes the chat's document
    dropdown and this list when another generation comes into service.

    Args:
        demo: the page; marked with whether it takes uploads (:func:`uploads_enabled`).
        doc_choices: the chat dropdown's (label, value) choices for the documents served now;
            the first is "all documents", chosen when the selected one is gone.
        chat_doc: the chat's "只在此文档中查找" dropdown.
    """
    app = DocsApp(pipe, admin_token)
    setattr(demo, _UPLOADS_ATTR, app.writable)
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Tab("文档", id="docs", elem_id="planqa-docs-tab"):
        table = gr.HTML(table_html(app.rows()), elem_id="planqa-docs-list")
        notice = gr.HTML("", elem_id="planqa-docs-notice")
        if app.writable:
            token = gr.Textbox(label="管理令牌", type="password", elem_id="planqa-docs-token", max_lines=1)
            files = gr.File(label=f"添加文档（{'、'.join(SUPPORTED)}，每个不超过 {MAX_DOC_BYTES // 1_000_000} MB）",
                            file_count="multiple", file_types=list(SUPPORTED), type="filepath",
                            elem_id="planqa-docs-files")
            add = gr.Button("添加并编入索引", variant="primary", elem_id="planqa-docs-add")
            with gr.Row():
                doomed = gr.Dropdown(app.removable(), value=None, label="移除已添加的文档（内置文档不能在此移除）",
                                     elem_id="planqa-docs-doomed", scale=3)
                remove = gr.Button("移除", variant="stop", elem_id="planqa-docs-remove", scale=1)
        else:
            why = "服务器未设置管理令牌（PLANQA_ADMIN_TOKEN）" if app.live else "这个服务不跟随索引更新"
            gr.HTML(f'<div class="notice">文档列表为只读：{esc(why)}。可以用 <code>planqa docs add</code> 添加文档。</div>',
                    elem_id="planqa-docs-readonly")
    seen = gr.State(app.generation())
    timer = gr.Timer(POLL_SECONDS)
    synced = [table, chat_doc, seen, *([doomed] if app.writable else [])]

    def listing(selected: str | None) -> tuple[Any, ...]:
        choices = doc_choices()
        keep = selected if selected in {value for _, value in choices} else choices[0][1]
        return (table_html(app.rows()), gr.Dropdown(choices=choices, value=keep), app.generation(),
                *([gr.Dropdown(choices=app.removable(), value=None)] if app.writable else []))

    def poll(known: str | None, selected: str | None) -> tuple[Any, ...]:
        if app.live:
            app.pipe.refresh()  # notices a generation written by `planqa docs add` even when nobody asks
        if app.generation() == known:
            return (gr.skip(),) * len(synced)
        return listing(selected)

    timer.tick(poll, [seen, chat_doc], synced, show_progress="hidden", queue=False, **private)
    if app.writable:
        def on_add(key: str, uploaded: list[str] | None, selected: str | None,
                   progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008 (gradio injects it)
            outcome = app.add(key, uploaded, progress)
            return _notice(outcome), (None if outcome.changed else gr.skip()), *listing(selected)

        def on_remove(key: str, doc_id: str | None, selected: str | None,
                      progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008 (gradio injects it)
            return _notice(app.remove(key, doc_id, progress)), *listing(selected)

        # One change at a time: each writes a generation under the index lock anyway.
        writes: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "planqa-docs", **private}
        add.click(on_add, [token, files, chat_doc], [notice, files, *synced], **writes)
        remove.click(on_remove, [token, doomed, chat_doc], [notice, *synced], **writes)
    return app
