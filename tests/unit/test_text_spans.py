"""Span-keeping text helpers (qa.ingest.text): every span cuts verbatim out of the text it was given."""
from __future__ import annotations

import pytest

from qa.ingest.text import clause_spans, sentence_spans, squeeze, strip_span


def cut(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        pytest.param("  宽带 \n", 0, 6, (2, 4), id="spaces-and-newline"),
        pytest.param("\u3000\xa0目标\u2028\x85", 0, 6, (2, 4), id="ideographic-nbsp-and-rare-breaks"),
        pytest.param("a  b", 1, 3, (3, 3), id="only-space-becomes-empty"),
        pytest.param("宽带用户", 1, 3, (1, 3), id="nothing-to-strip"),
    ],
)
def test_strip_span(text: str, start: int, end: int, expected: tuple[int, int]) -> None:
    assert strip_span(text, start, end) == expected


def test_sentences_split_at_chinese_ends_and_line_breaks() -> None:
    text = "全市宽带用户达到95万户。城镇家庭上网率达到80%；农村达到30%！\n是否完成？ 已完成"
    assert cut(text, sentence_spans(text)) == [
        "全市宽带用户达到95万户。", "城镇家庭上网率达到80%；", "农村达到30%！", "是否完成？", "已完成",
    ]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = "提出“建设数字咸阳。”随后实施（见附件。）完成"
    assert cut(text, sentence_spans(text)) == ["提出“建设数字咸阳。”", "随后实施（见附件。）", "完成"]


def test_sentence_spans_of_a_region_use_document_offsets() -> None:
    text = "标题\n一、目标。全市宽带用户达到95万户。城镇上网率80%。\n附件"
    start = text.index("全市")
    end = text.index("\n附件")
    spans = sentence_spans(text, start, end)
    assert cut(text, spans) == ["全市宽带用户达到95万户。", "城镇上网率80%。"]
    assert spans[0][0] == start and spans[-1][1] == end


def test_sentences_cover_every_non_space_character() -> None:
    text = " 甲。乙；\n\n丙！？丁\u3000 "
    covered = "".join(cut(text, sentence_spans(text)))
    assert covered == "".join(ch for ch in text if not ch.isspace())
    assert sentence_spans("") == [] and sentence_spans(" \n\u3000") == []


def test_clauses_keep_their_marks() -> None:
    text = "到2015年，全市宽带用户达到95万户、城镇上网率80%：农村30%"
    assert cut(text, clause_spans(text, 0, len(text))) == ["到2015年，", "全市宽带用户达到95万户、", "城镇上网率80%：", "农村30%"]


def test_squeeze_removes_all_white_space() -> None:
    assert squeeze("名          称") == "名称"
    assert squeeze(" 计划经费\n（万元）\u3000\t") == "计划经费（万元）"
