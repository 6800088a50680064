"""Reader hints in the chunker (qa.ingest.chunking): heading spans, real tables, pages."""
from __future__ import annotations

from qa.ingest.chunking import chunk_document
from qa.ingest.documents import Document
from qa.ingest.layout import Heading, TableLayout, TextBuilder


def build(parts: list[tuple[str, str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    out, spans = TextBuilder(), {}
    for key, text in parts:
        spans[key] = out.add(text)
    return out.text(), spans


def test_heading_hints_tables_and_pages() -> None:
    text, at = build([
        ("title", "某市信息化规划"), ("h1", "第一章 发展基础"), ("p1", "全市光纤网络覆盖所有乡镇。"),
        ("h2", "重点指标"), ("caption", "专栏1 主要指标"), ("hdr0", "指标"), ("hdr1", "2015年"), ("hdr2", "2020年"),
        ("group", "网络"), ("r0", "宽带用户（万户）"), ("r1", "50"), ("r2", "95"),
        ("p2", "以上指标为预期性指标。"),
    ])
    table = TableLayout((
        (at["caption"], None, None), (at["hdr0"], at["hdr1"], at["hdr2"]),
        (at["group"], None, None), (at["r0"], at["r1"], at["r2"]),
    ))
    doc = Document("d", "某市信息化规划", text, "d.pdf", "0", format="pdf", pages=(0, at["h2"][0]),
                   headings=(Heading(*at["h1"], 1), Heading(*at["h2"], 2)), tables=(table,))
    chunks = chunk_document(doc)
    assert [(c.text, c.section, c.page) for c in chunks if c.kind == "text"] == [
        ("全市光纤网络覆盖所有乡镇。", ("第一章发展基础",), 1),
        ("以上指标为预期性指标。", ("第一章发展基础", "重点指标"), 2),
    ]
    [row] = [c for c in chunks if c.kind == "table_row"]
    assert row.section == ("第一章发展基础", "重点指标", "专栏1主要指标", "网络") and row.page == 2
    assert row.display == "宽带用户 · 2015年：50万户 · 2020年：95万户"
    assert text[row.start:row.end] == row.text and all(text[c.start:c.end] == c.value for c in row.cells)


def test_a_table_without_data_rows_stays_prose() -> None:
    text, at = build([("a", "只有一行的表格"), ("b", "说明文字。")])
    doc = Document("d", "", text, "d.docx", "0", format="docx", tables=(TableLayout(((at["a"], at["b"]),)),))
    assert [c.text for c in chunk_document(doc)] == ["只有一行的表格", "说明文字。"]
    assert all(c.page == 0 for c in chunk_document(doc))
