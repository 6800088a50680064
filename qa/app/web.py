"""The web app: chat on the left, every answer's sources on the right (gradio is imported here and in
its 文档 tab, :mod:`qa.app.docs_tab`).

The behaviour lives in :class:`ChatApp`, plain methods over plain values, so tests
can drive it without a browser; :func:`build_demo` only wires it to gradio. The
conversation is kept in the browser (gr.BrowserState), one :class:`Turn` per
answer, and the chat and the sources panel are rebuilt from it, also after a reload.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from qa.answer.pipeline import QuestionError, clean_question
from qa.answer.present import SILENT
from qa.app import docs_tab, guard
from qa.app import feedback as fb
from qa.app.admission import Gate, Limits
from qa.app.ask_route import GENERIC_ERROR, AskRoute
from qa.app.conversation import (
    Turn,
    dump_turns,
    find_turn,
    history_of,
    load_turns,
    new_turn,
)
from qa.app.export import write_export
from qa.app.live import LivePipeline
from qa.app.plain import RELATED_HEAD
from qa.app.render import (
    PENDING_HTML,
    Chat,
    chat_messages,
    copy_text,
    esc,
    md,
    render_answer,
    render_panel,
    render_sources,
    user_bubble,
)
from qa.app.web_assets import (
    EXAMPLES,
    FONT_STACK,
    HEADER_HTML,
    NO_SOURCES_HTML,
    PAGE_CSS,
    PAGE_JS,
    SOURCES_CSS,
)
from qa.ingest.documents import MAX_DOC_BYTES
from qa.schemas import AskResponse
from qa.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "ALL_DOCS", "GENERIC_ERROR", "RELATED_HEAD", "SILENT", "ChatApp", "answer_turn", "api_ask", "build_demo", "copy_text",
    "doc_choices", "launch", "md", "render_answer", "render_sources", "serve",
]

ALL_DOCS = "__all__"
# Enough workers that one slow question never blocks another user's; the
# pipeline's ask() is thread-safe for reading and the model is small.
CONCURRENCY = 4
# An empty submit this soon after a question is the second press of a double Enter, not a question.
DOUBLE_PRESS_SECONDS = 2.0
STORAGE_KEY = "planqa-conversation-v1"
# gradio encrypts BrowserState with this key. The conversation is the user's own, kept in
# their own browser; a fixed key only keeps it readable after a server restart.
STORAGE_SECRET = "planqa-conversation-kept-in-this-browser"
EXPORT_NAME = "PlanQA对话记录"
EXPORT_KEEP_SECONDS = 3600
QUEUE_POLL_S = 0.05  # what gradio itself uses on Windows
PROGRESS_POLL_S = 0.25
_PIPE_ATTR = "_planqa_pipe"  # the pipeline the JSON API (qa.app.ask_route) answers with


class AskPipeline(Protocol):
    documents: list[Any]

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse: ...


def notice_html(message: str, ok: bool = False) -> str:
    return f'<div class="notice{" ok" if ok else ""}">{esc(message)}</div>'


def doc_choices(documents: Iterable[Any]) -> list[tuple[str, str]]:
    return [("全部文档", ALL_DOCS)] + [(d.title, d.doc_id) for d in documents]


def api_ask(pipe: AskPipeline, question: str, history: list[str] | None) -> dict[str, Any]:
    """The /ask endpoint body: AskResponse as JSON, errors as gr.Error messages."""
    if history is not None and not isinstance(history, list):  # the API does not check its JSON types
        raise gr.Error("history 必须是之前问题的列表（按时间先后）。")
    try:
        return pipe.ask(question, history=list(history or []) or None).model_dump()
    except QuestionError as exc:
        log.info("refused question: %s", exc)  # a refusal is one log line, not a traceback
        raise gr.Error(str(exc), print_exception=False) from None
    except Exception:
        log.exception("api ask failed for question %r", str(question)[:200])
        raise gr.Error(GENERIC_ERROR) from None


def _export_folder() -> Path:
    """A fresh folder for one pair of export files; folders older than EXPORT_KEEP_SECONDS are removed
    (gradio has copied the files into its own cache by then)."""
    root = Path(tempfile.gettempdir()) / "planqa-exports"
    root.mkdir(exist_ok=True)
    for old in root.iterdir():
        if time.time() - old.stat().st_mtime > EXPORT_KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=root))


def _doc(doc: str | None) -> str | None:
    return None if doc in (None, "", ALL_DOCS) else doc


def ask_once(pipe: AskPipeline, question: str, history: list[str], doc: str | None) -> tuple[AskResponse | None, str]:
    """The pipeline's answer, or None and the message a user should read (unexpected errors are logged)."""
    try:
        return pipe.ask(question, history=history or None, doc=_doc(doc)), ""
    except QuestionError as exc:
        return None, str(exc)
    except Exception:
        log.exception("ask failed for question %r", question[:200])
        return None, GENERIC_ERROR


