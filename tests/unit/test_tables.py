"""Tables flattened to one cell per line, rebuilt with their headers (qa.ingest.tables)."""
from __future__ import annotations

import pytest

from qa.ingest.tables import Table, cell_type, parse_table


def line_spans(text: str) -> list[tuple[int, int]]:
    """One span per line, as the chunker hands them over."""
    spans, offset = [], 0
    for line in text.split("\n"):
        spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def cells(text: str, table: Table) -> list[list[str]]:
    return [[text[s:e] for s, e in row.cells] for row in table.rows]


# The indicator table of a plan (专栏1 in Baoji's), one cell per line.
INDICATORS = "\n".join([  # noqa: FLY002 - one line per document line
    "指标", "2009年", "2015年", "指标类型",
    "电话用户数（万户）", "303.99", "350", "预期性",
    "数字电视用户数（万户）", "14", "35", "预期性",
    "企业互联网普及率", "80%", "100%", "约束性",
])

# A project appendix: a title line, a header whose unit sits on its own line,
# group labels between the rows, and a total at the end.
PROJECTS = "\n".join([  # noqa: FLY002 - one line per document line
    "重点工程表",
    "名          称", "实施单位", "实施年度", "计划经费", "（万元）",
    "网络工程",
    "宽带接入工程", "宝鸡电信", "2011-2012", "30,000",
    "数字电视工程", "宝鸡广电", "2013", "30,000",
    "应用工程",
    "城市一卡通工程", "工信局", "2013-2015", "2,000",
    "合       计", "62,000万元",
])


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2015年", "year"), ("2015", "year"), ("2011-2015", "year"), ("2011至2015年", "year"), ("1999", "year"),
        ("30,000", "num"), ("303.99", "num"), ("80%", "num"), ("62,000万元", "num"), ("35万户", "num"), ("3000", "num"),
        ("预期性", "text"), ("名 称", "text"), ("宝鸡电信", "text"),
    ],
)
def test_cell_type(value: str, kind: str) -> None:
    assert cell_type(value) == kind


def test_indicator_table_rows_carry_their_headers() -> None:
    table = parse_table(INDICATORS, line_spans(INDICATORS))
    assert table is not None
    assert table.title == () and table.headers == ("指标", "2009年", "2015年", "指标类型")
    assert cells(INDICATORS, table) == [
        ["电话用户数（万户）", "303.99", "350", "预期性"],
        ["数字电视用户数（万户）", "14", "35", "预期性"],
        ["企业互联网普及率", "80%", "100%", "约束性"],
    ]
    assert not any(row.is_total or row.group for row in table.rows)


def test_project_table_title_unit_line_groups_and_total() -> None:
    table = parse_table(PROJECTS, line_spans(PROJECTS))
    assert table is not None
    assert table.title == ("重点工程表",)
    assert table.headers == ("名称", "实施单位", "实施年度", "计划经费（万元）")  # unit line joined, spaces squeezed
    assert cells(PROJECTS, table) == [
        ["宽带接入工程", "宝鸡电信", "2011-2012", "30,000"],
        ["数字电视工程", "宝鸡广电", "2013", "30,000"],
        ["城市一卡通工程", "工信局", "2013-2015", "2,000"],
        ["合       计", "62,000万元"],
    ]
    assert [row.group for row in table.rows] == ["网络工程", "网络工程", "应用工程", "应用工程"]
    assert [row.is_total for row in table.rows] == [False, False, False, True]


def test_cell_spans_are_verbatim_and_in_order() -> None:
    for text in (INDICATORS, PROJECTS):
        table = parse_table(text, line_spans(text))
        assert table is not None
        spans = [span for row in table.rows for span in row.cells]
        assert spans == sorted(spans)
        for start, end in spans:
            assert text[start:end] == text[start:end].strip() and "\n" not in text[start:end]


def test_offsets_refer_to_the_whole_document() -> None:
    text = "前言一段。\n" + INDICATORS
    table = parse_table(text, [(s + 6, e + 6) for s, e in line_spans(INDICATORS)])
    assert table is not None and cells(text, table)[0] == ["电话用户数（万户）", "303.99", "350", "预期性"]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑", "寅卯", "辰巳"], id="all-text"),
        pytest.param(["指标", "2015年", "宽带用户", "95"], id="one-row-only"),
        pytest.param(["指标", "2015年"], id="too-short"),
    ],
)
def test_not_a_table(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert parse_table(text, line_spans(text)) is None
