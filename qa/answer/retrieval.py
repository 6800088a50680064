"""Hybrid retrieval: BM25 and dense runs fused by weighted reciprocal rank.

RRF (Cormack, Clarke & Buettcher 2009) needs no score calibration between
the two runs; the weight between them is tuned on the dev questions
(`planqa eval --split dev`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index import dense
from qa.index.storage import LoadedIndex


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


def top_ids(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> np.ndarray:
    """Ids of the `depth` best scores (ties: lower id first), optionally restricted to `allowed`."""
    candidates = np.arange(len(scores)) if allowed is None else allowed
    if len(candidates) == 0:
        return candidates
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order[:depth]]
    return best[scores[best] > 0]


def search(
    index: LoadedIndex,
    query_tokens: list[str],
    query_vector: np.ndarray | None,
    *,
    mode: str,
    dense_weight: float,
    rrf_k: int,
    depth: int,
    allowed: np.ndarray | None = None,
    timings: dict[str, float] | None = None,
    boosts: dict[str, float] | None = None,
) -> list[Hit]:
    """Rank chunks for one query.

    Args:
        index: the loaded index.
        query_tokens: jieba tokens of the query.
        query_vector: normalized query embedding (None for mode "bm25").
        mode: "bm25" or "bm25+rescore" (BM25 only), "dense", or "hybrid"/"hybrid+rescore"
            (weighted RRF of both runs).
        dense_weight: weight of the dense run; BM25 gets 1 - dense_weight.
        rrf_k: RRF constant.
        depth: how many hits to return.
        allowed: chunk ids the search may return (document filter).
        timings: filled with per-stage milliseconds when given.
        boosts: BM25 weight per query term (terms added by expansion weigh less).
    """
    import time

    timings = timings if timings is not None else {}
    t0 = time.perf_counter()
    bm25_scores = index.bm25.scores(query_tokens, boosts)
    lexical_only = mode in ("bm25", "bm25+rescore")
    bm25_run = top_ids(bm25_scores, allowed, depth) if mode != "dense" else np.zeros(0, np.int64)
    t1 = time.perf_counter()
    dense_scores: dict[int, float] = {}
    dense_run = np.zeros(0, np.int64)
    if not lexical_only and query_vector is not None:
        scores, ids = dense.search(index.dense, query_vector, depth, allowed)
        dense_scores = dict(zip(ids.tolist(), scores.tolist()))
        dense_run = ids
    t2 = time.perf_counter()
    if lexical_only:
        fused = {int(i): float(bm25_scores[i]) for i in bm25_run}
    elif mode == "dense":
        fused = dense_scores
    else:
        fused = rrf([(dense_run, dense_weight), (bm25_run, 1.0 - dense_weight)], rrf_k)
    hits = [
        Hit(chunk=c, score=s, dense=dense_scores.get(c, 0.0), bm25=float(bm25_scores[c]))
        for c, s in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:depth]
    ]
    t3 = time.perf_counter()
    timings.update(bm25=(t1 - t0) * 1000, dense_search=(t2 - t1) * 1000, fusion=(t3 - t2) * 1000)
    return hits
