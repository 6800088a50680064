"""The question-answering pipeline: validate → rewrite → retrieve → quote, or say the documents are silent."""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, replace

import numpy as np

from qa.answer import select as answering
from qa.answer.present import SILENT, answer_text, citation, passage_out
from qa.answer.query import QueryFacts, analyse
from qa.answer.retrieval import Hit, search
from qa.answer.rewrite import rewrite_with_focus
from qa.answer.select import Decision, Quote, Weights
from qa.errors import PlanQAError
from qa.index.build import build_index
from qa.index.encoder import Encoder
from qa.index.segment import tokenize
from qa.index.storage import IndexProblem, LoadedIndex, load_index
from qa.schemas import AskResponse
from qa.settings import Settings

MAX_HISTORY = 20
_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万亿]+[个家项条所户人台部次]")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[、.．]")
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}


class QuestionError(PlanQAError):
    """A question the pipeline cannot take; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class DocInfo:
    doc_id: str
    title: str
    doc_number: str
    city: str
    period: str


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a user question or raise QuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文字。")
    # Lone surrogates cannot be encoded; control characters are noise from pasting.
    text = question.encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Cf") else ch for ch in text)
    # Full-width digits and Latin letters become ASCII so "２０１５年" matches "2015年";
    # Chinese punctuation is left alone (NFKC would turn "，" into ",").
    text = text.translate(_FULLWIDTH)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("问题为空，请输入要查询的问题。")
    if len(text) > max_chars:
        raise QuestionError(f"问题太长（{len(text)} 字），最多 {max_chars} 字，请精简后再问。")
    if not re.search(r"[\w]", text):
        raise QuestionError("问题里没有可以检索的文字，请输入完整的问题。")
    return text


class Pipeline:
    """Loaded model + index, answering questions. Thread-safe for concurrent `ask` calls."""

    def __init__(self, settings: Settings, index: LoadedIndex, encoder: Encoder | None, weights: Weights | None = None) -> None:
        self.settings = settings
        self.index = index
        self.encoder = encoder
        self.weights = weights or Weights()
        self.cities = tuple(sorted({d.city for d in index.documents.values() if d.city}))
        # Words of document titles name a document, not a passage ("十二五", "规划").
        self._title_tokens = frozenset(t for d in index.documents.values() for t in tokenize(d.title))
        self.documents = [DocInfo(d.doc_id, d.title, d.doc_number, d.city, d.period) for d in index.documents.values()]

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = True, log=print) -> Pipeline:
        """Load the encoder and the index; (re)build the index if it is missing, stale or damaged.

        Raises:
            ValueError: the model is missing, or the index is unusable and build_if_missing is False.
        """
        settings = settings or Settings()
        encoder = Encoder(settings.model_dir, backend=settings.backend)
        try:
            index = load_index(settings)
        except IndexProblem as problem:
            if not build_if_missing:
                raise
            log(f"{problem}; rebuilding")
            build_index(settings, encoder, progress=False, log=log)
            index = load_index(settings)
        return cls(settings, index, encoder)

    def _allowed(self, doc: str | None, city: str | None) -> np.ndarray | None:
        doc_ids = list(self.index.documents)
        if doc is not None:
            if doc not in self.index.documents:
                raise QuestionError(f"未知文档 {doc!r}。可选文档：{sorted(self.index.documents)}")
            doc_ids = [doc]
        if city is not None:
            doc_ids = [d for d in doc_ids if self.index.documents[d].city == city]
        if doc is None and city is None:
            return None
        ids = [self.index.doc_chunk_ids[d] for d in doc_ids]
        return np.sort(np.concatenate(ids)) if ids else np.zeros(0, np.int64)

    def _retrieve(self, query: str, allowed: np.ndarray | None, timings: dict[str, float], mode: str | None = None) -> tuple[list[Hit], np.ndarray | None, list[str]]:
        mode = mode or self.settings.mode
        t0 = time.perf_counter()
        # A named city already filters the documents; as a keyword it only adds noise.
        tokens = [t for t in tokenize(query) if allowed is None or t not in self.cities]
        vector = self.encoder.encode_queries([query])[0] if self.encoder is not None and mode != "bm25" else None
        timings["embed"] = timings.get("embed", 0.0) + (time.perf_counter() - t0) * 1000
        stage: dict[str, float] = {}
        hits = search(self.index, tokens, vector, mode=mode, dense_weight=self.settings.dense_weight,
                      rrf_k=self.settings.rrf_k, depth=max(self.settings.candidates, self.settings.top_k), allowed=allowed, timings=stage)
        for name, value in stage.items():
            timings[name] = timings.get(name, 0.0) + value
        return hits, vector, tokens

    def _terms(self, tokens: list[str], focus: str) -> list[tuple[str, float]]:
        """Query terms for sentence matching, weighted by idf; context words from an
        earlier question count less than the follow-up's own, and years are judged
        by their own feature."""
        focus_tokens = set(tokenize(focus))
        return [
            (t, self.index.bm25.term_idf(t) * (1.0 if t in focus_tokens else 0.3) * (0.3 if t in self._title_tokens else 1.0))
            for t in dict.fromkeys(tokens)
            if not re.fullmatch(r"(?:19|20)\d{2}", t)
        ]

    def _scope_problem(self, facts: QueryFacts, quote: Quote | None) -> str:
        """Why the documents cannot answer, judged from what the question names; '' if in scope."""
        evidence = ""
        doc = None
        if quote is not None:
            chunk = self.index.chunks[quote.chunk]
            doc = self.index.documents[quote.doc_id]
            evidence = doc.text[chunk.start:chunk.end] + chunk.display + chunk.section_path
        foreign = [p for p in facts.places if p not in self.cities and p not in evidence]
        if foreign and not any(p in self.cities for p in facts.places):
            return f"这些文档只涉及{'、'.join(self.cities)}，没有关于{'、'.join(foreign)}的内容。"
        periods = {d.period for d in self.index.documents.values()}
        for period in facts.periods:
            if period not in periods and period not in evidence:
                return f"这些文档没有涉及“{period}”时期的内容。"
        for year in facts.years:
            covered = doc is not None and doc.years is not None and doc.years[0] <= year <= doc.years[1]
            if not covered and str(year) not in evidence:
                return f"文档中没有关于{year}年的相关内容。"
        return ""

    def _answer_one(self, query: str, focus: str, allowed: np.ndarray | None, timings: dict[str, float], label: str = "", mode: str | None = None) -> tuple[Decision, list[Hit], str]:
        hits, vector, tokens = self._retrieve(query, allowed, timings, mode)
        # What to answer comes from the follow-up's own words; place and year from the whole query.
        query_facts = analyse(query, self.cities)
        facts = replace(analyse(focus, self.cities), places=query_facts.places, years=query_facts.years)
        t0 = time.perf_counter()
        rescore_vector = vector if (mode or self.settings.mode) == "hybrid+rescore" else None
        decision = answering.choose(self.index, hits, facts, query, self._terms(tokens, focus), rescore_vector, self.weights,
                                    self.settings.answer_passages, 3 if facts.wants_list else 1)
        timings["answer"] = timings.get("answer", 0.0) + (time.perf_counter() - t0) * 1000
        best = decision.quotes[0] if decision.quotes else None
        problem = self._scope_problem(facts, best)
        if not problem and (best is None or decision.score < self.settings.min_answer_score):
            problem = "文档中没有足够相关的内容回答这个问题。"
        if not problem and best is not None:
            problem = self._evidence_problem(facts, focus, best)
        if label:
            decision.quotes = [replace(q, label=label) for q in decision.quotes]
        return decision, hits, problem

    def _evidence_problem(self, facts: QueryFacts, focus: str, best: Quote) -> str:
        """Why the best quote does not answer after all; '' if it does."""
        chunk = self.index.chunks[best.chunk]
        if self.settings.min_evidence_coverage > 0:
            # Words the documents use elsewhere but this paragraph lacks mean it is about something else.
            known = [(t, w) for t, w in self._terms(tokenize(focus), focus) if t in self.index.bm25.vocab]
            if known and answering.lexical_coverage(known, chunk.display + chunk.section_path, "") < self.settings.min_evidence_coverage:
                return "文档中没有直接回答这个问题的内容。"
        quoted = chunk.display if chunk.kind == "table_row" else self.index.documents[best.doc_id].text[best.start:best.end]
        if facts.wants_number and not facts.wants_list and not _HAS_NUMBER.search(_LIST_MARKER.sub("", quoted)):
            return "文档中找到了相关段落，但没有给出问题所问的具体数字。"
        return ""

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None, *, id: str | None = None, mode: str | None = None) -> AskResponse:
        """Answer one question with cited verbatim quotes, or say the documents are silent.

        Args:
            question: the user's question (at most settings.max_question_chars characters).
            history: earlier user questions, oldest first, for follow-ups.
            doc: restrict to one document id.
            id: echoed back (batch mode).
            mode: override the retrieval mode (evaluation ablations).

        Raises:
            QuestionError: empty, too long or unusable question; unknown document.
        """
        started = time.perf_counter()
        timings: dict[str, float] = {}
        text = clean_question(question, self.settings.max_question_chars)
        past = []
        for earlier in (history or [])[-MAX_HISTORY:]:
            try:
                past.append(clean_question(earlier, self.settings.max_question_chars))
            except QuestionError:
                continue  # a bad earlier turn must not sink the current question
        standalone, focus = rewrite_with_focus(text, past)
        facts = analyse(standalone, self.cities)
        base_allowed = self._allowed(doc, None)
        in_corpus = [p for p in facts.places if p in self.cities]
        parts: list[tuple[str, str, str, np.ndarray | None]] = []
        if len(in_corpus) >= 2:
            for place in in_corpus:
                sub = standalone
                for other in in_corpus:
                    if other != place:
                        sub = sub.replace(other, "")
                parts.append((place, sub, sub, self._allowed(doc, place)))
        elif len(facts.years) >= 2 and not re.search(r"\d{4}\s*[-—~至到]\s*\d{4}", standalone):
            city_allowed = self._allowed(doc, in_corpus[0]) if in_corpus else base_allowed
            for year in facts.years:
                sub = standalone
                for other in facts.years:
                    if other != year:
                        sub = sub.replace(str(other), "")
                parts.append((f"{year}年", sub, sub, city_allowed))
        else:
            parts.append(("", standalone, focus, self._allowed(doc, in_corpus[0]) if in_corpus else base_allowed))

        quotes: list[Quote] = []
        problems: list[str] = []
        all_hits: list[Hit] = []
        scores: list[float] = []
        for label, sub, sub_focus, allowed in parts:
            decision, hits, problem = self._answer_one(sub, sub_focus, allowed, timings, label, mode)
            all_hits.extend(hits)
            scores.append(decision.score)
            if problem:
                problems.append(f"{label}：{problem}" if label else problem)
            else:
                quotes.extend(decision.quotes)
        seen: dict[int, float] = {}
        for hit in all_hits:
            seen[hit.chunk] = max(seen.get(hit.chunk, float("-inf")), hit.score)
        ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[: self.settings.top_k]
        passages = [passage_out(self.index, c, s) for c, s in ranked]
        answerable = bool(quotes)
        citations = [citation(self.index, n, q) for n, q in enumerate(quotes, start=1)]
        if answerable:
            body = answer_text(self.index, quotes, citations)
            message = "；".join(problems)
            answer = body + (f"\n\n（{message}）" if message else "")
        else:
            message = problems[0] if len(problems) == 1 else "；".join(problems)
            answer = f"{SILENT}。{message}" if message else f"{SILENT}。"
        timings["total"] = (time.perf_counter() - started) * 1000
        return AskResponse(
            id=id, question=text, rewritten_question=standalone, answerable=answerable, answer=answer,
            message=message, citations=citations, passages=passages, confidence=round(min(scores, default=0.0), 4),
            related=[] if answerable else passages[:3],
            timing_ms={k: round(v, 2) for k, v in timings.items()},
        )
