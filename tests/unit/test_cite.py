"""The one citation format (qa.answer.cite): headings, 文号 and date, table rows, pages."""
from __future__ import annotations

from typing import Any

import pytest

from qa.answer.cite import (
    citation_label,
    citation_reference,
    clean_heading,
    format_reference,
    heading_path,
    is_table_row,
    issue_date,
    offsets_line,
    part_name,
    source_label,
)
from qa.schemas import CitationOut

TITLE = "咸阳市“十二五”信息化发展规划"
DOCNO = "咸政办发〔2011〕11号"
SECTION = "二、“十二五”信息化建设发展目标 > （二）发展目标 > 1、加强信息化硬件设施建设，实现信息化网络完全覆盖"


@pytest.mark.parametrize(("stored", "shown"), [
    pytest.param("（三）发展目标在“十二五”期间", "（三）发展目标", id="time-frame-glued"),
    pytest.param("（一）“十一五”时期取得的主要成绩目前", "（一）“十一五”时期取得的主要成绩", id="目前-glued"),
    pytest.param("（二）面临的问题“十一五”时期", "（二）面临的问题", id="quote-glued"),
    pytest.param("（一）指导思想深入贯彻落实科学发展观", "（一）指导思想", id="verb-glued"),
    pytest.param("（二）基本原则我市“十二五”国民经济和社会信息化发展遵", "（二）基本原则", id="subject-glued"),
    pytest.param("（七）强化信息安全保障认真贯彻执行国家信息安全战略，加", "（七）强化信息安全保障", id="long-glued"),
    pytest.param("2、利用信息技术促进电子信息产业的产品结构调整，推进", "2、利用信息技术促进电子信息产业的产品结构调整……", id="capped-clause"),
    pytest.param("6.“中国钛谷”产业集群技术、商品交易和物流中心信息", "6.“中国钛谷”产业集群技术、商品交易和物流中心信息……", id="capped"),
    pytest.param("附件：", "附件", id="bare-appendix"),
    pytest.param("（二）发展目标", "（二）发展目标", id="clean"),
    pytest.param("（八）基础设施建设信息化", "（八）基础设施建设信息化", id="heading-word-inside"),
    pytest.param("1、加强信息化硬件设施建设，实现信息化网络完全覆盖", "1、加强信息化硬件设施建设，实现信息化网络完全覆盖", id="comma-title"),
    pytest.param("10、争取到“十二五”期末", "10、争取到“十二五”期末", id="prose-item"),
    pytest.param("专栏1：宝鸡市“十二五”时期信息化的主要指标", "专栏1：宝鸡市“十二五”时期信息化的主要指标", id="box"),
    pytest.param("网络基础设施建设步伐加快", "网络基础设施建设步伐加快", id="review-headline"),
])
def test_clean_heading_cuts_glued_prose_at_a_clean_boundary(stored: str, shown: str) -> None:
    assert clean_heading(stored) == shown


def test_heading_path_skips_front_matter_labels_and_blank_parts() -> None:
    assert heading_path(SECTION) == ["二、“十二五”信息化建设发展目标", "（二）发展目标", "1、加强信息化硬件设施建设，实现信息化网络完全覆盖"]
    assert heading_path("发文字号（文号）") == []
    assert heading_path(("附件：", "宝鸡市“十二五”信息化重点工程")) == ["附件", "宝鸡市“十二五”信息化重点工程"]
    assert heading_path("") == []


@pytest.mark.parametrize(("headings", "part"), [
    (["二、目标", "（二）发展目标"], "第二部分"),
    (["十一、附则"], "第十一部分"),
    (["附件", "重点工程"], ""),
    (["网络基础设施建设步伐加快"], ""),
    ([], ""),
])
def test_part_name(headings: list[str], part: str) -> None:
    assert part_name(headings) == part


@pytest.mark.parametrize(("text", "date"), [
    pytest.param(f"{TITLE}\n通知\n{DOCNO}\n正文\n二○一一年一月二十六日\n{TITLE}\n", "2011年1月26日", id="chinese-numerals"),
    pytest.param("标题\n二〇二〇年十二月三十一日\n", "2020年12月31日", id="ling-and-tens"),
    pytest.param("标题\n2019年3月5日\n", "2019年3月5日", id="arabic"),
    pytest.param("标题\n正文里说到2011年1月26日印发。\n", "", id="date-inside-prose"),
    pytest.param("标题\n" + "段落\n" * 20 + "二○一一年一月二十六日\n", "", id="past-front-matter"),
])
def test_issue_date_reads_the_front_matter_date_line(text: str, date: str) -> None:
    assert issue_date(text) == date


def test_reference_has_number_date_part_path_and_verbatim_quote() -> None:
    ref = format_reference(TITLE, DOCNO, SECTION, "全市宽带用户达到95万户", issue_date="2011年1月26日")
    assert ref == (
        "《咸阳市“十二五”信息化发展规划》（咸政办发〔2011〕11号，2011年1月26日印发）第二部分"
        "“二、‘十二五’信息化建设发展目标／（二）发展目标／1、加强信息化硬件设施建设，实现信息化网络完全覆盖”"
        "：“全市宽带用户达到95万户”"
    )


def test_reference_quotes_inside_a_quote_become_single() -> None:
    ref = format_reference("宝鸡规划", "", "", "建设“数字宝鸡”")
    assert ref == "《宝鸡规划》：“建设‘数字宝鸡’”"


def test_table_row_is_labelled_and_not_in_quotation_marks() -> None:
    row = "数字档案馆工程 · 实施单位：档案局 · 计划经费：840万元"
    ref = format_reference("宝鸡规划", "", "附件： > 重点工程", row, is_table=True)
    assert ref == f"《宝鸡规划》“附件／重点工程”，表格行：{row}"
    assert "“数字档案馆" not in ref


def test_page_is_named_when_the_source_has_pages() -> None:
    assert source_label("规划", "", "", "一、总则", page=5) == "《规划》第一部分“一、总则”，第5页"
    assert source_label("《规划》") == "《规划》"


def cite(**changes: Any) -> CitationOut:
    data: dict[str, Any] = {
        "n": 1, "doc_id": "xy", "title": TITLE, "section": SECTION, "start": 3732, "end": 3744, "quote": "全市宽带用户达到95万户",
        "key": "95万户", "display": "全市宽带用户达到95万户", "doc_number": DOCNO, "issue_date": "2011年1月26日", "kind": "text",
    }
    return CitationOut(**{**data, **changes})


def test_citation_helpers_use_the_same_format() -> None:
    c = cite()
    assert citation_reference(c) == format_reference(TITLE, DOCNO, SECTION, c.quote, issue_date="2011年1月26日")
    assert citation_reference(c).startswith(citation_label(c) + "：")
    assert offsets_line(c) == "字符 3732–3744"


@pytest.mark.parametrize(("changes", "table"), [
    ({"kind": "table_row"}, True),
    ({"kind": "text", "display": "另一种显示"}, False),
    ({"kind": "", "display": "数字档案馆工程 · 计划经费：840万元", "quote": "840"}, True),  # older records: inferred
    ({"kind": "", "display": ""}, False),
])
def test_table_rows_are_known_by_kind_or_by_their_display(changes: dict[str, Any], table: bool) -> None:
    assert is_table_row(cite(**changes)) is table
