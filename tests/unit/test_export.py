"""Conversation export (qa.app.export): Markdown text and a Word file opened with python-docx."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from web_samples import (
    QUOTE,
    REFERENCE,
    ROW,
    TITLES,
    answer,
    comparison,
    row_cite,
    silent,
    turn,
)

from qa.app.export import to_markdown, write_export
from qa.errors import PlanQAError


def _turns() -> list:
    return [turn(answer(), asked_at="2026-11-27T10:00:00+08:00"),
            turn(comparison(), asked_at="2026-11-27T10:01:00+08:00"),
            turn(silent(), asked_at="2026-11-27T10:02:00+08:00"),
            turn(answer(question="宝鸡数字档案馆工程计划经费多少？", citations=[row_cite()], answer="数字档案馆工程 · 计划经费：**840万元** [1]"),
                 asked_at="2026-11-27T10:03:00+08:00")]


def test_markdown_has_each_question_answer_quote_and_reference() -> None:
    text = to_markdown(_turns(), TITLES)
    assert text.startswith("# PlanQA 规划问答记录")
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## 问题 1：到2015年咸阳的宽带用户目标是多少？", "## 问题 2：咸阳和宝鸡2015年的宽带用户目标分别是多少？",
        "## 问题 3：渭南市的宽带目标是多少？", "## 问题 4：宝鸡数字档案馆工程计划经费多少？"]
    assert f"> “{QUOTE}” [1]" in text and f"1. {REFERENCE}" in text
    assert f"> 表格行：{ROW} [1]" in text and "文档中没有找到相关内容" in text


def test_docx_opens_with_answers_quotes_table_and_numbered_references(tmp_path: Path) -> None:
    path = write_export(_turns(), TITLES, tmp_path / "对话.docx")
    doc = Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings[0] == "问题 1：到2015年咸阳的宽带用户目标是多少？" and len(headings) == 4
    assert ("Normal", "全市宽带用户达到95万户 [1]") in paragraphs
    assert ("Quote", f"“{QUOTE}” [1]") in paragraphs
    assert ("Quote", f"表格行：{ROW} [1]") in paragraphs
    assert ("Normal", f"[1] {REFERENCE}") in paragraphs
    assert sum(1 for style, text in paragraphs if style == "Heading 2" and text == "引用来源") == 3
    [table] = doc.tables
    assert [[c.text for c in row.cells] for row in table.rows][1] == ["咸阳", "95万户", "2015年目标", "[1]"]
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert "95万户" in bold


@pytest.mark.parametrize(("name", "fmt", "match"), [
    ("x.txt", None, "Unknown export format 'txt'"),
    ("x.docx", "pdf", "Supported formats"),
])
def test_unknown_format_is_refused(tmp_path: Path, name: str, fmt: str | None, match: str) -> None:
    with pytest.raises(PlanQAError, match=match):
        write_export(_turns(), TITLES, tmp_path / name, fmt)


def test_format_from_option_overrides_suffix(tmp_path: Path) -> None:
    out = write_export(_turns()[:1], TITLES, tmp_path / "out.txt", "md")
    assert out.read_text(encoding="utf-8").startswith("# PlanQA")
