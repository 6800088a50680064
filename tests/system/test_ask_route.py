"""Issue 15, overload: `POST /api/ask` against a real server on loopback (a fake pipeline held by the test).

The pipeline blocks until the test lets it go, so who waits, who is told busy and who
is never answered follow from the order of events, not from this machine's speed.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from qa.answer.pipeline import QuestionError
from qa.app import ask_route, guard, web
from qa.app.admission import Limits
from qa.schemas import AskResponse
from tests.system.polling import until

MAX_WAITING = 24


class HeldPipe:
    """Answers at once, or holds every question while `held` is clear."""

    documents: tuple[Any, ...] = ()

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.entered = threading.Event()
        self.go = threading.Event()
        self.go.set()

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        self.asked.append(question)
        self.entered.set()
        self.go.wait(60)
        if question.startswith("拒绝"):
            raise QuestionError("问题不在规划文件范围内")
        return AskResponse(question=question, rewritten_question=question, answerable=True, answer="答：" + question)


@pytest.fixture(scope="module")
def served(free_port: Callable[[], int]) -> Iterator[tuple[str, HeldPipe]]:
    pipe = HeldPipe()
    demo = web.build_demo(pipe)
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True,
               limits=Limits(workers=1, max_waiting=MAX_WAITING, max_wait_s=60))
    yield demo.local_url.rstrip("/"), pipe
    pipe.go.set()
    demo.close()


def _post(url: str, body: dict | bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return httpx.post(url + ask_route.ASK_PATH, content=content, timeout=60,
                      headers={"content-type": "application/json", **(headers or {})})


def _stats(url: str) -> dict[str, int]:
    return httpx.get(url + ask_route.STATS_PATH, timeout=30).json()


def _raw_ask(url: str, question: str) -> socket.socket:
    """A client that sends its question and then does nothing (the test closes or reads it)."""
    parts = urlparse(url)
    body = json.dumps({"question": question}, ensure_ascii=False).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
    sock.sendall(b"POST " + ask_route.ASK_PATH.encode() + b" HTTP/1.1\r\nHost: " + parts.netloc.encode()
                 + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    return sock


def _hold_first(url: str, pipe: HeldPipe) -> tuple[threading.Thread, list[httpx.Response]]:
    """One question that occupies the only worker until `pipe.go` is set."""
    pipe.go.clear()
    pipe.entered.clear()
    replies: list[httpx.Response] = []
    first = threading.Thread(target=lambda: replies.append(_post(url, {"question": "占用"})))
    first.start()
    assert pipe.entered.wait(30)
    return first, replies


def test_a_question_is_answered_with_the_response_json(served: tuple[str, HeldPipe]) -> None:
    url, _ = served
    before = _stats(url)["computed"]
    response = _post(url, {"question": "宽带目标是多少？", "history": ["之前的问题"]})
    assert response.status_code == 200 and response.headers["x-frame-options"] == "DENY"
    assert response.json()["answer"] == "答：宽带目标是多少？"
    assert _stats(url)["computed"] == before + 1


def test_a_refused_question_is_422_in_chinese(served: tuple[str, HeldPipe]) -> None:
    response = _post(served[0], {"question": "拒绝这个"})
    assert response.status_code == 422 and response.json()["error"] == "问题不在规划文件范围内"


@pytest.mark.parametrize(
    ("body", "headers", "status", "text"),
    [
        (b'{"question": "' + b"x" * (128 * 1024) + b'"}', {}, 413, "上限"),
        ({"history": []}, {}, 422, "question"),
        ({"question": "问", "doc": "x"}, {}, 422, "doc"),
        ({"question": "问", "history": "不是列表"}, {}, 422, "history"),
        (b"[" * 5000, {}, 400, "JSON"),
        ({"question": "问"}, {"origin": "http://evil.example"}, 403, "跨站"),
        ({"question": "问"}, {"host": "evil.example"}, 400, "主机名"),
    ],
)
def test_every_guard_check_applies(served: tuple[str, HeldPipe], body: dict | bytes, headers: dict[str, str],
                                   status: int, text: str) -> None:
    url, pipe = served
    asked = len(pipe.asked)
    response = _post(url, body, headers)
    assert response.status_code == status and text in response.json()["error"]
    assert len(pipe.asked) == asked  # refused before the pipeline


def test_other_methods_are_405(served: tuple[str, HeldPipe]) -> None:
    assert httpx.get(served[0] + ask_route.ASK_PATH, timeout=30).status_code == 405


def test_clients_that_leave_are_not_answered(served: tuple[str, HeldPipe]) -> None:
    url, pipe = served
    before = _stats(url)
    first, replies = _hold_first(url, pipe)
    leavers = [_raw_ask(url, f"离开{i}") for i in range(20)]
    until(lambda: _stats(url)["waiting"] == 20, "20 waiting")
    for sock in leavers:
        sock.close()
    until(lambda: _stats(url)["abandoned"] - before["abandoned"] == 20, "20 abandoned")
    pipe.go.set()
    first.join(30)
    after = _stats(url)
    assert replies[0].status_code == 200
    assert after["computed"] - before["computed"] == 1 and after["waiting"] == 0
    assert not [q for q in pipe.asked if q.startswith("离开")]


def test_a_full_line_gets_a_fast_busy_reply(served: tuple[str, HeldPipe]) -> None:
    url, pipe = served
    first, _ = _hold_first(url, pipe)
    waiting = [_raw_ask(url, f"等待{i}") for i in range(MAX_WAITING)]
    try:
        until(lambda: _stats(url)["waiting"] == MAX_WAITING, "the line full")
        busy = _post(url, {"question": "再来一个"})
        assert busy.status_code == 503 and busy.json()["error"] == guard.BUSY
        assert busy.headers["retry-after"] == "1"
    finally:
        pipe.go.set()
        first.join(30)
    for sock in waiting:
        assert sock.recv(64).startswith(b"HTTP/1.1 200")  # the line is served once the worker is free
        sock.close()


def test_the_api_needs_the_token_when_one_is_set(free_port: Callable[[], int], monkeypatch: pytest.MonkeyPatch) -> None:
    token = "a-long-enough-token"
    monkeypatch.setenv(guard.TOKEN_ENV, token)
    demo = web.build_demo(HeldPipe())
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        url = demo.local_url.rstrip("/")
        assert os.environ[guard.TOKEN_ENV] == token
        refused = _post(url, {"question": "问"})
        assert refused.status_code == 401 and "Authorization" in refused.json()["error"]
        assert _post(url, {"question": "问"}, {"authorization": "Bearer wrong-token-here"}).status_code == 401
        assert httpx.get(url + ask_route.STATS_PATH, timeout=30).status_code == 401
        assert _post(url, {"question": "问"}, {"authorization": f"Bearer {token}"}).status_code == 200
        assert httpx.post(url + ask_route.ASK_PATH, json={"question": "问"}, auth=("anyone", token), timeout=30).status_code == 200
    finally:
        demo.close()
