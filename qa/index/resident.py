"""What a process that answers many questions holds in memory (issue 16).

A one-shot `planqa ask` starts fastest from memory-mapped tables: jieba's dictionary
(qa.index.lexicon) and only the tokenizer pieces its question contains
(qa.index.pieces). A server, an evaluation or a benchmark answers hundreds of
questions, so it loads both into memory once (~0.7 s): after that a word lookup is a
dict lookup and a query is tokenized without building a tokenizer for it.
"""
from __future__ import annotations

from typing import Protocol

from qa.index import segment


class _Loads(Protocol):
    def load_in_memory(self) -> None: ...


def load_in_memory(encoder: _Loads | None) -> None:
    """jieba's dictionary in plain dicts and the encoder's full lean tokenizer (if any), loaded now."""
    segment.load_in_memory()
    if encoder is not None:
        encoder.load_in_memory()
