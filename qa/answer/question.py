"""Validate and normalise what a user typed before anything else sees it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qa.errors import PlanQAError

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}


class QuestionError(PlanQAError):
    """A question the pipeline cannot take; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class DocInfo:
    doc_id: str
    title: str
    doc_number: str
    city: str
    period: str


RAW_LIMIT_FACTOR = 8
_SHORT_YEAR = re.compile(r"(?<![\d.第])([0-2]\d)年(?!内|间|来|以来|以上|以内|以后|之后|后|前|左右|多|时间)")


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a user question or raise QuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文字。")
    # Refused before any per-character work (issue 15: six 24 MB questions stalled other users);
    # the margin leaves room for whitespace that normalising collapses.
    if len(question) > RAW_LIMIT_FACTOR * max_chars:
        raise QuestionError(f"问题太长（{len(question)} 字），最多 {max_chars} 字，请精简后再问。")
    # Lone surrogates cannot be encoded; control characters are noise from pasting.
    text = question.encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Cf") else ch for ch in text)
    # Full-width digits and Latin letters become ASCII so "２０１５年" matches "2015年";
    # Chinese punctuation is left alone (NFKC would turn "，" into ",").
    text = text.translate(_FULLWIDTH)
    # "07年", "09年底": a year written with two digits, as people type it (not "10年内", a span)
    text = _SHORT_YEAR.sub(r"20\1年", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("问题为空，请输入要查询的问题。")
    if len(text) > max_chars:
        raise QuestionError(f"问题太长（{len(text)} 字），最多 {max_chars} 字，请精简后再问。")
    if not re.search(r"[\w]", text):
        raise QuestionError("问题里没有可以检索的文字，请输入完整的问题。")
    return text
