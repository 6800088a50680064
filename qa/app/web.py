"""The web app: chat on the left, cited sources on the right (the only gradio importer).

The render_* and *_turn functions are pure so tests can check what a user would
see from hand-built AskResponse objects; build_demo only wires them to gradio.
Everything that came from a document or a user is escaped here, once, because
the chat renders markdown and the sources panel renders raw HTML.
"""
from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import gradio as gr

from qa.answer.pipeline import Pipeline, QuestionError
from qa.answer.present import SILENT, reference
from qa.app import guard
from qa.app.web_assets import (
    COPY_JS,
    EXAMPLES,
    FONT_STACK,
    HEADER_HTML,
    NO_SOURCES_HTML,
    PAGE_CSS,
    SOURCES_CSS,
)
from qa.schemas import AskResponse, CitationOut, PassageOut
from qa.settings import Settings

log = logging.getLogger(__name__)

RELATED_HEAD = "相关段落（不是答案）"
GENERIC_ERROR = "抱歉，处理这个问题时出了错，请稍后再试或换个问法。"
ALL_DOCS = "__all__"
CONTEXT_CHARS = 160  # shown on each side of a quote; whole paragraphs can run to 2,000 chars
RELATED_CHARS = 240
RELATED_CHAT_CHARS = 60  # the chat only points at related passages; the panel shows them
# Enough workers that one slow question never blocks another user's; the
# pipeline's ask() is thread-safe for reading and the model is small.
CONCURRENCY = 4

_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|#$])")

Chat = list[dict[str, Any]]


class AskPipeline(Protocol):
    documents: list[Any]

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse: ...


def _md(text: str) -> str:
    """Text made inert inside chat markdown: no tags, no emphasis, no links."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False).replace("\n", "  \n")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _book(title: str) -> str:
    return title if title.startswith("《") else f"《{title}》"


def _key_at(text: str, key: str) -> int:
    """Where the key sits; in a table row prefer a whole cell ("表头：值 ·") over a stray match."""
    for m in re.finditer(re.escape(key), text):
        rest = text[m.end() :]
        if text[: m.start()].endswith("：") and (not rest.strip() or rest.startswith(" ·")):
            return m.start()
    return text.find(key)


def _emphasize(text: str, key: str, escape: Any, tag: str = "strong") -> str:
    """The answering span (number, name, date) wrapped in <tag> inside the quote."""
    i = _key_at(text, key) if key else -1
    if i < 0:
        return escape(text)
    return f"{escape(text[:i])}<{tag}>{escape(key)}</{tag}>{escape(text[i + len(key):])}"


def copy_text(citation: CitationOut) -> str:
    """The ready-to-paste citation: 《标题》（文号）“章节”：“原文”."""
    if citation.reference:
        return citation.reference
    section = (citation.section,) if citation.section else ()
    return reference(citation.title, citation.doc_number, section, citation.display or citation.quote, False)


def rewritten_line(resp: AskResponse) -> str:
    """The standalone question the follow-up was read as; empty when unchanged."""
    rewritten = resp.rewritten_question.strip()
    if not rewritten or rewritten == resp.question.strip():
        return ""
    return f'<small class="rewritten">按此理解：{_md(rewritten)}</small>'


def _related_md(passages: Iterable[PassageOut], titles: Mapping[str, str]) -> list[str]:
    lines = [f"**{RELATED_HEAD}**"]
    for p in passages:
        where = _md(_book(titles.get(p.doc_id, p.doc_id)) + (f" {p.section}" if p.section else ""))
        lines.append(f"- {where}：{_md(_clip(p.text, RELATED_CHAT_CHARS))}")
    return lines


def _summary_md(answer: str) -> str:
    """The pipeline's key lines (before its first blockquote), inert but bold kept."""
    lines: list[str] = []
    for line in answer.splitlines():
        if line.lstrip().startswith(">"):
            break
        lines.append(line)
    return html.escape("\n".join(lines).strip(), quote=False).replace("\n", "  \n")