def answer_turn(pipe: AskPipeline, question: str, chat: Chat | None, history: list[str] | None,
                doc: str | None) -> tuple[Chat, str | None, list[str], str]:
    """One question outside a browser session: chat + answer, its sources HTML (None on error), history, notice."""
    chat, history = list(chat or []), list(history or [])
    resp, error = ask_once(pipe, question, history, doc)
    if resp is None:
        if question.strip():
            chat.append({"role": "assistant", "content": f'<span class="err">{md(error)}</span>'})
        return chat, None, history, notice_html(error)
    titles = {d.doc_id: d.title for d in pipe.documents}
    turn = new_turn(question.strip(), history, _doc(doc), resp)
    chat.append({"role": "assistant", "content": render_answer(resp, titles, turn.id)})
    return chat, render_sources(resp, titles, turn.id), [*history, question.strip()], ""


class ChatApp:
    """What the page does, as methods over plain values (the browser state is a list of turn dicts).

    Args:
        pipe: answers questions.
        feedback_file: JSONL that 👍/👎 append to (git-ignored data folder by default).
        max_question_chars: longer questions are refused and kept in the box.
    """

    def __init__(self, pipe: AskPipeline, feedback_file: Path = fb.DEFAULT_FEEDBACK_FILE,
                 max_question_chars: int | None = None) -> None:
        self.pipe = pipe
        self.feedback_file = Path(feedback_file)
        settings = getattr(pipe, "settings", None)
        self.max_question_chars = max_question_chars or getattr(settings, "max_question_chars", Settings().max_question_chars)

    @property
    def titles(self) -> dict[str, str]:
        # Read on each use: a live pipeline's documents change when a new index generation is swapped in.
        return {d.doc_id: d.title for d in self.pipe.documents}

    def view(self, turns: list[Turn]) -> tuple[Chat, str]:
        return chat_messages(turns, self.titles), render_panel(turns, self.titles)

    def ask(self, question: str, turns: list[Turn], doc: str | None) -> tuple[list[Turn], str]:
        """Answer one question in the conversation; returns the turns and a notice (error) or ""."""
        history = history_of(turns)
        resp, error = ask_once(self.pipe, question, history, doc)
        return (turns, error) if resp is None else ([*turns, new_turn(question.strip(), history, _doc(doc), resp)], "")

    def submit(self, question: str | None, raw: Any, doc: str | None, last: float | None) -> Iterator[tuple[Any, ...]]:
        """The send/Enter handler; yields (box, chat, panel, state, notice, send button, last accepted time,
        Word and Markdown export buttons).

        The question is checked before the box is cleared, so a refused question stays
        for editing and its error is shown once; the send button is off while it runs,
        and so are the exports until they are rebuilt with the new answer.
        """
        skip = gr.skip()
        text = question or ""
        if not text.strip() and last and time.monotonic() - last < DOUBLE_PRESS_SECONDS:
            yield (skip,) * 9
            return
        try:
            clean_question(text, self.max_question_chars)
        except QuestionError as exc:
            yield skip, skip, skip, skip, notice_html(str(exc)), skip, skip, skip, skip
            return
        turns = load_turns(raw)
        staged = [*chat_messages(turns, self.titles), {"role": "user", "content": user_bubble(text)},
                  {"role": "assistant", "content": PENDING_HTML}]
        off = gr.DownloadButton(interactive=False)
        yield "", staged, skip, skip, "", gr.Button(interactive=False), time.monotonic(), off, off
        answered, error = self.ask(text, turns, doc)
        if error:
            chat = [*chat_messages(turns, self.titles), {"role": "user", "content": user_bubble(text)},
                    {"role": "assistant", "content": f'<span class="err">{md(error)}</span>'}]
            yield skip, chat, skip, skip, "", gr.Button(interactive=True), skip, skip, skip
            return
        chat, panel = self.view(answered)
        yield skip, chat, panel, dump_turns(answered), "", gr.Button(interactive=True), time.monotonic(), skip, skip

    def restore(self, raw: Any) -> tuple[Chat, str]:
        """On page load: the conversation kept in this browser."""
        return self.view(load_turns(raw))

    def exports(self, raw: Any) -> tuple[Any, Any]:
        """Fresh Word and Markdown files of the conversation for the two download buttons."""
        turns = load_turns(raw)
        if not turns:
            return (gr.DownloadButton("导出 Word", value=None, interactive=False),
                    gr.DownloadButton("导出 Markdown", value=None, interactive=False))
        folder = _export_folder()
        stamp = time.strftime("%Y%m%d-%H%M")
        docx = write_export(turns, self.titles, folder / f"{EXPORT_NAME}-{stamp}.docx")
        markdown = write_export(turns, self.titles, folder / f"{EXPORT_NAME}-{stamp}.md")
        n = len(turns)
        return (gr.DownloadButton(f"导出 Word（{n}问）", value=str(docx), interactive=True),
                gr.DownloadButton(f"导出 Markdown（{n}问）", value=str(markdown), interactive=True))

    def feedback(self, raw: Any, turn_id: str, rating: str) -> tuple[bool, dict[str, str], str]:
        """Record 👍/👎 at once. Returns (open the comment form?, form target, notice)."""
        turn = find_turn(load_turns(raw), str(turn_id))
        if turn is None or rating not in ("up", "down"):
            return False, {}, notice_html("找不到这条回答（可能已开始新对话），没有记录。")
        record = fb.record_for(turn, rating)
        try:
            fb.append_feedback(self.feedback_file, record)
        except OSError:
            log.exception("could not write feedback to %s", self.feedback_file)
            return False, {}, notice_html("反馈没能保存，请稍后再试。")
        if rating == "up":
            return False, {}, notice_html("已记录：这条回答有用。谢谢！", ok=True)
        target = {"turn": turn.id, "id": record.id}
        return True, target, notice_html("已记录：这条回答有误。可以在下方补充哪里不对，或粘贴正确的原文。", ok=True)

    def feedback_detail(self, target: dict[str, str] | None, comment: str, passage: str, raw: Any) -> str:
        """The optional comment and correct passage for a 👎, appended under the same feedback id."""
        turn = find_turn(load_turns(raw), str((target or {}).get("turn", "")))
        if turn is None:
            return notice_html("找不到这条回答（可能已开始新对话），补充说明没有保存。")
        if not (comment or "").strip() and not (passage or "").strip():
            return notice_html("没有填写内容；“有误”已经记录。", ok=True)
        record = fb.record_for(turn, "down", comment or "", passage or "", feedback_id=(target or {}).get("id"))
        try:
            fb.append_feedback(self.feedback_file, record)
        except OSError:
            log.exception("could not write feedback to %s", self.feedback_file)
            return notice_html("补充说明没能保存，请稍后再试。")
        return notice_html("已保存补充说明，谢谢！它会成为回归测试的草稿用例。", ok=True)


