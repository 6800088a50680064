"""Query expansion: official terms for a user's everyday words.

Two bridges, both weighted below the user's own words in BM25 and both counted as
the word in the evidence check: the plan-domain thesaurus (qa/data/thesaurus.txt),
and, for a question word the documents never use, its nearest corpus terms by e5
cosine above a floor (the vocabulary is embedded at index build).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from qa.answer.query import FRAME_WORDS
from qa.answer.thesaurus import expansions
from qa.index.encoder import Encoder
from qa.index.segment import content_words, tokenize
from qa.index.storage import LoadedIndex
from qa.index.vocab import nearest_terms


class QueryExpander:
    """Expansions for one index.

    Args:
        index: the loaded index (its vocabulary and vocabulary embeddings).
        synonyms: the thesaurus, word -> equivalents.
        mentions: whether the documents use a word (directly or by a thesaurus equivalent).
        encoder: embeds unknown words; None turns the embedding bridge off.
        weight: BM25 weight of an added term; 0 turns expansion off.
        floor: least cosine for an embedding bridge; above 1 turns it off.
    """

    def __init__(self, index: LoadedIndex, synonyms: Mapping[str, tuple[str, ...]], mentions, encoder: Encoder | None,
                 weight: float, floor: float, ignore: frozenset[str] = frozenset()) -> None:
        self.index = index
        self.synonyms = synonyms
        self.mentions = mentions
        self.encoder = encoder
        self.weight = weight
        self.floor = floor
        self.ignore = ignore

    def bridges(self, question: str) -> dict[str, tuple[str, ...]]:
        """Unknown content word -> its nearest corpus terms (above the floor)."""
        if self.encoder is None or self.floor > 1 or not len(self.index.vocab_terms):
            return {}
        words = [w for w in content_words(question)
                 if len(w) >= 2 and w not in FRAME_WORDS and w not in self.ignore and not self.mentions(w)]
        if not words:
            return {}
        vectors = self.encoder.encode_queries(words)
        found = {}
        for word, vector in zip(words, vectors):
            near = nearest_terms(np.asarray(vector), word, self.index.vocab_terms, self.index.vocab_vectors, self.floor)
            if near:
                found[word] = tuple(term for term, _ in near)
        return found

    def boosts(self, question: str, tokens: list[str], bridges: Mapping[str, tuple[str, ...]]) -> dict[str, float]:
        """Terms to add to the BM25 query, each with its (lower) weight."""
        if self.weight <= 0:
            return {}
        added = [*expansions(question, self.synonyms), *(t for near in bridges.values() for t in near)]
        extra = [t for term in added for t in tokenize(term) if t not in tokens]
        return dict.fromkeys(extra, self.weight)
