"""Bad files (issue 14, part 6): each refused with a message naming it; ids unique; folders checked.

Real files are made here: DOCX with python-docx, PDFs with pypdf and Pillow, an encrypted
DOCX with msoffcrypto-tool; the LibreOffice-made PDFs are in tests/system.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from qa.errors import PlanQAError
from qa.ingest import documents
from qa.ingest.documents import load_document, load_documents, make_doc_id
from qa.ingest.readers import legacy

PLAN = "榆林市“十三五”信息化发展规划\n一、发展目标\n到2020年，全市宽带用户达到95万户。\n"


def good_docx(path: Path, text: str = PLAN) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 20_000_000)  # 20 MB of zeros: ~20 kB packed


def encrypted_docx(path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = good_docx(path.with_suffix(".plain.docx"))
    with plain.open("rb") as source, path.open("wb") as out:
        ooxml.OOXMLFile(source).encrypt("secret", out)


def encrypted_pdf(path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=300, height=300)
    writer.encrypt("secret")
    with path.open("wb") as out:
        writer.write(out)


def scanned_pdf(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill="black")  # "text" as pixels only
    image.save(path, "PDF")


BAD = [
    pytest.param("empty.pdf", lambda p: p.write_bytes(b""), "empty", id="0-byte"),
    pytest.param("program.pdf", lambda p: shutil.copyfile(sys.executable, p), r"named \.pdf but the content is executable",
                 id="executable-renamed-pdf"),
    pytest.param("really-a-pdf.docx", lambda p: p.write_bytes(b"%PDF-1.4\n%...\n"), r"named \.docx but the content is a PDF.*rename it to \.pdf",
                 id="pdf-renamed-docx"),
    pytest.param("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n" + random.Random(2).randbytes(4000)), "damaged PDF",
                 id="corrupt-pdf"),
    pytest.param("locked.pdf", encrypted_pdf, "encrypted with a password", id="encrypted-pdf"),
    pytest.param("scan.pdf", scanned_pdf, "无文字层（扫描件），需先 OCR", id="scanned-pdf"),
    pytest.param("broken.docx", lambda p: p.write_bytes(good_docx(p.with_suffix(".ok.docx")).read_bytes()[:800]), "damaged DOCX",
                 id="corrupt-docx"),
    pytest.param("locked.docx", encrypted_docx, "password-protected", id="password-docx"),
    pytest.param("bomb.docx", zip_bomb, "possibly a zip bomb", id="zip-bomb-docx"),
    pytest.param("notword.docx", lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "x"), "not a Word document",
                 id="zip-not-docx"),
    pytest.param("old.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "请另存为 .docx",
                 id="doc-without-libreoffice"),
    pytest.param("notes.md", lambda p: p.write_text("x"), r"unsupported file type '\.md'", id="unsupported-type"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD)
def test_bad_files_are_refused_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, make, reason: str) -> None:
    monkeypatch.setattr(legacy, "soffice", lambda: None)  # as on a machine without LibreOffice
    path = tmp_path / name
    make(path)
    with pytest.raises(PlanQAError, match=reason) as info:
        load_document(path)
    assert str(info.value).startswith(str(path))


def test_folder_scan_keeps_good_files_and_names_each_bad_one(tmp_path: Path) -> None:
    (tmp_path / "榆林市信息化规划.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "安康市信息化规划.TXT").write_bytes(PLAN.replace("榆林", "安康").encode("gbk"))
    good_docx(tmp_path / "Hanzhong-Plan.Docx", PLAN.replace("榆林", "汉中"))
    (tmp_path / "榆林市信息化规划（副本）.txt").write_bytes(PLAN.encode("utf-16"))  # same words, other encoding
    (tmp_path / "empty.txt").write_bytes(b"")
    os.symlink("/etc/passwd", tmp_path / "p.txt")
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    docs, problems = load_documents(tmp_path)
    ids = sorted(d.doc_id for d in docs)
    assert len(ids) == 3 and "Hanzhong-Plan" in ids
    assert any(i.startswith("榆林市信息化规划-") for i in ids) and any(i.startswith("安康市信息化规划-") for i in ids)
    messages = {Path(p.path).name: p.message for p in problems}
    assert sorted(messages) == ["empty.txt", "p.txt", "榆林市信息化规划（副本）.txt"]  # notes.md is no document: no problem
    assert "duplicate of document '榆林市信息化规划-" in messages["榆林市信息化规划（副本）.txt"]
    assert "outside the documents folder" in messages["p.txt"]


def test_ids_are_unique_readable_and_stable() -> None:
    assert make_doc_id(Path("baoji-12th-five-year-informatization-plan.txt")) == "baoji-12th-five-year-informatization-plan"
    assert make_doc_id(Path("a b.txt")) == "a-b"
    yulin, ankang = make_doc_id(Path("榆林市“十三五”规划.txt")), make_doc_id(Path("安康市“十三五”规划.txt"))
    assert yulin.startswith("榆林市-十三五-规划-") and ankang.startswith("安康市-十三五-规划-") and yulin != ankang
    assert make_doc_id(Path(f"{yulin}.docx")) == yulin  # a stored copy keeps its id
    assert make_doc_id(Path("《》.txt")).startswith("document-")


def test_text_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_TEXT_CHARS", 20)
    path = tmp_path / "long.docx"
    good_docx(path)
    with pytest.raises(PlanQAError, match="characters of text; the limit is 20"):
        load_document(path)


def test_sniffing_reads_only_the_head(tmp_path: Path) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    path = tmp_path / "named.txt"
    path.write_bytes(data.getvalue())
    with pytest.raises(PlanQAError, match=r"named \.txt but the content is a zip \(DOCX\) file.*rename it to \.docx"):
        load_document(path)