def build_demo(pipe: AskPipeline, feedback_file: Path = fb.DEFAULT_FEEDBACK_FILE,
               admin_token: str | None = None) -> gr.Blocks:
    """The Blocks app around one loaded pipeline, queue configured.

    Args:
        admin_token: lets the 文档 tab add and remove documents (with a LivePipeline); None: read-only.
    """
    app = ChatApp(pipe, feedback_file)
    private: dict[str, Any] = {"api_visibility": "private"}

    def ask(question: str, history: list[str]) -> dict:
        """Ask one question (history: earlier questions, oldest first); returns AskResponse JSON."""
        return api_ask(pipe, question, history)

    with gr.Blocks(title="PlanQA 规划问答", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.HTML(HEADER_HTML, elem_id="planqa-header")
        store = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
        last = gr.State(None)
        target = gr.State({})
        with gr.Tabs(elem_id="planqa-tabs"):
            with gr.Tab("问答", id="chat", elem_id="planqa-chat-tab"):  # noqa: SIM117 (the 文档 tab follows it in Tabs)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=340):
                        chat = gr.Chatbot(
                            elem_id="planqa-chat", show_label=False, height=600, latex_delimiters=[],
                            feedback_options=None, buttons=[], layout="bubble",
                            placeholder="请在下方输入问题，例如：到2015年咸阳的宽带用户目标是多少？",
                        )  # fmt: skip
                        notice = gr.HTML("", elem_id="planqa-notice")
                        with gr.Group(visible=False, elem_id="planqa-feedback") as form:
                            comment = gr.Textbox(label="哪里不对？（可选）", lines=2, max_lines=6, elem_id="planqa-fb-comment")
                            passage = gr.Textbox(label="正确的原文（可选，从规划里粘贴）", lines=2, max_lines=8, elem_id="planqa-fb-passage")
                            with gr.Row():
                                form_send = gr.Button("提交说明", variant="primary", size="sm", elem_id="planqa-fb-send")
                                form_close = gr.Button("关闭", size="sm", elem_id="planqa-fb-close")
                        with gr.Row():
                            box = gr.Textbox(
                                placeholder="输入问题，回车提问；追问可直接说“那宝鸡呢？”", show_label=False,
                                scale=5, elem_id="planqa-input", max_lines=4, autofocus=True, min_width=200,
                            )  # fmt: skip
                            send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="planqa-send")
                        with gr.Row(elem_id="planqa-tools"):
                            new = gr.Button("新对话", size="sm", min_width=72, scale=0, elem_id="planqa-new")
                            docx = gr.DownloadButton("导出 Word", size="sm", min_width=96, scale=0, interactive=False, elem_id="planqa-export-docx")
                            mdown = gr.DownloadButton("导出 Markdown", size="sm", min_width=120, scale=0, interactive=False, elem_id="planqa-export-md")
                        doc = gr.Dropdown(doc_choices(pipe.documents), value=ALL_DOCS, label="只在此文档中查找", elem_id="planqa-doc")
                        examples = gr.Dataset(
                            components=["textbox"], samples=[[q] for q in EXAMPLES], label="示例问题（点击即提问）",
                            elem_id="planqa-examples",
                        )  # fmt: skip
                    with gr.Column(scale=2, min_width=340, elem_id="planqa-sources-col"):
                        sources = gr.HTML(
                            NO_SOURCES_HTML, elem_id="planqa-sources", css_template=SOURCES_CSS, js_on_load=PAGE_JS,
                            max_height=900,
                        )  # fmt: skip
            docs_tab.build_docs_tab(demo, pipe, lambda: doc_choices(pipe.documents), doc, admin_token)

        outputs = [box, chat, sources, store, notice, send, last, docx, mdown]
        asked = gr.on(
            [box.submit, send.click], app.submit, [box, store, doc, last], outputs,
            trigger_mode="once", show_progress="hidden", **private,
        )  # fmt: skip
        asked.then(app.exports, [store], [docx, mdown], show_progress="hidden", **private)
        examples.click(lambda sample: sample[0] if sample else "", [examples], [box], queue=False, **private).then(
            app.submit, [box, store, doc, last], outputs, show_progress="hidden", **private
        ).then(app.exports, [store], [docx, mdown], show_progress="hidden", **private)

        def start_over() -> tuple[Any, ...]:
            return [], NO_SOURCES_HTML, [], "", "", *app.exports([]), gr.Group(visible=False)

        cleared = [chat, sources, store, notice, box, docx, mdown, form]
        new.click(start_over, None, cleared, queue=False, **private)
        chat.clear(start_over, None, cleared, queue=False, **private)

        def on_feedback(raw: Any, evt: gr.EventData) -> tuple[Any, ...]:
            show, where, message = app.feedback(raw, str(getattr(evt, "turn", "")), str(getattr(evt, "rating", "")))
            return gr.Group(visible=show), where, message, "", ""

        sources.feedback(on_feedback, [store], [form, target, notice, comment, passage], **private)
        form_send.click(app.feedback_detail, [target, comment, passage, store], [notice], **private).then(
            lambda: (gr.Group(visible=False), "", ""), None, [form, comment, passage], queue=False, **private
        )
        form_close.click(lambda: gr.Group(visible=False), None, [form], queue=False, **private)
        demo.load(app.restore, [store], [chat, sources], **private).then(app.exports, [store], [docx, mdown], **private)
        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=guard.QUEUE_MAX_SIZE)  # hardening: bounded queue
    _calm_queue(demo)
    setattr(demo, _PIPE_ATTR, pipe)
    return demo


