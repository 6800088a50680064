"""Dense vector search (the only module importing faiss).

Vectors are L2-normalized, so inner product is cosine similarity. An exact
flat index stays the default: at 100x the seed corpus (~22k chunks) it answers
in about a millisecond, while HNSW saves little time, costs recall and is poor
under document filters (numbers in docs/bench.md, `planqa bench --scale 100`).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import PlanQAError

if TYPE_CHECKING:
    import faiss

KINDS = ("flat", "hnsw")
# HNSW graph degree and beam widths (Malkov & Yashunin 2018); M=32 with
# efSearch=128 is the point docs/bench.md measures against exact search.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def build(vectors: np.ndarray, kind: str = "flat") -> faiss.Index:
    """An inner-product index over `vectors` (n, dim) float32.

    Args:
        vectors: normalized embeddings.
        kind: "flat" (exact) or "hnsw" (approximate, for large corpora).
    """
    import faiss

    if vectors.ndim != 2:
        raise PlanQAError(f"vectors must be 2-D, got shape {vectors.shape}")
    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise PlanQAError(f"Unknown dense index kind {kind!r}. Supported kinds: {list(KINDS)}")
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save(index: faiss.Index, path: Path) -> None:
    import faiss

    faiss.write_index(resolve(index), str(path))


def load(path: Path) -> faiss.Index:
    import faiss

    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        raise PlanQAError(f"{path}: not a readable FAISS index ({str(exc).splitlines()[0]})") from exc


class LazyIndex:
    """The FAISS index in `path`, read on first use (attributes pass through to it).

    The default mode never searches chunk vectors (they only rescore sentences), so a
    one-shot `planqa ask` skips importing faiss and reading the file (issue 16). The
    build's checksums were verified when it was loaded, as for every other file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: faiss.Index | None = None
        self._lock = threading.Lock()

    def get(self) -> faiss.Index:
        with self._lock:
            if self._index is None:
                self._index = load(self.path)
            return self._index

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.get(), name)


def resolve(index: faiss.Index | LazyIndex) -> faiss.Index:
    """The FAISS index itself, read now if it is a LazyIndex."""
    return index.get() if isinstance(index, LazyIndex) else index


def search(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
           *, exact_filter: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) for one normalized query vector.

    Args:
        index: the dense index.
        query: shape (dim,).
        k: how many hits.
        allowed: optional sorted int64 ids to restrict the search to (document filter).
        exact_filter: score the allowed vectors of a non-flat index exactly; False walks
            the graph with a FAISS selector instead (kept so the benchmark can show why not).
    """
    import faiss

    index = resolve(index)
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if exact_filter and not isinstance(index, faiss.IndexFlat):
            return _exact_subset(index, query, k, np.asarray(allowed, dtype=np.int64))
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if isinstance(index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=index.hnsw.efSearch)
        else:
            params = faiss.SearchParameters(sel=selector)
        k = min(k, len(allowed))
    scores, ids = index.search(np.ascontiguousarray(query[None, :], dtype=np.float32), k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def _exact_subset(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k among `allowed` ids (ties: lower id first).

    A graph index walked with a selector that admits a few documents out of
    hundreds misses most of them (the filtered recall in docs/bench.md), so a
    filtered search scores the allowed vectors directly.
    """
    vectors = index.reconstruct_batch(allowed)
    scores = vectors @ np.asarray(query, dtype=np.float32)
    order = np.lexsort((allowed, -scores))[:k]
    return scores[order].astype(np.float32), allowed[order]
