"""Build, persist and load the hybrid index under `index/`.

Layout: `index/builds/<id>/` holds one complete build (readable JSONL, `.npy`,
`.faiss`, `manifest.json` with a sha256 per file); `index/CURRENT` names the
live build and is swapped with an atomic rename only after a build is complete,
so a crash mid-build leaves the previous index in service (issue 6).
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import dense
from qa.bm25 import BM25
from qa.chunking import Cell, Chunk, chunk_document
from qa.documents import Document, DocumentProblem, load_documents
from qa.encoder import Encoder, model_info
from qa.settings import Settings
from qa.text import sentence_spans
from qa.tokenize import add_words, tokenize

FORMAT_VERSION = 1
FILES = ("documents.jsonl", "chunks.jsonl", "sentences.jsonl", "chunk_vectors.npy", "sentence_vectors.npy", "dense.faiss")


class IndexProblem(ValueError):
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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    """sha256 of every seed file, keyed by file name (what staleness compares)."""
    hashes = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        try:
            hashes[path.name] = sha256_file(path)
        except OSError:  # skipped by the build too; if it becomes readable the index is stale
            hashes[path.name] = "unreadable"
    return hashes


def sentence_units(chunks: list[Chunk], documents: dict[str, Document]) -> list[Sentence]:
    """Answer candidates: each sentence of a prose chunk, each table row whole."""
    units = []
    for index, chunk in enumerate(chunks):
        if chunk.kind == "table_row":
            units.append(Sentence(chunk.doc_id, index, chunk.start, chunk.end))
            continue
        text = documents[chunk.doc_id].text
        units.extend(Sentence(chunk.doc_id, index, s, e) for s, e in sentence_spans(text, chunk.start, chunk.end))
    return units


def sentence_embed_text(chunk: Chunk, text: str) -> str:
    tail = " > ".join(chunk.section[-2:])
    return f"{tail}\n{text}" if tail else text


class EmbeddingCache:
    """Embeddings keyed by sha256 of the embedded text, so a rebuild only embeds what changed."""

    def __init__(self, folder: Path, model_key: str) -> None:
        self.keys_path = folder / f"embeddings-{model_key}.json"
        self.vectors_path = folder / f"embeddings-{model_key}.npy"
        self.table: dict[str, np.ndarray] = {}
        try:
            keys = json.loads(self.keys_path.read_text(encoding="utf-8"))
            vectors = np.load(self.vectors_path, allow_pickle=False)
            if len(keys) == len(vectors):
                self.table = dict(zip(keys, vectors))
        except (OSError, ValueError):
            self.table = {}  # a damaged cache only costs time

    def embed(self, encoder: Encoder, texts: list[str], progress: bool) -> np.ndarray:
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.table}.items(), key=lambda kv: -len(kv[1]))
        if todo:
            vectors = encoder.encode_passages([t for _, t in todo], progress=progress)
            self.table.update({k: v for (k, _), v in zip(todo, vectors)})
        return np.stack([self.table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, encoder.dim), np.float32)

    def save(self) -> None:
        self.keys_path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.table)
        tmp_vectors = self.vectors_path.with_suffix(".tmp.npy")
        np.save(tmp_vectors, np.stack([self.table[k] for k in keys]) if keys else np.zeros((0, 0), np.float32))
        tmp_keys = self.keys_path.with_suffix(".tmp")
        tmp_keys.write_text(json.dumps(keys), encoding="utf-8")
        os.replace(tmp_vectors, self.vectors_path)
        os.replace(tmp_keys, self.keys_path)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_index(settings: Settings, encoder: Encoder, progress: bool = True, log=print) -> tuple[Path, list[DocumentProblem]]:
    """Build a complete index and make it current atomically.

    Returns:
        The build folder and the seed files that were skipped (with reasons).
    """
    started = time.perf_counter()
    docs, problems = load_documents(settings.seeds_dir)
    for problem in problems:
        log(f"skipped: {problem.message}")
    add_words(sorted({d.city for d in docs if d.city}))
    documents = {d.doc_id: d for d in docs}
    chunks = [c for d in docs for c in chunk_document(d, settings.chunk_max_chars, settings.chunk_min_chars)]
    sentences = sentence_units(chunks, documents)
    tokens = [tokenize(c.embed_text()) for c in chunks]
    model_key = hashlib.sha256(json.dumps([model_info(settings.model_dir), encoder.backend], sort_keys=True).encode()).hexdigest()[:12]
    cache = EmbeddingCache(settings.index_dir / "cache", model_key)
    log(f"embedding {len(chunks)} chunks and {len(sentences)} sentences from {len(docs)} documents")
    chunk_vectors = cache.embed(encoder, [c.embed_text() for c in chunks], progress)
    sentence_texts = [sentence_embed_text(chunks[s.chunk], documents[s.doc_id].text[s.start:s.end]) for s in sentences]
    sentence_vectors = cache.embed(encoder, sentence_texts, progress)
    cache.save()

    builds = settings.index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = new_build_id()
    tmp = builds / f".tmp-{build_id}"
    tmp.mkdir()
    try:
        _write_jsonl(tmp / "documents.jsonl", [
            {"doc_id": d.doc_id, "title": d.title, "path": d.path, "sha256": d.sha256, "city": d.city,
             "period": d.period, "doc_number": d.doc_number, "text": d.text} for d in docs])
        _write_jsonl(tmp / "chunks.jsonl", [
            {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "start": c.start, "end": c.end, "section": list(c.section),
             "kind": c.kind, "cells": [vars(cell) for cell in c.cells], "tokens": t, "text": c.text}
            for c, t in zip(chunks, tokens)])
        _write_jsonl(tmp / "sentences.jsonl", [vars(s) for s in sentences])
        np.save(tmp / "chunk_vectors.npy", chunk_vectors, allow_pickle=False)
        np.save(tmp / "sentence_vectors.npy", sentence_vectors, allow_pickle=False)
        dense.save(dense.build(chunk_vectors, settings.dense_index), tmp / "dense.faiss")
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": model_info(settings.model_dir),
            "settings": settings.index_fingerprint(),
            "seeds": seed_hashes(settings.seeds_dir),
            "skipped": [vars(p) for p in problems],
            "files": {name: {"sha256": sha256_file(tmp / name), "bytes": (tmp / name).stat().st_size} for name in FILES},
            "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": len(sentences)},
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        final = builds / build_id
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a failed build leaves nothing behind
        raise
    current_tmp = settings.index_dir / f"CURRENT.tmp-{os.getpid()}"
    current_tmp.write_text(build_id, encoding="utf-8")
    os.replace(current_tmp, settings.index_dir / "CURRENT")
    remove_old_builds(builds, keep=build_id)
    log(f"index built in {manifest['build_seconds']} s: {final}")
    return final, problems


def new_build_id() -> str:
    """Time for people, pid to tell whose `.tmp-` folder is whose, random so two builds in one second differ."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


