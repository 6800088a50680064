"""A conversation as the browser keeps it: one Turn per answered question, each with its own sources.

The web app stores ``[turn.model_dump(), ...]`` in the browser (gr.BrowserState),
so a reload keeps the chat; exports and feedback are built from the same records.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.schemas import AskResponse

log = logging.getLogger(__name__)

# A browser keeps about 5 MB per site; a turn is a few kB, so the oldest go past this.
MAX_TURNS = 200


class Turn(BaseModel):
    """One question and its answer, as shown in the chat.

    Attributes:
        id: short content hash; names the turn in the page (cite buttons, feedback).
        question: as the user typed it.
        history: the earlier questions the follow-up was read with, oldest first.
        doc: the document filter, or None for all documents.
        asked_at: local time, ISO 8601 with offset.
        response: the answer without its retrieval passages (kept small for the browser).
    """

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    question: str
    history: list[str] = Field(default_factory=list)
    doc: str | None = None
    asked_at: str
    response: AskResponse


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_turn(question: str, history: list[str], doc: str | None, response: AskResponse, asked_at: str | None = None) -> Turn:
    """A turn for a fresh answer; its id hashes time, question and history."""
    asked_at = asked_at or now_iso()
    question, history = _storable(question), [_storable(h) for h in history]
    digest = hashlib.sha256("\x00".join([asked_at, question, *history]).encode("utf-8")).hexdigest()[:12]
    slim = response.model_copy(update={"passages": [], "timing_ms": {}, "question": _storable(response.question),
                                       "rewritten_question": _storable(response.rewritten_question)})
    return Turn(id=digest, question=question, history=history, doc=doc, asked_at=asked_at, response=slim)


def _storable(text: str) -> str:
    """Lone surrogates (legal in a JSON request, not in UTF-8) become '?' so the turn can be stored and hashed."""
    return text.encode("utf-8", "replace").decode("utf-8")


def load_turns(raw: Any) -> list[Turn]:
    """Turns from what the browser sent back; anything unreadable (old format, tampering) is dropped."""
    if not isinstance(raw, list):
        return []
    turns: list[Turn] = []
    for item in raw[-MAX_TURNS:]:
        try:
            turns.append(Turn.model_validate(item))
        except ValidationError as exc:
            log.warning("dropped a stored turn that does not validate: %s", str(exc).splitlines()[0])
    return turns


def dump_turns(turns: list[Turn]) -> list[dict[str, Any]]:
    return [t.model_dump() for t in turns[-MAX_TURNS:]]


def history_of(turns: list[Turn]) -> list[str]:
    """Earlier questions, oldest first: what a follow-up is read with."""
    return [t.question.strip() for t in turns]


def find_turn(turns: list[Turn], turn_id: str) -> Turn | None:
    return next((t for t in turns if t.id == turn_id), None)