def render_answer(resp: AskResponse, titles: Mapping[str, str] | None = None) -> str:
    """Markdown for the chat bubble: each quote as a blockquote with its [n] and key marked."""
    titles = titles or {}
    parts: list[str] = []
    if resp.answerable and resp.citations:
        summary = _summary_md(resp.answer)
        parts.append(summary or "规划原文：")
        for c in resp.citations:
            shown = _emphasize(c.display or c.quote, c.key, _md, "mark").replace("\n", "\n> ")
            where = _md(_book(c.title) + (f" · {c.section}" if c.section else ""))
            parts.append(f"> **\\[{c.n}\\]** “{shown}”  \n> <small class=\"cite-src\">—— {where}</small>")
    elif resp.answerable:
        # No structured citations: show the pipeline's markdown, inert but with blockquotes kept.
        escaped = html.escape(resp.answer, quote=False)
        parts.append(re.sub(r"(?m)^(\s*)&gt;", r"\1>", escaped))
    if resp.answerable and resp.message:
        parts.append(f'<small class="rewritten">说明：{_md(resp.message)}</small>')
    elif not resp.answerable:
        parts.append(f'<span class="silent">{SILENT}</span>')
        if resp.message and not resp.message.startswith(SILENT):
            parts.append(_md(resp.message))
        if resp.related:
            parts.append("\n".join(_related_md(resp.related, titles)))
    parts.append(rewritten_line(resp))
    return "\n\n".join(p for p in parts if p)


def _context_html(c: CitationOut) -> str:
    """The paragraph around the quote, quote in <mark>, trimmed to CONTEXT_CHARS a side."""
    context, offset = c.context, c.start - c.context_start
    if not context or context[offset : offset + len(c.quote)] != c.quote:
        # A stale offset would highlight the wrong words; fall back to searching.
        offset = context.find(c.quote) if context else -1
        if offset < 0:
            context, offset = c.quote, 0
    before, after = context[:offset], context[offset + len(c.quote) :]
    before = _clip(before[::-1], CONTEXT_CHARS)[::-1]
    after = _clip(after, CONTEXT_CHARS)
    return f"{_esc(before)}<mark>{_emphasize(c.quote, c.key, _esc)}</mark>{_esc(after)}"


def _citation_card(c: CitationOut) -> str:
    docno = f'<span class="src-docno">{_esc(c.doc_number)}</span>' if c.doc_number else ""
    section = f'<div class="src-section">章节：{_esc(c.section)}</div>' if c.section else ""
    # A table row's raw text is bare cells; its display names the columns.
    shown = c.display.strip()
    row = f'<div class="src-row">表格行：{_emphasize(shown, c.key, _esc)}</div>' if shown and shown != c.quote.strip() else ""
    return (
        f'<div class="src-card" id="src-{c.n}" data-n="{c.n}">'
        f'<div class="src-head"><span class="src-n">[{c.n}]</span>'
        f'<span class="src-title">{_esc(_book(c.title))}</span>{docno}</div>{section}'
        f'<div class="src-span">字符 {c.start}–{c.end}</div>{row}'
        f'<div class="src-context">{_context_html(c)}</div>'
        '<div class="src-actions"><button type="button" class="copy-ref">复制引用</button>'
        '<span class="copy-status"></span></div>'
        f'<textarea class="ref-out" readonly hidden>{_esc(copy_text(c))}</textarea></div>'
    )


def _related_card(p: PassageOut, titles: Mapping[str, str]) -> str:
    section = f'<div class="src-section">章节：{_esc(p.section)}</div>' if p.section else ""
    return (
        f'<div class="src-card related"><div class="src-head">'
        f'<span class="src-title">{_esc(_book(titles.get(p.doc_id, p.doc_id)))}</span></div>{section}'
        f'<div class="src-span">字符 {p.start}–{p.end}</div>'
        f'<div class="src-context">{_esc(_clip(p.text, RELATED_CHARS))}</div></div>'
    )


def render_sources(resp: AskResponse | None, titles: Mapping[str, str] | None = None) -> str:
    """HTML for the sources panel: one card per citation, then related passages if silent."""
    if resp is None:
        return NO_SOURCES_HTML
    titles = titles or {}
    html_parts: list[str] = []
    if resp.citations:
        html_parts.append('<div class="sources-title">引用来源</div>')
        html_parts += [_citation_card(c) for c in resp.citations]
    if not resp.answerable and resp.related:
        html_parts.append(f'<div class="related-head">{RELATED_HEAD}</div>')
        html_parts += [_related_card(p, titles) for p in resp.related]
    if not html_parts:
        return f'<div class="sources-empty">{SILENT}，也没有相近的段落。</div>'
    return "".join(html_parts)


def stage_question(question: str | None, chat: Chat | None) -> tuple[str, Chat, str]:
    """Show the user's message at once and clear the box; the answer follows."""
    question, chat = question or "", list(chat or [])
    if question.strip():
        chat.append({"role": "user", "content": _md(_clip(question.strip(), 500))})
    return "", chat, question


