"""The default store: the build's BM25 weight matrix and FAISS index, in this process."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import PlanQAError
from qa.index import dense
from qa.index.bm25 import BM25
from qa.index.stores import ChunkRecord, Run, StoreRow, Where, tie_complete

# BM25 weights depend on every document (idf, average length) and flat FAISS ids are
# row numbers, so this store changes documents by building a new index generation.
_REBUILD = "the faiss store adds or removes a document by rebuilding the index (`planqa index build`)"

if TYPE_CHECKING:
    from qa.index.storage import LoadedIndex


def top_ids(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> np.ndarray:
    """Ids of the `depth` best scores (ties: lower id first), optionally restricted to `allowed`; only scores > 0."""
    candidates = np.arange(len(scores)) if allowed is None else allowed
    if len(candidates) == 0:
        return candidates
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order[:depth]]
    return best[scores[best] > 0]


class FaissStore:
    """BM25 + FAISS over one loaded build.

    Args:
        bm25: the keyword index (row = chunk id).
        index: the FAISS index (row = chunk id).
        records: the chunk records, row for row; filters and `fetch` read them.
    """

    name = "faiss"

    def __init__(self, bm25: BM25, index: object, records: Sequence[ChunkRecord]) -> None:
        self.bm25 = bm25
        self.dense = index
        self.records = list(records)
        self._allowed: dict[Where, np.ndarray] = {}

    @classmethod
    def of(cls, index: LoadedIndex) -> FaissStore:
        records = [
            ChunkRecord(i, c.chunk_id, c.doc_id, index.documents[c.doc_id].city or "", index.documents[c.doc_id].period or "",
                        c.kind, c.start, c.end, c.text)
            for i, c in enumerate(index.chunks)
        ]
        return cls(index.bm25, index.dense, records)

    def allowed(self, where: Where | None) -> np.ndarray | None:
        """Sorted chunk ids a filter admits (None: all)."""
        if where is None or (where.doc_id is None and where.city is None):
            return None
        if where not in self._allowed:
            self._allowed[where] = np.array(
                [r.id for r in self.records
                 if (where.doc_id is None or r.doc_id == where.doc_id) and (where.city is None or r.city == where.city)],
                dtype=np.int64)
        return self._allowed[where]

    def search_sparse(self, tokens: Sequence[str], boosts: Mapping[str, float] | None, depth: int,
                      where: Where | None = None) -> Run:
        scores = self.bm25.scores(list(tokens), dict(boosts or {}))
        ids = top_ids(scores, self.allowed(where), depth)
        return Run(ids.astype(np.int64), scores[ids])

    def search_dense(self, vector: np.ndarray, depth: int, where: Where | None = None) -> Run:
        allowed = self.allowed(where)

        def fetch(limit: int) -> Run:
            scores, ids = dense.search(self.dense, vector, limit, allowed)
            return Run(ids.astype(np.int64), scores.astype(np.float32))

        # FAISS leaves the order of equal scores (duplicate passages) to its heap; ours is lower id first.
        return tie_complete(fetch, depth)

    def fetch(self, ids: Sequence[int]) -> list[ChunkRecord]:
        return [self.records[i] for i in ids]

    def add_document(self, rows: Sequence[StoreRow]) -> None:
        raise PlanQAError(_REBUILD)

    def remove_document(self, doc_id: str) -> int:
        raise PlanQAError(_REBUILD)

    def close(self) -> None:
        return None
