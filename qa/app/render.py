"""HTML for the chat: each answer bubble with its own [n] buttons and actions, and the sources panel.

Pure functions of Turn/AskResponse records, so tests can check what a user would
see without a browser. Everything that came from a document or a user is escaped
here, once. A bubble is one HTML block with no blank line, so the chat's markdown
renderer leaves it alone (document text like ``**x**`` stays literal); the chat's
sanitizer keeps classes but drops data-* attributes, so a bubble names its turn
and citation in classes (``t-<turn id>``, ``n-<n>``) and the page script looks the
texts to copy up in the sources panel, which is not sanitized.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from qa.answer.cite import (
    citation_reference,
    heading_path,
    is_table_row,
    offsets_line,
    part_name,
)
from qa.answer.present import SILENT
from qa.app.conversation import Turn
from qa.app.plain import (
    ENGLISH_HINT,
    RELATED_HEAD,
    book,
    clip,
    needs_chinese_hint,
    plain_text,
    references_text,
    refusal_message,
    related_line,
    section_text,
    summary_lines,
    time_label,
)
from qa.app.web_assets import NO_SOURCES_HTML
from qa.schemas import AskResponse, CitationOut, PassageOut

CONTEXT_CHARS = 160  # shown on each side of a quote; whole paragraphs can run to 2,000 chars
RELATED_CHARS = 240
PENDING_HTML = '<span class="pending">正在查找规划原文…</span>'

_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|#$])")
_KEY_LINE = re.compile(r"(\*\*.+?\*\*|\[\d+\])")

Chat = list[dict[str, Any]]


def md(text: str) -> str:
    """Text made inert inside chat markdown: no tags, no emphasis, no links."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False).replace("\n", "  \n")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _br(text: str) -> str:
    """Escaped, line breaks as <br> (a bubble must hold no blank line)."""
    return esc(text).replace("\n", "<br>")


def key_at(text: str, key: str) -> int:
    """Where the key sits; in a table row prefer a whole cell ("表头：值 ·") over a stray match."""
    for m in re.finditer(re.escape(key), text):
        rest = text[m.end():]
        if text[: m.start()].endswith("：") and (not rest.strip() or rest.startswith(" ·")):
            return m.start()
    return text.find(key)


def emphasize(text: str, key: str, escape: Callable[[str], str] = esc, tag: str = "strong") -> str:
    """The answering span (number, name, date) wrapped in <tag> inside the quote."""
    i = key_at(text, key) if key else -1
    if i < 0:
        return escape(text)
    return f"{escape(text[:i])}<{tag}>{escape(key)}</{tag}>{escape(text[i + len(key):])}"


def copy_text(c: CitationOut) -> str:
    """What 复制引用 copies: the pipeline's reference, or the same format built from the citation."""
    return c.reference or citation_reference(c)


def cite_button(turn_id: str, n: int) -> str:
    return f'<button type="button" class="cite-n t-{turn_id} n-{n}" title="查看出处 [{n}]">[{n}]</button>'


def _key_line(line: str, turn_id: str) -> str:
    """One of the pipeline's key lines: **bold** kept, [n] made a button, the rest escaped."""
    out: list[str] = []
    for piece in _KEY_LINE.split(line):
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            out.append(f"<strong>{esc(piece[2:-2])}</strong>")
        elif re.fullmatch(r"\[\d+\]", piece):
            out.append(cite_button(turn_id, int(piece[1:-1])))
        else:
            out.append(esc(piece))
    return "".join(out)


