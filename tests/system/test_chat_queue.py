"""Issue 15, overload on the chat page's own path: Gradio's queue (a real server on loopback).

The browser asks through `POST /gradio_api/queue/join` and reads the answer from a
server-sent event stream. A client that closes that stream while its question waits
must cost nothing: its question never reaches the pipeline. The pipeline is held by
the test, so the order of events, not this machine's speed, decides who waits.
"""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from qa.app import web
from qa.schemas import AskResponse
from tests.system.polling import until


class HeldPipe:
    """Records every question and holds it while `go` is clear."""

    documents: tuple[Any, ...] = ()

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.go = threading.Event()

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        self.asked.append(question)
        self.go.wait(60)
        return AskResponse(question=question, rewritten_question=question, answerable=True, answer="答：" + question)


@pytest.fixture()
def served(free_port: Callable[[], int]) -> Iterator[tuple[str, HeldPipe, int]]:
    pipe = HeldPipe()
    demo = web.build_demo(pipe)
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    chat = next(i for i, f in demo.fns.items() if getattr(f.fn, "__name__", "") == "submit")
    yield demo.local_url.rstrip("/"), pipe, chat
    pipe.go.set()
    demo.close()


def _join(url: str, fn_index: int, question: str) -> str:
    """Ask as the page does; returns the session whose stream carries the answer."""
    session = uuid.uuid4().hex[:11]
    reply = httpx.post(f"{url}/gradio_api/queue/join", timeout=30, headers={"origin": url},
                       json={"data": [question, None, None, None], "fn_index": fn_index,
                             "session_hash": session, "event_data": None, "trigger_id": None})
    assert reply.status_code == 200, reply.text
    return session


def _listen(url: str, session: str, until: str) -> list[str]:
    """Read the session's event stream until a message of kind `until`, then hang up."""
    kinds: list[str] = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data?session_hash={session}", timeout=60,
                      headers={"origin": url}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                kinds.append(json.loads(line[6:])["msg"])
                if kinds[-1] == until:
                    break
    return kinds


def _waiting(url: str) -> int:
    return httpx.get(f"{url}/gradio_api/queue/status", timeout=30).json()["queue_size"]


def test_chat_questions_of_clients_that_left_are_never_answered(served: tuple[str, HeldPipe, int]) -> None:
    url, pipe, chat = served
    # Occupy every worker of the chat queue with questions whose clients stay.
    holders = [_join(url, chat, f"占用{i}") for i in range(web.CONCURRENCY)]
    done: list[list[str]] = []
    readers = [threading.Thread(target=lambda s=s: done.append(_listen(url, s, "process_completed"))) for s in holders]
    for reader in readers:
        reader.start()
    until(lambda: len(pipe.asked) == web.CONCURRENCY, "every worker busy")
    # Ten more clients ask, see that they wait in line, and close the page.
    leavers = [_join(url, chat, f"离开{i}") for i in range(10)]
    for session in leavers:
        assert "estimation" in _listen(url, session, "estimation")
    until(lambda: _waiting(url) == 0, "the line emptied of clients that left")
    # One client who stays is answered after the holders; nobody who left ever was.
    stayer = _join(url, chat, "留下")
    pipe.go.set()
    assert _listen(url, stayer, "process_completed")[-1] == "process_completed"
    for reader in readers:
        reader.join(30)
    assert len(done) == web.CONCURRENCY and all(kinds[-1] == "process_completed" for kinds in done)
    assert "留下" in pipe.asked
    assert not [q for q in pipe.asked if q.startswith("离开")]
