"""Answering a question about a document itself (its 文号, 印发日期, 标题, 发文机关, 主送)
from its front matter (see :mod:`qa.answer.header` for finding the parts)."""
from __future__ import annotations

from qa.answer.header import PART_NAMES, Span, asked_part, find_part, part_words
from qa.answer.policy import Refusal
from qa.answer.query import FRAME_WORDS, QueryFacts, Scope, analyse
from qa.answer.select import Quote
from qa.answer.view import AnswerView
from qa.index.segment import content_words, tokenize

# Words that name a document rather than something in it.
_DOCUMENT_WORDS = frozenset((
    "通知", "文件", "规划", "文", "份", "这份", "该", "本", "此", "综述", "报告", "印发", "发布", "下发", "出台", "发文",
    "正式", "政府", "办公室", "单位", "部门", "机关", "机构", "日期", "时间", "名称", "名字",
))


def speaks_of(view: AnswerView, doc_id: str, year: int) -> bool:
    """Whether a document speaks of a year: inside its period, its status year, or named."""
    doc, profile = view.documents[doc_id], view.profiles[doc_id]
    return (doc.years is not None and doc.years[0] <= year <= doc.years[1]) or year == profile.status_year \
        or f"{year}年" in doc.text


class FrontMatter:
    """Finds what a question about a document asks and quotes it from the document meant."""

    def __init__(self, view: AnswerView, cities: tuple[str, ...], scope: Scope, title_tokens: frozenset[str]) -> None:
        self.view = view
        self.cities = cities
        self.scope = scope
        self.title_tokens = title_tokens

    def addressee_chunks(self) -> frozenset[int]:
        """Chunks that hold nothing but a document's addressee line (主送机关: "各县市区人民政府,
        市人民政府各工作部门…："): it names who receives the notice, never what a plan says."""
        found = set()
        for doc_id, doc in self.view.documents.items():
            span = find_part(doc, "addressees")
            if span is None:
                continue
            found.update(i for i in self.view.doc_chunks[doc_id]
                         if span.start - 2 <= self.view.chunks[i].start and self.view.chunks[i].end <= span.end + 2)
        return frozenset(found)

    def answer(self, focus: str, facts: QueryFacts, docs: list[str], label: str) -> tuple[list[Quote], Refusal | None] | None:
        """(quotes, None), ([], refusal naming the missing part), or None when the question
        is not about a document itself.

        Args:
            docs: the documents the question may mean (filter and place applied).
        """
        part = asked_part(focus)
        if not part or not self.about_document(focus):
            return None
        meant = self.documents_meant(facts, docs)
        spans = [(d, find_part(self.view.documents[d], part)) for d in meant]
        quotes = [self._quote(d, span, label) for d, span in spans if span is not None][:3]
        if quotes:
            return quotes, None
        titles = "、".join(f"《{self.view.documents[d].title}》" for d in meant) or "文档"
        return [], Refusal("no_value", f"{titles}没有写明{PART_NAMES[part]}。")

    def about_document(self, question: str) -> bool:
        """Whether the question names nothing but a document (its place, period and title words)."""
        rest = question
        for word in part_words(question):
            rest = rest.replace(word, " ")
        facts = analyse(rest, self.cities, self.scope)
        if any(p not in self.cities for p in facts.places):
            return False  # "依据的陕西省政府文件文号": another document, named inside this one
        left = [w for w in content_words(facts.attribute)
                if w not in FRAME_WORDS and w not in self.title_tokens and w not in _DOCUMENT_WORDS]
        return not left

    def documents_meant(self, facts: QueryFacts, docs: list[str]) -> list[str]:
        """By period or year first, then by the title words the question uses."""
        documents = self.view.documents
        by_time = [d for d in docs if documents[d].period in facts.periods
                   or any(documents[d].years is not None and documents[d].years[0] <= y <= documents[d].years[1] for y in facts.years)]
        docs = by_time or docs
        asked = set(tokenize(facts.text)) & self.title_tokens
        overlap = {d: len(asked & set(tokenize(documents[d].title))) for d in docs}
        best = max(overlap.values(), default=0)
        return [d for d in docs if overlap[d] == best]

    def _quote(self, doc_id: str, span: Span, label: str) -> Quote:
        chunks = self.view.doc_chunks[doc_id]
        chunk = next((c for c in chunks if self.view.chunks[c].start <= span.start < self.view.chunks[c].end), chunks[0])
        return Quote(doc_id, chunk, span.start, span.end, span.start, span.end, 1.0, label=label)
