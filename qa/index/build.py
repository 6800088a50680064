"""Build a complete index generation and switch `index/CURRENT` to it atomically.

A build reads the seeds folder and the managed documents folder, chunks,
tokenizes and embeds. An incremental build (``planqa docs add/remove``) takes
what the current generation already holds for unchanged files: their extracted
text (no PDF is parsed twice), their tokens, and, through the content-hash
:class:`EmbeddingCache`, their vectors; only new chunks are embedded. Either way
the new generation is written to a temporary folder, renamed into place and only
then named by CURRENT, so a server or a crash never sees half of one.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.index import dense
from qa.index.cache import EmbeddingCache
from qa.index.encoder import Encoder, model_info
from qa.index.lock import being_read, build_lock
from qa.index.segment import add_words, load_in_memory, tokenize, use_cache_dir
from qa.index.storage import (
    FILES,
    FORMAT_VERSION,
    IndexProblem,
    Sentence,
    check_generation,
    current_build,
    read_chunks,
    read_documents,
    resource_hashes,
    seed_hashes,
    sha256_file,
)
from qa.index.vocab import vocabulary_terms
from qa.ingest.chunking import Chunk, chunk_document
from qa.ingest.documents import Document, DocumentProblem, load_documents, source_files
from qa.ingest.text import sentence_spans
from qa.settings import Settings

Log = Callable[[str], None]


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


@contextmanager
def index_lock(index_dir: Path, log: Log = print) -> Iterator[None]:
    """One writer at a time per index folder (a build, `docs add`, `docs remove`).

    An flock is released by the kernel when its process dies, so a killed build never
    leaves the folder locked.
    """
    with build_lock(index_dir, log):  # a second writer says "另一个构建正在进行" and waits
        yield


@dataclass(frozen=True)
class Previous:
    """What the current generation holds that a new one may take over unchanged."""

    documents: dict[str, Document] = field(default_factory=dict)  # sha256 of the file -> document
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # doc id -> its chunks
    tokens: dict[str, list[str]] = field(default_factory=dict)  # chunk id -> tokens
    cities: frozenset[str] = frozenset()

    def chunks_of(self, doc: Document) -> list[Chunk] | None:
        """The document's chunks if it was indexed with the same id, text and chunking metadata."""
        old = self.documents.get(doc.sha256)
        if old is None or doc.doc_id not in self.chunks:
            return None
        same = (old.doc_id, old.text, old.title, old.doc_number, old.pages, old.headings, old.tables) == \
            (doc.doc_id, doc.text, doc.title, doc.doc_number, doc.pages, doc.headings, doc.tables)
        return self.chunks[doc.doc_id] if same else None


