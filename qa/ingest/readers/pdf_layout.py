"""From positioned glyphs to paragraphs: lines, running headers and footers, re-joined prose.

Pure functions over plain records (no PDF library), so each rule is tested on
hand-made pages. A PDF has no paragraphs, only glyphs at positions; the rules
here read them back the way a person does:

* glyphs sharing a baseline form a line; a gap of 2+ em splits it into cells;
* a line that repeats in the top or bottom band of most pages, or is a page
  number ("- 3 -", "第3页", "3/12"), is a running header or footer;
* a line that reaches the right margin continues in the next line unless that
  one is indented, set in another size or further down than the line spacing;
* a line in a clearly larger size than the body is a heading.
"""
from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from qa.ingest.layout import Heading, TableLayout, TextBuilder

BAND = 0.1  # top and bottom tenth of the page hold running headers and footers
REPEAT_SHARE = 0.4  # on this share of the pages (and at least 2) a band line is running
HEADING_SIZE = 1.15  # a line this much larger than the body text is a heading
CELL_GAP_EM = 2.0  # a gap this wide inside a line separates table cells or columns
KINSOKU_EM = 4.0  # a line may end this far short of the margin and still run on
_NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)%％")
_SENTENCE_END = set("。！？；：!?;:")
_PAGE_NUMBER = re.compile(r"^(?:[-—－–\s]*\d+[-—－–\s]*|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$", re.IGNORECASE)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class PdfTable:
    """A ruled table found on a page: its vertical position and its rows of cell texts."""

    top: float
    bottom: float
    rows: tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]
    tables: tuple[PdfTable, ...] = ()


def _joiner(left: str, right: str, gap: float, size: float) -> str:
    """Nothing between CJK characters; a space where Latin words or numbers were apart."""
    if gap <= 0.2 * size or _CJK.match(left[-1:]) or _CJK.match(right[:1]):
        return ""
    return " "


def _line(glyphs: list[Glyph]) -> Line:
    text = glyphs[0].text
    for prev, glyph in itertools.pairwise(glyphs):
        text += _joiner(prev.text, glyph.text, glyph.x0 - prev.x1, glyph.size) + glyph.text
    return Line(text.strip(), glyphs[0].x0, glyphs[-1].x1, min(g.top for g in glyphs), max(g.bottom for g in glyphs),
                statistics.median(g.size for g in glyphs))


