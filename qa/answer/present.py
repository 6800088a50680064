"""Turn chosen quotes into what a user reads: answer text, citations, copy-ready references."""
from __future__ import annotations

import re

from qa.answer.cite import citation_label, format_reference, issue_date
from qa.answer.query import COMPARATIVE
from qa.answer.select import Quote
from qa.answer.view import AnswerView
from qa.ingest.chunking import strip_unit
from qa.ingest.text import squeeze
from qa.schemas import CitationOut, ComparisonRowOut, PassageOut

SILENT = "文档中没有找到相关内容"  # the chat and the answer text both start a refusal with it


def reference(title: str, doc_number: str, section: tuple[str, ...], body: str, is_table: bool, issued: str = "") -> str:
    """A citation ready to paste into a draft; the format is qa.answer.cite's (one format everywhere)."""
    return format_reference(title, doc_number, section, body, is_table=is_table, issue_date=issued)


def citation(index: AnswerView, n: int, quote: Quote) -> CitationOut:
    chunk = index.chunks[quote.chunk]
    doc = index.documents[quote.doc_id]
    text = doc.text[quote.start:quote.end]
    is_table = chunk.kind == "table_row" and not quote.heading
    display = chunk.display if is_table else text
    return CitationOut(
        n=n,
        doc_id=doc.doc_id,
        title=doc.title,
        section=chunk.section_path,
        start=quote.start,
        end=quote.end,
        quote=text,
        key=doc.text[quote.key_start:quote.key_end] if quote.key_start >= 0 else "",
        display=display,
        doc_number=doc.doc_number,
        context_start=chunk.start,
        context_end=chunk.end,
        context=chunk.text,
        reference=reference(doc.title, doc.doc_number, chunk.section, display, is_table, issue_date(doc.text)),
        issue_date=issue_date(doc.text),
        kind=chunk.kind,
        page=doc.page_at(quote.start),
    )


def _bold_line(index: AnswerView, quote: Quote) -> str:
    """The clause holding the key span, with the key in bold (display only)."""
    text = index.documents[quote.doc_id].text
    chunk = index.chunks[quote.chunk]
    if chunk.kind == "table_row" and not quote.heading:
        cell = next((c for c in chunk.cells if c.start == quote.key_start), None)
        if cell is None:
            return chunk.display
        if cell is chunk.cells[0]:  # the row's item itself (a list answer)
            return f"**{strip_unit(squeeze(cell.value))}**"
        header, _, value = chunk.cell_text(cell).partition("：")
        return f"{strip_unit(squeeze(chunk.cells[0].value))} · {header}：**{value}**"
    lo = max(quote.start, max((text.rfind(p, quote.start, quote.key_start) for p in "，；。：、"), default=-1) + 1)
    hi_candidates = [i for i in (text.find(p, quote.key_end, quote.end) for p in "，；。") if i >= 0]
    hi = min(hi_candidates) if hi_candidates else quote.end
    return f"{text[lo:quote.key_start]}**{text[quote.key_start:quote.key_end]}**{text[quote.key_end:hi]}".strip()


def answer_text(index: AnswerView, quotes: list[Quote], citations: list[CitationOut], where: bool = False) -> str:
    """Markdown: key lines first, then each verbatim quote as a block quote with its [n].

    Args:
        where: the question asks where something is stated; the heading path is the answer.
    """
    lines: list[str] = []
    for quote, cite in zip(quotes, citations):
        if where:
            lines.append(f"见《{cite.title}》{cite.section or '正文'} [{cite.n}]")
        elif quote.key_start >= 0:
            prefix = f"{quote.label}：" if quote.label else ""
            lines.append(f"{prefix}{_bold_line(index, quote)} [{cite.n}]")
    if lines:
        lines.append("")
    for quote, cite in zip(quotes, citations):
        prefix = f"（{quote.label}）" if quote.label and quote.key_start < 0 else ""
        body = cite.display if cite.display != cite.quote else cite.quote
        doc_text = index.documents[quote.doc_id].text
        chunk = index.chunks[quote.chunk]
        lead = "……" if cite.display == cite.quote and not quote.heading and quote.start > chunk.start and doc_text[quote.start - 1] not in "。；！？\n" else ""
        tail = "……" if cite.display == cite.quote and not quote.heading and quote.end < chunk.end and doc_text[quote.end - 1] not in "。；！？" else ""
        lines.append(f"> {prefix}“{lead}{body}{tail}” [{cite.n}]")
    lines.append("")
    for cite in citations:
        lines.append(source_line(cite))
    return "\n".join(lines).strip()


