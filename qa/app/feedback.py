"""Feedback on answers: an append-only JSONL store, and 👎 items turned into draft evaluation cases.

Each 👍/👎 is one line; adding a comment or the correct passage later appends the
same ``id`` again and the last line wins. Writers take an exclusive ``flock`` and
write a whole line at once, so concurrent writes never interleave; a line torn by
a crash is skipped on reading, with a message naming it.

Draft cases follow ``eval/dataset.jsonl`` (:class:`qa.evaluation.dataset.EvalCase`)
and are validated against the seeds before they are written. What a person must
confirm (answerable, answers, evidence) is listed in a review file beside them.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.app.conversation import Turn, now_iso
from qa.app.plain import plain_text
from qa.errors import PlanQAError
from qa.settings import REPO_ROOT

DEFAULT_FEEDBACK_FILE = REPO_ROOT / "data" / "feedback" / "feedback.jsonl"
MAX_COMMENT_CHARS = 2000
MAX_PASSAGE_CHARS = 4000
_THREAD_LOCK = threading.Lock()  # flock serializes processes; this, threads sharing one process
_VALUE = re.compile(r"[\d.,，]+\s*(?:万|亿)?(?:户|人|个|家|项|台|元|万元|亿元|%|％|公里|兆|M|G)?|[一二三四五六七八九十百千万]+[个家项条所户]")


class CitedSpan(BaseModel):
    n: int
    doc_id: str
    start: int
    end: int
    quote: str
    reference: str = ""


class FeedbackRecord(BaseModel):
    """One line of the feedback file."""

    model_config = ConfigDict(extra="ignore")

    id: str
    turn_id: str
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)
    correct_passage: str = Field(default="", max_length=MAX_PASSAGE_CHARS)
    question: str
    rewritten_question: str = ""
    history: list[str] = Field(default_factory=list)
    doc: str | None = None
    answerable: bool
    reason: str = ""
    answer: str = Field(description="the answer as plain text, as the user saw it")
    citations: list[CitedSpan] = Field(default_factory=list)
    asked_at: str = ""
    created_at: str


def record_for(turn: Turn, rating: str, comment: str = "", correct_passage: str = "",
               feedback_id: str | None = None) -> FeedbackRecord:
    """A feedback record for one answered turn (id = turn id + rating unless given)."""
    resp = turn.response
    return FeedbackRecord(
        id=feedback_id or f"{turn.id}-{rating}", turn_id=turn.id, rating=rating,
        comment=comment.strip()[:MAX_COMMENT_CHARS], correct_passage=correct_passage.strip()[:MAX_PASSAGE_CHARS],
        question=turn.question, rewritten_question=resp.rewritten_question, history=turn.history, doc=turn.doc,
        answerable=resp.answerable, reason=resp.reason, answer=plain_text(resp),
        citations=[CitedSpan(n=c.n, doc_id=c.doc_id, start=c.start, end=c.end, quote=c.quote, reference=c.reference)
                   for c in resp.citations],
        asked_at=turn.asked_at, created_at=now_iso(),
    )  # fmt: skip


def append_feedback(path: Path, record: FeedbackRecord) -> None:
    """Append one record as one line, under an exclusive lock; a torn last line is closed first."""
    line = (json.dumps(record.model_dump(), ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, open(path, "ab+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a writer died mid-line: keep its bytes on a line of their own
                    line = b"\n" + line
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_feedback(path: Path, warn: Callable[[str], None] = print) -> list[FeedbackRecord]:
    """All readable records in file order; bad lines are skipped and reported through ``warn``."""
    if not path.is_file():
        raise PlanQAError(f"feedback file {path} does not exist; 👍/👎 in the web chat write it")
    records: list[FeedbackRecord] = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                records.append(FeedbackRecord.model_validate(json.loads(raw.decode("utf-8"))))
            except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
                warn(f"{path}:{number}: skipped a damaged line ({str(exc).splitlines()[0][:120]})")
    return records


def latest(records: list[FeedbackRecord]) -> list[FeedbackRecord]:
    """The last version of each record id, in order of first appearance."""
    by_id: dict[str, FeedbackRecord] = {}
    for record in records:
        by_id[record.id] = record
    return list(by_id.values())


@dataclass(frozen=True)
class Draft:
    """A draft evaluation case and what a person should check in it."""

    case: dict[str, object]
    note: str


def _find_passage(passage: str, seeds: dict[str, str]) -> tuple[str, str] | None:
    """(doc id, exact text) of a pasted passage, trimmed of quotation marks and outer spaces."""
    text = passage.strip().strip("“”\"'「」").strip()
    if len(text) < 4:
        return None
    for doc_id, doc_text in sorted(seeds.items()):
        if text in doc_text:
            return doc_id, text
    return None


def _key_value(text: str) -> str:
    """The first number-like value of a passage (a default expected answer)."""
    match = _VALUE.search(text)
    return match.group(0).strip() if match and any(ch.isdigit() or ch in "一二三四五六七八九十" for ch in match.group(0)) else ""


def draft_case(record: FeedbackRecord, seeds: dict[str, str]) -> Draft | None:
    """A draft case for a 👎 record, or None when there is nothing to assert yet.

    Defaults, all to be confirmed by a person:
    * a correct passage found verbatim in a seed: answerable; evidence = the passage;
      answers = its first number-like value, else the passage itself (if short) or its
      first clause; type "followup" with history, else "number"/"fact";
    * no usable passage, and the system answered: the user says the answer is wrong,
      so the draft expects the documents to be silent (type "unanswerable");
    * no usable passage, and the system refused: None (the case needs the passage).
    """
    if record.rating != "down":
        return None
    digest = hashlib.sha256(f"{record.question}\x00{record.history}".encode()).hexdigest()[:10]
    base: dict[str, object] = {"id": f"feedback-{digest}", "question": record.question, "history": record.history}
    found = _find_passage(record.correct_passage, seeds) if record.correct_passage else None
    if found:
        doc_id, text = found
        value = _key_value(text)
        answer = value or (text if len(text) <= 30 else re.split(r"[，。；]", text)[0])
        kind = "followup" if record.history else ("number" if value else "fact")
        case = {**base, "answerable": True, "answers": [answer], "evidence": [{"doc": doc_id, "text": text}],
                "type": kind, "split": "dev"}
        note = f"answers defaulted to {answer!r} from the pasted passage; confirm it and the type {kind!r}"
    elif record.answerable:
        case = {**base, "answerable": False, "answers": [], "evidence": [], "type": "unanswerable", "split": "dev"}
        note = "no correct passage given: drafted as unanswerable (the answer was marked wrong); add evidence if the documents do answer"
    else:
        return None
    if record.comment:
        note += f"; user comment: {record.comment}"
    return Draft(case, note)


def export_cases(records: list[FeedbackRecord], seeds: dict[str, str], warn: Callable[[str], None] = print) -> list[Draft]:
    """Draft cases for the latest 👎 records; one per question (+history), each validated."""
    from qa.evaluation.dataset import parse_case

    drafts: dict[str, Draft] = {}
    for record in latest(records):
        if record.rating != "down":
            continue
        draft = draft_case(record, seeds)
        if draft is None:
            warn(f"feedback {record.id}: the documents were silent and no correct passage was given; no case drafted")
            continue
        try:
            parse_case(draft.case, seeds)
        except ValueError as exc:
            warn(f"feedback {record.id}: draft case does not validate ({exc}); skipped")
            continue
        drafts[str(draft.case["id"])] = draft  # a later 👎 on the same question replaces the earlier
    return list(drafts.values())


def write_cases(drafts: list[Draft], out: Path) -> Path:
    """Write the cases (JSONL) and a Markdown review list beside them; returns the review file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(d.case, ensure_ascii=False) + "\n" for d in drafts), encoding="utf-8")
    review = out.with_name(out.stem + ".review.md")
    lines = [f"# Draft evaluation cases from feedback ({len(drafts)})", "",
             "Every case is a draft: confirm `answerable`, `answers` and `evidence` before adding it to eval/dataset.jsonl.", ""]
    for d in drafts:
        lines += [f"- `{d.case['id']}` {d.case['question']}", f"  - {d.note}"]
    review.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return review
