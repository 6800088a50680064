"""Feedback store and draft evaluation cases (qa.app.feedback)."""
from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest
from web_samples import QUOTE, answer, silent, turn

from qa.app.feedback import (
    append_feedback,
    draft_case,
    export_cases,
    latest,
    read_feedback,
    record_for,
    write_cases,
)
from qa.errors import PlanQAError
from qa.evaluation.dataset import load_dataset

SEEDS = {
    "xianyang-12th": "咸阳规划\n城镇居民拥有电脑数达到85/百户，全市宽带用户达到95万户，城镇家庭上网率达到80%。\n",
    "baoji": "宝鸡规划\n宽带用户数超过60万户，数字电视用户突破35万户。\n",
}


def _write_many(path: str, worker: int, count: int) -> None:
    t = turn(answer(question=f"问题{worker}"))
    for i in range(count):
        append_feedback(Path(path), record_for(t, "down", comment=f"{worker}-{i}" + "长" * 500, feedback_id=f"{worker}-{i}"))


def test_records_round_trip_and_later_lines_win(tmp_path: Path) -> None:
    path = tmp_path / "feedback" / "fb.jsonl"
    t = turn()
    append_feedback(path, record_for(t, "down"))
    append_feedback(path, record_for(t, "down", "数字不对", "全市宽带用户达到95万户"))
    records = read_feedback(path)
    assert len(records) == 2 and records[0].id == records[1].id == f"{t.id}-down"
    [last] = latest(records)
    assert last.comment == "数字不对" and last.citations[0].quote == QUOTE and last.history == []
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["question"] == t.question  # readable UTF-8


def test_torn_line_is_skipped_with_a_message_and_the_next_append_survives(tmp_path: Path) -> None:
    path = tmp_path / "fb.jsonl"
    t = turn()
    append_feedback(path, record_for(t, "up"))
    with open(path, "ab") as handle:
        handle.write(b'{"id": "torn", "rating": "do')  # a writer killed mid-line
    append_feedback(path, record_for(t, "down"))
    messages: list[str] = []
    records = read_feedback(path, warn=messages.append)
    assert [r.rating for r in records] == ["up", "down"]
    assert len(messages) == 1 and messages[0].startswith(f"{path}:2: skipped a damaged line")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fb.jsonl"
    # Processes first: a fork while a writer thread holds the in-process lock would copy it held.
    procs = [multiprocessing.get_context("fork").Process(target=_write_many, args=(str(path), w, 20)) for w in range(4, 7)]
    threads = [threading.Thread(target=_write_many, args=(str(path), w, 20)) for w in range(4)]
    for job in (*procs, *threads):
        job.start()
    for job in (*threads, *procs):
        job.join()
    messages: list[str] = []
    records = read_feedback(path, warn=messages.append)
    assert messages == [] and len(records) == 7 * 20
    assert {r.id for r in records} == {f"{w}-{i}" for w in range(7) for i in range(20)}


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PlanQAError, match="does not exist"):
        read_feedback(tmp_path / "none.jsonl")


def test_thumbs_down_with_a_pasted_passage_becomes_an_answerable_case() -> None:
    record = record_for(turn(silent(question="咸阳宽带用户目标？")), "down", "应能回答", "“全市宽带用户达到95万户”")
    draft = draft_case(record, SEEDS)
    assert draft is not None
    assert draft.case["answerable"] is True and draft.case["answers"] == ["95万户"]
    assert draft.case["evidence"] == [{"doc": "xianyang-12th", "text": "全市宽带用户达到95万户"}]
    assert draft.case["type"] == "number" and draft.case["split"] == "dev" and "confirm" in draft.note


def test_thumbs_down_on_an_answer_without_passage_expects_silence() -> None:
    draft = draft_case(record_for(turn(answer(), history=["前一问"]), "down"), SEEDS)
    assert draft is not None and draft.case["answerable"] is False and draft.case["type"] == "unanswerable"
    assert draft.case["history"] == ["前一问"]


def test_no_case_for_thumbs_up_or_a_refusal_without_passage() -> None:
    assert draft_case(record_for(turn(), "up"), SEEDS) is None
    assert draft_case(record_for(turn(silent()), "down"), SEEDS) is None
    assert draft_case(record_for(turn(silent()), "down", correct_passage="不在任何文档里的话"), SEEDS) is None


def test_exported_cases_load_as_an_evaluation_dataset(tmp_path: Path) -> None:
    path = tmp_path / "fb.jsonl"
    for record in (record_for(turn(answer()), "down"),
                   record_for(turn(silent()), "down", correct_passage="宽带用户数超过60万户"),
                   record_for(turn(silent(question="另一个")), "down"),
                   record_for(turn(answer(question="好回答")), "up")):
        append_feedback(path, record)
    messages: list[str] = []
    drafts = export_cases(read_feedback(path), SEEDS, warn=messages.append)
    assert len(drafts) == 2 and len(messages) == 1 and "no case drafted" in messages[0]
    out = tmp_path / "cases.jsonl"
    review = write_cases(drafts, out)
    cases = load_dataset(out, SEEDS, split="dev")
    assert {c.answerable for c in cases} == {True, False}
    assert "confirm" in review.read_text(encoding="utf-8")
