"""Text PDFs (the only pdfplumber importer).

pdfplumber (over pdfminer.six) was chosen over pypdf by measurement on the seed
plans laid out in Word and printed to PDF by LibreOffice: pdfplumber's raw text
kept reading order (similarity to the source 0.988-0.997, 3-68 differing runs:
running lines and wrapped table cells), pypdf moved every full-width quotation
mark to the end of its line (0.986-0.991, 27-226 runs); pypdf is 2x faster, which
matters less than a quote that reads right. pdfplumber also gives each glyph's
position and size, which the layout rules need, and finds ruled tables.
See ``scripts/bench_documents.py pdf-libraries``.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted
from qa.ingest.readers.pdf_layout import (
    Glyph,
    Page,
    PdfTable,
    assemble,
    clean_cell,
    lines_from_glyphs,
)

SCANNED = "无文字层（扫描件），需先 OCR"
MIN_TEXT_CHARS = 20  # fewer characters in the whole file means there is no text layer to speak of
MAX_PAGES = 2_000

# pdfminer logs every odd object of a real-world PDF as a warning.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _tables(page) -> list[tuple[tuple[float, float, float, float], PdfTable]]:
    found = []
    for table in page.find_tables():
        rows = tuple(tuple(clean_cell(cell) for cell in row) for row in table.extract())
        rows = tuple(row for row in rows if any(row))
        if len(rows) >= 2 and max(len(row) for row in rows) >= 2:
            found.append((table.bbox, PdfTable(table.bbox[1], table.bbox[3], rows)))
    return found


def _page(page) -> Page:
    tables = _tables(page)

    def outside(char: dict) -> bool:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for (x0, top, x1, bottom), _ in tables)

    glyphs = [Glyph(c["text"], c["x0"], c["x1"], c["top"], c["bottom"], c["size"])
              for c in page.chars if c.get("upright", True) and outside(c)]
    return Page(float(page.width), float(page.height), tuple(lines_from_glyphs(glyphs)), tuple(t for _, t in tables))


def _pages(path: Path) -> list[Page]:
    try:
        with pdfplumber.open(path, password="") as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise PlanQAError(f"{path}: {len(pdf.pages)} pages; the limit is {MAX_PAGES}")
            return [_page(page) for page in pdf.pages]
    except PlanQAError:
        raise
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise PlanQAError(f"{path}: PDF is encrypted with a password; save an unprotected copy and add that") from exc
        raise PlanQAError(f"{path}: damaged PDF, cannot be read ({type(cause).__name__}: {cause})") from exc
    # pdfminer fails in many ways on a damaged file; all mean the same to the user.
    except Exception as exc:
        raise PlanQAError(f"{path}: damaged PDF, cannot be read ({type(exc).__name__}: {exc})") from exc


def read(path: Path, raw: bytes) -> Extracted:
    """Read a PDF's text layer into paragraphs with page starts.

    Raises:
        PlanQAError: encrypted, damaged, or without a text layer (a scan).
    """
    pages = _pages(path)
    layout = assemble(pages)
    if len("".join(layout.text.split())) < MIN_TEXT_CHARS:
        raise PlanQAError(f"{path}: {SCANNED}")
    empty = [str(n + 1) for n, page in enumerate(pages) if not page.lines and not page.tables]
    notes = [f"{layout.dropped} running header/footer lines removed"] if layout.dropped else []
    if empty:
        notes.append(f"pages without text (scanned?): {', '.join(empty[:10])}{'…' if len(empty) > 10 else ''}")
    return Extracted(text=layout.text, format="pdf", pages=layout.pages, headings=layout.headings,
                     tables=layout.tables, notes=tuple(notes))