def _comparison_table(resp: AskResponse, turn_id: str) -> str:
    rows = ["<table class=\"cmp\"><thead><tr><th>对象</th><th>数值</th><th>时间</th><th>出处</th></tr></thead><tbody>"]
    for r in resp.comparison:
        value = f"<strong>{esc(r.value)}</strong>" if r.answered and r.value else f'<span class="cmp-none">{esc(r.message or SILENT)}</span>'
        cite = cite_button(turn_id, r.citation) if r.citation else ""
        rows.append(f"<tr><td>{esc(r.side)}</td><td>{value}</td><td>{esc(time_label(r))}</td><td>{cite}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _quote_html(c: CitationOut, turn_id: str) -> str:
    if is_table_row(c):
        body = f'<span class="row-label">表格行：</span>{emphasize((c.display or c.quote).strip(), c.key, _br, "mark")}'
    else:
        body = f"“{emphasize(c.quote, c.key, _br, 'mark')}”"
    where = book(c.title) + (f" · {section_text(c.section)}" if c.section else "")
    return (f"<blockquote>{body} {cite_button(turn_id, c.n)}<br>"
            f'<small class="cite-src">—— {esc(where)}</small></blockquote>')


def _related_html(passages: Iterable[PassageOut], titles: Mapping[str, str]) -> str:
    items = "".join(f"<li>{esc(related_line(p, titles))}</li>" for p in passages)
    return f'<div class="related"><strong>{RELATED_HEAD}</strong><ul>{items}</ul></div>'


def rewritten_line(resp: AskResponse) -> str:
    """The standalone question the follow-up was read as; empty when unchanged."""
    rewritten = resp.rewritten_question.strip()
    if not rewritten or rewritten == resp.question.strip():
        return ""
    return f'<small class="rewritten">按此理解：{esc(rewritten)}</small>'


def _actions(resp: AskResponse, turn_id: str) -> str:
    t = f"t-{turn_id}"
    refs = f'<button type="button" class="act-refs {t}">复制全部引用</button>' if resp.citations else ""
    return (
        f'<div class="turn-actions {t}"><button type="button" class="act-copy {t}" title="复制为纯文本">复制回答</button>{refs}'
        f'<button type="button" class="act-up {t}" title="回答有用">👍 有用</button>'
        f'<button type="button" class="act-down {t}" title="回答有误，告诉我们">👎 有误</button>'
        f'<span class="act-status {t}"></span></div>'
    )


def _inline_sources(resp: AskResponse, turn_id: str) -> str:
    """The sources under the answer, folded; shown instead of the side panel on a phone."""
    if not resp.citations:
        return ""
    cards = "".join(_card(c, turn_id, inline=True) for c in resp.citations)
    return f'<details class="src-inline t-{turn_id}"><summary>出处（{len(resp.citations)}）</summary>{cards}</details>'


def render_answer(resp: AskResponse, titles: Mapping[str, str] | None = None, turn_id: str = "") -> str:
    """The answer bubble: key lines, comparison table, quotes with [n] buttons, refusal, actions."""
    titles = titles or {}
    parts: list[str] = []
    if resp.answerable:
        lines = [] if resp.comparison else summary_lines(resp)  # a comparison's key lines are its table
        if lines:
            parts.append('<div class="ans-key">' + "<br>".join(_key_line(line, turn_id) for line in lines) + "</div>")
        elif resp.citations and not resp.comparison:
            parts.append('<div class="ans-key">规划原文：</div>')
        if resp.verdict:
            parts.append(f'<div class="ans-key">{esc(resp.verdict)}</div>')
        if resp.comparison:
            parts.append(_comparison_table(resp, turn_id))
        parts += [_quote_html(c, turn_id) for c in resp.citations]
        if not resp.citations and resp.answer.strip():
            parts.append(f'<div class="ans-key">{_br(resp.answer.strip())}</div>')
        if resp.message.strip():
            parts.append(f'<small class="rewritten">说明：{esc(resp.message.strip())}</small>')
    else:
        parts.append(f'<span class="silent">{SILENT}</span>')
        if refusal_message(resp):
            parts.append(f'<div class="refusal">{esc(refusal_message(resp))}</div>')
        if resp.related:
            parts.append(_related_html(resp.related, titles))
    if needs_chinese_hint(resp.question):
        parts.append(f'<div class="hint">{esc(ENGLISH_HINT)}</div>')
    parts.append(rewritten_line(resp))
    if turn_id:
        parts += [_inline_sources(resp, turn_id), _actions(resp, turn_id)]
    t = f" t-{turn_id}" if turn_id else ""
    return f'<div class="ans{t}">' + "\n".join(p for p in parts if p) + "</div>"


def user_bubble(question: str) -> str:
    return md(clip(question.strip(), 500))


def chat_messages(turns: list[Turn], titles: Mapping[str, str]) -> Chat:
    """The chatbot's value: the conversation rebuilt from its turns (after a reload too)."""
    chat: Chat = []
    for turn in turns:
        chat.append({"role": "user", "content": user_bubble(turn.question)})
        chat.append({"role": "assistant", "content": render_answer(turn.response, titles, turn.id)})
    return chat


def _context_html(c: CitationOut) -> str:
    """The paragraph around the quote, quote in <mark>, trimmed to CONTEXT_CHARS a side."""
    context, offset = c.context, c.start - c.context_start
    if not context or context[offset: offset + len(c.quote)] != c.quote:
        # A stale offset would highlight the wrong words; fall back to searching.
        offset = context.find(c.quote) if context else -1
        if offset < 0:
            context, offset = c.quote, 0
    before, after = context[:offset], context[offset + len(c.quote):]
    before = clip(before[::-1], CONTEXT_CHARS)[::-1]
    after = clip(after, CONTEXT_CHARS)
    return f"{esc(before)}<mark>{emphasize(c.quote, c.key, esc)}</mark>{esc(after)}"


def _card(c: CitationOut, turn_id: str, inline: bool = False) -> str:
    """One citation: title, 文号 and date, heading path, offsets, paragraph with the quote marked, 复制引用."""
    docno = f'<span class="src-docno">{esc(c.doc_number)}</span>' if c.doc_number else ""
    date = f'<span class="src-date">{esc(c.issue_date)}印发</span>' if c.issue_date else ""
    headings = heading_path(c.section)
    where = " ".join(p for p in (part_name(headings), section_text(c.section)) if p)
    section = f'<div class="src-section">章节：{esc(where)}</div>' if where else ""
    row = f'<div class="src-row">表格行：{emphasize(c.display.strip(), c.key, esc)}</div>' if is_table_row(c) else ""
    context = _context_html(c).replace("\n", "<br>") if inline else _context_html(c)
    if inline:  # sanitized: classes only; the reference text is looked up in the panel
        ident, button, box = f'class="src-card t-{turn_id} n-{c.n}"', f'class="copy-ref t-{turn_id} n-{c.n}"', ""
    else:
        anchor = f"src-{turn_id}-{c.n}" if turn_id else f"src-{c.n}"
        ident = f'class="src-card" id="{anchor}" data-turn="{turn_id}" data-n="{c.n}"'
        button = f'class="copy-ref" data-turn="{turn_id}" data-n="{c.n}"'
        box = f'<textarea class="ref-out" readonly hidden>{esc(copy_text(c))}</textarea>'
    return (
        f'<div {ident}><div class="src-head"><span class="src-n">[{c.n}]</span>'
        f'<span class="src-title">{esc(book(c.title))}</span>{docno}{date}</div>{section}'
        f'<div class="src-span">{esc(offsets_line(c))}</div>{row}'
        f'<div class="src-context">{context}</div>'
        f'<div class="src-actions"><button type="button" {button}>复制引用</button>'
        f'<span class="copy-status"></span></div>{box}</div>'
    )


def _related_card(p: PassageOut, titles: Mapping[str, str]) -> str:
    label = f'<span class="src-label">{esc(p.label)}</span>' if p.label else ""
    section = f'<div class="src-section">章节：{esc(section_text(p.section))}</div>' if p.section else ""
    return (
        f'<div class="src-card related"><div class="src-head">{label}'
        f'<span class="src-title">{esc(book(titles.get(p.doc_id, p.doc_id)))}</span></div>{section}'
        f'<div class="src-span">字符 {p.start}–{p.end}</div>'
        f'<div class="src-context">{esc(clip(p.text, RELATED_CHARS))}</div></div>'
    )


def render_sources(resp: AskResponse | None, titles: Mapping[str, str] | None = None, turn_id: str = "") -> str:
    """One answer's sources: a card per citation, then related passages if the documents are silent."""
    if resp is None:
        return NO_SOURCES_HTML
    titles = titles or {}
    parts: list[str] = []
    if resp.citations:
        parts.append('<div class="sources-title">引用来源</div>')
        parts += [_card(c, turn_id) for c in resp.citations]
    if not resp.answerable and resp.related:
        parts.append(f'<div class="related-head">{RELATED_HEAD}</div>')
        parts += [_related_card(p, titles) for p in resp.related]
    if not parts:
        return f'<div class="sources-empty">{SILENT}，也没有相近的段落。</div>'
    return "".join(parts)


def render_panel(turns: list[Turn], titles: Mapping[str, str], active: str | None = None) -> str:
    """The sources panel: one section per answer (the active one shown) with the texts to copy.

    Args:
        active: the turn shown; the latest when None. Clicking [n] in any answer
            switches sections in the page without a round trip.
    """
    if not turns:
        return NO_SOURCES_HTML
    active = active or turns[-1].id
    sections: list[str] = []
    for number, turn in enumerate(turns, start=1):
        hidden = "" if turn.id == active else " hidden"
        sections.append(
            f'<section class="turn-src" data-turn="{turn.id}"{hidden}>'
            f'<div class="turn-q">第{number}问：{esc(clip(turn.question.strip(), 80))}</div>'
            f"{render_sources(turn.response, titles, turn.id)}"
            f'<textarea class="plain-answer" data-turn="{turn.id}" readonly hidden>{esc(plain_text(turn.response, titles))}</textarea>'
            f'<textarea class="plain-refs" data-turn="{turn.id}" readonly hidden>{esc(references_text(turn.response))}</textarea>'
            "</section>"
        )
    return "".join(sections)

