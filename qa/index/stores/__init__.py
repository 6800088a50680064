"""Where retrieval gets its BM25 and dense runs from: a :class:`Store` (issue 16).

Two stores answer the same questions with the same chunk ids and scores:

- :class:`~qa.index.stores.faiss_store.FaissStore` (default): the BM25 weight matrix
  and the FAISS index of the loaded build, in this process.
- :class:`~qa.index.stores.milvus_store.MilvusStore`: one Milvus collection per index
  generation, dense chunk vectors as ``FLOAT_VECTOR``, our own jieba BM25 weights as
  ``SPARSE_FLOAT_VECTOR`` (so Chinese tokenisation stays ours), document and city as
  scalar fields that filters are pushed down to. Milvus Lite (an embedded ``.db``
  file) runs it here and in the tests; a URI points the same code at a cluster.

Either way a run is chunk ids (rows of the loaded build) with scores; answers,
quotes and spans come from the build's chunk records.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from qa.index.stores.spec import StoreSpec, parse_store

if TYPE_CHECKING:
    from qa.index.storage import LoadedIndex
    from qa.settings import Settings

__all__ = ["ChunkRecord", "Run", "Store", "StoreRow", "StoreSpec", "Where", "open_store", "parse_store", "rows_of", "tie_complete"]


@dataclass(frozen=True)
class Where:
    """A filter the engine applies before its top-k (never after: a cut top-k may have lost the passage).

    Args:
        doc_id: only this document.
        city: only documents of this city (a document without a city never matches).
    """

    doc_id: str | None = None
    city: str | None = None


class Run(NamedTuple):
    """One ranked list: chunk ids best first (ties: lower id first) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Run:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32))


@dataclass(frozen=True)
class ChunkRecord:
    """What a store keeps of a chunk besides its vectors: enough to quote it (`text == doc.text[start:end]`)."""

    id: int
    chunk_id: str
    doc_id: str
    city: str
    period: str
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class StoreRow:
    """One chunk as a store indexes it: its record, BM25 weights by term id, and its dense vector."""

    record: ChunkRecord
    sparse: Mapping[int, float]
    dense: np.ndarray


class Store(Protocol):
    """The retrieval engine behind :func:`qa.answer.retrieval.search`."""

    name: str

    def search_sparse(self, tokens: Sequence[str], boosts: Mapping[str, float] | None, depth: int,
                      where: Where | None = None) -> Run:
        """BM25 top-`depth` (scores > 0) for the query terms, a repeated term counted once at its largest boost."""

    def search_dense(self, vector: np.ndarray, depth: int, where: Where | None = None) -> Run:
        """Inner-product top-`depth` for one normalized query vector."""

    def fetch(self, ids: Sequence[int]) -> list[ChunkRecord]:
        """Chunk records by id, in the order asked."""

    def add_document(self, rows: Sequence[StoreRow]) -> None:
        """Index one document's chunks (ids must be new)."""

    def remove_document(self, doc_id: str) -> int:
        """Drop a document's chunks; how many were dropped."""

    def close(self) -> None: ...


# Milvus answers at most 16 384 hits per search (its topk limit).
MAX_FETCH = 16384


def tie_complete(fetch: Callable[[int], Run], depth: int) -> Run:
    """The top-`depth` of an engine that breaks score ties its own way, with our tie-break.

    Asks for twice `depth`, then twice as many again, until the last hit scores below
    the `depth`-th, so every hit tied with the cut is seen, then sorts by (-score, id)
    and cuts: the same run as a stable sort of all scores (faiss_store.top_ids).
    Doubling keeps the rounds few when boilerplate repeats a passage hundreds of times.

    Args:
        fetch: asks the engine for its top-n as a Run, in any tie order.
        depth: how many hits are wanted.
    """
    if depth <= 0:
        return Run.empty()
    limit = min(2 * depth, MAX_FETCH)
    while True:
        run = fetch(limit)
        if len(run.ids) < limit or run.scores[depth - 1] > run.scores[-1] or limit >= MAX_FETCH:
            break
        limit = min(2 * limit, MAX_FETCH)
    order = np.lexsort((run.ids, -run.scores))[:depth]
    return Run(run.ids[order], run.scores[order])


def rows_of(index: LoadedIndex, vectors: np.ndarray) -> list[StoreRow]:
    """A loaded build as store rows: row i is chunk i, its BM25 weights and vectors[i]."""
    weights = index.bm25.weights.tocsr()
    rows = []
    for i, chunk in enumerate(index.chunks):
        doc = index.documents[chunk.doc_id]
        lo, hi = weights.indptr[i], weights.indptr[i + 1]
        record = ChunkRecord(i, chunk.chunk_id, chunk.doc_id, doc.city or "", doc.period or "", chunk.kind,
                             chunk.start, chunk.end, chunk.text)
        rows.append(StoreRow(record, dict(zip(weights.indices[lo:hi].tolist(), weights.data[lo:hi].tolist())), vectors[i]))
    return rows


def open_store(settings: Settings, index: LoadedIndex, log: Callable[[str], None] = print) -> Store:
    """The store `settings.store` names, serving `index` (a Milvus generation is synced if missing)."""
    spec = parse_store(settings.store)
    if spec.kind == "faiss":
        from qa.index.stores.faiss_store import FaissStore

        return FaissStore.of(index)
    from qa.index.stores.milvus_store import (
        MilvusStore,  # pymilvus is imported there only
    )

    return MilvusStore.open(spec, index, log=log)