def lines_from_glyphs(glyphs: list[Glyph]) -> list[Line]:
    """Group glyphs into lines top to bottom; a wide gap inside a line starts another cell."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: ((g.top + g.bottom) / 2, g.x0)):
        centre = (glyph.top + glyph.bottom) / 2
        if rows and abs(centre - (rows[-1][0].top + rows[-1][0].bottom) / 2) <= 0.4 * max(glyph.size, 1.0):
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    lines: list[Line] = []
    for row in rows:
        row = [g for g in sorted(row, key=lambda g: g.x0) if g.text.strip() or g.text == " "]
        piece: list[Glyph] = []
        for glyph in row:
            if piece and glyph.x0 - piece[-1].x1 > CELL_GAP_EM * glyph.size:
                lines.append(_line(piece))
                piece = []
            if glyph.text.strip():
                piece.append(glyph)
        if piece:
            lines.append(_line(piece))
    return [line for line in lines if line.text]


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def running_lines(pages: list[Page]) -> set[tuple[int, int]]:
    """(page, line) positions of running headers, footers and page numbers."""
    def band(page: Page) -> list[int]:
        return [i for i, line in enumerate(page.lines)
                if line.bottom <= BAND * page.height or line.top >= (1 - BAND) * page.height]

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(page.lines[i].text) for i in band(page)})
    needed = max(2, REPEAT_SHARE * len(pages))
    return {(p, i) for p, page in enumerate(pages) for i in band(page)
            if _PAGE_NUMBER.match(page.lines[i].text.strip()) or (len(pages) > 1 and seen[_key(page.lines[i].text)] >= needed)}


@dataclass
class _Metrics:
    left: float
    right: float
    size: float
    gap: float


def _metrics(lines: list[Line]) -> _Metrics:
    sizes = [round(line.size, 1) for line in lines]
    size = Counter(sizes).most_common(1)[0][0] if sizes else 10.0
    body = [line for line in lines if abs(line.size - size) < 0.15 * size] or lines
    lefts = sorted(round(line.x0) for line in body)
    rights = sorted(line.x1 for line in body)
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(body) if 0 <= b.top - a.bottom < 3 * size]
    return _Metrics(left=Counter(lefts).most_common(1)[0][0] if lefts else 0.0,
                    right=rights[math.ceil(0.9 * (len(rights) - 1))] if rights else 0.0, size=size,
                    gap=statistics.median(gaps) if gaps else 0.3 * size)


def _continues(a: Line, b: Line, same_page: bool, m: _Metrics) -> bool:
    """Whether line b carries on the paragraph of line a."""
    if abs(a.size - b.size) > 0.15 * m.size or a.size >= HEADING_SIZE * m.size:
        return False
    if b.text[:1] in _NO_LINE_START:
        return True  # no paragraph starts with a closing mark
    short = m.right - a.x1
    # Line-breaking rules (kinsoku) carry up to a few characters over with the one
    # that may not start a line, so a line ends early without ending its paragraph;
    # one that ends early with a sentence end does end it.
    # A Latin word or number is never broken, so its whole width may be carried over.
    carried = len(re.match(r"[A-Za-z0-9.,%/、-]*", b.text).group()) * 0.6 * m.size
    if short > KINSOKU_EM * m.size + carried or (short > m.size and a.text[-1:] in _SENTENCE_END):
        return False
    if b.x0 > m.left + 1.0 * m.size:
        return False
    return not same_page or b.top - a.bottom <= m.gap + 0.5 * m.size


@dataclass(frozen=True)
class Layout:
    text: str
    pages: tuple[int, ...]
    headings: tuple[Heading, ...]
    tables: tuple[TableLayout, ...]
    dropped: int


def _blocks(page: Page, skip: set[int]) -> list[tuple[float, object]]:
    """The page's lines and tables in reading order (top to bottom)."""
    items: list[tuple[float, object]] = [(line.top, line) for i, line in enumerate(page.lines) if i not in skip]
    items += [(table.top, table) for table in page.tables]
    return sorted(items, key=lambda item: item[0])


