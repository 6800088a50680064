"""Files made by LibreOffice (Debian libreoffice-writer-nogui, fonts-noto-cjk): a printed PDF and an old .doc.

Skipped with a note when LibreOffice is missing (`make test` installs it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from qa.evaluation import forms
from qa.ingest.chunking import chunk_document
from qa.ingest.documents import load_document, load_documents
from qa.ingest.text import squeeze
from qa.settings import Settings

pytestmark = pytest.mark.skipif(forms.soffice() is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed")
BAOJI = "baoji-12th-five-year-informatization-plan"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("office")
    [seed] = [d for d in load_documents(Settings().seeds_dir)[0] if d.doc_id == BAOJI]
    docx_path = forms.write_docx(seed, folder / f"{BAOJI}.docx", header="宝鸡市人民政府办公室")
    return seed, docx_path, forms.write_pdf(docx_path, folder)


def test_pdf_reads_back_as_the_plan_without_running_lines(printed) -> None:
    import pdfplumber

    seed, _, pdf_path = printed
    doc = load_document(pdf_path)
    assert doc.format == "pdf" and len(doc.pages) > 5 and doc.title == seed.title and doc.city == "宝鸡"
    assert "宝鸡市人民政府办公室" not in doc.text and "— 3 —" not in doc.text
    chunks, expected = chunk_document(doc), chunk_document(seed)
    assert [squeeze(c.text) for c in chunks] == [squeeze(c.text) for c in expected]
    assert [c.section for c in chunks] == [c.section for c in expected]
    with pdfplumber.open(pdf_path) as pdf:
        printed_pages = [squeeze(page.extract_text() or "") for page in pdf.pages]
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        # A wrapped table cell prints interleaved with its neighbours: only its first characters run on.
        probe = squeeze(chunk.cells[0].value)[:4] if chunk.cells else squeeze(chunk.text)[:8]
        assert probe in printed_pages[chunk.page - 1], (chunk.page, chunk.text[:20])


def test_pdf_tables_are_rows_with_headers(printed) -> None:
    _, _, pdf_path = printed
    rows = [c for c in chunk_document(load_document(pdf_path)) if c.kind == "table_row"]
    broadband = next(c for c in rows if c.text.startswith("城市用户互联网带宽"))
    assert "2015年：16" in broadband.display.replace("M", "")
    assert broadband.section[-1].startswith("专栏1")


def test_old_word_doc_is_read_through_libreoffice(printed, tmp_path: Path) -> None:
    _, docx_path, _ = printed
    doc_path = forms.convert(docx_path, "doc", tmp_path)
    doc = load_document(doc_path)
    assert doc.format == "doc" and doc.title == "宝鸡市“十二五”信息化建设规划" and doc.tables
    assert any(c.kind == "table_row" for c in chunk_document(doc))
