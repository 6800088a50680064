"""Heading-aware chunking (qa.ingest.chunking) on small inline plans: spans, section paths, table rows."""
from __future__ import annotations

import hashlib

import pytest

from qa.ingest.chunking import Chunk, chunk_document, chunk_id
from qa.ingest.documents import Document, read_metadata


def make_doc(text: str, doc_id: str = "doc") -> Document:
    title, city, period, doc_number = read_metadata(text)
    return Document(doc_id=doc_id, title=title, text=text, path=f"{doc_id}.txt", city=city, period=period,
                    doc_number=doc_number, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def chunks_of(text: str, max_chars: int = 320, min_chars: int = 40) -> list[Chunk]:
    doc = make_doc(text)
    chunks = chunk_document(doc, max_chars, min_chars)
    for chunk in chunks:  # the module's promise, checked on every example
        assert text[chunk.start:chunk.end] == chunk.text
        for cell in chunk.cells:
            assert text[cell.start:cell.end] == cell.value
    return chunks


def outline(chunks: list[Chunk]) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.text, c.section) for c in chunks]


NUMBERED = "\n".join([  # noqa: FLY002 - one line per document line
    "咸阳市信息化规划",
    "一、总体要求",
    "（一）指导思想",
    "1、坚持统筹。全市统一规划。",
    "2、突出重点。抓好网络建设。",
    "（二）发展目标",
    "宽带用户达到95万户。",
    "二、主要任务",
    "建设光纤网络。",
])


def test_section_paths_follow_numbered_headings() -> None:
    assert outline(chunks_of(NUMBERED)) == [
        ("1、坚持统筹。全市统一规划。", ("一、总体要求", "（一）指导思想", "1、坚持统筹")),
        ("2、突出重点。抓好网络建设。", ("一、总体要求", "（一）指导思想", "2、突出重点")),
        ("宽带用户达到95万户。", ("一、总体要求", "（二）发展目标")),
        ("建设光纤网络。", ("二、主要任务",)),
    ]


def test_bare_headings_and_the_title_make_no_chunk() -> None:
    texts = [c.text for c in chunks_of(NUMBERED)]
    assert not any(t in ("咸阳市信息化规划", "一、总体要求", "（一）指导思想", "（二）发展目标", "二、主要任务") for t in texts)


def test_headings_with_nothing_under_them_are_kept_as_chunks() -> None:
    # A plan ends with its attachments' titles; two sibling headings in a row, nothing under either.
    text = "某市信息化规划\n一、主要任务\n（一）网络建设\n建成光纤网络。\n附件一：重大项目表\n附件二：两化融合重点项目表\n"
    got = outline(chunks_of(text))
    assert ("附件一：重大项目表", ()) in got and ("附件二：两化融合重点项目表", ()) in got
    assert not any(t in ("一、主要任务", "（一）网络建设") for t, _ in got)  # their section has content
    assert [c.start for c in chunks_of(text)] == sorted(c.start for c in chunks_of(text))


# Baoji glues headings onto the prose: after a sentence end, and （一） straight after a heading.
GLUED = "宝鸡市信息化规划\n特制定本规划。一、发展现状（一）主要成绩目前，我市信息化水平发展十分迅速。1、网络建设：建成光纤网络。（二）存在问题基础仍然薄弱。"


def test_headings_glued_into_prose_are_split_out() -> None:
    assert outline(chunks_of(GLUED)) == [
        ("特制定本规划。", ()),
        ("（一）主要成绩目前，我市信息化水平发展十分迅速。", ("一、发展现状", "（一）主要成绩目前，我市信息化水平发展十分迅速")),
        ("1、网络建设：建成光纤网络。", ("一、发展现状", "（一）主要成绩目前，我市信息化水平发展十分迅速", "1、网络建设")),
        ("（二）存在问题基础仍然薄弱。", ("一、发展现状", "（二）存在问题基础仍然薄弱")),
    ]


def test_glued_heading_title_stops_at_an_early_comma_or_24_characters() -> None:
    text = "宝鸡市规划\n前言。二、发展目标在十二五期间，全市信息化水平显著提高，宽带普及率达到较高水平并持续增长。"
    [chunk] = chunks_of(text)[1:]
    assert chunk.section == ("二、发展目标在十二五期间",)
    title = "保障措施加强组织领导完善工作机制落实工作责任强化考核监督"  # 28 characters, no stop
    assert chunks_of(f"宝鸡市规划\n前言。三、{title}。")[1].section == ("三、" + title[:24],)


def test_front_matter_lines_are_labelled_and_the_title_skipped() -> None:
    text = "咸阳市“十二五”信息化发展规划\n咸政办发〔2011〕11号\n二○一一年一月二十六日\n咸阳市“十二五”信息化发展规划\n一、发展目标\n全市宽带用户达到95万户。"
    assert outline(chunks_of(text)) == [
        ("咸政办发〔2011〕11号", ("发文字号（文号）",)),
        ("二○一一年一月二十六日", ("成文日期（印发日期）",)),
        ("全市宽带用户达到95万户。", ("一、发展目标",)),
    ]


