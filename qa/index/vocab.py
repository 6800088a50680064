"""The corpus vocabulary and its embeddings, for bridging a user's word the plans never use.

At index build every Chinese term of two characters or more that BM25 indexes is
embedded once (through the content-hash cache); at query time a question word the
documents do not contain is embedded and its nearest corpus terms above a similarity
floor are added to the query ("网上买卖" -> "网上交易", "上网的人" -> "网民").
"""
from __future__ import annotations

import re

import numpy as np

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def vocabulary_terms(token_lists: list[list[str]]) -> list[str]:
    """The distinct indexed terms worth bridging to: two characters or more, with Chinese."""
    return sorted({t for tokens in token_lists for t in tokens if len(t) >= 2 and _CHINESE.search(t)})


def nearest_terms(word_vector: np.ndarray, word: str, terms: list[str], vectors: np.ndarray,
                  floor: float, k: int = 3) -> list[tuple[str, float]]:
    """Corpus terms most similar to one word, at least ``floor`` in cosine.

    Terms inside the word are skipped: "智能" is part of "人工智能", not a synonym of
    it, and the word's own parts are searched anyway.

    Args:
        word_vector: the word's normalized query embedding.
        word: the word itself.
        terms: the corpus vocabulary.
        vectors: normalized embeddings of ``terms``, row for row.
        floor: the least cosine similarity kept.
        k: at most this many terms.

    Returns:
        (term, similarity) pairs, best first; ties broken by the term.
    """
    if not terms:
        return []
    sims = vectors @ word_vector
    order = sorted(range(len(terms)), key=lambda i: (-float(sims[i]), terms[i]))
    found = []
    for i in order:
        if float(sims[i]) < floor:
            break
        if terms[i] in word or word in terms[i]:
            continue
        found.append((terms[i], float(sims[i])))
        if len(found) == k:
            break
    return found
