"""Real Word, PDF and GBK files made from plain-text plans, for tests and the extraction benchmark.

`write_docx` lays a plan out the way an office would: one Word paragraph per
paragraph, heading styles on bare numbered headings, flattened tables rebuilt as
real (ruled) Word tables, a running header and a page-number footer.
`write_pdf` prints a .docx to PDF with LibreOffice headless (Debian
``libreoffice-writer-nogui``; CJK glyphs from ``fonts-noto-cjk``). These write
files; reading them back is :mod:`qa.ingest.readers`' job.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from qa.errors import PlanQAError
from qa.ingest.chunking import _MARKER_AT, _blocks
from qa.ingest.documents import Document
from qa.ingest.tables import parse_table
from qa.ingest.text import squeeze

_HEADING_MAX = 40


def _heading_level(text: str) -> int | None:
    """Style level for a bare numbered heading ('一、总体要求'), None for prose."""
    if len(text) > _HEADING_MAX or any(mark in text for mark in "。；！？"):
        return None
    for regex, level, kind in _MARKER_AT:
        if kind in ("heading", "appendix") and regex.match(text):
            return level
    return None


def _header_footer(document, header: str) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.add_run("— ")
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" —")


def _add_table(document, text: str, spans: list[tuple[int, int]]) -> bool:
    table = parse_table(text, spans)
    if table is None:
        return False
    width = len(table.headers)
    grid = document.add_table(rows=1, cols=width)
    grid.style = "Table Grid"
    for title in table.title:  # a caption row merged across the table, as offices type it
        caption = grid.rows[-1].cells[0].merge(grid.rows[-1].cells[-1])
        caption.text = title
        grid.add_row()
    for cell, header in zip(grid.rows[-1].cells, table.headers):
        cell.text = header
    group = ""
    for row in table.rows:
        if row.group != group:
            group = row.group
            grid.add_row().cells[0].text = group
        cells = grid.add_row().cells
        values = [squeeze(text[s:e]) for s, e in row.cells]
        columns = [0, width - 1] if row.is_total else list(range(len(values)))
        for column, value in zip(columns, values):
            cells[min(column, width - 1)].text = value
    return True


def write_docx(doc: Document, path: Path, *, header: str = "内部资料") -> Path:
    """Lay a plain-text plan out as a Word document (see the module docstring)."""
    document = docx.Document()
    _header_footer(document, header)
    text = doc.text
    for kind, spans in _blocks(doc):
        if kind == "table" and _add_table(document, text, spans):
            continue
        for start, end in spans:
            paragraph = text[start:end]
            level = _heading_level(paragraph)
            if paragraph == doc.title:
                document.add_paragraph(paragraph, style="Title")
            elif level is not None:
                document.add_heading(paragraph, level=min(level, 4))
            else:
                document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def add_footnote(path: Path, paragraph_text: str, note: str) -> None:
    """Attach a real footnote (a footnotes part and a reference run) to the paragraph holding `paragraph_text`."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document(str(path))
    xml = (f'<w:footnotes {nsdecls("w")}><w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p>'
           f'</w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    target = next(p for p in document.paragraphs if paragraph_text in p.text)
    target._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="1"/></w:r>'))
    document.save(str(path))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(source: Path, target_suffix: str, out_dir: Path) -> Path:
    """Convert a file with LibreOffice headless ('pdf', 'doc'); returns the new file.

    Raises:
        PlanQAError: LibreOffice is not installed or the conversion failed.
    """
    binary = soffice()
    if binary is None:
        raise PlanQAError("LibreOffice (Debian libreoffice-writer-nogui) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planqa-lo-") as profile:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", target_suffix, "--outdir", str(out_dir), str(source)],
                       capture_output=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    result = out_dir / f"{source.stem}.{target_suffix}"
    if not result.is_file():
        raise PlanQAError(f"LibreOffice could not convert {source} to {target_suffix}")
    return result


def write_pdf(docx_path: Path, out_dir: Path) -> Path:
    """Print a .docx to PDF with LibreOffice."""
    return convert(docx_path, "pdf", out_dir)
