"""A tiny inline plan turned into the AnswerView that answer selection reads (no model)."""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np

from qa.answer.view import AnswerView
from qa.index.build import sentence_units
from qa.ingest.chunking import chunk_document
from qa.ingest.documents import Document, read_metadata

PLAN = "\n".join([  # noqa: FLY002 - one line per document line
    "甲市“十二五”信息化发展规划",
    "一、“十一五”信息化发展现状",
    "（一）发展基础",
    "2010年底，全市宽带用户总数达到35万户，城镇家庭上网率40%。移动通信总容量达到240多万门。",
    "（二）存在问题",
    "1、信息化认识不足。部分部门重视不够。",
    "2、信息人才资源缺乏。人才严重短缺。",
    "二、“十二五”信息化建设发展目标",
    "到2015年，全市宽带用户达到95万户，城镇家庭上网率达到80%，农村家庭上网率达到30%。",
    "市级行政许可事项网上办理比例达到80%，县级达到60%。",
    "三、主要任务",
    "主要从以下三个方向入手：",
    "（一）工业领域信息化",
    "推进两化融合。",
    "（二）农业领域信息化",
    "建设农村信息服务站。",
    "（三）电子政务领域信息化",
    "形成了玻璃基板、电视机、覆铜板、电子元器件等产品制造产业体系。",
])


def make_doc(text: str = PLAN, doc_id: str = "jia-plan") -> Document:
    title, city, period, doc_number = read_metadata(text)
    return Document(doc_id=doc_id, title=title, text=text, path=f"{doc_id}.txt", city=city, period=period,
                    doc_number=doc_number, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def make_view(text: str = PLAN) -> AnswerView:
    doc = make_doc(text)
    chunks = chunk_document(doc, 320, 40)
    sentences = sentence_units(chunks, {doc.doc_id: doc})
    chunk_sentences: list[list[int]] = [[] for _ in chunks]
    for i, sentence in enumerate(sentences):
        chunk_sentences[sentence.chunk].append(i)
    index = SimpleNamespace(documents={doc.doc_id: doc}, chunks=chunks, sentences=sentences,
                            sentence_vectors=np.zeros((len(sentences), 4), np.float32), chunk_sentences=chunk_sentences,
                            doc_chunk_ids={doc.doc_id: np.arange(len(chunks), dtype=np.int64)})
    return AnswerView.of(index)
