"""Build a complete index folder and switch `index/CURRENT` to it atomically."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path

import numpy as np

from qa.index import dense
from qa.index.cache import EmbeddingCache
from qa.index.encoder import Encoder, model_info
from qa.index.lock import being_read, build_lock
from qa.index.segment import add_words, tokenize, use_cache_dir
from qa.index.storage import (
    FILES,
    FORMAT_VERSION,
    Sentence,
    resource_hashes,
    seed_hashes,
    sha256_file,
)
from qa.index.vocab import vocabulary_terms
from qa.ingest.chunking import Chunk, chunk_document
from qa.ingest.documents import Document, DocumentProblem, load_documents
from qa.ingest.text import sentence_spans
from qa.settings import Settings


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


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_index(settings: Settings, encoder: Encoder, progress: bool = True, log=print) -> tuple[Path, list[DocumentProblem]]:
    """Build a complete index and make it current atomically, one builder per index folder.

    Returns:
        The build folder and the seed files that were skipped (with reasons).
    """
    use_cache_dir(settings.index_dir / "jieba")  # hardening: not /tmp
    with build_lock(settings.index_dir, log):  # hardening: builds cannot collide
        return _build_index(settings, encoder, progress, log)


def _build_index(settings: Settings, encoder: Encoder, progress: bool, log) -> tuple[Path, list[DocumentProblem]]:
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
    cache = EmbeddingCache(settings.index_dir / "cache", model_key, log=log)
    log(f"embedding {len(chunks)} chunks and {len(sentences)} sentences from {len(docs)} documents")
    chunk_vectors = cache.embed(encoder, [c.embed_text() for c in chunks], progress)
    sentence_texts = [chunks[s.chunk].embed_text(documents[s.doc_id].text[s.start:s.end]) for s in sentences]
    sentence_vectors = cache.embed(encoder, sentence_texts, progress)
    vocab = vocabulary_terms(tokens)
    vocab_vectors = cache.embed(encoder, vocab, progress)
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
        (tmp / "vocab_terms.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "vocab_vectors.npy", vocab_vectors, allow_pickle=False)
        dense.save(dense.build(chunk_vectors, settings.dense_index), tmp / "dense.faiss")
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": model_info(settings.model_dir),
            "settings": settings.index_fingerprint(),
            "seeds": seed_hashes(settings.seeds_dir),
            "resources": resource_hashes(),
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
    """Delete superseded builds and what crashed builds left; a running build's folder and a
    build some process (a server) holds for reading stay (issue 15: reference-counted by flock)."""
    for old in builds.iterdir():
        if old.name == keep or (old.name.startswith(".tmp-") and _builder_alive(old.name)) or being_read(old):
            continue
        shutil.rmtree(old, ignore_errors=True)
