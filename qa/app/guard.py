"""What stands between the network and the app: limits before work, host and origin checks,
security headers, a clean 4xx for a malformed `ask` call, a busy reply, and auth off loopback.

A plain ASGI middleware (no gradio import; web.py is the only gradio importer) handed to
gradio's FastAPI app through ``launch(app_kwargs={"middleware": [...]})``, so every
request passes here before gradio parses a byte of it. It does not buffer responses
(the queue streams server-sent events), except the small 503 a full queue sends.
Issue 15 lists the attacks each check answers.
"""
from __future__ import annotations

import base64
import hmac
import ipaddress
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.middleware import Middleware

from qa.errors import PlanQAError

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# A question is at most 2,000 characters (Settings.max_question_chars), 6 KB in UTF-8;
# with escaping and history 64 KB is ample and a 200 MB body never reaches the parser.
ASK_MAX_BYTES = 64 * 1024
# The chat's own events carry the visible conversation, which grows with each turn.
OTHER_MAX_BYTES = 1024 * 1024
MAX_HISTORY = 20
# Queue bound: at ~40 answers/s on 2 cores, 64 waiting events clear in under 2 s,
# so a client is answered or told "busy" well within 5 s (issue 15 goal).
QUEUE_MAX_SIZE = 64
BUSY = "系统繁忙，请稍后再试"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
API_PREFIX = "/api/"
TOKEN_ENV = "PLANQA_ACCESS_TOKEN"
HOSTS_ENV = "PLANQA_ALLOWED_HOSTS"
ASK_FIELDS = ("question", "history")
SECURITY_HEADERS = (
    # Scripts and styles stay as gradio ships them; framing, plugins and <base> tricks are off.
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class Refusal(PlanQAError):
    """A request turned away before the app sees it; `status` is the HTTP status, `field` the bad API field."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Policy:
    """What the guard lets through.

    Args:
        hosts: accepted Host names (lower case, no port); empty = any (a wildcard bind
            with no PLANQA_ALLOWED_HOSTS; auth is then required instead).
        ask_fn_indexes: gradio fn_index values of the `ask` API, checked on /queue/join.
        uploads: whether gradio's upload route is open at all.
        upload_max_bytes: the largest upload body when it is.
        token: PLANQA_ACCESS_TOKEN; when set, the JSON API under API_PREFIX (which Gradio's
            login does not cover) needs it as `Authorization: Bearer <token>` (or Basic, any user).
    """

    hosts: frozenset[str] = frozenset(LOOPBACK_NAMES)
    ask_fn_indexes: frozenset[int] = field(default_factory=frozenset)
    uploads: bool = False
    upload_max_bytes: int = 0
    ask_max_bytes: int = ASK_MAX_BYTES
    other_max_bytes: int = OTHER_MAX_BYTES
    token: str = ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """`example.org:7860` → `example.org`; `[::1]:7860` → `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _is_upload(path: str) -> bool:
    return path.rstrip("/").endswith("/upload") or path.rstrip("/").endswith("/upload_progress")


def _is_ask_path(path: str) -> bool:
    return path.rstrip("/").endswith(("/call/ask", "/run/ask", "/api/ask"))


def _is_direct(path: str) -> bool:
    """The app's own JSON API (qa.app.ask_route), outside Gradio and its login."""
    return path.startswith(API_PREFIX)


def _token_ok(token: str, authorization: str) -> bool:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        try:
            value = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return False
    elif scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def check_headers(policy: Policy, method: str, path: str, headers: dict[str, str]) -> None:
    """Host, origin, upload and declared-size checks, all before the body is read."""
    host = _host_name(headers.get("host", ""))
    if policy.hosts and host not in policy.hosts:
        raise Refusal(400, f"主机名 {host or '（空）'} 不被接受；允许：{sorted(policy.hosts)}（见 {HOSTS_ENV}）")
    if _is_upload(path) and not policy.uploads:
        raise Refusal(403, "本应用不接受文件上传")
    if policy.token and _is_direct(path) and not _token_ok(policy.token, headers.get("authorization", "")):
        raise Refusal(401, f"需要访问口令：请求头 Authorization: Bearer <{TOKEN_ENV}>")
    if method not in _UNSAFE:
        return
    origin = headers.get("origin")
    origin_host = _host_name(origin.split("://", 1)[-1]) if origin else ""
    # Same origin, or an allowed name (a TLS proxy may pass Host: 127.0.0.1 and the public Origin).
    if origin and origin != "null" and origin_host != host and origin_host not in policy.hosts:
        raise Refusal(403, "不接受跨站请求（Origin 与 Host 不一致）")
    if origin == "null" or headers.get("sec-fetch-site") == "cross-site":
        raise Refusal(403, "不接受跨站请求")
    declared = headers.get("content-length", "")
    limit = policy.ask_max_bytes if _is_ask_path(path) else policy.upload_max_bytes if _is_upload(path) else policy.other_max_bytes
    if declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"请求体过大（{int(declared)} 字节）；上限 {limit} 字节")


def check_ask_payload(payload: Any, flat: bool = False) -> None:
    """The `ask` API's data: [question, history?] or {question, history?}; names the bad field.

    Args:
        flat: the body is the fields object itself (``POST /api/ask``), not Gradio's ``{"data": ...}``.

    Lengths are the pipeline's to judge (the 64 KB body cap already bounds its work), so the
    API and the chat refuse a long question with the same words.
    """
    if flat:
        if not isinstance(payload, dict):
            raise Refusal(422, "请求体应为 JSON 对象 {question, history}", "question")
        _check_fields(payload)
        return
    if not isinstance(payload, dict) or "data" not in payload:
        raise Refusal(422, "缺少字段 data：应为 [question, history]", "data")
    data = payload["data"]
    if isinstance(data, list):
        if not 1 <= len(data) <= len(ASK_FIELDS):
            raise Refusal(422, f"data 应有 1–2 项（question, history），收到 {len(data)} 项", "data")
        data = dict(zip(ASK_FIELDS, data))
    if not isinstance(data, dict):
        raise Refusal(422, "字段 data 应为列表 [question, history]", "data")
    _check_fields(data)


def _check_fields(data: dict[str, Any]) -> None:
    extra = sorted(set(data) - set(ASK_FIELDS))
    if extra:
        raise Refusal(422, f"未知字段 {extra[0]}；允许的字段：{list(ASK_FIELDS)}", extra[0])
    question, history = data.get("question"), data.get("history")
    if not isinstance(question, str):
        raise Refusal(422, "字段 question 缺失或不是字符串", "question")
    if history is None:
        return
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise Refusal(422, "字段 history 应为之前问题（字符串）的列表", "history")
    if len(history) > MAX_HISTORY:
        raise Refusal(422, f"字段 history 过长：至多 {MAX_HISTORY} 条（收到 {len(history)} 条）", "history")


def ask_fields(payload: dict[str, Any]) -> tuple[str, list[str]]:
    """(question, history) of a ``POST /api/ask`` body that :func:`check_ask_payload` passed."""
    return payload["question"], list(payload.get("history") or [])


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refusing as soon as it passes `limit` (chunked bodies too)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refusal(400, "客户端已断开")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refusal(413, f"请求体过大；上限 {limit} 字节")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = [False]

    async def again() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _wants_ask_check(policy: Policy, path: str, body: bytes) -> Any:
    """The parsed body when it is an `ask` call (by route or by fn_index), else None."""
    on_queue = path.rstrip("/").endswith("/queue/join")
    if not (_is_ask_path(path) or on_queue):
        return None
    try:
        payload = json.loads(body or b"null")
    except (ValueError, RecursionError):
        raise Refusal(400, "请求体不是合法的 JSON") from None
    if on_queue and not (isinstance(payload, dict) and payload.get("fn_index") in policy.ask_fn_indexes):
        return None
    return payload


def _with_headers(send: Send, busy_rewrite: bool) -> Send:
    """Security headers on every response; a full queue's 503 says BUSY in Chinese."""
    held: list[Message] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
            message = {**message, "headers": headers + list(SECURITY_HEADERS)}
            if busy_rewrite and message.get("status") == 503:
                held.append(message)
                return
        elif held and message["type"] == "http.response.body":
            body = json.dumps({"error": BUSY, "detail": BUSY}, ensure_ascii=False).encode()
            start = held.pop()
            headers = [h for h in start["headers"] if h[0].lower() not in (b"content-length", b"content-type")]
            await send({**start, "headers": headers + [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            log.info("refused: %s (queue full)", BUSY)
            message = {"type": "http.response.body", "body": body, "more_body": False}
        await send(message)

    return wrapped


async def _refuse(send: Send, refusal: Refusal, method: str, path: str) -> None:
    log.info("refused %s %s: %d %s", method, path, refusal.status, refusal)  # one line, no traceback
    detail: object = str(refusal)
    if refusal.field:  # the shape gradio_client reads a 422 in, so its error names the field too
        detail = [{"__type__": "validate", "is_valid": False, "parameter_name": refusal.field, "message": str(refusal)}]
    body = json.dumps({"error": str(refusal), "detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if refusal.status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="planqa"'))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers + list(SECURITY_HEADERS)})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Guard:
    """ASGI middleware applying a Policy to every HTTP request (and Host to websockets)."""

    def __init__(self, app: Callable[..., Awaitable[None]], policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", "GET"), scope.get("path", "")
        try:
            check_headers(self.policy, method, path, _headers(scope))
            if scope["type"] == "http" and method in _UNSAFE:
                limit = self.policy.ask_max_bytes if _is_ask_path(path) else self.policy.other_max_bytes
                body = await _read_body(receive, limit)
                payload = _wants_ask_check(self.policy, path, body)
                if payload is not None:
                    if len(body) > self.policy.ask_max_bytes:  # an ask sent through /queue/join
                        raise Refusal(413, f"请求体过大；上限 {self.policy.ask_max_bytes} 字节")
                    check_ask_payload(payload, flat=_is_direct(path))
                receive = _replay(body, receive)
        except Refusal as refusal:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _refuse(send, refusal, method, path)
            return
        if scope["type"] == "http":
            send = _with_headers(send, busy_rewrite=path.rstrip("/").endswith(("/queue/join", "/call/ask")))
        await self.app(scope, receive, send)


def allowed_hosts(host: str, extra: str | None) -> frozenset[str]:
    """Loopback names, the bound name (unless a wildcard), and PLANQA_ALLOWED_HOSTS."""
    names = {n.strip().lower() for n in (extra or "").split(",") if n.strip()}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host.strip("[]").lower())
    if not names and host in ("0.0.0.0", "::", ""):
        return frozenset()  # any name: a wildcard bind without a list; auth is required then
    return frozenset(names | set(LOOPBACK_NAMES))


def _auth(token: str) -> Callable[[str, str], bool]:
    def check(user: str, password: str) -> bool:
        return hmac.compare_digest(password.encode(), token.encode())

    return check


def launch_options(demo: Any, host: str, kwargs: dict[str, Any], env: MutableMapping[str, str] | None = None,
                   uploads: int = 0, inner: Sequence[Middleware] = ()) -> dict[str, Any]:
    """Launch keyword arguments with the guard installed; auth required off loopback.

    Args:
        uploads: the largest upload in bytes when the documents tab takes uploads; 0 closes
            gradio's upload route.
        inner: middleware that runs after the guard's checks (the JSON API, qa.app.ask_route).

    Raises:
        PlanQAError: binding beyond loopback without PLANQA_ACCESS_TOKEN.
    """
    env = os.environ if env is None else env
    options = dict(kwargs)
    token = env.get(TOKEN_ENV, "")
    if not is_loopback(host):
        if len(token) < 12:
            raise PlanQAError(
                f"监听 {host} 会把应用暴露给网络：请设置至少 12 个字符的 {TOKEN_ENV}（登录密码），"
                "或只监听 127.0.0.1"
            )
        print(
            f"planqa: warning: serving on {host} with a password but plain HTTP; put it behind a TLS proxy "
            f"(e.g. Caddy `reverse_proxy 127.0.0.1:<port>` or nginx `proxy_pass`) and set {HOSTS_ENV} "
            "to the public host name",
            file=sys.stderr,
        )
    if token:
        options.setdefault("auth", _auth(token))
        options.setdefault("auth_message", "请输入访问口令（任意用户名）")
    fn_indexes = frozenset(i for i, fn in getattr(demo, "fns", {}).items() if getattr(fn, "api_name", None) == "ask")
    policy = Policy(hosts=allowed_hosts(host, env.get(HOSTS_ENV)), ask_fn_indexes=fn_indexes,
                    uploads=uploads > 0, upload_max_bytes=uploads, token=token)
    app_kwargs = dict(options.pop("app_kwargs", None) or {})
    app_kwargs["middleware"] = [*app_kwargs.get("middleware", []), Middleware(Guard, policy=policy), *inner]
    options["app_kwargs"] = app_kwargs
    options.setdefault("max_file_size", uploads or "1kb")  # without the documents tab the route is closed too
    # Temporary files gradio may still write are removed hourly, none kept over an hour.
    if demo is not None and getattr(demo, "delete_cache", None) is None:
        demo.delete_cache = (3600, 3600)
    return options
