"""Issue 15, batch input: every `--jsonl` line judged on its own; BOM and UTF-16 read; fields named."""
from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from qa.answer import pipeline as pipeline_module
from qa.app import batch
from qa.app.cli import main
from qa.schemas import AskResponse

GOOD = {"id": "a", "question": "宽带目标是多少？"}


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("[" * 1500 + "]" * 1500, "嵌套过深|JSON 对象"),
        ('{"id": "x", "question": ' + "[" * 1500 + "]" * 1500 + "}", "嵌套过深|question"),
        ('{"id": 1' + "0" * 5000 + ', "question": "问"}', "JSON"),
        ('{"question": 1' + "0" * 5000 + "}", "JSON"),
        ("{not json", "不是合法的 JSON"),
        ("{}", "字段 question"),
        ('{"question": "问", "history": "旧"}', "字段 history"),
        ('{"question": "问", "id": ["x"]}', "字段 id"),
        ('"just a string"', "JSON 对象"),
    ],
)
def test_bad_lines_are_refused_alone(line: str, match: str) -> None:
    with pytest.raises(batch.BadLine, match=match):
        batch.parse(line)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"\n".join(json.dumps(GOOD, ensure_ascii=False).encode() for _ in range(2)),
        "\n".join(json.dumps(GOOD, ensure_ascii=False) for _ in range(2)).encode("utf-16"),
        codecs.BOM_UTF16_BE + "\r\n".join(json.dumps(GOOD, ensure_ascii=False) for _ in range(2)).encode("utf-16-be"),
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be-crlf"],
)
def test_bom_and_utf16_files_are_read(data: bytes) -> None:
    read = list(batch.lines(io.BytesIO(data)))
    assert [batch.parse(text).question for _, text in read if isinstance(text, str) and text.strip()] == [GOOD["question"]] * 2


class EchoPipe:
    documents: ClassVar[list[Any]] = []

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None, id: str | None = None) -> AskResponse:
        return AskResponse(id=id, question=question, rewritten_question=question, answerable=True, answer="答")


def test_cli_batch_goes_on_after_each_bad_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(pipeline_module.Pipeline, "load", classmethod(lambda cls, *a, **k: EchoPipe()))
    lines = [
        json.dumps(GOOD, ensure_ascii=False),
        "[" * 1500 + "]" * 1500,
        '{"id": "big", "question": 1' + "0" * 5000 + "}",
        '{"id": "no-question"}',
        json.dumps({**GOOD, "id": "last"}, ensure_ascii=False),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + "\n".join(lines).encode())
    assert main(["ask", "--jsonl", str(path)]) == 1
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, None, "no-question", "last"]
    assert "question" in out[3]["error"] and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 3