def source_line(cite: CitationOut) -> str:
    return f"[{cite.n}] {citation_label(cite)}"


def passage_out(index: AnswerView, chunk_id: int, score: float, label: str = "") -> PassageOut:
    chunk = index.chunks[chunk_id]
    return PassageOut(
        doc_id=chunk.doc_id, chunk_id=chunk.chunk_id, section=chunk.section_path,
        start=chunk.start, end=chunk.end, text=chunk.text, score=round(float(score), 6), label=label,
    )


def related_label(quote: Quote) -> str:
    """What a passage gives instead of the answer: '2010年现状', '到2015年的目标'."""
    if quote.role == "status":
        return f"{quote.year}年现状" if quote.year else "现状"
    if quote.role == "target":
        return f"到{quote.year}年的目标" if quote.year else "目标"
    return ""


def comparison_rows(index: AnswerView, results: list, citations: list[CitationOut]) -> list[ComparisonRowOut]:
    """One row per side of a comparison: value, year and role, quote and citation, or why not."""
    rows: list[ComparisonRowOut] = []
    first = 0  # the citations are the sides' quotes in order; two sides may quote one table row
    for result in results:
        label = result.side.label
        if result.refusal is not None or not result.quotes:
            message = result.refusal.message if result.refusal is not None else SILENT
            rows.append(ComparisonRowOut(side=label, answered=False, message=message))
            continue
        quote, cite = result.quotes[0], citations[first]
        first += len(result.quotes)
        rows.append(ComparisonRowOut(
            side=label, answered=True, value=key_value(index, quote), year=quote.year, role=quote.role,
            quote=cite.quote, citation=cite.n,
        ))
    return rows


def key_value(index: AnswerView, quote: Quote) -> str:
    """The key as the user reads it: a table cell with its column's unit ("350万户")."""
    chunk = index.chunks[quote.chunk]
    cell = next((c for c in chunk.cells if c.start == quote.key_start), None) if chunk.kind == "table_row" else None
    if cell is not None and cell is not chunk.cells[0]:
        return chunk.cell_text(cell).partition("：")[2]
    if quote.key_start < 0:
        return ""
    text = index.documents[quote.doc_id].text
    # a bound around the figure is part of it: "超过60万户", "85%以上"
    before = re.search(r"(?:超过|突破|不低于|不少于|逾|近|约)$", text[max(0, quote.key_start - 3):quote.key_start])
    after = re.match(r"以上|以下|左右|多", text[quote.key_end:quote.key_end + 2])
    return text[quote.key_start - (len(before.group()) if before else 0):quote.key_end + (len(after.group()) if after else 0)]


_AMOUNT = re.compile(r"^(\d+(?:[.,]\d+)*)\s*(万|亿)?(.*)$")
_BOUND = re.compile(r"以上|以下|左右|多|超过|近|约|不低于|不少于|突破")
_SCALE = {"万": 1e4, "亿": 1e8}
_LARGER = (("多", "多于"), ("少", "多于"), ("大", "大于"), ("小", "大于"), ("快", "快于"), ("慢", "快于"))


def _amount(value: str) -> tuple[float, str] | None:
    """"95万户" -> (950000.0, "户"); None for a bound ("85%以上") or no figure."""
    found = _AMOUNT.match(value.strip())
    if not found or _BOUND.search(value):
        return None
    return float(found.group(1).replace(",", "")) * _SCALE.get(found.group(2) or "", 1.0), found.group(3).strip()


def comparison_verdict(question: str, rows: list[ComparisonRowOut]) -> str:
    """Which side's figure is larger, when the question asks it (谁高, 哪个多) and every
    side has a figure in the same unit; worked out from the quoted values, and said so."""
    asked = COMPARATIVE.search(question)
    if not asked or len(rows) < 2 or not all(r.answered for r in rows):
        return ""
    amounts = [_amount(r.value) for r in rows]
    if any(a is None for a in amounts) or len({a[1] for a in amounts}) != 1:
        return ""
    ranked = sorted(zip(rows, amounts), key=lambda pair: -pair[1][0])
    if ranked[0][1][0] == ranked[-1][1][0]:
        return f"比较（按引文数字）：{'、'.join(r.side for r in rows)}相同，均为{rows[0].value}。"
    larger = next((said for word, said in _LARGER if word in asked.group()), "高于")
    if len(ranked) == 2:
        (top, _), (other, _) = ranked
        return f"比较（按引文数字）：{top.side}（{top.value}）{larger}{other.side}（{other.value}）。"
    return "比较（按引文数字，从大到小）：" + " ＞ ".join(f"{r.side}（{r.value}）" for r, _ in ranked) + "。"