def previous_generation(settings: Settings) -> Previous:
    """The current generation's documents and tokens, if it was built by this code with these settings."""
    try:
        build = current_build(settings.index_dir)
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        if (manifest.get("format_version") != FORMAT_VERSION or manifest.get("settings") != settings.index_fingerprint()
                or manifest.get("resources") != resource_hashes() or manifest.get("model") != model_info(settings.model_dir)):
            return Previous()
        documents = read_documents(build)
        rows, chunks = read_chunks(build)
    except (OSError, ValueError, KeyError, TypeError):
        return Previous()  # no usable generation: everything is read afresh
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    return Previous({d.sha256: d for d in documents.values()}, by_doc, {r["chunk_id"]: r["tokens"] for r in rows},
                    frozenset(d.city for d in documents.values() if d.city))


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary `index build` and `docs add` print."""

    build: Path
    documents: tuple[Document, ...]
    chunks: dict[str, int]
    problems: tuple[DocumentProblem, ...]
    ignored: tuple[str, ...]
    embedded: int
    cached: int
    reused: int
    seconds: float

    def summary(self) -> str:
        total = sum(self.chunks.values())
        lines = [(f"indexed {len(self.documents)} documents, {total} chunks in {self.seconds:.1f} s "
                  f"(embedded {self.embedded} new texts, {self.cached} from the cache; {self.reused} documents not re-read)")]
        for doc in self.documents:
            how = ", ".join(x for x in (doc.format, doc.encoding, f"{len(doc.pages)} pages" if doc.pages else "") if x)
            lines.append(f"  {doc.doc_id}: {self.chunks.get(doc.doc_id, 0)} chunks ({how}) 《{doc.title}》")
        if self.problems:
            lines.append(f"skipped {len(self.problems)}:")
            lines.extend(f"  {p.message}" for p in self.problems)
        if self.ignored:
            lines.append(f"ignored {len(self.ignored)} files of other types: {', '.join(self.ignored)}")
        return "\n".join(lines)


def build_index(settings: Settings, encoder: Encoder, progress: bool = True, log: Log = print) -> tuple[Path, list[DocumentProblem]]:
    """Build a complete index from scratch and make it current atomically.

    Returns:
        The build folder and the document files that were skipped (with reasons).
    """
    with index_lock(settings.index_dir, log):
        report = write_generation(settings, encoder, progress=progress, log=log, incremental=False)
    return report.build, list(report.problems)


def _tokens(chunks: list[Chunk], previous: Previous, cities: frozenset[str]) -> list[list[str]]:
    """Tokens of each chunk, taken from the previous generation where they cannot have changed.

    A city name added to or dropped from jieba's dictionary changes how texts holding
    that name are cut; texts without it are cut as before (the dictionary total moves by
    one word's weight in ~60 million, too little to change a path).
    """
    changed = cities ^ previous.cities

    def reusable(chunk: Chunk) -> bool:
        return chunk.chunk_id in previous.tokens and not any(city in chunk.embed_text() for city in changed)

    return [previous.tokens[c.chunk_id] if reusable(c) else tokenize(c.embed_text()) for c in chunks]


def _chunks(docs: list[Document], previous: Previous, settings: Settings) -> list[Chunk]:
    chunks: list[Chunk] = []
    for doc in docs:
        kept = previous.chunks_of(doc)
        chunks.extend(kept if kept is not None else chunk_document(doc, settings.chunk_max_chars, settings.chunk_min_chars))
    return chunks


def write_generation(settings: Settings, encoder: Encoder, *, progress: bool = True, log: Log = print,
                     incremental: bool = True, known: Mapping[str, Document] | None = None,
                     previous: Previous | None = None) -> BuildReport:
    """Build a new index generation and make it current; the caller holds :func:`index_lock`.

    Args:
        incremental: take unchanged files' text, chunks and tokens from the current generation.
        known: sha256 -> documents just extracted by the caller (files being added).
        previous: the current generation as the caller already read it (read here when None).
    """
    use_cache_dir(settings.index_dir / "jieba")  # hardening: jieba's cache not in /tmp
    load_in_memory()  # every chunk is segmented: plain dicts, not the memory-mapped lexicon
    started = time.perf_counter()
    if previous is None:
        previous = previous_generation(settings) if incremental else Previous()
    reuse = {**previous.documents, **(known or {})}
    docs, problems = load_documents(settings.seeds_dir, settings.docs_folder, reuse=reuse, log=log)
    for problem in problems:
        log(f"skipped: {problem.message}")
    cities = frozenset(d.city for d in docs if d.city)
    add_words(sorted(cities))
    documents = {d.doc_id: d for d in docs}
    chunks = _chunks(docs, previous, settings)
    sentences = sentence_units(chunks, documents)
    tokens = _tokens(chunks, previous, cities)
    model_key = hashlib.sha256(json.dumps([model_info(settings.model_dir), encoder.backend], sort_keys=True).encode()).hexdigest()[:12]
    cache = EmbeddingCache(settings.index_dir / "cache", model_key, log=log)
    log(f"embedding {len(chunks)} chunks and {len(sentences)} sentences from {len(docs)} documents")
    before = cache.computed
    chunk_vectors = cache.embed(encoder, [c.embed_text() for c in chunks], progress)
    sentence_texts = [chunks[s.chunk].embed_text(documents[s.doc_id].text[s.start:s.end]) for s in sentences]
    sentence_vectors = cache.embed(encoder, sentence_texts, progress)
    vocab = vocabulary_terms(tokens)
    vocab_vectors = cache.embed(encoder, vocab, progress)
    embedded = cache.computed - before
    cache.save()
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    ignored = [p.name for folder in (settings.seeds_dir, settings.docs_folder) if folder.is_dir() for p in source_files(folder)[1]]
    build = _write(settings, docs, chunks, tokens, sentences, chunk_vectors, sentence_vectors, (vocab, vocab_vectors), {
        "skipped": [vars(p) for p in problems], "doc_chunks": counts, "embedded": embedded,
        "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": len(sentences)},
        "build_seconds": round(time.perf_counter() - started, 2),
    })
    reused = sum(1 for d in docs if d.sha256 in reuse)
    report = BuildReport(build, tuple(docs), counts, tuple(problems), tuple(ignored), embedded,
                         len(chunks) + len(sentences) + len(vocab) - embedded, reused, time.perf_counter() - started)
    log(f"index built in {report.seconds:.2f} s: {build}")
    return report


def _write(settings: Settings, docs: list[Document], chunks: list[Chunk], tokens: list[list[str]],
           sentences: list[Sentence], chunk_vectors: np.ndarray, sentence_vectors: np.ndarray,
           vocab: tuple[list[str], np.ndarray], extra: dict) -> Path:
    """Write one generation into builds/.tmp-<id>, rename it into place, then point CURRENT at it."""
    builds = settings.index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = new_build_id()
    tmp = builds / f".tmp-{build_id}"
    tmp.mkdir()
    try:
        _write_jsonl(tmp / "documents.jsonl", [d.to_row() for d in docs])
        _write_jsonl(tmp / "chunks.jsonl", [
            {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "start": c.start, "end": c.end, "section": list(c.section),
             "kind": c.kind, "cells": [vars(cell) for cell in c.cells], "page": c.page, "tokens": t, "text": c.text}
            for c, t in zip(chunks, tokens)])
        _write_jsonl(tmp / "sentences.jsonl", [vars(s) for s in sentences])
        np.save(tmp / "chunk_vectors.npy", chunk_vectors, allow_pickle=False)
        np.save(tmp / "sentence_vectors.npy", sentence_vectors, allow_pickle=False)
        dense.save(dense.build(chunk_vectors, settings.dense_index), tmp / "dense.faiss")
        (tmp / "vocab_terms.json").write_text(json.dumps(vocab[0], ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "vocab_vectors.npy", vocab[1], allow_pickle=False)
        manifest = {
            "format_version": FORMAT_VERSION,
            "build_id": build_id,
            "model": model_info(settings.model_dir),
            "settings": settings.index_fingerprint(),
            "seeds": seed_hashes(settings.seeds_dir),
            "docs": seed_hashes(settings.docs_folder),
            "resources": resource_hashes(),
            "files": {name: {"sha256": sha256_file(tmp / name), "bytes": (tmp / name).stat().st_size} for name in FILES},
            **extra,
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
    remove_old_builds(builds, keep=build_id, keep_last=settings.keep_builds, usable=lambda b: _servable(settings, b))
    return final


def _servable(settings: Settings, build: Path) -> bool:
    """Intact and made by this code, settings and model (older documents are fine): worth keeping."""
    try:
        check_generation(settings, build)
    except IndexProblem:
        return False
    return True


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


def remove_old_builds(builds: Path, keep: str, keep_last: int = 1, usable: Callable[[Path], bool] | None = None) -> None:
    """Delete superseded builds and what crashed builds left.

    Kept: `keep` (the build CURRENT names) and the newest other `usable` ones up to `keep_last`
    builds in all (Settings.keep_builds; ids begin with their time, so names sort by age), a
    running build's folder, and any build some process (a server) holds for reading (issue 15:
    reference-counted by flock). A damaged or stale build is never one of the kept newest.
    """
    recent = {keep}
    for name in sorted((p.name for p in builds.iterdir() if not p.name.startswith(".")), reverse=True):
        if len(recent) >= keep_last:
            break
        if name != keep and (usable is None or usable(builds / name)):
            recent.add(name)
    for old in builds.iterdir():
        if old.name in recent or (old.name.startswith(".tmp-") and _builder_alive(old.name)) or being_read(old):
            continue
        shutil.rmtree(old, ignore_errors=True)
