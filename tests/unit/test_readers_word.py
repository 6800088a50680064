"""Word .docx reading (qa.ingest.readers.word, wordxml) on real files made here with python-docx."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from qa.evaluation.forms import add_footnote
from qa.ingest.chunking import chunk_document
from qa.ingest.documents import load_document
from qa.ingest.readers.wordxml import chinese_number, format_number

NUMBERING = f"""<w:abstractNum {nsdecls("w")} w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""


def numbered(paragraph, level: int) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))


def make_plan(path: Path) -> Path:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(NUMBERING))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    document.sections[0].header.paragraphs[0].text = "榆林市人民政府文件（页眉）"
    document.add_paragraph("榆林市“十三五”信息化发展规划", style="Title")
    document.add_paragraph("榆政办发〔2016〕12号")
    numbered(document.add_heading("总体要求", level=1), 0)
    numbered(document.add_heading("指导思想", level=2), 1)
    document.add_paragraph("坚持统筹规划，推进信息化与工业化深度融合。")
    numbered(document.add_heading("发展目标", level=2), 1)
    document.add_paragraph("到2020年，全市宽带用户达到95万户。")
    document.add_heading("主要指标", level=1)  # a style heading with no number
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for row, values in zip(table.rows, [("指标", "2015年", "2020年（万户）"), ("宽带用户", "50", "95"), ("数字电视用户", "35", "60")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    numbered(document.add_heading("保障措施", level=1), 0)
    numbered(document.add_paragraph("加强组织领导。"), 2)
    numbered(document.add_paragraph("加大资金投入。"), 2)
    document.save(str(path))
    add_footnote(path, "全市宽带用户达到95万户", "脚注：含农村宽带用户。")
    return path


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory):
    return load_document(make_plan(tmp_path_factory.mktemp("word") / "榆林市规划.DOCX"))


def test_paragraphs_in_order_with_list_numbers_written_out(plan) -> None:
    lines = plan.text.split("\n")
    assert lines[:8] == ["榆林市“十三五”信息化发展规划", "榆政办发〔2016〕12号", "一、总体要求", "（一）指导思想",
                         "坚持统筹规划，推进信息化与工业化深度融合。", "（二）发展目标", "到2020年，全市宽带用户达到95万户。", "主要指标"]
    assert lines[-3:] == ["二、保障措施", "1.加强组织领导。", "2.加大资金投入。"]
    assert plan.format == "docx" and plan.title == "榆林市“十三五”信息化发展规划"
    assert plan.doc_number == "榆政办发〔2016〕12号" and plan.city == "榆林" and plan.period == "十三五"


def test_footnotes_headers_and_footers_stay_out_of_the_text(plan) -> None:
    assert "脚注" not in plan.text and "页眉" not in plan.text


def test_heading_styles_and_tables_shape_the_chunks(plan) -> None:
    chunks = chunk_document(plan)
    for chunk in chunks:
        assert plan.text[chunk.start:chunk.end] == chunk.text
        for cell in chunk.cells:
            assert plan.text[cell.start:cell.end] == cell.value
    by_text = {c.text: c for c in chunks}
    assert by_text["到2020年，全市宽带用户达到95万户。"].section == ("一、总体要求", "（二）发展目标")
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [c.display for c in rows] == ["宽带用户 · 2015年：50 · 2020年：95万户", "数字电视用户 · 2015年：35 · 2020年：60万户"]
    assert rows[0].section == ("主要指标",)
    assert by_text["1.加强组织领导。"].section[0] == "二、保障措施"


@pytest.mark.parametrize(("n", "fmt", "text"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (12, "chineseCountingThousand", "十二"),
    (20, "chineseCounting", "二十"), (105, "chineseCounting", "一百零五"), (3, "ideographTraditional", "丙"),
    (2, "decimalEnclosedCircle", "②"), (4, "lowerRoman", "iv"), (28, "upperLetter", "BB"), (7, "unknownFormat", "7"),
])
def test_number_formats(n: int, fmt: str, text: str) -> None:
    assert format_number(n, fmt) == text
    assert chinese_number(11) == "十一"
