"""One reader per file format, chosen by extension (any case) and checked against the content.

Each reader module has ``read(path, raw) -> Extracted`` and is imported only when
a file of its kind is read, so loading an index never imports a PDF library.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted
from qa.ingest.readers.sniff import describe, is_encrypted_office, sniff

# extension -> (content kind the bytes must have, reader module)
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("text", "txt"),
    ".docx": ("zip", "word"),
    ".pdf": ("pdf", "pdf"),
    ".doc": ("ole", "legacy"),
}
SUPPORTED = tuple(READERS)
_RENAME = {"zip": ".docx", "pdf": ".pdf", "ole": ".doc", "text": ".txt"}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def check_kind(path: Path, raw: bytes) -> str:
    """The reader module for this file, after its bytes are checked against its name.

    Raises:
        PlanQAError: unsupported extension, or content of another kind (an executable
            renamed .pdf, a PDF renamed .docx, a password-protected .docx).
    """
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise PlanQAError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}")
    expected, module = READERS[suffix]
    kind = sniff(raw[:1024])
    if suffix == ".docx" and kind == "ole" and is_encrypted_office(raw):
        raise PlanQAError(f"{path}: the DOCX is password-protected (encrypted); save an unprotected copy and add that")
    if kind != expected:
        hint = f"; rename it to {_RENAME[kind]}" if kind in _RENAME else ""
        raise PlanQAError(f"{path}: named {suffix} but the content is {describe(kind)}, not {describe(expected)}{hint}")
    if suffix == ".doc" and is_encrypted_office(raw):
        raise PlanQAError(f"{path}: the Word file is password-protected (encrypted); save an unprotected copy and add that")
    return module


def read_file(path: Path, raw: bytes) -> Extracted:
    """Extract the text of one file whose bytes are `raw`.

    Raises:
        PlanQAError: the file is of an unsupported or mismatched type, damaged,
            encrypted, a scan without text, or not decodable.
    """
    module = importlib.import_module(f"qa.ingest.readers.{check_kind(path, raw)}")
    return module.read(path, raw)
