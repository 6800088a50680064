"""Okapi BM25 over pre-tokenized chunks, as a sparse weight matrix.

Scores follow Robertson & Zaragoza (2009), "The Probabilistic Relevance
Framework: BM25 and Beyond", with the Lucene idf log(1 + (N - df + .5)/(df + .5))
so that idf is never negative.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse

from qa.errors import PlanQAError


def idf(n_docs: int, doc_freq: np.ndarray) -> np.ndarray:
    """Lucene-style BM25 idf (non-negative)."""
    return np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


class BM25:
    """Keyword index: one row per chunk, one column per term, cells hold BM25 weights.

    Args:
        corpus: token lists, one per chunk.
        k1: term-frequency saturation.
        b: length normalisation.
    """

    def __init__(self, corpus: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise PlanQAError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(corpus), dtype=np.float64)
        for row, tokens in enumerate(corpus):
            lengths[row] = len(tokens)
            for term, tf in Counter(tokens).items():
                rows.append(row)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(tf)
        n_docs = max(len(corpus), 1)
        avg_len = float(lengths.mean()) if len(corpus) else 0.0
        tf_matrix = sparse.csr_matrix((np.array(tfs, dtype=np.float64), (rows, cols)), shape=(len(corpus), len(self.vocab)))
        self.doc_freq = np.bincount(np.array(cols, dtype=np.int64), minlength=len(self.vocab)).astype(np.float64)
        self.idf = idf(n_docs, self.doc_freq)
        norm = k1 * (1 - b + b * lengths / avg_len) if avg_len else np.full(len(corpus), k1)
        coo = tf_matrix.tocoo()
        weights = self.idf[coo.col] * coo.data * (k1 + 1) / (coo.data + norm[coo.row])
        # Column-major so a query reads only the columns of its own terms.
        self.weights = sparse.csc_matrix((weights, (coo.row, coo.col)), shape=tf_matrix.shape)
        self.n_docs = len(corpus)

    def scores(self, query_tokens: list[str], boosts: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query (a repeated query term counts once).

        Args:
            query_tokens: the query's terms.
            boosts: a weight per term (default 1), e.g. below 1 for terms added by query expansion.
        """
        weight_of = self.query_weights(query_tokens, boosts)
        if not weight_of:
            return np.zeros(self.n_docs, dtype=np.float32)
        ids = sorted(weight_of)
        column_weights = np.array([weight_of[i] for i in ids])
        return np.asarray(self.weights[:, ids] @ column_weights).ravel().astype(np.float32)

    def query_weights(self, query_tokens: list[str], boosts: dict[str, float] | None = None) -> dict[int, float]:
        """The query as a sparse vector over term ids: a known term's largest boost (default 1).

        A chunk's score is the dot product of this with its row of `weights`, which is
        how an engine holding the rows as sparse vectors (Milvus) scores it too.
        """
        boosts = boosts or {}
        weight_of: dict[int, float] = {}
        for t in query_tokens:
            if t in self.vocab:
                weight_of[self.vocab[t]] = max(weight_of.get(self.vocab[t], 0.0), boosts.get(t, 1.0))
        return weight_of

    def term_idf(self, term: str) -> float:
        """idf of a term; unseen terms get the idf of a term seen once."""
        index = self.vocab.get(term)
        if index is None:
            return float(idf(max(self.n_docs, 1), np.array([1.0]))[0])
        return float(self.idf[index])
