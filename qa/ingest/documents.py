"""Load plan documents (.txt, .docx, .pdf, .doc) from folders, with ids and metadata.

A document's text is what its reader extracted (:mod:`qa.ingest.readers`); it is
stored with the index and every quote is cut from it. Files are matched by
extension in any case, their bytes checked against the extension, links that
lead out of their folder refused, and each refusal names the file.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted, Heading, TableLayout, page_at
from qa.ingest.metadata import PERIODS, apply_sidecar, period_years, read_fields
from qa.ingest.readers import SUPPORTED, read_file, supported

__all__ = ["PERIODS", "Document", "DocumentProblem", "load_document", "load_documents", "make_doc_id", "read_metadata"]

MAX_DOC_BYTES = 50_000_000
MAX_TEXT_CHARS = 3_000_000  # ~100x the largest seed; more would take hours to embed on 2 cores
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
_SAFE_UNICODE = re.compile(r"[^\w.-]+")
_HASHED_ID = re.compile(r"^[\w.-]+-[0-9a-f]{6}$")


@dataclass(frozen=True)
class Document:
    """One document as indexed.

    Attributes:
        doc_id: unique, readable, file-name-safe id.
        title, city, period, doc_number: metadata (see :mod:`qa.ingest.metadata`).
        text: the extracted text; every span points into it.
        path: the source file.
        sha256: of the source file's bytes.
        format, encoding, pages, headings, tables, notes: what the reader found.
        date, office, province, county: more metadata.
        added: when the source file was last written (ISO, local time).
    """

    doc_id: str
    title: str
    text: str
    path: str
    sha256: str
    city: str = ""
    period: str = ""
    doc_number: str = ""
    format: str = "txt"
    encoding: str = ""
    pages: tuple[int, ...] = ()
    headings: tuple[Heading, ...] = ()
    tables: tuple[TableLayout, ...] = ()
    notes: tuple[str, ...] = ()
    date: str = ""
    office: str = ""
    province: str = ""
    county: str = ""
    added: str = ""

    @property
    def years(self) -> tuple[int, int] | None:
        """First and last year the document's period covers, if known."""
        return period_years(self.period)

    def page_at(self, offset: int) -> int | None:
        """1-based page of a character offset (PDF), else None."""
        return page_at(self.pages, offset)

    def extracted(self) -> Extracted:
        return Extracted(self.text, self.format, self.encoding, self.pages, self.headings, self.tables, self.notes)

    def to_row(self) -> dict:
        """A JSON-ready row for documents.jsonl."""
        row = {name: getattr(self, name) for name in self.__dataclass_fields__}
        row["pages"] = list(self.pages)
        row["headings"] = [[h.start, h.end, h.level] for h in self.headings]
        row["tables"] = [[[list(c) if c else None for c in r] for r in t.rows] for t in self.tables]
        row["notes"] = list(self.notes)
        return row

    @classmethod
    def from_row(cls, row: Mapping) -> Document:
        data = dict(row)
        data["pages"] = tuple(data.get("pages", ()))
        data["headings"] = tuple(Heading(*h) for h in data.get("headings", ()))
        data["tables"] = tuple(TableLayout(tuple(tuple(tuple(c) if c else None for c in r) for r in t)) for t in data.get("tables", ()))
        data["notes"] = tuple(data.get("notes", ()))
        return cls(**data)


@dataclass(frozen=True)
class DocumentProblem:
    path: str
    message: str


def make_doc_id(path: Path) -> str:
    """A unique, readable, file-name-safe id from the file name (never a path).

    ASCII names keep their letters ("baoji-plan"); a name with Chinese characters
    keeps them and gets a short hash of the whole name, so "榆林市….txt" and
    "安康市….txt" no longer both become "document". An id made here is kept as is.
    """
    stem = path.stem
    if stem.isascii():
        return _SAFE_ID.sub("-", stem).strip("-.") or "document"
    if _HASHED_ID.match(stem):
        return stem
    slug = _SAFE_UNICODE.sub("-", stem).strip("-.")[:40].rstrip("-.")
    return f"{slug or 'document'}-{hashlib.sha256(stem.encode('utf-8')).hexdigest()[:6]}"


def read_metadata(text: str) -> tuple[str, str, str, str]:
    """Title, city, period and document number as stated in the text itself."""
    meta = read_fields(text)
    return meta.title, meta.city, meta.period, meta.doc_number