class _Writer:
    """Buffers one paragraph or one table at a time and records where each page starts."""

    def __init__(self, m: _Metrics, heading_sizes: list[float], pages: int) -> None:
        self.out = TextBuilder()
        self.m = m
        self.heading_sizes = heading_sizes
        self.starts: list[int | None] = [None] * pages
        self.headings: list[Heading] = []
        self.tables: list[TableLayout] = []
        self.paragraph: list[tuple[str, int]] = []  # (piece, page)
        self.last: Line | None = None
        self.rows: list[tuple[tuple[str | None, ...], int]] = []

    def _mark(self, page: int, offset: int) -> None:
        if self.starts[page] is None:
            self.starts[page] = offset

    def flush(self) -> None:
        if self.paragraph:
            base = self.out.length + (1 if self.out.length else 0)
            for piece, page in self.paragraph:
                self._mark(page, base)
                base += len(piece)
            span = self.out.add("".join(piece for piece, _ in self.paragraph))
            if self.last is not None and self.last.size >= HEADING_SIZE * self.m.size and self.heading_sizes:
                self.headings.append(Heading(span[0], span[1], self.heading_sizes.index(round(self.last.size, 1)) + 1))
            self.paragraph.clear()
        if self.rows:
            spans = []
            for row, page in self.rows:
                cells = []
                for cell in row:
                    if cell:
                        cells.append(self.out.add(cell))
                        self._mark(page, cells[-1][0])
                    else:
                        cells.append(None)
                if any(cells):
                    spans.append(tuple(cells))
            if len(spans) >= 2:
                self.tables.append(TableLayout(tuple(spans)))
            self.rows.clear()
        self.last = None

    def line(self, line: Line, page: int, same_page: bool) -> None:
        if self.rows or self.last is None or not _continues(self.last, line, same_page, self.m):
            self.flush()
        elif self.paragraph:
            prev = self.paragraph[-1][0]
            space = " " if prev[-1:].isascii() and prev[-1:].isalnum() and line.text[:1].isascii() and line.text[:1].isalnum() else ""
            if space:
                self.paragraph.append((space, page))
        self.paragraph.append((line.text, page))
        self.last = line

    def table(self, table: PdfTable, page: int, first_on_page: bool) -> None:
        width = len(table.rows[0]) if table.rows else 0
        continued = bool(self.rows) and first_on_page and width == len(self.rows[0][0])
        if not continued:
            self.flush()
        rows = list(table.rows)
        if continued and rows and rows[0] == self.rows[0][0]:
            rows = rows[1:]  # a table carried onto the next page repeats its header row
        if continued and rows and _split_row(self.rows[-1][0], rows[0]):
            last, first = self.rows[-1][0], rows.pop(0)
            self.rows[-1] = (tuple((a or "") + (b or "") or None for a, b in zip(last, first)), self.rows[-1][1])
        self.rows.extend((row, page) for row in rows)
        self.last = None


def _split_row(last: tuple[str | None, ...], first: tuple[str | None, ...]) -> bool:
    """Whether a table's first row on a new page is the rest of the row the last page ended with.

    Word lets a row break across pages: a wrapped group label ends up as two one-cell
    rows, a wrapped cell leaves its last characters alone in an otherwise empty row.
    """
    if len(last) != len(first):
        return False
    filled_last = {i for i, cell in enumerate(last) if cell}
    filled_first = {i for i, cell in enumerate(first) if cell}
    if len(filled_last) == 1 and filled_first == filled_last:
        return True
    return filled_first < filled_last and all(len(first[i] or "") <= 3 for i in filled_first)


def assemble(pages: list[Page]) -> Layout:
    """Paragraphs, page starts, heading and table hints from the pages' lines.

    Args:
        pages: each page's lines (outside tables) and ruled tables, in page order.

    Returns:
        The text with one paragraph per line, where every page starts in it,
        heading spans and table layouts, and how many running lines were dropped.
    """
    running = running_lines(pages)
    body = [line for p, page in enumerate(pages) for i, line in enumerate(page.lines) if (p, i) not in running]
    m = _metrics(body)
    heading_sizes = sorted({round(line.size, 1) for line in body if line.size >= HEADING_SIZE * m.size}, reverse=True)
    writer = _Writer(m, heading_sizes, len(pages))
    last_page = -1
    for p, page in enumerate(pages):
        for n, (_, item) in enumerate(_blocks(page, {i for q, i in running if q == p})):
            if isinstance(item, PdfTable):
                writer.table(item, p, first_on_page=n == 0)
            else:
                writer.line(item, p, same_page=last_page == p)
            last_page = p
    writer.flush()
    text = writer.out.text()
    # A page with nothing on it starts where the next page with text starts.
    starts, following = [], len(text)
    for start in reversed(writer.starts):
        following = start if start is not None else following
        starts.append(following)
    pages_at = tuple(reversed(starts))
    return Layout(text, (0,) + pages_at[1:] if pages_at else (), tuple(writer.headings), tuple(writer.tables), len(running))


def clean_cell(value: str | None) -> str | None:
    """A table cell's text on one line: no breaks between CJK characters, single spaces elsewhere."""
    if value is None:
        return None
    text = re.sub(r"(?<=[\u3400-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3400-\u9fff\uff00-\uffef])", "", value.strip())
    text = re.sub(r"\s+", " ", text)
    return text or None
