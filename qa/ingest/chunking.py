"""Structure-aware chunking of plan documents.

Paragraphs are lines, or runs of 2+ spaces inside a line; headings follow
一、/（一）/1、/1./（1）/专栏N/附件 and may be glued to the prose after a sentence
end (Baoji). A reader's hints come first: a paragraph a Word style or a PDF font
size marks as a heading, and a real table, one chunk per row with its column
headers. Every chunk keeps its heading path, exact [start, end) span and page.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise

from qa.ingest.documents import Document
from qa.ingest.layout import Heading
from qa.ingest.tables import Table, from_layout, parse_table
from qa.ingest.text import sentence_spans, squeeze, strip_span

_MARKERS: tuple[tuple[str, int, str], ...] = (
    (r"附件[一二三四五六七八九十\d]*\s*[：:]", 1, "appendix"),
    (r"专栏\s*\d+\s*[：:]?", 3, "box"),
    (r"[一二三四五六七八九十]{1,3}、", 1, "heading"),
    (r"[（(][一二三四五六七八九十]{1,3}[）)]", 2, "heading"),
    (r"\d{1,2}(?:、|[.．](?!\d))", 3, "item"),
    (r"[（(]\d{1,2}[）)]", 4, "item"),
)
_MARKER_AT = [(re.compile(pattern), level, kind) for pattern, level, kind in _MARKERS]
_ANY_MARKER = "|".join(f"(?:{pattern})" for pattern, _, _ in _MARKERS)
# A heading glued into running text starts right after a sentence end.
_INLINE_HEADING = re.compile(
    rf"(?<=[。；！？：])\s*(?={_ANY_MARKER})|(?<=[^\s。；！？：])(?=[（(][一二三四五六七八九十]{{1,3}}[）)])"
)
_PARAGRAPH_BREAK = re.compile(r"[ \t\xa0\u3000]{2,}|\u3000+")
_TITLE_END = re.compile(r"[。；！？：:]")
_TABLE_LINE_MAX = 30
_TABLE_MIN_LINES = 8


@dataclass(frozen=True)
class Cell:
    header: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    section: tuple[str, ...]
    kind: str = "text"
    cells: tuple[Cell, ...] = field(default=())
    page: int = 0  # 1-based page the chunk starts on; 0 when the file has no pages

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    @property
    def display(self) -> str:
        """The chunk as a reader should see it: a table row carries its headers.

        A unit in parentheses ('数字电视用户数（万户）', '计划经费（万元）') is moved
        behind each number so the row reads '2015年：35万户'.
        """
        if not self.cells:
            return self.text
        first, *rest = self.cells
        return " · ".join([strip_unit(squeeze(first.value))] + [self.cell_text(c) for c in rest])

    def cell_text(self, cell: Cell) -> str:
        """'header：value' with the row's or column's unit after a numeric value."""
        value = squeeze(cell.value)
        unit = unit_of(cell.header) or unit_of(squeeze(self.cells[0].value))
        if unit and re.fullmatch(r"[-+]?[\d,.]+", value):
            value += unit
        return f"{strip_unit(cell.header)}：{value}"

    def embed_text(self, body: str | None = None) -> str:
        """What is embedded and keyword-indexed: heading path, then content.

        Args:
            body: a part of the chunk (one sentence) to embed under the same headings;
                the whole chunk's display text when None.
        """
        # Only the two innermost headings: a long path repeated on every row of
        # a table would drown the row's own words in BM25.
        tail = " > ".join(self.section[-2:])
        body = self.display if body is None else body
        return f"{tail}\n{body}" if tail else body


_UNIT = re.compile(r"[（(]([^（）()]{1,4})[）)]$")


def unit_of(label: str) -> str:
    match = _UNIT.search(label)
    return match.group(1) if match else ""


def strip_unit(label: str) -> str:
    return _UNIT.sub("", label)


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """Content hash id; doc and span are included because the two plans share sentences."""
    return hashlib.sha256(f"{doc_id}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()[:16]


def _heading_title(text: str, start: int, end: int) -> str:
    """A heading's title: up to its first sentence end or early comma, at most 24 chars.

    Baoji glues headings onto their prose ('（一）指导思想深入贯彻…'), so the end is a
    guess; the cap keeps a wrong guess short.
    """
    body = text[start:end]
    stop = _TITLE_END.search(body)
    cut = stop.start() if stop else len(body)
    comma = body.find("，", 0, cut)
    if 0 < comma <= 20 and cut > 24:
        cut = comma
    return body[:min(cut, 24)].strip()


def _lines(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        spans.append(strip_span(text, offset, offset + len(line)))
        offset += len(line)
    return spans


def _is_table_line(text: str, span: tuple[int, int], headings: Mapping[int, Heading]) -> bool:
    value = text[span[0]:span[1]]
    if not value or span[0] in headings or len(squeeze(value)) > _TABLE_LINE_MAX or "。" in value:
        return False
    return not any(regex.match(value) for regex, level, kind in _MARKER_AT if kind in ("box", "appendix"))


def _blocks(doc: Document) -> list[tuple[str, list[tuple[int, int]]]]:
    """Split the document into blocks: ('para', [span]), ('heading', [span]) for a
    reader's heading, ('layout', [span]) for a reader's table and ('table', [line
    spans]) for a table flattened to one cell per line."""
    text = doc.text
    headings = {h.start: h for h in doc.headings}
    layouts = sorted((t.start, t.end) for t in doc.tables if any(c for row in t.rows for c in row))
    blocks: list[tuple[str, list[tuple[int, int]]]] = []
    lines = [span for span in _lines(text) if span[1] > span[0]]
    i = 0
    while i < len(lines):
        inside = next((t for t in layouts if t[0] <= lines[i][0] < t[1]), None)
        if inside is not None:
            blocks.append(("layout", [inside]))
            while i < len(lines) and lines[i][0] < inside[1]:
                i += 1
            continue
        if lines[i][0] in headings:
            blocks.append(("heading", [lines[i]]))
            i += 1
            continue
        j = i
        while j < len(lines) and _is_table_line(text, lines[j], headings) and not any(t[0] <= lines[j][0] < t[1] for t in layouts):
            j += 1
        if j - i >= _TABLE_MIN_LINES:
            blocks.append(("table", lines[i:j]))
            i = j
            continue
        start, end = lines[i]
        cursor = start
        for match in _PARAGRAPH_BREAK.finditer(text, start, end):
            blocks.append(("para", [strip_span(text, cursor, match.start())]))
            cursor = match.end()
        blocks.append(("para", [strip_span(text, cursor, end)]))
        i += 1
    return [(kind, spans) for kind, spans in blocks if all(e > s for s, e in spans)]


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph where a heading marker follows a sentence end."""
    cuts = [start] + [m.end() for m in _INLINE_HEADING.finditer(text, start, end)] + [end]
    return [strip_span(text, a, b) for a, b in pairwise(cuts) if strip_span(text, a, b)[1] > strip_span(text, a, b)[0]]