def _read_bytes(path: Path, root: Path | None) -> bytes:
    if root is not None and path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise PlanQAError(f"{path}: refused: a link to {target}, outside the documents folder {root}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlanQAError(f"{path}: cannot read document ({exc.strerror})") from exc
    if size > MAX_DOC_BYTES:
        raise PlanQAError(f"{path}: document is {size:,} bytes; the limit is {MAX_DOC_BYTES:,} bytes")
    if size == 0 and path.is_file():
        raise PlanQAError(f"{path}: document is empty (0 bytes)")
    try:
        return path.read_bytes()
    except OSError as exc:  # a folder named *.txt, no permission
        raise PlanQAError(f"{path}: cannot read document ({exc.strerror})") from exc


def load_document(path: Path, doc_id: str | None = None, *, root: Path | None = None,
                  reuse: Mapping[str, Document] | None = None) -> Document:
    """Read one document.

    Args:
        path: the file.
        doc_id: its id; made from the file name when None.
        root: the folder it was found in; a link out of it is refused.
        reuse: sha256 of a file's bytes -> a document already extracted from it
            (the previous index), so an unchanged file is not read again.

    Raises:
        PlanQAError: unreadable, empty, too large, of the wrong type, or unreadable by its reader.
    """
    raw = _read_bytes(path, root)
    sha = hashlib.sha256(raw).hexdigest()
    known = (reuse or {}).get(sha)
    extracted = known.extracted() if known is not None else read_file(path, raw)
    text = extracted.text
    if not text.strip():
        raise PlanQAError(f"{path}: document is empty")
    if "\x00" in text:
        raise PlanQAError(f"{path}: contains NUL bytes; not a plain text document")
    if len(text) > MAX_TEXT_CHARS:
        raise PlanQAError(f"{path}: {len(text):,} characters of text; the limit is {MAX_TEXT_CHARS:,}")
    meta = apply_sidecar(read_fields(text), path)
    return Document(
        doc_id=doc_id or make_doc_id(path), title=meta.title, text=text, path=str(path), sha256=sha,
        city=meta.city, period=meta.period, doc_number=meta.doc_number, format=extracted.format,
        encoding=extracted.encoding, pages=extracted.pages, headings=extracted.headings, tables=extracted.tables,
        notes=extracted.notes, date=meta.date, office=meta.office, province=meta.province, county=meta.county,
        added=time.strftime("%Y-%m-%d %H:%M", time.localtime(path.lstat().st_mtime)),
    )


def source_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Documents in a folder (supported extensions, any case) and the other files, sorted."""
    files, ignored = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith(".meta.json"):
            continue
        (files if supported(path) else ignored).append(path)
    return files, ignored


def text_hash(text: str) -> str:
    """Same words, other file: a GBK and a UTF-8 copy, or a .docx and the .doc it came from."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


@dataclass
class SeenDocuments:
    """Ids and content hashes already loaded, to refuse a second file with either."""

    ids: dict[str, str] = field(default_factory=dict)  # id -> path
    hashes: dict[str, str] = field(default_factory=dict)  # content hash -> id

    def problem(self, doc: Document, path: Path) -> str | None:
        if doc.doc_id in self.ids:
            return f"{path}: duplicate document id {doc.doc_id!r}"
        for key in (doc.sha256, text_hash(doc.text)):
            if key in self.hashes:
                return f"{path}: duplicate of document {self.hashes[key]!r} ({self.ids[self.hashes[key]]}): same content"
        return None

    def add(self, doc: Document, path: Path) -> None:
        self.ids[doc.doc_id] = str(path)
        self.hashes.setdefault(doc.sha256, doc.doc_id)
        self.hashes.setdefault(text_hash(doc.text), doc.doc_id)


def load_documents(seeds_dir: Path, docs_dir: Path | None = None, *, reuse: Mapping[str, Document] | None = None,
                   log: Callable[[str], None] | None = None) -> tuple[list[Document], list[DocumentProblem]]:
    """Load every supported document of the seeds folder and the managed documents folder.

    A bad file is reported and the others still load; so is a second file with an
    id or content already loaded.

    Args:
        seeds_dir: the bundled documents (must exist).
        docs_dir: documents added with `planqa docs add` (may be missing).
        reuse: sha256 -> already extracted document (see :func:`load_document`).
        log: gets one line per document read (format, encoding or pages).

    Raises:
        PlanQAError: the seeds folder does not exist, or no folder holds a readable document.
    """
    if not seeds_dir.is_dir():
        raise PlanQAError(f"seeds folder {seeds_dir} does not exist; pass --seeds DIR with {', '.join(SUPPORTED)} files")
    documents: list[Document] = []
    problems: list[DocumentProblem] = []
    seen = SeenDocuments()
    folders = [seeds_dir] + ([docs_dir] if docs_dir is not None and docs_dir.is_dir() else [])
    for folder in folders:
        for path in source_files(folder)[0]:
            try:
                doc = load_document(path, root=folder, reuse=reuse)
            except ValueError as exc:
                problems.append(DocumentProblem(str(path), str(exc)))
                continue
            duplicate = seen.problem(doc, path)
            if duplicate:
                problems.append(DocumentProblem(str(path), duplicate))
                continue
            seen.add(doc, path)
            documents.append(doc)
            if log is not None:
                log(describe(doc))
    if not documents:
        detail = "; ".join(p.message for p in problems) or f"no {', '.join(SUPPORTED)} files"
        raise PlanQAError(f"no usable documents in {' or '.join(str(f) for f in folders)}: {detail}")
    return documents, problems


def describe(doc: Document) -> str:
    """One line on how a document was read: 'read x.pdf: pdf, 12 pages, 2 tables'."""
    parts = [doc.format]
    if doc.encoding:
        parts.append(f"encoding {doc.encoding}")
    if doc.pages:
        parts.append(f"{len(doc.pages)} pages")
    if doc.tables:
        parts.append(f"{len(doc.tables)} tables")
    parts.extend(doc.notes)
    return f"read {Path(doc.path).name} as {doc.doc_id!r}: {', '.join(parts)}"
