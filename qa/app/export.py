"""Conversation export: Markdown and Word (python-docx, imported when a Word file is written).

Each answer is followed by its own numbered reference list ("引用来源"), so the
[n] in an answer keeps pointing at the same source when a part of the export is
pasted into a draft. Citations use the one format of :mod:`qa.answer.cite`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from qa.answer.cite import citation_reference
from qa.answer.present import SILENT
from qa.app.conversation import Turn
from qa.app.plain import (
    ENGLISH_HINT,
    RELATED_HEAD,
    answer_markdown,
    needs_chinese_hint,
    quote_text,
    refusal_message,
    related_line,
    summary_lines,
    time_label,
)
from qa.errors import PlanQAError

EXPORT_TITLE = "PlanQA 规划问答记录"
FORMATS = ("docx", "md")
BODY_FONT = "SimSun"  # 宋体: what Word on a government desktop has for Chinese body text
_BOLD = re.compile(r"(\*\*.+?\*\*)")


def _when(turn: Turn) -> str:
    return turn.asked_at.replace("T", " ")[:16]


def to_markdown(turns: list[Turn], titles: Mapping[str, str], title: str = EXPORT_TITLE) -> str:
    """The conversation as Markdown: a section per question, answer, quotes, references."""
    blocks = [f"# {title}", f"共 {len(turns)} 个问题。引文均为规划原文，出处见每个回答下的“引用来源”。"]
    for number, turn in enumerate(turns, start=1):
        blocks.append(f"## 问题 {number}：{turn.question.strip()}")
        meta = f"提问时间：{_when(turn)}"
        if turn.response.rewritten_question.strip() not in ("", turn.question.strip()):
            meta += f"；按此理解：{turn.response.rewritten_question.strip()}"
        blocks.append(f"*{meta}*")
        blocks.append(answer_markdown(turn.response, titles))
    return "\n\n".join(blocks) + "\n"


def _add_runs(paragraph: object, line: str) -> None:
    """A key line with its **bold** parts as bold runs."""
    for piece in _BOLD.split(line):
        if not piece:
            continue
        bold = piece.startswith("**") and piece.endswith("**") and len(piece) > 4
        paragraph.add_run(piece[2:-2] if bold else piece).bold = bold or None  # type: ignore[attr-defined]


def _chinese_font(document: object) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = BODY_FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)


def to_docx(turns: list[Turn], titles: Mapping[str, str], out: Path, title: str = EXPORT_TITLE) -> Path:
    """Write the conversation as a Word document: per question the answer, quotes and a numbered reference list."""
    from docx import Document

    document = Document()
    _chinese_font(document)
    document.add_heading(title, level=0)
    document.add_paragraph(f"共 {len(turns)} 个问题。引文均为规划原文，出处见每个回答下的“引用来源”。")
    for number, turn in enumerate(turns, start=1):
        resp = turn.response
        document.add_heading(f"问题 {number}：{turn.question.strip()}", level=1)
        meta = document.add_paragraph(f"提问时间：{_when(turn)}")
        if resp.rewritten_question.strip() not in ("", turn.question.strip()):
            meta.add_run(f"；按此理解：{resp.rewritten_question.strip()}")
        if resp.answerable:
            for line in [] if resp.comparison else summary_lines(resp):  # a comparison's key lines are its table
                _add_runs(document.add_paragraph(), line)
            if resp.comparison:
                table = document.add_table(rows=1, cols=4)
                table.style = "Table Grid"
                for cell, head in zip(table.rows[0].cells, ("对象", "数值", "时间", "出处"), strict=True):
                    cell.text = head
                for r in resp.comparison:
                    cells = table.add_row().cells
                    cells[0].text, cells[1].text = r.side, r.value if r.answered else f"（{r.message or SILENT}）"
                    cells[2].text, cells[3].text = time_label(r), f"[{r.citation}]" if r.citation else ""
            for c in resp.citations:
                document.add_paragraph(f"{quote_text(c)} [{c.n}]", style="Quote")
            if not resp.citations and resp.answer.strip():
                document.add_paragraph(resp.answer.strip())
            if resp.message.strip():
                document.add_paragraph(f"说明：{resp.message.strip()}")
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{SILENT}。").bold = True
            paragraph.add_run(refusal_message(resp))
            if resp.related:
                document.add_paragraph(f"{RELATED_HEAD}：")
                for p in resp.related:
                    document.add_paragraph(related_line(p, titles), style="List Bullet")
        if needs_chinese_hint(turn.question):
            document.add_paragraph(ENGLISH_HINT)
        if resp.citations:
            document.add_heading("引用来源", level=2)
            for c in resp.citations:
                document.add_paragraph(f"[{c.n}] {citation_reference(c)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def write_export(turns: list[Turn], titles: Mapping[str, str], out: Path, fmt: str | None = None) -> Path:
    """Write a conversation export; the format comes from ``fmt`` or the file suffix.

    Raises:
        PlanQAError: unknown format.
    """
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    fmt = {"markdown": "md"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise PlanQAError(f"Unknown export format {fmt!r}. Supported formats: {list(FORMATS)} (or an .docx/.md file name)")
    if fmt == "docx":
        return to_docx(turns, titles, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_markdown(turns, titles), encoding="utf-8")
    return out
