"""Issue 15, web exposure: each attack against a real server on loopback (a fake, instant pipeline)."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest

from qa.answer.pipeline import QuestionError
from qa.app import guard, web
from qa.errors import PlanQAError
from qa.schemas import AskResponse


class QuickPipe:
    documents: ClassVar[list[Any]] = []

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        if question.startswith("拒绝"):
            raise QuestionError("问题不在规划文件范围内")
        return AskResponse(question=question, rewritten_question=question, answerable=True, answer="答：" + question)


@pytest.fixture(scope="module")
def url(free_port: Callable[[], int]) -> Iterator[str]:
    demo = web.build_demo(QuickPipe())
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    yield demo.local_url.rstrip("/")
    demo.close()


def _call(url: str, body: bytes | dict, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{url}/gradio_api/call/ask", content=content, timeout=30,
                      headers={"content-type": "application/json", **(headers or {})})


def _answer(url: str, event: httpx.Response) -> str:
    event_id = event.json()["event_id"]
    with httpx.stream("GET", f"{url}/gradio_api/call/ask/{event_id}", timeout=30) as stream:
        text = "".join(stream.iter_text())
    lines = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    return text + json.dumps(lines, ensure_ascii=False)


def test_a_normal_question_is_answered(url: str) -> None:
    response = _call(url, {"data": ["宽带目标是多少？", []]})
    assert response.status_code == 200
    assert "答：宽带目标是多少？" in _answer(url, response)


def test_huge_body_is_refused_before_parsing(url: str) -> None:
    started = time.perf_counter()
    response = _call(url, b'{"data": ["' + b"x" * (20 * 1024 * 1024) + b'", []]}')
    assert response.status_code == 413 and "上限" in response.json()["error"]
    assert time.perf_counter() - started < 10


def test_huge_chunked_body_is_refused(url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"data": ["'
        for _ in range(200):
            yield b"x" * 65536
        yield b'"]}'

    response = httpx.post(f"{url}/gradio_api/call/ask", content=chunks(), timeout=30)
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "data"),
        ({"data": []}, "1–2"),
        ({"data": ["问", [], "doc-1"]}, "1–2"),
        ({"data": {"question": "问", "doc": "x"}}, "doc"),
        ({"data": [123, []]}, "question"),
        ({"data": ["问", "not a list"]}, "history"),
        ({"data": ["问", ["早"] * 50]}, "history"),
    ],
)
def test_bad_api_fields_are_a_4xx_naming_the_field(url: str, body: dict, field: str) -> None:
    response = _call(url, body)
    assert response.status_code == 422
    assert field in response.json()["error"]
    assert response.json()["detail"][0]["parameter_name"] in field or field == "1–2"


def test_gradio_client_reads_the_refusal(url: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import ValidationError

    with pytest.raises(ValidationError, match="history"):
        Client(url, verbose=False).predict("问", ["早"] * 50, api_name="/ask")


def test_bad_json_is_400(url: str) -> None:
    assert _call(url, b"[" * 5000).status_code == 400


def test_upload_route_is_closed(url: str) -> None:
    response = httpx.post(f"{url}/gradio_api/upload", files={"files": ("a.txt", b"x" * 4096)}, timeout=30)
    assert response.status_code == 403


def test_cross_origin_post_is_refused(url: str) -> None:
    response = _call(url, {"data": ["问", []]}, {"origin": "http://evil.example"})
    assert response.status_code == 403
    same = _call(url, {"data": ["问", []]}, {"origin": url})
    assert same.status_code == 200


def test_foreign_host_is_refused(url: str) -> None:
    response = httpx.get(f"{url}/", headers={"host": "evil.example"}, timeout=30)
    assert response.status_code == 400
    assert "evil.example" not in response.text.replace("主机名 evil.example", "")


def test_security_headers(url: str) -> None:
    response = httpx.get(f"{url}/", timeout=30)
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_refusal_is_logged_as_one_line(url: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO)
    text = _answer(url, _call(url, {"data": ["拒绝这个问题", []]}))
    assert "问题不在规划文件范围内" in text
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


def test_wildcard_bind_needs_a_token() -> None:
    with pytest.raises(PlanQAError, match="PLANQA_ACCESS_TOKEN"):
        guard.launch_options(None, "0.0.0.0", {}, env={})
    options = guard.launch_options(None, "0.0.0.0", {}, env={"PLANQA_ACCESS_TOKEN": "a-long-enough-token"})
    assert options["auth"]("anyone", "a-long-enough-token") and not options["auth"]("anyone", "wrong")
    assert "auth" not in guard.launch_options(None, "127.0.0.1", {}, env={})


def test_wildcard_bind_warns_about_tls(capsys: pytest.CaptureFixture[str]) -> None:
    guard.launch_options(None, "0.0.0.0", {}, env={"PLANQA_ACCESS_TOKEN": "a-long-enough-token"})
    assert "TLS proxy" in capsys.readouterr().err


def test_queue_is_bounded() -> None:
    demo = web.build_demo(QuickPipe())
    assert demo._queue.max_size == guard.QUEUE_MAX_SIZE


class SlowPipe(QuickPipe):
    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        time.sleep(1.5)
        return super().ask(question, history, doc)


def test_full_queue_gets_a_busy_reply(free_port: Callable[[], int], monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(guard, "QUEUE_MAX_SIZE", 2)
    demo = web.build_demo(SlowPipe())
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        url = demo.local_url.rstrip("/")
        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda _: _call(url, {"data": ["问", []]}), range(16)))
        busy = [r for r in replies if r.status_code == 503]
        assert busy and all(r.json()["error"] == guard.BUSY for r in busy)
        assert [r for r in replies if r.status_code == 200]
    finally:
        demo.close()


def test_origin_of_an_allowed_name_passes_behind_a_proxy() -> None:
    policy = guard.Policy(hosts=frozenset({"plan.example.org", *guard.LOOPBACK_NAMES}))
    headers = {"host": "127.0.0.1:7860", "origin": "https://plan.example.org", "content-length": "10"}
    guard.check_headers(policy, "POST", "/gradio_api/call/ask", headers)
    with pytest.raises(guard.Refusal, match="跨站"):
        guard.check_headers(policy, "POST", "/gradio_api/call/ask", {**headers, "origin": "https://evil.example"})
