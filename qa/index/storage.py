"""Persist and load the hybrid index under `index/`, and tell a stale or damaged one.

Layout: `index/builds/<id>/` holds one complete build (readable JSONL, `.npy`,
`.faiss`, `manifest.json` with a sha256 per file); `index/CURRENT` names the
live build and is swapped with an atomic rename only after a build is complete
(see :mod:`qa.index.build`), so a crash mid-build leaves the previous index in service.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import PlanQAError
from qa.index import dense
from qa.index.bm25 import BM25
from qa.index.encoder import model_info
from qa.index.lock import hold_for_reading, release
from qa.index.segment import add_words
from qa.ingest.chunking import Cell, Chunk
from qa.ingest.documents import Document, source_files
from qa.settings import REPO_ROOT, Settings

FORMAT_VERSION = 2
FILES = ("documents.jsonl", "chunks.jsonl", "sentences.jsonl", "chunk_vectors.npy", "sentence_vectors.npy", "dense.faiss",
         "vocab_terms.json", "vocab_vectors.npy")


class IndexProblem(PlanQAError):
    """The index is missing, stale or damaged; the message says which and what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    chunk: int
    start: int
    end: int


@dataclass
class LoadedIndex:
    documents: dict[str, Document]
    chunks: list[Chunk]
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    bm25: BM25
    dense: object
    manifest: dict
    chunk_sentences: list[list[int]]
    doc_chunk_ids: dict[str, np.ndarray]
    vocab_terms: list[str]
    vocab_vectors: np.ndarray
    build: str = ""  # the build folder's name (what index/CURRENT named when it was loaded)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Everything that shapes tokens and chunks besides the settings: the segmenter's
# dictionary and stopwords, the place list, and the chunker's and reader's rules
# and constants. A change to any of them makes the stored tokens disagree with
# query tokenisation, so the index is stale (issue 10, part 3).
TOKEN_RESOURCES = (
    "qa/data/userdict.txt", "qa/data/places.txt", "qa/index/segment.py", "qa/index/lexicon.py",
    "qa/ingest/chunking.py", "qa/ingest/tables.py", "qa/ingest/documents.py", "qa/ingest/text.py",
    "qa/ingest/layout.py", "qa/ingest/metadata.py", "qa/ingest/readers/__init__.py", "qa/ingest/readers/sniff.py",
    "qa/ingest/readers/txt.py", "qa/ingest/readers/word.py", "qa/ingest/readers/wordxml.py",
    "qa/ingest/readers/pdf.py", "qa/ingest/readers/pdf_layout.py", "qa/ingest/readers/legacy.py",
)


def resource_hashes(root: Path = REPO_ROOT) -> dict[str, str]:
    """sha256 of every file in :data:`TOKEN_RESOURCES`, keyed by its repository path."""
    return {name: sha256_file(root / name) for name in TOKEN_RESOURCES}


def seed_hashes(folder: Path | None) -> dict[str, str]:
    """sha256 of every document file and sidecar in a folder, keyed by file name (what staleness compares)."""
    hashes: dict[str, str] = {}
    if folder is None or not folder.is_dir():
        return hashes
    files, _ = source_files(folder)
    for path in files + [p for p in sorted(folder.glob("*.meta.json"))]:
        try:
            hashes[path.name] = sha256_file(path)
        except OSError:  # skipped by the build too; if it becomes readable the index is stale
            hashes[path.name] = "unreadable"
    return hashes