def _builder_alive(name: str) -> bool:
    """Whether the process that owns a `.tmp-<date>-<time>-<pid>-<rand>` folder still runs."""
    parts = name.split("-")
    # Our own pid on someone else's folder means a killed builder whose pid came round
    # again (containers restart from low pids); this process builds one index at a time.
    if len(parts) < 4 or not parts[3].isdigit() or int(parts[3]) == os.getpid():
        return False
    try:
        os.kill(int(parts[3]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def remove_old_builds(builds: Path, keep: str) -> None:
    """Delete superseded builds and what crashed builds left; a running build's folder stays."""
    for old in builds.iterdir():
        if old.name != keep and not (old.name.startswith(".tmp-") and _builder_alive(old.name)):
            shutil.rmtree(old, ignore_errors=True)


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
    if manifest.get("model") != model_info(settings.model_dir):
        raise IndexProblem("stale", "index was built with another embedding model; rebuild with `planqa index build`")
    if manifest.get("seeds") != seed_hashes(settings.seeds_dir):
        raise IndexProblem("stale", f"documents in {settings.seeds_dir} changed since the index was built; rebuild with `planqa index build`")
    return manifest


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_index(settings: Settings) -> LoadedIndex:
    """Load the current build after checking it; raise IndexProblem if it cannot be used."""
    build = current_build(settings.index_dir)
    manifest = check_index(settings, build)
    try:
        rows = _read_jsonl(build / "chunks.jsonl")
        documents = {row["doc_id"]: Document(**row) for row in _read_jsonl(build / "documents.jsonl")}
        chunks = [
            Chunk(r["chunk_id"], r["doc_id"], r["start"], r["end"], r["text"], tuple(r["section"]), r["kind"],
                  tuple(Cell(**cell) for cell in r["cells"]))
            for r in rows
        ]
        sentences = [Sentence(**row) for row in _read_jsonl(build / "sentences.jsonl")]
        sentence_vectors = np.load(build / "sentence_vectors.npy", allow_pickle=False)
        index = dense.load(build / "dense.faiss")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexProblem("corrupt", f"index in {build} cannot be read ({exc}); rebuild with `planqa index build`") from exc
    add_words(sorted({d.city for d in documents.values() if d.city}))
    chunk_sentences: list[list[int]] = [[] for _ in chunks]
    for i, sentence in enumerate(sentences):
        chunk_sentences[sentence.chunk].append(i)
    doc_chunk_ids = {
        doc_id: np.array([i for i, c in enumerate(chunks) if c.doc_id == doc_id], dtype=np.int64) for doc_id in documents
    }
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
    )
