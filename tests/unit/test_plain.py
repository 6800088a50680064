"""Plain-text answers (qa.app.plain): what 复制回答 copies and the CLI prints, with no markup."""
from __future__ import annotations

import re

import pytest
from web_samples import (
    QUOTE,
    REFERENCE,
    ROW,
    TITLES,
    answer,
    cite,
    comparison,
    row_cite,
    silent,
)

from qa.app.plain import (
    ENGLISH_HINT,
    answer_markdown,
    needs_chinese_hint,
    plain_text,
    references_text,
)

MARKUP = re.compile(r"<[a-z/][^>]*>|\*\*|&[a-z]+;|\\\[|^>", re.MULTILINE)


@pytest.mark.parametrize("resp", [answer(), comparison(), silent(), answer(citations=[row_cite()], answer="")],
                         ids=["answer", "comparison", "silent", "table-row"])
def test_plain_text_has_no_markup(resp) -> None:
    assert not MARKUP.search(plain_text(resp, TITLES))


def test_plain_text_is_answer_then_quotes_then_numbered_sources() -> None:
    text = plain_text(answer(), TITLES)
    key, quotes, sources = text.split("\n\n")
    assert key == "全市宽带用户达到95万户 [1]"
    assert quotes == f"“{QUOTE}” [1]"
    assert sources == "[1] " + REFERENCE.split("：“")[0]


def test_table_row_is_labelled_not_quoted() -> None:
    text = plain_text(answer(citations=[row_cite()], answer=""), TITLES)
    assert f"表格行：{ROW} [1]" in text and "“数字档案馆" not in text


def test_refusal_keeps_its_message_and_labelled_related_passages() -> None:
    text = plain_text(silent(), TITLES)
    assert text.startswith("文档中没有找到相关内容。这些文档只涉及宝鸡、咸阳，没有关于渭南的内容。")
    assert "相关段落（不是答案）：\n- 【到2015年的目标】《宝鸡市“十二五”信息化建设规划》 （三）发展目标：宽带用户数超过60万户" in text


def test_copy_all_references_is_one_numbered_line_per_citation() -> None:
    lines = references_text(comparison()).splitlines()
    assert [line[:3] for line in lines] == ["[1]", "[2]"]
    assert lines[0] == f"[1] {REFERENCE}"
    assert "（三）发展目标”" in lines[1] and "在“十二五”期间" not in lines[1]  # glued prose cut from the heading


@pytest.mark.parametrize(("question", "hint"), [
    ("What is the broadband target of Xianyang?", True),
    ("咸阳 broadband 用户 target 2015年是多少?", False),
    ("5G", False),
    ("到2015年咸阳的宽带用户目标是多少？", False),
])
def test_chinese_hint_only_for_latin_questions(question: str, hint: bool) -> None:
    assert needs_chinese_hint(question) is hint
    assert (ENGLISH_HINT in plain_text(silent(question=question))) is hint


def test_markdown_answer_has_comparison_table_and_reference_list() -> None:
    text = answer_markdown(comparison(), TITLES)
    assert "| 咸阳 | 95万户 | 2015年目标 | [1] |" in text
    assert f"1. {REFERENCE}" in text and "\n2. 《宝鸡市" in text
    assert "**95万户** [1]" not in text  # the table is the comparison's key line


def test_stale_or_missing_citation_fields_still_format() -> None:
    text = plain_text(answer(citations=[cite(section="", doc_number="", issue_date="", reference="")]), TITLES)
    assert text.endswith("[1] 《咸阳市“十二五”信息化发展规划》")


def test_markdown_comparison_carries_its_verdict() -> None:
    verdict = "比较（按引文数字）：咸阳（95万户）多于宝鸡（60万户）。"
    text = answer_markdown(comparison().model_copy(update={"verdict": verdict}), TITLES)
    assert verdict in text and text.index(verdict) < text.index("| 对象 |")
