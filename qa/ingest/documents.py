"""Load plan documents (UTF-8 .txt) and read their metadata from the text."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from qa.errors import PlanQAError

MAX_DOC_BYTES = 20_000_000
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,4}?)市")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号$")
_YEAR = re.compile(r"((?:19|20)\d{2})年")

# Five-year-plan names and the years they cover; used to tell whether a year a
# user asks about is inside a document's period.
PERIODS: dict[str, tuple[int, int]] = {
    "十五": (2001, 2005),
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
}


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str
    path: str
    sha256: str
    city: str = ""
    period: str = ""
    doc_number: str = ""

    @property
    def years(self) -> tuple[int, int] | None:
        """First and last year the document's period covers, if known."""
        if self.period in PERIODS:
            return PERIODS[self.period]
        if self.period.isdigit():
            return int(self.period), int(self.period)
        return None


@dataclass(frozen=True)
class DocumentProblem:
    path: str
    message: str


def make_doc_id(path: Path) -> str:
    """A file-name-safe id from the file stem (never a path)."""
    return _SAFE_ID.sub("-", path.stem).strip("-.") or "document"


def read_metadata(text: str) -> tuple[str, str, str, str]:
    """Title, city, period and document number as stated in the text itself."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    city_match = _CITY.match(title)
    city = city_match.group(1) if city_match else ""
    period = next((name for name in sorted(PERIODS, key=len, reverse=True) if f"“{name}”" in title or name in title), "")
    if not period:
        year = _YEAR.search(title)
        period = year.group(1) if year else ""
    # The issuing number stands alone on one of the first lines; numbers inside
    # the prose are citations of other documents.
    doc_number = next((line for line in lines[:6] if _DOC_NUMBER.match(line)), "")
    return title, city, period, doc_number


def load_document(path: Path, doc_id: str | None = None) -> Document:
    """Read one document.

    Raises:
        ValueError: the file is unreadable, not UTF-8, empty or larger than MAX_DOC_BYTES.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlanQAError(f"{path}: cannot read document ({exc.strerror})") from exc
    if size > MAX_DOC_BYTES:
        raise PlanQAError(f"{path}: document is {size:,} bytes; the limit is {MAX_DOC_BYTES:,} bytes")
    try:
        raw = path.read_bytes()
    except OSError as exc:  # a folder named *.txt, no permission
        raise PlanQAError(f"{path}: cannot read document ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanQAError(f"{path}: not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8") from exc
    if not text.strip():
        raise PlanQAError(f"{path}: document is empty")
    if "\x00" in text:
        raise PlanQAError(f"{path}: contains NUL bytes; not a plain text document")
    title, city, period, doc_number = read_metadata(text)
    return Document(
        doc_id=doc_id or make_doc_id(path),
        title=title,
        text=text,
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        city=city,
        period=period,
        doc_number=doc_number,
    )


def load_documents(seeds_dir: Path) -> tuple[list[Document], list[DocumentProblem]]:
    """Load every *.txt under seeds_dir; a bad file is reported, the others still load.

    Raises:
        ValueError: the folder does not exist or holds no readable document.
    """
    if not seeds_dir.is_dir():
        raise PlanQAError(f"seeds folder {seeds_dir} does not exist; pass --seeds DIR with UTF-8 .txt files")
    documents: list[Document] = []
    problems: list[DocumentProblem] = []
    seen: set[str] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        try:
            doc = load_document(path)
        except ValueError as exc:
            problems.append(DocumentProblem(str(path), str(exc)))
            continue
        if doc.doc_id in seen:
            problems.append(DocumentProblem(str(path), f"{path}: duplicate document id {doc.doc_id!r}"))
            continue
        seen.add(doc.doc_id)
        documents.append(doc)
    if not documents:
        detail = "; ".join(p.message for p in problems) or "no *.txt files"
        raise PlanQAError(f"no usable documents in {seeds_dir}: {detail}")
    return documents, problems
