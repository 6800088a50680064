"""What answering one side of a question produced: its quotes, or the refusal that stands for it."""
from __future__ import annotations

from dataclasses import dataclass, field

from qa.answer.policy import Refusal
from qa.answer.query import QueryFacts
from qa.answer.retrieval import Hit
from qa.answer.select import Decision, Quote
from qa.answer.sides import Side


@dataclass
class SideResult:
    """One side answered: its quotes, or the refusal that stands for it."""

    side: Side
    facts: QueryFacts
    decision: Decision
    hits: list[Hit]
    refusal: Refusal | None = None
    quotes: list[Quote] = field(default_factory=list)
    # said next to the answer: how it differs from what was asked (another year's figure)
    note: str = ""
