"""Embeddings cached by content hash, so a rebuild only embeds what changed.

Each entry carries a checksum of its vector, verified on read (issue 15: a half-zeroed
cache was reused silently and accuracy fell from 0.84 to 0.43); a bad entry is dropped
and re-embedded. The cache is optional: an unreadable or read-only folder costs time,
never the build. Long builds checkpoint it, so a killed build keeps its work.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.index.encoder import Encoder

CACHE_FORMAT = 2
# Texts embedded between checkpoints, and the least time between two (saving rewrites the file).
CHECKPOINT_TEXTS = 256
CHECKPOINT_SECONDS = 20.0


def vector_digest(vector: np.ndarray) -> str:
    """Checksum of one cached vector (float32 bytes); 16 hex digits are ample against rot."""
    return hashlib.sha256(np.ascontiguousarray(vector, dtype=np.float32).tobytes()).hexdigest()[:16]


def _tmp(path: Path, suffix: str) -> Path:
    """A temp name no other process uses (six builds at once collided on `.tmp.npy`)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{suffix}")


class EmbeddingCache:
    """Embeddings keyed by sha256 of the embedded text, so a rebuild only embeds what changed."""

    def __init__(self, folder: Path, model_key: str, log: Callable[[str], None] = print) -> None:
        self.keys_path = folder / f"embeddings-{model_key}.json"
        self.vectors_path = folder / f"embeddings-{model_key}.npy"
        self.log = log
        self.writable = True
        self.table: dict[str, np.ndarray] = {}
        self.computed = 0  # texts embedded (not found in the cache) since this object was made
        self._last_save = time.monotonic()
        try:
            record = json.loads(self.keys_path.read_text(encoding="utf-8"))
            vectors = np.load(self.vectors_path, allow_pickle=False)
        except (OSError, ValueError):
            return  # absent or unreadable: a damaged cache only costs time
        self.table = self._verified(record, vectors)

    def _verified(self, record: object, vectors: np.ndarray) -> dict[str, np.ndarray]:
        if isinstance(record, list) and len(record) == len(vectors) and vectors.ndim == 2:
            # Format 1 had no checksums; its vectors are unit length, so zeroed or scaled rows show.
            entries = [[k, vector_digest(v)] for k, v in zip(record, vectors) if abs(float(np.linalg.norm(v)) - 1.0) < 1e-3]
            vectors = np.stack([v for v in vectors if abs(float(np.linalg.norm(v)) - 1.0) < 1e-3]) if entries else vectors[:0]
            record = {"format": CACHE_FORMAT, "entries": entries}
        if not (isinstance(record, dict) and record.get("format") == CACHE_FORMAT):
            self.log("embedding cache: unknown format, re-embedding")
            return {}
        entries = record.get("entries", [])
        if len(entries) != len(vectors) or vectors.ndim != 2:
            self.log("embedding cache: keys and vectors disagree, re-embedding all")
            return {}
        table = {key: vector for (key, digest), vector in zip(entries, vectors) if vector_digest(vector) == digest}
        if len(table) < len(entries):
            self.log(f"embedding cache: {len(entries) - len(table)} of {len(entries)} entries failed their checksum; re-embedding them")
        return table

    def embed(self, encoder: Encoder, texts: list[str], progress: bool) -> np.ndarray:
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.table}.items(), key=lambda kv: -len(kv[1]))
        for start in range(0, len(todo), CHECKPOINT_TEXTS):
            part = todo[start : start + CHECKPOINT_TEXTS]
            vectors = encoder.encode_passages([t for _, t in part], progress=progress)
            self.table.update({k: v for (k, _), v in zip(part, vectors)})
            self.computed += len(part)
            if start + CHECKPOINT_TEXTS < len(todo) and time.monotonic() - self._last_save > CHECKPOINT_SECONDS:
                self.save()  # checkpoint: a killed build keeps what it embedded
        return np.stack([self.table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, encoder.dim), np.float32)

    def save(self) -> None:
        """Write the cache atomically if anything was embedded (rewriting 100 documents' vectors
        costs a second); a folder that cannot be written turns the cache off with a warning."""
        if not self.writable or (not self.computed and self.vectors_path.is_file()):
            return
        keys = sorted(self.table)
        vectors = np.stack([self.table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 0), np.float32)
        record = {"format": CACHE_FORMAT, "entries": [[k, vector_digest(v)] for k, v in zip(keys, vectors)]}
        tmp_vectors, tmp_keys = _tmp(self.vectors_path, ".npy"), _tmp(self.keys_path, ".json")
        try:
            self.keys_path.parent.mkdir(parents=True, exist_ok=True)
            np.save(tmp_vectors, vectors, allow_pickle=False)
            tmp_keys.write_text(json.dumps(record), encoding="utf-8")
            # Vectors first: keys naming vectors not yet there would fail their checksums, not mislead.
            os.replace(tmp_vectors, self.vectors_path)
            os.replace(tmp_keys, self.keys_path)
        except OSError as exc:
            self.writable = False
            self.log(f"warning: embedding cache not saved ({exc.strerror or exc}: {self.keys_path.parent}); building without a cache")
            for path in (tmp_vectors, tmp_keys):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
        self._last_save = time.monotonic()
