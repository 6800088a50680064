"""The managed document set behind `planqa docs add`, `docs list` and `docs remove`.

Documents live in two folders: the bundled seeds (tracked in git, indexed by
default) and the managed folder (``Settings.docs_folder``, ``data/docs`` by
default, untracked) where `docs add` stores each accepted file as
``<id><ext>`` (plus its ``.meta.json`` sidecar). Every change is checked before
anything is copied, then written as a new index generation (only new chunks are
embedded); if that fails the folder is put back, so the index and the folder
never disagree and a refused file changes nothing.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.errors import PlanQAError
from qa.index.build import (
    BuildReport,
    index_lock,
    previous_generation,
    write_generation,
)
from qa.index.encoder import Encoder
from qa.index.storage import current_build, read_documents
from qa.ingest.documents import (
    Document,
    DocumentProblem,
    SeenDocuments,
    load_document,
    load_documents,
    make_doc_id,
    source_files,
)
from qa.ingest.metadata import sidecar_path
from qa.settings import Settings

Log = Callable[[str], None]


@dataclass(frozen=True)
class Change:
    """The outcome of `docs add` or `docs remove`."""

    accepted: tuple[str, ...]  # document ids added or removed
    refused: tuple[DocumentProblem, ...]
    report: BuildReport | None  # None when nothing changed


def _candidate(path: Path, seen: SeenDocuments) -> Document:
    """Read a file offered for adding and check it against the documents already there.

    Raises:
        PlanQAError: missing, unreadable or bad file; an id or content already indexed.
    """
    if not path.exists():
        raise PlanQAError(f"{path}: no such file")
    if not path.is_file():
        raise PlanQAError(f"{path}: not a regular file")
    doc = load_document(path)
    if doc.doc_id in seen.ids:
        raise PlanQAError(f"{path}: a document with id {doc.doc_id!r} is already indexed ({seen.ids[doc.doc_id]}); "
                          f"remove it first with `planqa docs remove {doc.doc_id}`, or rename the file")
    duplicate = seen.problem(doc, path)
    if duplicate:
        raise PlanQAError(duplicate)
    return doc


def _store(doc: Document, source: Path, folder: Path) -> list[Path]:
    """Copy a file (and its sidecar) into the managed folder under its id; each copy lands whole."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{doc.doc_id}{source.suffix.lower()}"
    pairs = [(source, target)]
    if sidecar_path(source).is_file():
        pairs.append((sidecar_path(source), sidecar_path(target)))
    stored = []
    for src, dst in pairs:
        tmp = folder / f".{dst.name}.tmp-{os.getpid()}"
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        stored.append(dst)
    return stored


def add_documents(settings: Settings, encoder: Callable[[], Encoder], paths: list[Path], *,
                  progress: bool = False, log: Log = print) -> Change:
    """Add files to the managed folder and index them in a new generation.

    Each file is read and checked first (type by content, readable, not empty, no
    id or content already indexed, nor twice in this call); refused files are
    reported and copy nothing. The accepted ones are copied and indexed together.

    Args:
        encoder: makes the encoder, called only when there is something to index.
    """
    folder = settings.docs_folder
    with index_lock(settings.index_dir, log):
        previous = previous_generation(settings)
        existing, _ = load_documents(settings.seeds_dir, folder, reuse=previous.documents)
        seen = SeenDocuments()
        for doc in existing:
            seen.add(doc, Path(doc.path))
        accepted: list[tuple[Document, Path]] = []
        refused: list[DocumentProblem] = []
        for path in paths:
            try:
                doc = _candidate(path, seen)
            except ValueError as exc:
                refused.append(DocumentProblem(str(path), str(exc)))
                continue
            seen.add(doc, path)
            accepted.append((doc, path))
        if not accepted:
            return Change((), tuple(refused), None)
        stored: list[Path] = []
        try:
            for doc, path in accepted:
                stored += _store(doc, path, folder)
            report = write_generation(settings, encoder(), progress=progress, log=log, incremental=True,
                                      known={doc.sha256: doc for doc, _ in accepted}, previous=previous)
        except BaseException:
            for path in stored:
                path.unlink(missing_ok=True)
            raise
    return Change(tuple(doc.doc_id for doc, _ in accepted), tuple(refused), report)


def remove_document(settings: Settings, encoder: Callable[[], Encoder], doc_id: str, *,
                    progress: bool = False, log: Log = print) -> Change:
    """Remove one added document from the managed folder and from the index.

    Raises:
        PlanQAError: the id is unknown, or names a bundled seed (remove those from the seeds folder).
    """
    folder = settings.docs_folder
    with index_lock(settings.index_dir, log):
        files = source_files(folder)[0] if folder.is_dir() else []
        matches = [p for p in files if make_doc_id(p) == doc_id]
        if not matches:
            seeds = [make_doc_id(p) for p in source_files(settings.seeds_dir)[0]] if settings.seeds_dir.is_dir() else []
            if doc_id in seeds:
                raise PlanQAError(f"{doc_id!r} is a bundled document in {settings.seeds_dir}; delete its file there "
                                  f"and run `planqa index build`")
            known = sorted(make_doc_id(p) for p in files)
            raise PlanQAError(f"no added document with id {doc_id!r}; added documents: {known or 'none'}")
        moved: list[tuple[Path, Path]] = []
        trash = folder / f".removing-{os.getpid()}"
        trash.mkdir(exist_ok=True)
        try:
            doomed = [matches[0]] + ([sidecar_path(matches[0])] if sidecar_path(matches[0]).is_file() else [])
            for path in doomed:
                os.replace(path, trash / path.name)
                moved.append((trash / path.name, path))
            report = write_generation(settings, encoder(), progress=progress, log=log, incremental=True)
        except BaseException:
            for src, dst in moved:
                os.replace(src, dst)
            raise
        finally:
            shutil.rmtree(trash, ignore_errors=True)
    return Change((doc_id,), (), report)


@dataclass(frozen=True)
class Listing:
    """One row of `planqa docs list`."""

    doc_id: str
    title: str
    place: str
    period: str
    chunks: int
    added: str
    source: str
    folder: str  # "seeds" or "added"
    format: str
    detail: str  # encoding, or page count
    doc_number: str
    date: str
    office: str


def list_documents(settings: Settings) -> list[Listing]:
    """The documents of the current index generation, in index order.

    Raises:
        PlanQAError: there is no index yet.
    """
    build = current_build(settings.index_dir)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest.get("doc_chunks", {})
    rows = []
    for doc in read_documents(build).values():
        source = Path(doc.path)
        place = " ".join(x for x in (doc.province, doc.city, doc.county) if x)
        detail = doc.encoding or (f"{len(doc.pages)} 页" if doc.pages else "")
        rows.append(Listing(doc.doc_id, doc.title, place, doc.period, int(counts.get(doc.doc_id, 0)), doc.added,
                            source.name, "seeds" if source.parent == settings.seeds_dir else "added", doc.format,
                            detail, doc.doc_number, doc.date, doc.office))
    return rows