def test_unnumbered_review_paragraphs_are_named_by_their_headline() -> None:
    text = "咸阳市信息化工作回顾\n信息化建设成效显著。全市建成村级信息服务站100个，覆盖全部行政村。\n电子政务稳步推进。市级部门全部接入政务网。"
    assert [c.section for c in chunks_of(text)] == [("信息化建设成效显著",), ("电子政务稳步推进",)]


def test_two_spaces_inside_a_line_break_the_paragraph() -> None:
    text = "咸阳市规划\n一、目标\n全市宽带用户达到95万户。  城镇家庭上网率达到80%。\u3000农村通宽带。"
    assert [c.text for c in chunks_of(text)] == ["全市宽带用户达到95万户。", "城镇家庭上网率达到80%。", "农村通宽带。"]


LONG = "咸阳市规划\n一、目标\n" + "全市宽带用户达到95万户。" * 3 + "上网率达到80%。" + "农村通宽带。"


def test_long_paragraph_is_packed_by_sentences() -> None:
    chunks = chunks_of(LONG, max_chars=40, min_chars=10)
    assert [c.text for c in chunks] == ["全市宽带用户达到95万户。" * 3, "上网率达到80%。农村通宽带。"]
    assert all(len(c.text) <= 40 for c in chunks) and chunks[0].end == chunks[1].start
    assert {c.section for c in chunks} == {("一、目标",)}


def test_short_tail_joins_the_piece_before() -> None:
    [chunk] = chunks_of(LONG, max_chars=40, min_chars=20)
    assert chunk.text == "全市宽带用户达到95万户。" * 3 + "上网率达到80%。农村通宽带。"


def test_box_items_nest_under_the_box_and_prose_closes_it() -> None:
    text = "咸阳市规划\n一、主要任务\n专栏1：重点工程\n1.网络：光纤到户。\n2.应用：电子政务。\n全市推进信息化。"
    assert outline(chunks_of(text)) == [
        ("1.网络：光纤到户。", ("一、主要任务", "专栏1：重点工程", "1.网络")),
        ("2.应用：电子政务。", ("一、主要任务", "专栏1：重点工程", "2.应用")),
        ("全市推进信息化。", ("一、主要任务",)),
    ]


PLAN_WITH_TABLE = "\n".join([  # noqa: FLY002 - one line per document line
    "宝鸡市信息化规划",
    "附件：",
    "重点工程表",
    "名          称", "实施单位", "实施年度", "计划经费", "（万元）",
    "网络工程",
    "宽带接入工程", "宝鸡电信", "2011-2012", "30,000",
    "数字电视工程", "宝鸡广电", "2013", "30,000",
    "合       计", "60,000万元",
])


def test_table_rows_become_chunks_with_headers_units_and_groups() -> None:
    rows = chunks_of(PLAN_WITH_TABLE)
    assert [c.kind for c in rows] == ["table_row"] * 3
    assert rows[0].text == "宽带接入工程\n宝鸡电信\n2011-2012\n30,000"
    assert rows[0].section == ("附件：", "重点工程表", "网络工程")
    assert [(c.header, c.value) for c in rows[0].cells] == [
        ("名称", "宽带接入工程"), ("实施单位", "宝鸡电信"), ("实施年度", "2011-2012"), ("计划经费（万元）", "30,000"),
    ]
    assert rows[0].display == "宽带接入工程 · 实施单位：宝鸡电信 · 实施年度：2011-2012 · 计划经费：30,000万元"
    assert rows[0].embed_text() == "重点工程表 > 网络工程\n" + rows[0].display


def test_total_row_pairs_the_sum_with_the_last_column() -> None:
    total = chunks_of(PLAN_WITH_TABLE)[-1]
    assert [(c.header, c.value) for c in total.cells] == [("名称", "合       计"), ("计划经费（万元）", "60,000万元")]
    assert total.display == "合计 · 计划经费：60,000万元"


def test_chunk_ids_hash_doc_span_and_text() -> None:
    chunks = chunks_of(NUMBERED)
    first = chunks[0]
    expected = hashlib.sha256(f"doc\x00{first.start}\x00{first.end}\x00{first.text}".encode()).hexdigest()[:16]
    assert first.chunk_id == chunk_id("doc", first.start, first.end, first.text) == expected
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    other = chunk_document(make_doc(NUMBERED, doc_id="other"))
    assert [c.text for c in other] == [c.text for c in chunks]
    assert not {c.chunk_id for c in other} & {c.chunk_id for c in chunks}  # same sentences, other document


@pytest.mark.parametrize("text", ["", "只有标题", " \n\u3000\n"], ids=["empty", "title-only", "blank"])
def test_nothing_to_chunk(text: str) -> None:
    assert chunks_of(text) == []
