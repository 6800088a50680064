"""An answer as plain text: what 复制回答 copies, what the CLI prints and what exports are built from.

The pieces (key lines, quotes, comparison rows, related passages) are cut here once,
so the chat bubble (qa.app.render), the exports (qa.app.export) and the CLI show
the same answer. No markup leaves this module except in :func:`answer_markdown`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from qa.answer.cite import (
    PATH_SEP,
    citation_label,
    citation_reference,
    heading_path,
    is_table_row,
)
from qa.answer.present import SILENT
from qa.schemas import AskResponse, CitationOut, ComparisonRowOut, PassageOut

RELATED_HEAD = "相关段落（不是答案）"
TABLE_ROW_PREFIX = "表格行："
ROLE_NAMES = {"target": "目标", "status": "现状", "outcome": "完成情况"}
ENGLISH_HINT = "提示：这些规划文件是中文的，请用中文提问，例如“到2015年咸阳的宽带用户目标是多少？”"
RELATED_CHARS = 60  # the answer only points at related passages; the sources panel shows them

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def book(title: str) -> str:
    return title if title.startswith("《") else f"《{title}》"


def needs_chinese_hint(question: str) -> bool:
    """An English (Latin-only) question: the documents are Chinese, so say so."""
    return not _CJK.search(question) and len(_LATIN_WORD.findall(question)) >= 2


def summary_lines(resp: AskResponse) -> list[str]:
    """The pipeline's key lines (before its first quote block), markdown bold and [n] kept."""
    if not resp.answerable or not resp.citations:
        return []
    lines: list[str] = []
    for line in resp.answer.splitlines():
        if line.lstrip().startswith(">"):
            break
        if line.strip():
            lines.append(line.strip())
    return lines


def unbold(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def quote_text(c: CitationOut) -> str:
    """A quote as shown: verbatim text in quotation marks, or a table row with its headers."""
    if is_table_row(c):
        return TABLE_ROW_PREFIX + (c.display or c.quote).strip()
    return f"“{c.quote}”"


def time_label(row: ComparisonRowOut) -> str:
    """'2015年目标', '2010年现状', '目标' or ''."""
    role = ROLE_NAMES.get(row.role, "")
    return f"{row.year}年{role}" if row.year else role


def refusal_message(resp: AskResponse) -> str:
    message = resp.message.strip()
    return message if message and not message.startswith(SILENT) else ""


def related_line(p: PassageOut, titles: Mapping[str, str], limit: int = RELATED_CHARS) -> str:
    label = f"【{p.label}】" if p.label else ""
    where = book(titles.get(p.doc_id, p.doc_id)) + (f" {section_text(p.section)}" if p.section else "")
    return f"{label}{where}：{clip(p.text, limit)}"


def section_text(section: str) -> str:
    """A stored heading path in the citation style: cleaned headings, real separators."""
    return PATH_SEP.join(heading_path(section))


def references_text(resp: AskResponse) -> str:
    """What 复制全部引用 copies: every citation of one answer, numbered, quote included."""
    return "\n".join(f"[{c.n}] {citation_reference(c)}" for c in resp.citations)


def plain_text(resp: AskResponse, titles: Mapping[str, str] | None = None) -> str:
    """What 复制回答 copies: answer, quotes and numbered sources, with no markup at all."""
    titles = titles or {}
    blocks: list[str] = []
    if resp.answerable:
        lines = [unbold(line) for line in summary_lines(resp)]
        if resp.comparison and not lines:
            lines = [f"{r.side}：{r.value or r.message}" + (f"（{time_label(r)}）" if time_label(r) else "")
                     + (f" [{r.citation}]" if r.citation else "") for r in resp.comparison]
        if lines:
            blocks.append("\n".join(lines))
        if resp.citations:
            blocks.append("\n".join(f"{quote_text(c)} [{c.n}]" for c in resp.citations))
        elif resp.answer.strip():
            blocks.append(unbold(resp.answer.strip()))
        if resp.message.strip():
            blocks.append(f"说明：{resp.message.strip()}")
    else:
        blocks.append("。".join(p for p in (SILENT, refusal_message(resp).rstrip("。")) if p) + "。")
        if resp.related:
            blocks.append("\n".join([f"{RELATED_HEAD}："] + [f"- {related_line(p, titles)}" for p in resp.related]))
    if needs_chinese_hint(resp.question):
        blocks.append(ENGLISH_HINT)
    if resp.citations:
        blocks.append("\n".join(f"[{c.n}] {citation_label(c)}" for c in resp.citations))
    return "\n\n".join(blocks)


def answer_markdown(resp: AskResponse, titles: Mapping[str, str] | None = None) -> str:
    """The answer as Markdown for an export: key lines, a comparison table, quotes, numbered references."""
    titles = titles or {}
    blocks: list[str] = []
    if resp.answerable:
        lines = [] if resp.comparison else summary_lines(resp)  # a comparison's key lines are its table
        if lines:
            blocks.append("  \n".join(lines))
        if resp.verdict:
            blocks.append(resp.verdict)
        if resp.comparison:
            rows = ["| 对象 | 数值 | 时间 | 出处 |", "|---|---|---|---|"]
            for r in resp.comparison:
                value = r.value if r.answered else f"（{r.message or SILENT}）"
                rows.append(f"| {_cell(r.side)} | {_cell(value)} | {_cell(time_label(r))} | {f'[{r.citation}]' if r.citation else ''} |")
            blocks.append("\n".join(rows))
        if resp.citations:
            blocks.append("\n".join(f"> {quote_text(c)} [{c.n}]  " for c in resp.citations).rstrip())
        elif resp.answer.strip():
            blocks.append(resp.answer.strip())
        if resp.message.strip():
            blocks.append(f"*说明：{resp.message.strip()}*")
    else:
        blocks.append(f"**{SILENT}。**" + (f"{refusal_message(resp)}" if refusal_message(resp) else ""))
        if resp.related:
            blocks.append("\n".join([f"{RELATED_HEAD}："] + [f"- {related_line(p, titles)}" for p in resp.related]))
    if needs_chinese_hint(resp.question):
        blocks.append(ENGLISH_HINT)
    if resp.citations:
        blocks.append("引用来源：\n\n" + "\n".join(f"{c.n}. {citation_reference(c)}" for c in resp.citations))
    return "\n\n".join(blocks)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
