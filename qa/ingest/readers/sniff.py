"""Tell a file's type from its first bytes, never from its name (issue 14, part 6).

An executable renamed ``.pdf`` or a PDF renamed ``.docx`` is refused by name of
what it really is, before any parser sees it.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from qa.errors import PlanQAError

# Office files are zips of XML that compresses ~10x; a ratio past this is a bomb.
MAX_ZIP_RATIO = 200
MAX_ZIP_BYTES = 200_000_000
MAX_ZIP_MEMBERS = 5_000

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # old Word .doc, or an encrypted OOXML file
    (b"\x7fELF", "executable (ELF)"),
    (b"MZ", "executable (Windows)"),
    (b"\xcf\xfa\xed\xfe", "executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "executable (Mach-O)"),
    (b"#!", "script"),
    (b"\x89PNG", "image (PNG)"),
    (b"\xff\xd8\xff", "image (JPEG)"),
    (b"GIF8", "image (GIF)"),
    (b"Rar!", "archive (RAR)"),
    (b"\x1f\x8b", "archive (gzip)"),
    (b"7z\xbc\xaf", "archive (7z)"),
    (b"{\\rtf", "RTF"),
)
# What each kind is called in a message, and which file name it wants.
KIND_NAMES = {"pdf": "a PDF", "zip": "a zip (DOCX) file", "ole": "an old Word (.doc) or password-protected Office file",
              "text": "plain text"}


def sniff(head: bytes) -> str:
    """The file's kind from its first bytes: one of the _MAGIC kinds, or "text"."""
    # A PDF may start after a few bytes of junk (PDF 1.7 §7.5.2 readers accept 1024).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "text"


def describe(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def is_encrypted_office(raw: bytes) -> bool:
    """An OLE container holding an ECMA-376 encrypted package (a password-protected .docx)."""
    return "EncryptedPackage".encode("utf-16-le") in raw


def check_zip(path: Path) -> zipfile.ZipFile:
    """Open a zip after checking it cannot expand into a bomb.

    Raises:
        PlanQAError: damaged zip, too many members, or members that expand too far.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PlanQAError(f"{path}: damaged DOCX (not a readable zip: {exc})") from exc
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_ZIP_BYTES:
        archive.close()
        raise PlanQAError(f"{path}: refused: the DOCX would expand to {total:,} bytes in {len(members)} parts "
                          f"(limits {MAX_ZIP_BYTES:,} bytes, {MAX_ZIP_MEMBERS} parts); possibly a zip bomb")
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
            archive.close()
            raise PlanQAError(f"{path}: refused: part {member.filename} expands {member.file_size // max(member.compress_size, 1)}x "
                              f"(limit {MAX_ZIP_RATIO}x); possibly a zip bomb")
    return archive
