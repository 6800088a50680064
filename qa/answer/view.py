"""The narrow, read-only view of an index that answer selection works on.

Selection needs texts, chunks, sentences with their vectors and the role of every
passage; not the BM25 matrix, the FAISS index or the manifest.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.answer.roles import STATUS_SECTIONS, DocProfile, profile, section_role
from qa.answer.thesaurus import load_thesaurus
from qa.index.storage import LoadedIndex, Sentence
from qa.ingest.chunking import Chunk
from qa.ingest.documents import Document


@dataclass(frozen=True)
class AnswerView:
    """What answer selection and presentation read.

    Attributes:
        documents: doc id -> document (its text is what every span points into).
        chunks: all chunks, by position.
        sentences: answer candidates (sentences and whole table rows).
        sentence_vectors: normalized embeddings of ``sentences``.
        chunk_sentences: sentence ids of each chunk.
        chunk_roles: the section role of each chunk (see :mod:`qa.answer.roles`).
        profiles: doc id -> the document's kind, period and status year.
        synonyms: the thesaurus, word -> its equivalents.
    """

    documents: dict[str, Document]
    chunks: list[Chunk]
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    chunk_sentences: list[list[int]]
    chunk_roles: tuple[str, ...]
    profiles: dict[str, DocProfile]
    synonyms: dict[str, tuple[str, ...]]
    doc_chunks: dict[str, tuple[int, ...]]  # each document's chunk positions, so list search stays within one document

    @classmethod
    def of(cls, index: LoadedIndex) -> AnswerView:
        """Build the view once per loaded index."""
        roles = tuple(section_role(chunk.section) for chunk in index.chunks)
        status_texts: dict[str, list[str]] = {doc_id: [] for doc_id in index.documents}
        for chunk, role in zip(index.chunks, roles):
            if role in STATUS_SECTIONS:
                status_texts[chunk.doc_id].append(chunk.text)
        profiles = {doc_id: profile(doc, status_texts[doc_id]) for doc_id, doc in index.documents.items()}
        return cls(index.documents, index.chunks, index.sentences, index.sentence_vectors,
                   index.chunk_sentences, roles, profiles, load_thesaurus(),
                   # the index's own per-document chunk ids (one pass at load; per document it was ~100 s at 1000x)
                   {d: tuple(index.doc_chunk_ids[d].tolist()) for d in index.documents})

    def text(self, doc_id: str) -> str:
        return self.documents[doc_id].text

    def neighbour(self, chunk: int, start: int, end: int, after: bool) -> Sentence | None:
        """The sentence of the chunk's passage right after ``end`` (or right before ``start``)."""
        sentences = [self.sentences[s] for s in self.chunk_sentences[chunk]]
        if after:
            return next((s for s in sentences if s.start >= end), None)
        before = [s for s in sentences if s.end <= start]
        return before[-1] if before else None