class _Outline:
    """The heading stack while walking a document, with 专栏 (box) handling."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str, str]] = []  # (level, label, kind)
        self.box_has_content = False

    def in_box(self) -> bool:
        return any(kind == "box" for _, _, kind in self.stack)

    def push(self, level: int, label: str, kind: str) -> None:
        if kind == "item" and self.in_box():
            level = max(level, 4)
            self.box_has_content = True
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, label, kind))
        if kind == "box":
            self.box_has_content = False

    def plain_paragraph(self) -> None:
        """Prose after a box's items or table means the box has ended."""
        if self.in_box() and self.box_has_content:
            while self.stack and self.stack[-1][2] != "box":
                self.stack.pop()
            self.stack.pop()

    def path(self) -> tuple[str, ...]:
        return tuple(label for _, label, _ in self.stack)


_CN_DATE = re.compile(r"^[〇○零一二三四五六七八九十\d]{4}年[〇○一二三四五六七八九十\d]{1,3}月[〇○一二三四五六七八九十\d]{1,3}日$")


def _front_matter_label(line: str, doc: Document) -> str:
    """Label the lines of an issuing notice so questions about them find them."""
    if doc.doc_number and line == doc.doc_number:
        return "发文字号（文号）"
    if _CN_DATE.match(line):
        return "成文日期（印发日期）"
    return ""


def _split_long(text: str, start: int, end: int, max_chars: int, min_chars: int) -> list[tuple[int, int]]:
    """Pack sentences into pieces of at most max_chars; a short tail joins the piece before."""
    if end - start <= max_chars:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        if pieces and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < min_chars:
        tail = pieces.pop()
        pieces[-1] = (pieces[-1][0], tail[1])
    return pieces


def _table_chunks(doc: Document, table: Table, section: tuple[str, ...]) -> list[Chunk]:
    chunks = []
    for row in table.rows:
        # A total row is "合计" plus the grand total, which belongs to the last column.
        names = table.headers if not row.is_total else (table.headers[0], table.headers[-1])
        columns = row.columns or tuple(range(len(row.cells)))
        cells = tuple(
            Cell(header=names[min(col, len(names) - 1)], value=doc.text[s:e], start=s, end=e)
            for col, (s, e) in zip(columns, row.cells)
        )
        start, end = row.cells[0][0], row.cells[-1][1]
        path = section + table.title + ((row.group,) if row.group else ())
        body = doc.text[start:end]
        chunks.append(Chunk(chunk_id(doc.doc_id, start, end, body), doc.doc_id, start, end, body, path, "table_row", cells))
    return [replace(c, page=doc.page_at(c.start) or 0) for c in chunks] if doc.pages else chunks


