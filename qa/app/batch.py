"""`planqa ask --jsonl` input: lines decoded and parsed one by one, each failure its own.

Issue 15: a line nested ~1,500 deep (RecursionError) or with a 5,000-digit integer
stopped the whole batch, a Notepad UTF-8 BOM or a UTF-16 file failed its first line,
and errors said "1 validation error for AskRequest" without naming the field.
"""
from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from pydantic import ValidationError

from qa.errors import PlanQAError
from qa.schemas import AskRequest

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A question is at most 2,000 characters; a longer line is refused before it is parsed.
MAX_LINE_BYTES = 1 << 20


class BadLine(PlanQAError):
    """One batch line that cannot be a request; the message names the field when there is one."""


def lines(handle: BinaryIO) -> Iterator[tuple[int, str | BadLine]]:
    """(line number, text or the reason it cannot be read); UTF-8 with or without BOM, or UTF-16 with BOM."""
    reader = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[arg-type]
    if reader.peek(2)[:2] in _UTF16_BOMS:
        try:
            text = reader.read().decode("utf-16")
        except UnicodeDecodeError as exc:
            yield 1, BadLine(f"不是合法的 UTF-16 文本（字节 {exc.start}）")
            return
        yield from enumerate(text.splitlines(), start=1)
        return
    for number, data in enumerate(reader, start=1):
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        if len(data) > MAX_LINE_BYTES:
            yield number, BadLine(f"该行过长（{len(data)} 字节）；上限 {MAX_LINE_BYTES} 字节")
            continue
        try:
            yield number, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, BadLine(f"不是合法的 utf-8 文本（第 {exc.start} 字节）")


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "（整行）"
        parts.append(f"字段 {field}：{error['msg']}")
    return "；".join(parts)


def parse(text: str) -> AskRequest:
    """One JSON line as a request.

    Raises:
        BadLine: not JSON, too deep, a number too long, or a field missing or of the wrong type (named).
    """
    try:
        raw = json.loads(text)
    except RecursionError:
        raise BadLine("JSON 嵌套过深") from None
    except json.JSONDecodeError as exc:
        raise BadLine(f"不是合法的 JSON（第 {exc.colno} 列：{exc.msg}）") from None
    except ValueError as exc:  # e.g. an integer over Python's 4,300-digit limit
        raise BadLine(f"不是可用的 JSON（{str(exc).splitlines()[0][:120]}）") from None
    if not isinstance(raw, dict):
        raise BadLine(f"每行应为一个 JSON 对象，收到 {type(raw).__name__}")
    try:
        return AskRequest.model_validate(raw)
    except ValidationError as exc:
        raise BadLine(_field_errors(exc)) from None
    except RecursionError:
        raise BadLine("JSON 嵌套过深") from None


def request_id(text: str) -> object:
    """The line's `id` when it can be read, for the error record."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return None
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, (str, int)) and len(str(value)) < 200 else None
