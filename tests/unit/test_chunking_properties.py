"""Property-based tests: the chunker on arbitrary plan-like text.

ask() on arbitrary questions needs the real model: tests/system/test_ask_properties.py.
"""
from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.chunking import chunk_document
from qa.ingest.documents import Document, read_metadata

MARKERS = ["一、", "十二、", "（一）", "(三)", "1、", "1.", "12．", "（1）", "专栏1：", "专栏 2", "附件：", "附件1:", "附件二："]
SPACES = ["  ", "\xa0\xa0", "\u3000", "\u3000\u3000", " \xa0 ", "\t\t", "   "]
WORDS = ["宽带用户", "达到", "95万户", "信息化", "建设", "2015年", "合计", "项目名称", "投资（万元）", "（万元）",
         "咸阳市", "宝鸡", "“十二五”", "840", "2011-2015", "档案局", "%", "，", "、", "：", "。", "；", "！", "？", "）"]
BREAKS = ["\n", "\r\n", "\n\n", "\r", "\u2028", "\x0c", "\x85"]

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
words = st.one_of(st.sampled_from(WORDS), st.text(cjk, min_size=1, max_size=12), st.integers(0, 99999).map(str))
prose = st.lists(st.one_of(words, st.sampled_from(SPACES)), max_size=30).map("".join)
table_line = st.one_of(st.integers(0, 9999).map(str), st.sampled_from(WORDS), st.text(cjk, min_size=1, max_size=8))
line = st.one_of(
    prose,
    st.tuples(st.sampled_from(MARKERS), st.sampled_from(["", " ", "\xa0"]), prose).map("".join),
    st.tuples(prose, st.sampled_from(["。", "；"]), st.sampled_from(MARKERS), prose).map("".join),  # glued heading
    table_line,
)
plan_text = st.one_of(
    st.lists(st.tuples(st.one_of(line, st.lists(table_line, min_size=8, max_size=20).map("\n".join)),
                       st.sampled_from(BREAKS)), max_size=25).map(lambda parts: "".join(a + b for a, b in parts)),
    st.text(max_size=400),
)


def make_doc(text: str) -> Document:
    title, city, period, doc_number = read_metadata(text)
    return Document(doc_id="doc", title=title, text=text, path="doc.txt", city=city, period=period,
                    doc_number=doc_number, sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_text, st.integers(20, 400))
def test_chunks_are_exact_ordered_spans(text: str, max_chars: int) -> None:
    doc = make_doc(text)
    chunks = chunk_document(doc, max_chars, max_chars // 4)
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip(" \t\xa0\u3000\r\n") == chunk.text
        for cell in chunk.cells:
            assert chunk.start <= cell.start <= cell.end <= chunk.end
            assert text[cell.start:cell.end] == cell.value
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start, (before, after)
    assert chunk_document(doc, max_chars, max_chars // 4) == chunks  # deterministic


@pytest.mark.parametrize("brk", ["\x0c", "\u2028", "\x85", "\x0b"])
def test_rare_line_breaks_make_no_blank_chunks(brk: str) -> None:
    text = f"一、目标{brk}{brk}全市宽带用户达到95万户。{brk}"
    assert all(c.text.strip() == c.text for c in chunk_document(make_doc(text)))
