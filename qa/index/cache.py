"""Embeddings cached by content hash, so a rebuild only embeds what changed."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from qa.index.encoder import Encoder


class EmbeddingCache:
    """Embeddings keyed by sha256 of the embedded text, so a rebuild only embeds what changed."""

    def __init__(self, folder: Path, model_key: str) -> None:
        self.keys_path = folder / f"embeddings-{model_key}.json"
        self.vectors_path = folder / f"embeddings-{model_key}.npy"
        self.table: dict[str, np.ndarray] = {}
        self.computed = 0  # texts embedded (not found in the cache) since this object was made
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
            self.computed += len(todo)
        return np.stack([self.table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, encoder.dim), np.float32)

    def save(self) -> None:
        """Write the cache if anything was embedded (rewriting 100 documents' vectors costs a second)."""
        if not self.computed and self.vectors_path.is_file():
            return
        self.keys_path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.table)
        tmp_vectors = self.vectors_path.with_suffix(".tmp.npy")
        np.save(tmp_vectors, np.stack([self.table[k] for k in keys]) if keys else np.zeros((0, 0), np.float32))
        tmp_keys = self.keys_path.with_suffix(".tmp")
        tmp_keys.write_text(json.dumps(keys), encoding="utf-8")
        os.replace(tmp_vectors, self.vectors_path)
        os.replace(tmp_keys, self.keys_path)
