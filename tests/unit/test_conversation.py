"""Turns kept in the browser (qa.app.conversation)."""
from __future__ import annotations

from web_samples import answer, turn

from qa.app.conversation import (
    MAX_TURNS,
    dump_turns,
    find_turn,
    history_of,
    load_turns,
    new_turn,
)
from qa.schemas import PassageOut


def test_new_turn_drops_retrieval_passages_and_hashes_an_id() -> None:
    resp = answer(passages=[PassageOut(doc_id="d", chunk_id="c", section="", start=0, end=1, text="x", score=1.0)],
                  timing_ms={"total": 3.0})
    t = new_turn("问", ["前一问"], None, resp, asked_at="2026-11-27T10:00:00+08:00")
    assert t.response.passages == [] and t.response.timing_ms == {} and t.response.citations == resp.citations
    assert t.id == new_turn("问", ["前一问"], None, resp, asked_at="2026-11-27T10:00:00+08:00").id
    assert t.id != new_turn("问", [], None, resp, asked_at="2026-11-27T10:00:00+08:00").id


def test_load_turns_round_trips_and_drops_what_does_not_validate() -> None:
    a, b = turn(asked_at="2026-11-27T10:00:00+08:00"), turn(asked_at="2026-11-27T10:01:00+08:00")
    assert load_turns(dump_turns([a, b])) == [a, b]
    assert load_turns([{"id": "not hex!", "question": "x"}, 3, None, *dump_turns([b])]) == [b]
    assert load_turns(None) == [] and load_turns("x") == []


def test_only_the_latest_turns_are_kept() -> None:
    many = [turn(asked_at=f"2026-11-27T10:{i // 60:02d}:{i % 60:02d}+08:00") for i in range(MAX_TURNS + 5)]
    kept = load_turns(dump_turns(many))
    assert len(kept) == MAX_TURNS and kept[-1] == many[-1]


def test_history_and_lookup() -> None:
    a = turn(answer(question="第一问"))
    assert history_of([a]) == ["第一问"] and find_turn([a], a.id) == a and find_turn([a], "abcdef") is None
