"""Word .docx files (the only python-docx importer).

Body paragraphs and tables in document order. A paragraph's automatic list
number ("一、", "（二）") is written in front of it, as the reader sees it;
heading styles and outline levels become heading hints; a real table is one
cell per line with its row/column layout kept, so the chunker emits one chunk
per row with its column headers. Footnotes, headers and footers live in other
parts of the package and never reach the body text.
"""
from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.table import Table
from docx.text.paragraph import Paragraph

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted, Heading, Span, TableLayout, TextBuilder
from qa.ingest.readers.sniff import check_zip
from qa.ingest.readers.wordxml import Numbering, Styles


def _open(path: Path):
    """python-docx Document, after the zip is checked for bombs and for a Word body."""
    with check_zip(path) as archive:
        if "word/document.xml" not in archive.namelist():
            raise PlanQAError(f"{path}: a zip file but not a Word document (no word/document.xml)")
    try:
        return docx.Document(str(path))
    # lxml, zipfile and python-docx fail in many ways on a damaged package; all mean the same to the user.
    except Exception as exc:
        raise PlanQAError(f"{path}: damaged DOCX, cannot be read ({type(exc).__name__}: {exc})") from exc


def _cell_text(cell) -> str:
    """A cell's paragraphs on one line: table cells are short, and one line keeps one cell per line."""
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _table(table: Table, out: TextBuilder) -> TableLayout | None:
    rows: list[tuple[Span | None, ...]] = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the grid columns it spans
                continue
            seen.add(id(cell._tc))
            value = _cell_text(cell)
            cells.append(out.add(value) if value else None)
        if any(cells):
            rows.append(tuple(cells))
    return TableLayout(tuple(rows)) if len(rows) >= 2 else None


def _paragraph(p: Paragraph, styles: Styles, numbering: Numbering) -> tuple[str, int | None]:
    text = p.text.replace("\n", " ").strip()
    num = styles.num_pr(p._p)
    label = numbering.label(*num) if num else ""
    if label and text and not text.startswith(label):
        text = f"{label} {text}" if label[-1].isalnum() else label + text
    return text, styles.heading_level(p._p)


def read(path: Path, raw: bytes) -> Extracted:
    """Read a .docx body into text with heading and table hints.

    Raises:
        PlanQAError: damaged package, zip bomb, not a Word document.
    """
    document = _open(path)
    styles = Styles(document.styles.element)
    numbering = Numbering(document.part.numbering_part.element if _has_numbering(document) else None)
    out = TextBuilder()
    headings: list[Heading] = []
    tables: list[TableLayout] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            layout = _table(block, out)
            if layout is not None:
                tables.append(layout)
            continue
        text, level = _paragraph(block, styles, numbering)
        if not text:
            continue
        span = out.add(text)
        if level is not None and not styles.is_title(block._p):
            headings.append(Heading(span[0], span[1], level))
    return Extracted(text=out.text(), format="docx", headings=tuple(headings), tables=tuple(tables))


def _has_numbering(document) -> bool:
    return any(rel.reltype == RT.NUMBERING for rel in document.part.rels.values())
