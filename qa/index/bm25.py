"""Okapi BM25 over pre-tokenized chunks, as a sparse weight matrix.

Scores follow Robertson & Zaragoza (2009), "The Probabilistic Relevance
Framework: BM25 and Beyond", with the Lucene idf log(1 + (N - df + .5)/(df + .5))
so that idf is never negative.

The matrix is held as plain compressed-sparse-column arrays and a query is scored
column by column exactly as scipy's CSC product does it (same products, same order
of additions, so the same float64 sums): importing scipy.sparse took ~0.15 s of a
one-shot `planqa ask` (issue 16). `weights` still hands out a scipy matrix to the
code that wants one (the Milvus rows, benchmarks).
"""
from __future__ import annotations

from collections import Counter

import numpy as np

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
        row_ids, col_ids = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        tf = np.array(tfs, dtype=np.float64)
        self.doc_freq = np.bincount(col_ids, minlength=len(self.vocab)).astype(np.float64)
        self.idf = idf(n_docs, self.doc_freq)
        norm = k1 * (1 - b + b * lengths / avg_len) if avg_len else np.full(len(corpus), k1)
        weights = self.idf[col_ids] * tf * (k1 + 1) / (tf + norm[row_ids])
        self.n_docs = len(corpus)
        self._set_columns(row_ids, col_ids, weights)

    def _set_columns(self, row_ids: np.ndarray, col_ids: np.ndarray, weights: np.ndarray) -> None:
        """Store (row, column, weight) triples column-major (rows ascending within a column):
        a query reads only the columns of its own terms."""
        order = np.argsort(col_ids, kind="stable")  # triples come row by row, so rows stay ascending
        self.indices = row_ids[order]
        self.data = weights[order]
        self.indptr = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(col_ids, minlength=len(self.vocab)), out=self.indptr[1:])

    @property
    def weights(self):
        """The weight matrix as a scipy.sparse CSC matrix (chunks x terms)."""
        from scipy import sparse

        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=(self.n_docs, len(self.vocab)))

    def stacked(self, copies: int) -> BM25:
        """The same weights, vocabulary and idf repeated `copies` times down the rows (benchmarks)."""
        if copies < 1:
            raise PlanQAError(f"copies must be at least 1, got {copies}")
        tiled = BM25.__new__(BM25)
        tiled.vocab, tiled.idf, tiled.doc_freq, tiled.n_docs = self.vocab, self.idf, self.doc_freq, self.n_docs * copies
        cols = np.repeat(np.arange(len(self.vocab), dtype=np.int64), np.diff(self.indptr))
        rows = np.concatenate([self.indices + k * self.n_docs for k in range(copies)])
        order = np.argsort(rows, kind="stable")  # row-major again, as the constructor hands them over
        tiled._set_columns(rows[order], np.tile(cols, copies)[order], np.tile(self.data, copies)[order])
        return tiled

    def scores(self, query_tokens: list[str], boosts: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query (a repeated query term counts once).

        Args:
            query_tokens: the query's terms.
            boosts: a weight per term (default 1), e.g. below 1 for terms added by query expansion.
        """
        weight_of = self.query_weights(query_tokens, boosts)
        total = np.zeros(self.n_docs, dtype=np.float64)
        for term in sorted(weight_of):  # column order, as scipy's CSC matrix-vector product adds them
            lo, hi = self.indptr[term], self.indptr[term + 1]
            total[self.indices[lo:hi]] += self.data[lo:hi] * weight_of[term]
        return total.astype(np.float32)

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
