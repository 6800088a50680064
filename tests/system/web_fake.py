"""Test-only stand-in for the pipeline: canned answers cut from the real seed texts (fast, no model).

Browser tests that exercise the page (copy, export, reload, feedback, input) use it;
tests/system/test_browser.py drives the real pipeline.
"""
from __future__ import annotations

import re
import time

from qa.answer.cite import format_reference, issue_date
from qa.answer.pipeline import QuestionError, clean_question
from qa.ingest.documents import load_documents
from qa.schemas import AskResponse, CitationOut, ComparisonRowOut, PassageOut
from qa.settings import Settings

SLOW_SECONDS = 1.5
XIANYANG = ("全市宽带用户达到95万户", "二、“十二五”信息化建设发展目标 > （二）发展目标", "95万户")
BAOJI = ("宽带用户数超过60万户", "二、指导思想、基本原则和发展目标 > （三）发展目标在“十二五”期间", "60万户")


class FakePipeline:
    """Answers about broadband targets of 咸阳 and 宝鸡, a comparison, refusals; a question with 慢 takes SLOW_SECONDS."""

    def __init__(self) -> None:
        docs, _ = load_documents(Settings().seeds_dir)
        self._docs = {d.city + ("2007" if "2007" in d.title else ""): d for d in docs}
        self.documents = docs
        self.asked: list[str] = []

    def _cite(self, city: str, n: int = 1) -> CitationOut:
        doc = self._docs[city]
        quote, section, key = XIANYANG if city == "咸阳" else BAOJI
        start = doc.text.index(quote)
        p_start = doc.text.rfind("\n", 0, start) + 1
        p_end = doc.text.find("\n", start)
        p_end = len(doc.text) if p_end < 0 else p_end
        date = issue_date(doc.text)
        return CitationOut(
            n=n, doc_id=doc.doc_id, title=doc.title, section=section, start=start, end=start + len(quote),
            quote=quote, key=key, display=quote, doc_number=doc.doc_number, context_start=p_start,
            context_end=p_end, context=doc.text[p_start:p_end], issue_date=date, kind="text",
            reference=format_reference(doc.title, doc.doc_number, section, quote, issue_date=date),
        )

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None) -> AskResponse:
        text = clean_question(question, 2000)
        self.asked.append(text)
        if "慢" in text:
            time.sleep(SLOW_SECONDS)
        standalone = text
        if text.startswith("那") and history:
            standalone = history[-1].replace("咸阳", text.strip("那呢？?"))
        if doc:
            standalone = next(d.city for d in self.documents if d.doc_id == doc) + standalone
        if not re.search(r"[\u4e00-\u9fff]", standalone) or "渭南" in standalone:
            d = self._docs["宝鸡"]
            start = d.text.index(BAOJI[0])
            related = [PassageOut(doc_id=d.doc_id, chunk_id="x", section=BAOJI[1], start=start, end=start + 40,
                                  text=d.text[start:start + 40], score=0.3, label="到2015年的目标")]
            message = "这些文档只涉及宝鸡、咸阳，没有关于渭南的内容。" if "渭南" in standalone else f"文档中没有提到“{standalone}”。"
            return AskResponse(question=text, rewritten_question=standalone, answerable=False,
                               answer="文档中没有找到相关内容。" + message, message=message, related=related,
                               reason="other_place" if "渭南" in standalone else "not_in_corpus")
        if "咸阳" in standalone and "宝鸡" in standalone:
            a, b = self._cite("咸阳", 1), self._cite("宝鸡", 2)
            rows = [ComparisonRowOut(side="咸阳", answered=True, value="95万户", year=2015, role="target", quote=a.quote, citation=1),
                    ComparisonRowOut(side="宝鸡", answered=True, value="60万户", year=2015, role="target", quote=b.quote, citation=2)]
            return AskResponse(question=text, rewritten_question=standalone, answerable=True, citations=[a, b], comparison=rows,
                               answer="咸阳：全市宽带用户达到**95万户** [1]\n宝鸡：宽带用户数超过**60万户** [2]")
        if "宝鸡" in standalone or "咸阳" in standalone:
            c = self._cite("宝鸡" if "宝鸡" in standalone else "咸阳")
        else:
            raise QuestionError("问题里没有可以检索的文字，请输入完整的问题。")
        return AskResponse(question=text, rewritten_question=standalone, answerable=True,
                           answer=f"{c.quote[:-len(c.key)]}**{c.key}** [1]\n\n> “{c.quote}” [1]", citations=[c])

