"""Dense vector search (the only module importing faiss).

Vectors are L2-normalized, so inner product is cosine similarity. At the seed
corpus size an exact flat index is both fastest and lossless; see
`planqa bench` for the HNSW trade-off at 100x.
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


def build(vectors: np.ndarray, kind: str = "flat") -> faiss.Index:
    """An inner-product index over `vectors` (n, dim) float32.

    Args:
        vectors: normalized embeddings.
        kind: "flat" (exact) or "hnsw" (approximate, for large corpora).
    """
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be 2-D, got shape {vectors.shape}")
    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        # M=32, efSearch=128: recall@10 > 0.99 on our 100x corpus (see bench).
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
    else:
        raise ValueError(f"Unknown dense index kind {kind!r}. Supported kinds: ['flat', 'hnsw']")
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path) -> faiss.Index:
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        raise ValueError(f"{path}: not a readable FAISS index ({str(exc).splitlines()[0]})") from exc


def search(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) for one normalized query vector.

    Args:
        index: the dense index.
        query: shape (dim,).
        k: how many hits.
        allowed: optional sorted int64 ids to restrict the search to (document filter).
    """
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        k = min(k, len(allowed))
    scores, ids = index.search(np.ascontiguousarray(query[None, :], dtype=np.float32), k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
