"""What the app exposes: loopback by default, no files reachable through ids, no tracebacks."""
from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, ClassVar

import gradio as gr
import httpx
import pytest

from qa.answer.pipeline import Pipeline, QuestionError
from qa.app import web
from qa.app.cli import main as cli_main
from qa.app.cli import parser
from qa.schemas import AskResponse

TRAVERSAL = ["../../etc/passwd", "/etc/passwd", "..", "seeds/../../../etc/passwd", "", "\x00"]


class FailingPipe:
    documents: ClassVar[list[Any]] = []

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        raise RuntimeError("index file /srv/secret/chunks.jsonl is corrupt")


@pytest.fixture()
def launches(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Keyword arguments of every Blocks.launch call; nothing is actually served."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kwargs: calls.append(kwargs))
    return calls


def test_app_binds_loopback_unless_told(launches: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    web.launch(web.build_demo(FailingPipe()))
    monkeypatch.setattr(web, "LivePipeline", SimpleNamespace(load=lambda *args, **kwargs: FailingPipe()))  # serve follows generations
    web.serve()
    for call in launches:
        assert call["server_name"] == "127.0.0.1" and not call.get("share") and call["show_error"] is False
    assert inspect.signature(web.launch).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(web.serve).parameters["host"].default == "127.0.0.1"
    assert parser().parse_args(["serve"]).host == "127.0.0.1"
    monkeypatch.setenv("PLANQA_ACCESS_TOKEN", "a-long-enough-token")  # required off loopback (issue 15)
    web.serve(host="0.0.0.0", port=8000)  # told otherwise: honoured
    assert launches[-1]["server_name"] == "0.0.0.0" and launches[-1]["server_port"] == 8000


def test_cli_serve_passes_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(web, "serve", lambda **kwargs: seen.update(kwargs))
    assert cli_main(["serve"]) == 0
    assert seen["host"] == "127.0.0.1"


@pytest.fixture()
def file_opens() -> Iterator[list[str]]:
    """Paths opened while active (an audit hook cannot be removed, so it is switched off instead)."""
    opened: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if active and event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    yield opened
    active.clear()


@pytest.mark.slow
@pytest.mark.parametrize("doc", TRAVERSAL)
def test_doc_id_cannot_reach_files(pipe: Pipeline, file_opens: list[str], doc: str) -> None:
    with pytest.raises(QuestionError, match="未知文档"):
        pipe.ask("宽带用户目标是多少？", doc=doc)
    assert not [p for p in file_opens if "passwd" in p or p.startswith("/etc")]


@pytest.fixture(scope="module")
def failing_app(free_port: Callable[[], int]) -> Iterator[str]:
    demo = web.build_demo(FailingPipe())
    web.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    yield demo.local_url
    demo.close()


def test_internal_error_shows_no_traceback(failing_app: str) -> None:
    from gradio_client import Client

    with pytest.raises(Exception) as info:
        Client(failing_app, verbose=False).predict("咸阳宽带？", [], api_name="/ask")
    assert web.GENERIC_ERROR in str(info.value)
    assert "Traceback" not in str(info.value) and "secret" not in str(info.value)


@pytest.mark.parametrize("path", ["", "gradio_api/file=/etc/passwd", "gradio_api/file=../../../../etc/passwd",
                                  "file=/etc/passwd", "gradio_api/call/nope", "gradio_api/info"])
def test_pages_leak_no_files_or_tracebacks(failing_app: str, path: str) -> None:
    response = httpx.get(failing_app + path, timeout=30)
    # gr.BrowserState ships its (non-sensitive) encryption key in the page config under the key "secret".
    text = response.text.replace('"secret":', '"browser-state-key":')
    assert "root:" not in text and "Traceback" not in text and "secret" not in text


def test_malformed_api_request_shows_no_traceback(failing_app: str) -> None:
    for body in ("{not json", '{"data": 5}', '{"data": [null, null, null]}', '{"data": [{"a": 1}, 7]}'):
        response = httpx.post(failing_app + "gradio_api/call/ask", content=body,
                              headers={"content-type": "application/json"}, timeout=30)
        assert "Traceback" not in response.text and response.status_code < 500
        if response.status_code == 200:
            stream = httpx.get(f"{failing_app}gradio_api/call/ask/{response.json()['event_id']}", timeout=30).text
            assert "event: error" in stream and "Traceback" not in stream and "secret" not in stream