def _lines_within(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A reader's table that is no table after all (no data row): its cells as paragraphs."""
    return [s for s in _lines(text) if span[0] <= s[0] < span[1] and s[1] > s[0]]


def _hinted_heading(text: str, span: tuple[int, int], hint: Heading, outline: _Outline, title: str) -> bool:
    """Push a heading the reader found (a Word style, a larger PDF font) that carries no
    一、/（一） marker; one with a marker is left to the marker rules. True if pushed."""
    value = text[span[0]:span[1]]
    if value == title or any(regex.match(value) for regex, _, _ in _MARKER_AT):
        return False
    outline.push(min(hint.level, 4), squeeze(value)[:24], "heading")
    return True


def chunk_document(doc: Document, max_chars: int = 320, min_chars: int = 40) -> list[Chunk]:
    """Cut a document into heading-aware chunks with exact spans.

    Args:
        doc: the document.
        max_chars: longer paragraphs are split at sentence ends.
        min_chars: a shorter trailing piece is merged into the previous one.

    Returns:
        Chunks in document order; `doc.text[c.start:c.end] == c.text` for each.
    """
    text = doc.text
    outline = _Outline()
    chunks: list[Chunk] = []
    layouts = {t.start: t for t in doc.tables if any(c for row in t.rows for c in row)}
    hints = {h.start: h for h in doc.headings}
    bare: list[tuple[int, Chunk]] = []  # headings nothing has been written under yet
    for kind, spans in _blocks(doc):
        if kind in ("table", "layout"):
            table = parse_table(text, spans) if kind == "table" else from_layout(text, layouts[spans[0][0]])
            if table is not None:
                chunks.extend(_table_chunks(doc, table, outline.path()))
                bare.clear()
                outline.box_has_content = True
                continue
            if kind == "layout":
                spans = _lines_within(text, spans[0])
        if kind == "heading" and _hinted_heading(text, spans[0], hints[spans[0][0]], outline, doc.title):
            continue
        for para_start, para_end in spans:
            for index, (seg_start, seg_end) in enumerate(_segments(text, para_start, para_end)):
                body_start = seg_start
                for regex, level, marker_kind in _MARKER_AT:
                    match = regex.match(text, seg_start, seg_end)
                    if match:
                        title = _heading_title(text, match.end(), seg_end)
                        label = squeeze(text[seg_start:match.end()]) + title
                        outline.push(level, label, marker_kind)
                        _settle(bare, outline.stack[-1][0], chunks)
                        body_start = match.end()
                        break
                else:
                    if index == 0:
                        outline.plain_paragraph()
                    sentences = sentence_spans(text, seg_start, seg_end)
                    lead = text[sentences[0][0]:sentences[0][1]] if sentences else ""
                    # Unnumbered reviews open each paragraph with a short headline sentence.
                    if not outline.stack and lead.endswith("。") and len(lead) <= 18 and len(sentences) > 1:
                        label = lead.rstrip("。")
                        for s, e in _split_long(text, seg_start, seg_end, max_chars, min_chars):
                            chunks.append(Chunk(chunk_id(doc.doc_id, s, e, text[s:e]), doc.doc_id, s, e, text[s:e], (label,)))
                        continue
                if squeeze(text[body_start:seg_end]).strip("：:") == squeeze(_heading_title(text, body_start, seg_end)) and body_start != seg_start:
                    # a bare heading lives on in the path of what follows; kept as a chunk if nothing does
                    span = text[seg_start:seg_end]
                    bare.append((outline.stack[-1][0], Chunk(chunk_id(doc.doc_id, seg_start, seg_end, span), doc.doc_id,
                                                             seg_start, seg_end, span, outline.path()[:-1])))
                    continue
                if text[seg_start:seg_end] == doc.title:
                    continue  # the title is metadata, shown on every citation
                bare.clear()
                front = _front_matter_label(text[seg_start:seg_end], doc)
                if front and not outline.stack:
                    chunks.append(Chunk(chunk_id(doc.doc_id, seg_start, seg_end, text[seg_start:seg_end]), doc.doc_id, seg_start, seg_end, text[seg_start:seg_end], (front,)))
                    continue
                for s, e in _split_long(text, seg_start, seg_end, max_chars, min_chars):
                    chunks.append(Chunk(chunk_id(doc.doc_id, s, e, text[s:e]), doc.doc_id, s, e, text[s:e], outline.path()))
    chunks = sorted(chunks + [chunk for _, chunk in bare], key=lambda c: c.start)
    return [replace(c, page=doc.page_at(c.start) or 0) for c in chunks] if doc.pages else chunks


def _settle(bare: list[tuple[int, Chunk]], level: int, chunks: list[Chunk]) -> None:
    """A new heading at ``level`` ends the sections of bare headings at that level or
    deeper: nothing was written under them, so each is kept as a chunk of its own (the
    titles of a plan's 附件 at its end would otherwise be in no chunk at all)."""
    chunks.extend(c for lvl, c in bare if lvl >= level)
    bare[:] = [(lvl, c) for lvl, c in bare if lvl < level]
