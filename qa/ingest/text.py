"""Span-keeping text helpers shared by the chunker and the answerer.

Every function returns (start, end) offsets into the string it was given, so a
quote can always be cut back out of the original document verbatim.
"""
from __future__ import annotations

import re

# Sentence ends in Chinese plan prose; a closing quote or bracket right after
# the mark belongs to the sentence it closes.
_SENTENCE_END = re.compile(r"[。！？；!?]+[”’」』）)]*|\n+")
_CLAUSE_END = re.compile(r"[，,、：:]+")
_SPACE = " \t\xa0\u3000\r\n\x0b\x0c\x85\u2028\u2029"


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither begins nor ends with white space."""
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def _split(text: str, start: int, end: int, marks: re.Pattern[str]) -> list[tuple[int, int]]:
    """Cut [start, end) after every match of `marks`; trimmed, non-empty pieces."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in marks.finditer(text, start, end):
        piece = strip_span(text, cursor, match.end())
        if piece[1] > piece[0]:
            spans.append(piece)
        cursor = match.end()
    piece = strip_span(text, cursor, end)
    if piece[1] > piece[0]:
        spans.append(piece)
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences at 。！？； and line breaks.

    Args:
        text: the whole document (offsets refer to it).
        start: first character of the region.
        end: one past the last character; defaults to len(text).

    Returns:
        Non-empty, white-space-trimmed spans in order, covering every non-space character.
    """
    return _split(text, start, len(text) if end is None else end, _SENTENCE_END)


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one sentence into clauses at commas and colons (marks stay with the clause)."""
    return _split(text, start, end, _CLAUSE_END)


def squeeze(text: str) -> str:
    """Remove all white space (table cells like '名          称' mean '名称')."""
    return re.sub(r"[\s\u3000]+", "", text)
