"""Pydantic records that cross a boundary: CLI JSON, JSONL batch, the web app's API.

Inside the pipeline stages pass frozen dataclasses; these models are the stable
public contract (see issue 3, "JSON contract"). Fields may be added, never renamed.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AskRequest(BaseModel):
    """One question, as read from `planqa ask --jsonl` or the app's API."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    question: str
    history: list[str] = Field(default_factory=list)
    doc: str | None = None


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    quote: str = Field(description="exactly document.text[start:end]")
    key: str = Field(default="", description="the span that answers: number, name or date")
    display: str = Field(default="", description="quote as shown; a table row carries its column headers")
    doc_number: str = ""
    context_start: int = 0
    context_end: int = 0
    context: str = Field(default="", description="the paragraph around the quote")
    reference: str = Field(default="", description="ready-to-paste citation for drafting (qa.answer.cite)")
    issue_date: str = Field(default="", description="the document's issuing date, e.g. '2011年1月26日'")
    kind: str = Field(default="", description="'text', or 'table_row' for a rebuilt table row ('' = unknown)")
    page: int | None = Field(default=None, description="1-based page the quote starts on (PDF documents); None without pages")


class PassageOut(BaseModel):
    doc_id: str
    chunk_id: str
    section: str
    start: int
    end: int
    text: str
    score: float
    label: str = Field(default="", description="for a related passage: what it gives instead, e.g. '2010年现状'")


class SlotsOut(BaseModel):
    """How the question was read (see qa.answer.query)."""

    places: list[str] = Field(default_factory=list)
    years: list[int] = Field(default_factory=list)
    periods: list[str] = Field(default_factory=list)
    role: str = Field(default="", description="target, status, outcome or ''")
    attribute: str = ""
    qualifiers: list[str] = Field(default_factory=list)
    answer_type: str = "what"


class ComparisonRowOut(BaseModel):
    """One side of a comparison: its own value, time role and citation."""

    side: str
    answered: bool
    value: str = ""
    year: int | None = None
    role: str = ""
    quote: str = ""
    citation: int | None = Field(default=None, description="n of the citation backing this cell")
    message: str = Field(default="", description="why this side has no answer")


class AskResponse(BaseModel):
    id: str | None = None
    question: str
    rewritten_question: str
    answerable: bool
    answer: str
    message: str = ""
    citations: list[CitationOut] = Field(default_factory=list)
    passages: list[PassageOut] = Field(default_factory=list)
    related: list[PassageOut] = Field(default_factory=list)
    confidence: float = Field(default=0.0, description="sentence score of the weakest quoted answer part")
    slots: SlotsOut = Field(default_factory=SlotsOut)
    reason: str = Field(default="", description="for a refusal: a stable code (qa.answer.policy.REASONS)")
    comparison: list[ComparisonRowOut] = Field(default_factory=list)
    verdict: str = Field(default="", description="for 谁高/哪个多: which side's quoted figure is larger")
    timing_ms: dict[str, float] = Field(default_factory=dict)
