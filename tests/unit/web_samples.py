"""Hand-built answers for the web, export and feedback tests (no model, no index)."""
from __future__ import annotations

from typing import Any, ClassVar

from qa.answer.cite import format_reference
from qa.answer.present import SILENT
from qa.app.conversation import Turn, new_turn
from qa.schemas import AskResponse, CitationOut, ComparisonRowOut, PassageOut

TITLE = "咸阳市“十二五”信息化发展规划"
BAOJI = "宝鸡市“十二五”信息化建设规划"
TITLES = {"xianyang-12th": TITLE, "baoji": BAOJI}
SECTION = "二、“十二五”信息化建设发展目标 > （二）发展目标"
CONTEXT = "城镇居民拥有电脑数达到85/百户，全市宽带用户达到95万户，城镇家庭上网率达到80%。"
QUOTE = "全市宽带用户达到95万户"
DOCNO = "咸政办发〔2011〕11号"
DATE = "2011年1月26日"
REFERENCE = format_reference(TITLE, DOCNO, SECTION, QUOTE, issue_date=DATE)
ROW = "数字档案馆工程 · 实施单位：档案局 · 计划经费：840万元"


def cite(**changes: Any) -> CitationOut:
    start = 3700 + CONTEXT.index(QUOTE)
    data: dict[str, Any] = {
        "n": 1, "doc_id": "xianyang-12th", "title": TITLE, "section": SECTION, "start": start, "end": start + len(QUOTE),
        "quote": QUOTE, "key": "95万户", "display": QUOTE, "doc_number": DOCNO, "issue_date": DATE, "kind": "text",
        "context_start": 3700, "context_end": 3700 + len(CONTEXT), "context": CONTEXT, "reference": REFERENCE,
    }
    return CitationOut(**{**data, **changes})


def row_cite(**changes: Any) -> CitationOut:
    data: dict[str, Any] = {
        "n": 1, "doc_id": "baoji", "title": BAOJI, "section": "附件： > 社会信息化重点工程", "start": 100, "end": 118,
        "quote": "数字档案馆工程\n档案局\n840", "key": "840", "display": ROW, "doc_number": "", "issue_date": "", "kind": "table_row",
        "context_start": 100, "context_end": 118, "context": "数字档案馆工程\n档案局\n840", "reference": "",
    }
    return CitationOut(**{**data, **changes})


def answer(**changes: Any) -> AskResponse:
    data: dict[str, Any] = {
        "question": "到2015年咸阳的宽带用户目标是多少？", "rewritten_question": "到2015年咸阳的宽带用户目标是多少？",
        "answerable": True, "answer": f"全市宽带用户达到**95万户** [1]\n\n> “{QUOTE}” [1]\n\n[1] 《{TITLE}》", "citations": [cite()],
    }
    return AskResponse(**{**data, **changes})


def comparison() -> AskResponse:
    second = cite(n=2, doc_id="baoji", title=BAOJI, quote="宽带用户数超过60万户", key="60万户", display="宽带用户数超过60万户",
                  doc_number="", issue_date="", context="宽带用户数超过60万户。", context_start=4976, start=4976, end=4987,
                  section="二、指导思想、基本原则和发展目标 > （三）发展目标在“十二五”期间", reference="")
    rows = [ComparisonRowOut(side="咸阳", answered=True, value="95万户", year=2015, role="target", quote=QUOTE, citation=1),
            ComparisonRowOut(side="宝鸡", answered=True, value="60万户", year=2015, role="target", quote=second.quote, citation=2)]
    return answer(question="咸阳和宝鸡2015年的宽带用户目标分别是多少？", rewritten_question="咸阳和宝鸡2015年的宽带用户目标分别是多少？",
                  answer="咸阳：全市宽带用户达到**95万户** [1]\n宝鸡：宽带用户数超过**60万户** [2]\n\n> “x” [1]",
                  citations=[cite(), second], comparison=rows)


def silent(**changes: Any) -> AskResponse:
    related = [PassageOut(doc_id="baoji", chunk_id="c1", section="（三）发展目标", start=10, end=40,
                          text="宽带用户数超过60万户，数字电视用户突破35万户。", score=0.2, label="到2015年的目标")]
    data: dict[str, Any] = {
        "question": "渭南市的宽带目标是多少？", "rewritten_question": "渭南市的宽带目标是多少？", "answerable": False,
        "answer": SILENT, "message": "这些文档只涉及宝鸡、咸阳，没有关于渭南的内容。", "related": related, "reason": "other_place",
    }
    return AskResponse(**{**data, **changes})


def turn(resp: AskResponse | None = None, history: list[str] | None = None, asked_at: str = "2026-11-27T10:00:00+08:00") -> Turn:
    resp = resp or answer()
    return new_turn(resp.question, history or [], None, resp, asked_at=asked_at)


class FakePipe:
    """Answers every question with answer(question=...), or raises the error it was given."""

    documents: ClassVar[list[Any]] = [type("D", (), {"doc_id": "xianyang-12th", "title": TITLE, "doc_number": DOCNO})(),
                 type("D", (), {"doc_id": "baoji", "title": BAOJI, "doc_number": ""})()]

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, list[str] | None, str | None]] = []

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        self.calls.append((question, history, doc))
        if self.error:
            raise self.error
        return answer(question=question, rewritten_question=question)
