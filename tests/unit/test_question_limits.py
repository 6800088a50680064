"""Issue 15: an oversized question is refused before any per-character work."""
from __future__ import annotations

import time

import pytest

from qa.answer.question import QuestionError, clean_question


def test_huge_question_is_refused_before_normalising() -> None:
    started = time.perf_counter()
    with pytest.raises(QuestionError, match="问题太长"):
        clean_question("咸" * 24_000_000, 2000)
    assert time.perf_counter() - started < 0.5  # normalising 24 M characters takes seconds
