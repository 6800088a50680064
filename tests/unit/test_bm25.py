"""BM25 scores against the textbook Okapi formula, computed independently on a tiny corpus."""
from __future__ import annotations

import math

import numpy as np
import pytest

from qa.errors import PlanQAError
from qa.index.bm25 import BM25

# Lengths 5, 3, 7 and 4 (avgdl 4.75); "宽带" appears in three documents, twice in the first.
CORPUS = [
    ["宽带", "用户", "达到", "宽带", "万户"],
    ["电话", "普及率", "达到"],
    ["宽带", "网络", "覆盖", "全市", "乡镇", "行政村", "光纤"],
    ["电子政务", "宽带", "平台", "建设"],
]


def okapi(corpus: list[list[str]], query: list[str], k1: float, b: float) -> list[float]:
    """Robertson & Zaragoza (2009) BM25 with the Lucene idf log(1 + (N - df + .5) / (df + .5))."""
    n = len(corpus)
    avgdl = sum(len(doc) for doc in corpus) / n
    terms = list(dict.fromkeys(query))  # a query term counts once
    scores = []
    for doc in corpus:
        score = 0.0
        for term in terms:
            tf = doc.count(term)
            df = sum(term in other for other in corpus)
            if tf == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(score)
    return scores


@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.3), (0.9, 1.0), (1.2, 0.75), (2.0, 0.0)])
@pytest.mark.parametrize("query", [["宽带"], ["宽带", "达到"], ["光纤", "电话", "建设"], ["用户", "万户", "网络", "普及率"]])
def test_scores_match_the_okapi_formula(k1: float, b: float, query: list[str]) -> None:
    got = BM25(CORPUS, k1=k1, b=b).scores(query)
    assert got.shape == (len(CORPUS),)
    assert got.tolist() == pytest.approx(okapi(CORPUS, query, k1, b), rel=1e-6)


def test_one_score_by_hand() -> None:
    # "宽带" in document 0: N=4, df=3, tf=2, |d|=5, avgdl=19/4, k1=1.5, b=0.3.
    idf = math.log(1 + (4 - 3 + 0.5) / (3 + 0.5))
    expected = idf * 2 * 2.5 / (2 + 1.5 * (0.7 + 0.3 * 5 / 4.75))
    assert BM25(CORPUS, k1=1.5, b=0.3).scores(["宽带"])[0] == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(0.50611, abs=1e-5)  # ln(10/7) * 5 / 3.52368


def test_repeated_query_term_counts_once() -> None:
    index = BM25(CORPUS, k1=1.5, b=0.3)
    np.testing.assert_array_equal(index.scores(["宽带", "宽带", "宽带"]), index.scores(["宽带"]))
    np.testing.assert_array_equal(index.scores(["达到", "宽带", "达到"]), index.scores(["宽带", "达到"]))


def test_unknown_terms_give_zeros() -> None:
    index = BM25(CORPUS, k1=0.9, b=1.0)
    for query in (["北京"], [], ["北京", "上海"]):
        scores = index.scores(query)
        assert scores.shape == (len(CORPUS),) and not scores.any()
    np.testing.assert_array_equal(index.scores(["北京", "光纤"]), index.scores(["光纤"]))


def test_document_without_the_term_scores_zero_and_rarer_terms_weigh_more() -> None:
    scores = BM25(CORPUS, k1=1.5, b=0.3).scores(["光纤", "宽带"])
    assert scores[1] == 0.0
    assert scores[2] > scores[0]  # "光纤" (df 1) outweighs a second "宽带" (df 3)


def test_idf_and_unseen_term_idf() -> None:
    index = BM25(CORPUS)
    assert index.term_idf("宽带") == pytest.approx(math.log(1 + 1.5 / 3.5))
    assert index.term_idf("光纤") == pytest.approx(math.log(1 + 3.5 / 1.5))
    assert index.term_idf("北京") == index.term_idf("光纤")  # unseen: as if seen once
    assert all(index.term_idf(t) > 0 for doc in CORPUS for t in doc)  # Lucene idf is never negative


def test_empty_corpus_scores_nothing() -> None:
    assert BM25([]).scores(["宽带"]).shape == (0,)


@pytest.mark.parametrize(
    ("k1", "b", "message"),
    [
        (-0.1, 0.75, r"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=-0.1, b=0.75"),
        (1.2, 1.5, r"got k1=1.2, b=1.5"),
        (1.2, -0.01, r"got k1=1.2, b=-0.01"),
    ],
)
def test_bad_parameters_are_refused(k1: float, b: float, message: str) -> None:
    with pytest.raises(PlanQAError, match=message):
        BM25(CORPUS, k1=k1, b=b)


@pytest.mark.parametrize("query", [["宽带"], ["宽带", "达到", "光纤"], ["网络", "覆盖", "全市", "电子政务", "万户"]])
def test_scores_equal_scipys_sparse_product_bit_for_bit(query: list[str]) -> None:
    # The column-by-column sum must add the same float64 products in the same order as
    # the scipy CSC product it replaced (issue 16), or ranks of tied chunks could move.
    sparse = pytest.importorskip("scipy.sparse")
    index = BM25(CORPUS, k1=1.5, b=0.3)
    weight_of = index.query_weights(query, {"光纤": 0.37, "万户": 0.61})
    ids = sorted(weight_of)
    reference = np.asarray(sparse.csc_matrix(index.weights)[:, ids] @ np.array([weight_of[i] for i in ids])).ravel()
    np.testing.assert_array_equal(index.scores(query, {"光纤": 0.37, "万户": 0.61}), reference.astype(np.float32))


def test_stacked_repeats_every_row() -> None:
    index = BM25(CORPUS)
    tiled = index.stacked(3)
    assert tiled.n_docs == 3 * len(CORPUS) and tiled.vocab == index.vocab
    np.testing.assert_array_equal(tiled.scores(["宽带", "光纤"]), np.tile(index.scores(["宽带", "光纤"]), 3))
    np.testing.assert_array_equal(tiled.weights.toarray(), np.vstack([index.weights.toarray()] * 3))
    with pytest.raises(PlanQAError, match="copies must be at least 1, got 0"):
        index.stacked(0)
