"""Weighted reciprocal-rank fusion and run cutting (qa.answer.retrieval), with hand-computed values."""
from __future__ import annotations

import numpy as np
import pytest

from qa.answer.retrieval import rrf, search, top_ids
from qa.index import dense
from qa.index.bm25 import BM25
from qa.index.stores import ChunkRecord, Where
from qa.index.stores.faiss_store import FaissStore


def ids(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_rrf_golden_values() -> None:
    # weight / (k + rank), rank counted from 1 (Cormack et al. 2009, k = 60).
    fused = rrf([(ids(4, 2, 7), 0.2), (ids(2, 9), 0.8)], k=60)
    assert fused == pytest.approx({4: 0.2 / 61, 2: 0.2 / 62 + 0.8 / 61, 7: 0.2 / 63, 9: 0.8 / 62})
    assert sorted(fused, key=lambda i: (-fused[i], i)) == [2, 9, 4, 7]


def test_rrf_small_k_by_hand() -> None:
    assert rrf([(ids(5, 6, 7), 1.0)], k=0) == pytest.approx({5: 1.0, 6: 0.5, 7: 1 / 3})
    assert rrf([(ids(5, 6), 1.0), (ids(6, 5), 1.0)], k=1) == pytest.approx({5: 1 / 2 + 1 / 3, 6: 1 / 3 + 1 / 2})


def test_rrf_weights_decide_between_runs() -> None:
    runs = [(ids(1, 2), 0.2), (ids(2, 1), 0.8)]
    fused = rrf(runs, k=60)
    assert fused[2] > fused[1]
    flipped = rrf([(ids(1, 2), 0.8), (ids(2, 1), 0.2)], k=60)
    assert flipped[1] > flipped[2] and flipped[1] == pytest.approx(fused[2])
    assert rrf([(ids(1, 2), 0.5), (ids(3,), 0.5)], k=60) == pytest.approx({1: 0.5 / 61, 2: 0.5 / 62, 3: 0.5 / 61})


@pytest.mark.parametrize("runs", [[], [(ids(), 0.5)], [(ids(), 0.2), (ids(), 0.8)]], ids=["no-runs", "one-empty", "both-empty"])
def test_rrf_of_empty_runs_is_empty(runs: list[tuple[np.ndarray, float]]) -> None:
    assert rrf(runs, k=60) == {}


def test_rrf_with_one_empty_run_keeps_the_other() -> None:
    assert rrf([(ids(), 0.2), (ids(3, 1), 0.8)], k=60) == pytest.approx({3: 0.8 / 61, 1: 0.8 / 62})


SCORES = np.array([0.0, 2.0, 3.0, 2.0, 0.5, 0.0])


@pytest.mark.parametrize(
    ("allowed", "depth", "expected"),
    [
        pytest.param(None, 3, [2, 1, 3], id="ties-lower-id-first"),
        pytest.param(None, 10, [2, 1, 3, 4], id="zero-scores-dropped"),
        pytest.param(ids(0, 3, 4), 10, [3, 4], id="allowed-filter"),
        pytest.param(ids(3, 1), 1, [1], id="allowed-unsorted-tie"),
        pytest.param(ids(0, 5), 10, [], id="allowed-all-zero"),
        pytest.param(ids(), 10, [], id="allowed-empty"),
        pytest.param(None, 0, [], id="depth-zero"),
    ],
)
def test_top_ids(allowed: np.ndarray | None, depth: int, expected: list[int]) -> None:
    assert top_ids(SCORES, allowed, depth).tolist() == expected


def test_top_ids_of_constant_scores_is_id_order() -> None:
    assert top_ids(np.ones(5), None, 3).tolist() == [0, 1, 2]
    assert top_ids(np.zeros(5), None, 3).tolist() == []
    assert top_ids(np.zeros(0), None, 3).tolist() == []


def _index(corpus: list[list[str]], vectors: np.ndarray, docs: tuple[str, ...] = ("a", "b", "a")) -> FaissStore:
    """A store over a tiny corpus; chunk i belongs to document docs[i]."""
    records = [ChunkRecord(i, f"c{i}", doc, "", "", "paragraph", 0, 1, "x") for i, doc in enumerate(docs)]
    return FaissStore(BM25(corpus), dense.build(vectors.astype(np.float32)), records)


def test_fused_ties_go_to_the_lower_id() -> None:
    # BM25 ranks chunk 1 above 0; the dense run ranks 0 above 1; equal weights tie them exactly.
    index = _index([["宽带"], ["宽带", "宽带"], ["电话"]], np.eye(3))
    query = np.array([1.0, 0.6, 0.0], dtype=np.float32)
    assert top_ids(index.bm25.scores(["宽带"]), None, 5).tolist() == [1, 0]
    hits = search(index, ["宽带"], query, mode="hybrid", dense_weight=0.5, rrf_k=60, depth=5)
    assert [h.chunk for h in hits][:2] == [0, 1]
    assert hits[0].score == hits[1].score == pytest.approx(0.5 / 61 + 0.5 / 62)
    assert hits[1].bm25 > hits[0].bm25 and hits[0].dense == pytest.approx(1.0)


def test_search_modes_and_filter() -> None:
    index = _index([["宽带"], ["宽带", "宽带"], ["电话"]], np.eye(3))
    query = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    bm25 = search(index, ["宽带"], None, mode="bm25", dense_weight=0.5, rrf_k=60, depth=5)
    assert [h.chunk for h in bm25] == [1, 0] and bm25[0].score == pytest.approx(index.bm25.scores(["宽带"])[1])
    only_dense = search(index, ["宽带"], query, mode="dense", dense_weight=0.5, rrf_k=60, depth=1)
    assert [h.chunk for h in only_dense] == [2]
    filtered = search(index, ["宽带"], query, mode="hybrid", dense_weight=0.5, rrf_k=60, depth=5, where=Where(doc_id="a"))
    assert {h.chunk for h in filtered} == {0, 2}


def test_lexical_strength_is_the_best_bm25_score_over_the_query_idf() -> None:
    from qa.answer.retrieval import Hit, lexical_strength
    hits = [Hit(chunk=3, score=6.0, dense=0.0, bm25=6.0), Hit(chunk=1, score=2.0, dense=0.0, bm25=2.0)]
    assert lexical_strength(hits, 12.0) == pytest.approx(0.5)
    assert lexical_strength([], 12.0) == 0.0 and lexical_strength(hits, 0.0) == 0.0


def test_sentence_run_orders_chunks_by_their_best_sentence_and_keeps_the_filter() -> None:
    from qa.answer.retrieval import sentence_run
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    chunks = np.array([10, 11, 11, 12], dtype=np.int64)
    query = np.array([0.0, 1.0], dtype=np.float32)
    # sentence 1 (chunk 11) 1.0, sentence 2 (chunk 11) 0.8, sentence 3 (chunk 12) 0.6, sentence 0 (chunk 10) 0.0
    assert sentence_run(vectors, chunks, None, query, depth=5) == [11, 12, 10]
    assert sentence_run(vectors, chunks, np.array([True, False, False, True]), query, depth=5) == [12, 10]
    assert sentence_run(vectors, chunks, None, query, depth=1) == [11]


def test_rescue_weak_fuses_by_weighted_rrf_and_keeps_the_bm25_scores() -> None:
    from qa.answer.retrieval import Hit, rescue_weak
    hits = [Hit(chunk=c, score=s, dense=0.0, bm25=s) for c, s in ((1, 9.0), (2, 8.0), (3, 7.0))]
    fused = rescue_weak(hits, [3, 7], weight=0.5, k=60)
    # chunk 3: 0.5/63 + 0.5/61 beats chunk 1: 0.5/61; chunks 2 and 7 tie at 0.5/62 (the lower id first) and
    # the fused run keeps BM25's depth
    assert [h.chunk for h in fused] == [3, 1, 2]
    assert fused[0].bm25 == 7.0 and len(fused) == len(hits)