def current_build(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexProblem("missing", f"no index in {index_dir}; run `planqa index build`")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexProblem("corrupt", f"{pointer} is unreadable ({exc}); run `planqa index build`") from exc
    build = index_dir / "builds" / name
    # Only a plain folder name: never a path out of builds/, never an unfinished `.tmp-` build.
    if not name or name.startswith(".") or "/" in name or "\\" in name or not build.is_dir():
        raise IndexProblem("missing", f"{pointer} names a build that does not exist ({name!r}); run `planqa index build`")
    return build


def check_index(settings: Settings, build: Path) -> dict:
    """Verify checksums and freshness; raise IndexProblem saying what is wrong."""
    manifest = check_generation(settings, build)
    if manifest.get("seeds") != seed_hashes(settings.seeds_dir):
        raise IndexProblem("stale", f"documents in {settings.seeds_dir} changed since the index was built; rebuild with `planqa index build`")
    if manifest.get("docs", {}) != seed_hashes(settings.docs_folder):
        raise IndexProblem("stale", f"documents in {settings.docs_folder} changed since the index was built; rebuild with `planqa index build`")
    return manifest


def check_generation(settings: Settings, build: Path) -> dict:
    """Checksums, format, settings, resources and model, but not the documents: whether this code
    could serve `build` as an (older) generation of the index. Raises IndexProblem."""
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexProblem("corrupt", f"{build}/manifest.json is unreadable ({exc}); rebuild with `planqa index build`") from exc
    for name in FILES:
        path = build / name
        expected = manifest.get("files", {}).get(name, {}).get("sha256")
        if not path.is_file() or sha256_file(path) != expected:
            raise IndexProblem("corrupt", f"index file {path} is missing or damaged (checksum mismatch); rebuild with `planqa index build`")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexProblem("stale", "index was built by another PlanQA version; rebuild with `planqa index build`")
    if manifest.get("settings") != settings.index_fingerprint():
        raise IndexProblem("stale", "index was built with other settings; rebuild with `planqa index build`")
    if manifest.get("resources") != resource_hashes():
        changed = sorted(k for k, v in resource_hashes().items() if (manifest.get("resources") or {}).get(k) != v)
        raise IndexProblem("stale", f"tokenizer or chunker resources changed since the index was built ({', '.join(changed)}); rebuild with `planqa index build`")
    if manifest.get("model") != model_info(settings.model_dir):
        raise IndexProblem("stale", "index was built with another embedding model; rebuild with `planqa index build`")
    return manifest


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_chunks(build: Path) -> tuple[list[dict], list[Chunk]]:
    """The rows of a build's chunks.jsonl and the chunks they hold."""
    rows = _read_jsonl(build / "chunks.jsonl")
    chunks = [
        Chunk(r["chunk_id"], r["doc_id"], r["start"], r["end"], r["text"], tuple(r["section"]), r["kind"],
              tuple(Cell(**cell) for cell in r["cells"]), r.get("page", 0))
        for r in rows
    ]
    return rows, chunks


def read_documents(build: Path) -> dict[str, Document]:
    return {row["doc_id"]: Document.from_row(row) for row in _read_jsonl(build / "documents.jsonl")}


def load_index(settings: Settings, build: Path | None = None) -> LoadedIndex:
    """Load a build (the current one by default) after checking it; raise IndexProblem if it cannot be used."""
    build = build or current_build(settings.index_dir)
    hold = hold_for_reading(build)  # hardening: a builder never deletes a build this process reads
    try:
        return _load_build(settings, build)
    except BaseException:
        release(hold)
        raise


def _load_build(settings: Settings, build: Path) -> LoadedIndex:
    manifest = check_index(settings, build)
    try:
        rows, chunks = read_chunks(build)
        documents = read_documents(build)
        sentences = [Sentence(**row) for row in _read_jsonl(build / "sentences.jsonl")]
        # Memory-mapped: pages come from the shared page cache, read when a sentence is
        # rescored, not copied into every app process (issue 16, ~0.9 GB at 1000x).
        sentence_vectors = np.load(build / "sentence_vectors.npy", mmap_mode="r", allow_pickle=False)
        vocab_terms = json.loads((build / "vocab_terms.json").read_text(encoding="utf-8"))
        vocab_vectors = np.load(build / "vocab_vectors.npy", mmap_mode="r", allow_pickle=False)
        index = dense.LazyIndex(build / "dense.faiss")  # read on first dense search
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexProblem("corrupt", f"index in {build} cannot be read ({exc}); rebuild with `planqa index build`") from exc
    add_words(sorted({d.city for d in documents.values() if d.city}))
    chunk_sentences: list[list[int]] = [[] for _ in chunks]
    for i, sentence in enumerate(sentences):
        chunk_sentences[sentence.chunk].append(i)
    by_doc: dict[str, list[int]] = {doc_id: [] for doc_id in documents}
    for i, chunk in enumerate(chunks):  # one pass: per document was O(documents x chunks), ~1 min at 1000x
        if chunk.doc_id in by_doc:
            by_doc[chunk.doc_id].append(i)
    doc_chunk_ids = {doc_id: np.array(ids, dtype=np.int64) for doc_id, ids in by_doc.items()}
    return LoadedIndex(
        documents=documents,
        chunks=chunks,
        sentences=sentences,
        sentence_vectors=sentence_vectors,
        bm25=BM25([r["tokens"] for r in rows], settings.bm25_k1, settings.bm25_b),
        dense=index,
        manifest=manifest,
        chunk_sentences=chunk_sentences,
        doc_chunk_ids=doc_chunk_ids,
        vocab_terms=vocab_terms,
        vocab_vectors=vocab_vectors,
        build=build.name,
    )