def _calm_queue(demo: gr.Blocks) -> None:
    """Poll Gradio's queue every QUEUE_POLL_S when idle, not every 1 ms (gradio 6 queueing.Queue).

    The 1 ms poll and a 10 ms progress poll kept ~5 % of a core busy on an idle server (a bare
    asyncio loop sleeping 1 ms costs 6 % here, 50 ms 0.4 %), on the event loop that also serves
    /api/ask (issue 15); a chat event now starts up to QUEUE_POLL_S later, and the page shows
    no progress bars to update.
    """
    queue = getattr(demo, "_queue", None)
    for name, seconds in (("sleep_when_free", QUEUE_POLL_S), ("progress_update_sleep_when_free", PROGRESS_POLL_S)):
        if isinstance(getattr(queue, name, None), float):
            setattr(queue, name, seconds)


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, limits: Limits | None = None,
           **kwargs: Any) -> Any:
    """Start the server with the page's theme and CSS (gradio 6 takes these at launch).

    Args:
        limits: admission for ``POST /api/ask`` (qa.app.admission); default one answer per core.
    """
    uploads = MAX_DOC_BYTES if docs_tab.uploads_enabled(demo) else 0
    pipe = getattr(demo, _PIPE_ATTR, None)
    api = [guard.Middleware(AskRoute, pipe=pipe, gate=Gate(limits))] if pipe is not None else []
    # hardening hook: limits, host/origin, headers, auth; then the JSON API behind the same checks
    kwargs = guard.launch_options(demo, host, kwargs, uploads=uploads, inner=api)
    theme = gr.themes.Soft(primary_hue="blue", font=FONT_STACK, font_mono=("monospace",))
    return demo.launch(
        server_name=host, server_port=port, theme=theme, css=PAGE_CSS, show_error=False,
        footer_links=["api"], **kwargs,
    )  # fmt: skip


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None,
          feedback_file: Path = fb.DEFAULT_FEEDBACK_FILE) -> None:
    """Load the pipeline once and serve the app (loopback unless told otherwise).

    The pipeline follows the index's CURRENT generation (`planqa docs add`, the 文档 tab):
    a new one is swapped in between questions, without a restart.
    """
    pipe = LivePipeline.load(settings or Settings(), build_if_missing=True, background=True)
    # A server answers many questions: the lean tokenizer (12 MB) rather than one per question.
    # jieba's lexicon stays memory-mapped: ~1 ms a question, 111 MB less per app instance.
    if hasattr(pipe, "encoder"):
        pipe.encoder.load_in_memory()
    launch(build_demo(pipe, feedback_file, docs_tab.admin_token_from_env()), host=host, port=port)
