"""What a reader found in a file besides its text: pages, headings and real tables.

Every position is a character offset into the extracted text, the same text that
is stored with the index and that every quote is cut from. The chunker uses
headings and tables as hints; pages only say where a quote was printed.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

Span = tuple[int, int]


@dataclass(frozen=True)
class Heading:
    """A paragraph the file marks as a heading (a Word heading style, a larger PDF font).

    Attributes:
        start, end: the heading paragraph's span.
        level: 1 for the top level; the chunker's 一、/（一）/1、/（1） levels are 1-4.
    """

    start: int
    end: int
    level: int


@dataclass(frozen=True)
class TableLayout:
    """A real table: rows of cells, the first row holding the column headers.

    Attributes:
        rows: per row, one span per column; an empty cell is ``None``.
    """

    rows: tuple[tuple[Span | None, ...], ...]

    @property
    def start(self) -> int:
        return min(s for row in self.rows for cell in row if cell for s in cell)

    @property
    def end(self) -> int:
        return max(e for row in self.rows for cell in row if cell for e in cell)


@dataclass(frozen=True)
class Extracted:
    """One file read into text.

    Attributes:
        text: the document text every span points into.
        format: the reader that made it ("txt", "docx", "pdf", "doc").
        encoding: the text encoding that was detected ("" for binary formats).
        pages: start offset of each printed page, first page at 0 (PDF only).
        headings: paragraphs the file itself marks as headings.
        tables: real tables (DOCX, ruled PDF tables).
        notes: what the reader dropped or doubted, for the build log.
    """

    text: str
    format: str
    encoding: str = ""
    pages: tuple[int, ...] = ()
    headings: tuple[Heading, ...] = ()
    tables: tuple[TableLayout, ...] = ()
    notes: tuple[str, ...] = field(default=())


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """1-based page holding `offset`, or None when the file has no pages."""
    return bisect_right(pages, offset) if pages else None


class TextBuilder:
    """Appends paragraphs with '\\n' between them and remembers where each landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, paragraph: str) -> Span:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        start = self.length
        self.parts.append(paragraph)
        self.length += len(paragraph)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)