def answer_turn(
    pipe: AskPipeline, question: str, chat: Chat | None, history: list[str] | None, doc: str | None
) -> tuple[Chat, str | None, list[str], str]:
    """Ask and render. Returns chat, sources HTML (None = leave as is), history, notice."""
    chat, history = list(chat or []), list(history or [])
    try:
        resp = pipe.ask(question, history=history or None, doc=None if doc in (None, "", ALL_DOCS) else doc)
    except QuestionError as exc:
        message = str(exc)
    except Exception:
        log.exception("ask failed for question %r", question[:200])
        message = GENERIC_ERROR
    else:
        titles = {d.doc_id: d.title for d in pipe.documents}
        chat.append({"role": "assistant", "content": render_answer(resp, titles)})
        return chat, render_sources(resp, titles), [*history, question.strip()][-guard.MAX_HISTORY :], ""  # bounded session state
    if question.strip():  # the user bubble is already shown; answer it
        chat.append({"role": "assistant", "content": f'<span class="err">{_md(message)}</span>'})
    return chat, None, history, f'<div class="notice">{_esc(message)}</div>'


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


def doc_choices(documents: Iterable[Any]) -> list[tuple[str, str]]:
    return [("全部文档", ALL_DOCS)] + [(d.title, d.doc_id) for d in documents]


def build_demo(pipe: AskPipeline) -> gr.Blocks:
    """The Blocks app around one loaded pipeline, queue configured."""

    def answer(question: str, chat: Chat, history: list[str], doc: str) -> tuple[Any, ...]:
        chat, sources, history, notice = answer_turn(pipe, question, chat, history, doc)
        return chat, gr.skip() if sources is None else sources, history, notice

    def ask(question: str, history: list[str]) -> dict:
        """Ask one question (history: earlier questions, oldest first); returns AskResponse JSON."""
        return api_ask(pipe, question, history)

    def clear() -> tuple[Any, ...]:
        return [], [], NO_SOURCES_HTML, "", ""

    with gr.Blocks(title="PlanQA 规划问答", analytics_enabled=False) as demo:
        gr.HTML(HEADER_HTML, elem_id="planqa-header")
        history = gr.State([])
        pending = gr.State("")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.Chatbot(
                    elem_id="planqa-chat", show_label=False, height=560, latex_delimiters=[],
                    feedback_options=None, buttons=["copy"], layout="bubble",
                    placeholder="请在下方输入问题，例如：到2015年咸阳的宽带用户目标是多少？",
                )  # fmt: skip
                notice = gr.HTML("", elem_id="planqa-notice")
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="输入问题，回车提问；追问可直接说“那宝鸡呢？”", show_label=False,
                        scale=5, elem_id="planqa-input", max_lines=4, autofocus=True,
                    )  # fmt: skip
                    send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="planqa-send")
                with gr.Row():
                    doc = gr.Dropdown(
                        doc_choices(pipe.documents), value=ALL_DOCS, label="只在此文档中查找",
                        scale=4, elem_id="planqa-doc",
                    )  # fmt: skip
                    clear_btn = gr.Button("清空对话", scale=1, min_width=80, elem_id="planqa-clear")
                gr.Examples([[q] for q in EXAMPLES], inputs=[box], label="示例问题")
            with gr.Column(scale=2, min_width=360):
                sources = gr.HTML(
                    NO_SOURCES_HTML, elem_id="planqa-sources", css_template=SOURCES_CSS,
                    js_on_load=COPY_JS, max_height=820,
                )  # fmt: skip

        for trigger in (box.submit, send.click):
            trigger(stage_question, [box, chat], [box, chat, pending], queue=False, api_visibility="private").then(
                answer, [pending, chat, history, doc], [chat, sources, history, notice], api_visibility="private"
            )
        clear_btn.click(clear, None, [chat, history, sources, notice, box], queue=False, api_visibility="private")
        # The chatbot's own trash icon must forget the follow-up history too.
        chat.clear(clear, None, [chat, history, sources, notice, box], queue=False, api_visibility="private")
        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=guard.QUEUE_MAX_SIZE)  # hardening: bounded queue
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs: Any) -> Any:
    """Start the server with the page's theme and CSS (gradio 6 takes these at launch)."""
    kwargs = guard.launch_options(demo, host, kwargs)  # hardening hook: limits, host/origin, headers, auth
    theme = gr.themes.Soft(primary_hue="blue", font=FONT_STACK, font_mono=("monospace",))
    return demo.launch(
        server_name=host, server_port=port, theme=theme, css=PAGE_CSS, show_error=False,
        footer_links=["api"], **kwargs,
    )  # fmt: skip


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Load the pipeline once and serve the app (loopback unless told otherwise)."""
    launch(build_demo(Pipeline.load(settings or Settings(), build_if_missing=True)), host=host, port=port)
