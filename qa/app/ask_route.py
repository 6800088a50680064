"""`POST /api/ask`: the question API answered beside Gradio's queue, through an admission Gate.

Issue 15: through Gradio's queue (join, server-sent events, per-event bookkeeping) one
API answer cost the server ~28 ms of CPU for ~6 ms of answering, and 50 clients waited
7 s (p95). This route is an ASGI middleware placed inside :class:`qa.app.guard.Guard`, so
every guard check (Host and Origin, the 64 KB body cap, field validation, the access
token off loopback) has run before it reads the body; it then answers through a
:class:`qa.app.admission.Gate`: a few answers at once, a fast 503 "busy" instead of a
wait past the deadline, and nothing computed for a client that disconnected while waiting.

    POST /api/ask        {"question": "…", "history": ["earlier question", …]}
        200 AskResponse JSON · 422 {"error"} refused question · 503 {"error": 系统繁忙…} busy
    GET  /api/ask/stats  the Gate's counts: computed, abandoned, busy, late, running, waiting

Every other request goes on to Gradio unchanged.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from qa.answer.pipeline import QuestionError
from qa.app.admission import Abandoned, Busy, Gate
from qa.app.guard import Message, Receive, Scope, Send, ask_fields

log = logging.getLogger(__name__)

ASK_PATH = "/api/ask"
STATS_PATH = "/api/ask/stats"
GENERIC_ERROR = "抱歉，处理这个问题时出了错，请稍后再试或换个问法。"
RETRY_AFTER_S = b"1"


class AskRoute:
    """ASGI middleware answering ASK_PATH and STATS_PATH itself.

    Args:
        app: the next ASGI app (Gradio).
        pipe: anything with ``ask(question, history=...) -> AskResponse`` (a LivePipeline).
        gate: the admission Gate the answers go through.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], pipe: Any, gate: Gate) -> None:
        self.app = app
        self.pipe = pipe
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").rstrip("/") if scope["type"] == "http" else ""
        if path == ASK_PATH and scope.get("method") == "POST":
            await self._ask(receive, send)
        elif path == STATS_PATH and scope.get("method") == "GET":
            await _json(send, 200, json.dumps(self.gate.snapshot()).encode())
        elif path in (ASK_PATH, STATS_PATH):
            await _json(send, 405, _error("只接受 POST /api/ask 与 GET /api/ask/stats"), [(b"allow", b"POST, GET")])
        else:
            await self.app(scope, receive, send)

    async def _ask(self, receive: Receive, send: Send) -> None:
        body = await _body(receive)
        if body is None:
            return  # the client left before sending its question
        question, history = ask_fields(json.loads(body))  # the Guard has checked the fields

        async def gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        def work() -> Any:
            return self.pipe.ask(question, history=history or None)

        try:
            answer = await self.gate.run(work, gone)
        except Abandoned:
            log.info("ask abandoned by its client before it was answered")
            return
        except Busy as busy:
            await _json(send, 503, _error(str(busy)), [(b"retry-after", RETRY_AFTER_S)])
            return
        except QuestionError as refused:
            log.info("refused question: %s", refused)  # one line, no traceback
            await _json(send, 422, _error(str(refused)))
            return
        except Exception:
            log.exception("api ask failed for question %r", question[:200])
            await _json(send, 500, _error(GENERIC_ERROR))
            return
        await _json(send, 200, answer.model_dump_json().encode())


async def _body(receive: Receive) -> bytes | None:
    """The request body (already size-checked by the Guard), or None when the client left."""
    chunks: list[bytes] = []
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _error(message: str) -> bytes:
    return json.dumps({"error": message, "detail": message}, ensure_ascii=False).encode()


async def _json(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]  # the Guard adds the security headers
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
