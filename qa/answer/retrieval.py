"""Hybrid retrieval: BM25 and dense runs fused by weighted reciprocal rank.

RRF (Cormack, Clarke & Buettcher 2009) needs no score calibration between
the two runs; the weight between them is tuned on the dev questions
(`planqa eval --split dev`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index.stores import Run, Store, Where
from qa.index.stores.faiss_store import top_ids

__all__ = ["Hit", "lexical_strength", "rescue_weak", "rrf", "search", "sentence_run", "top_ids"]


@dataclass(frozen=True)
class Hit:
    chunk: int
    score: float
    dense: float
    bm25: float


def rrf(runs: list[tuple[np.ndarray, float]], k: int) -> dict[int, float]:
    """Weighted reciprocal-rank fusion.

    Args:
        runs: (ids in rank order, weight) per run.
        k: rank constant; 60 in Cormack et al. (2009).

    Returns:
        Fused score per id.
    """
    fused: dict[int, float] = {}
    for ids, weight in runs:
        for rank, doc in enumerate(ids.tolist()):
            fused[doc] = fused.get(doc, 0.0) + weight / (k + rank + 1)
    return fused


def search(
    store: Store,
    query_tokens: list[str],
    query_vector: np.ndarray | None,
    *,
    mode: str,
    dense_weight: float,
    rrf_k: int,
    depth: int,
    where: Where | None = None,
    timings: dict[str, float] | None = None,
    boosts: dict[str, float] | None = None,
) -> list[Hit]:
    """Rank chunks for one query.

    Args:
        store: where the BM25 and dense runs come from (qa.index.stores).
        query_tokens: jieba tokens of the query.
        query_vector: normalized query embedding (None for mode "bm25").
        mode: "bm25" or "bm25+rescore" (BM25 only), "dense", or "hybrid"/"hybrid+rescore"
            (weighted RRF of both runs).
        dense_weight: weight of the dense run; BM25 gets 1 - dense_weight.
        rrf_k: RRF constant.
        depth: how many hits to return.
        where: document/city filter, applied by the store before its top-k.
        timings: filled with per-stage milliseconds when given.
        boosts: BM25 weight per query term (terms added by expansion weigh less).

    Returns:
        Hits best first; `bm25`/`dense` hold a chunk's score in that run (0 when not in it).
    """
    import time

    timings = timings if timings is not None else {}
    t0 = time.perf_counter()
    lexical_only = mode in ("bm25", "bm25+rescore")
    bm25_run = store.search_sparse(query_tokens, boosts, depth, where) if mode != "dense" else Run.empty()
    bm25_scores = dict(zip(bm25_run.ids.tolist(), bm25_run.scores.tolist()))
    t1 = time.perf_counter()
    dense_run = Run.empty()
    if not lexical_only and query_vector is not None:
        dense_run = store.search_dense(query_vector, depth, where)
    dense_scores = dict(zip(dense_run.ids.tolist(), dense_run.scores.tolist()))
    t2 = time.perf_counter()
    if lexical_only:
        fused = bm25_scores
    elif mode == "dense":
        fused = dense_scores
    else:
        fused = rrf([(dense_run.ids, dense_weight), (bm25_run.ids, 1.0 - dense_weight)], rrf_k)
    hits = [
        Hit(chunk=c, score=s, dense=dense_scores.get(c, 0.0), bm25=bm25_scores.get(c, 0.0))
        for c, s in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:depth]
    ]
    t3 = time.perf_counter()
    timings.update(bm25=(t1 - t0) * 1000, dense_search=(t2 - t1) * 1000, fusion=(t3 - t2) * 1000)
    return hits


def lexical_strength(hits: list[Hit], idf_mass: float) -> float:
    """How well the words matched: the best BM25 score over the idf of the query's own
    words (about 1 when the best passage holds them all; low for everyday words the
    plans do not use)."""
    return (hits[0].bm25 / idf_mass) if hits and idf_mass > 0 else 0.0


def sentence_run(sentence_vectors: np.ndarray, sentence_chunks: np.ndarray, allowed: np.ndarray | None,
                 vector: np.ndarray, depth: int) -> list[int]:
    """A dense run at sentence level: chunks in the order of their best sentence's cosine.

    Args:
        sentence_vectors: normalized sentence embeddings (n, dim).
        sentence_chunks: each sentence's chunk position (n,).
        allowed: boolean mask of the sentences the filter keeps, or None for all.
        vector: the normalized query embedding.
        depth: chunks returned.
    """
    sims = sentence_vectors @ vector
    if allowed is not None:
        sims = np.where(allowed, sims, -np.inf)
    take = min(len(sims), depth * 20)
    top = np.argpartition(-sims, take - 1)[:take] if take < len(sims) else np.arange(len(sims))
    chunks: list[int] = []
    for i in top[np.argsort(-sims[top])]:
        if not np.isfinite(sims[i]):
            break
        chunk = int(sentence_chunks[i])
        if chunk not in chunks:
            chunks.append(chunk)
            if len(chunks) >= depth:
                break
    return chunks


def rescue_weak(hits: list[Hit], dense_chunks: list[int], weight: float, k: int) -> list[Hit]:
    """BM25 hits fused with a sentence-level dense run by weighted RRF (Cormack et al. 2009)."""
    fused = rrf([(np.array([h.chunk for h in hits], dtype=np.int64), 1.0 - weight),
                 (np.array(dense_chunks, dtype=np.int64), weight)], k)
    bm25 = {h.chunk: h.bm25 for h in hits}
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[: len(hits)]
    return [Hit(chunk=c, score=s, dense=0.0, bm25=bm25.get(c, 0.0)) for c, s in ranked]
