"""The question-answering pipeline: validate → rewrite → analyse → retrieve → choose → check → present.

A question is read into slots (:mod:`qa.answer.query`), split into sides when it
compares (:mod:`qa.answer.sides`), and each side is answered by retrieval, sentence
choice (:mod:`qa.answer.select`) and the evidence checks of :mod:`qa.answer.policy`.
What reaches the user is a cited verbatim quote or a refusal that names what is missing.
"""
from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import replace
from itertools import zip_longest

import numpy as np

from qa.answer import select as answering
from qa.answer.aspects import split_aspects
from qa.answer.expand import QueryExpander
from qa.answer.followups import ListFollowUps
from qa.answer.frontmatter import FrontMatter, speaks_of
from qa.answer.lists import SECTION_ASKED, best_list, section_parts, without_asked_kind
from qa.answer.policy import (
    PROJECTS,
    Corpus,
    Refusal,
    absent_thing_refusal,
    another_indicator,
    answer_refusal,
    attribute_coverage,
    choice_refusal,
    figure_subject,
    filter_refusal,
    key_clause,
    list_noun_refusal,
    person_refusal,
    quote_evidence,
    rate_refusal,
    scope_refusal,
    technology_refusal,
    unknown_terms,
    unnamed_thing_refusal,
)
from qa.answer.present import (
    SILENT,
    answer_text,
    citation,
    comparison_rows,
    comparison_verdict,
    passage_out,
    related_label,
)
from qa.answer.query import (
    ASKING,
    FRAME_WORDS,
    ITEM_COUNT,
    PERIODS,
    QUALIFIER_GROUPS,
    QueryFacts,
    Scope,
    analyse,
    find_years,
    refers_back,
    without_places,
)
from qa.answer.question import DocInfo, QuestionError, clean_question
from qa.answer.results import SideResult
from qa.answer.retrieval import Hit, lexical_strength, rescue_weak, search, sentence_run
from qa.answer.rewrite import is_elliptical, rewrite_with_focus
from qa.answer.select import Decision, Quote, Weights
from qa.answer.sides import Side, split_sides
from qa.answer.thesaurus import (
    expansions,
    load_officials,
    load_thesaurus,
    phrase_synonyms,
    thesaurus_words,
)
from qa.answer.view import AnswerView
from qa.index.build import build_index
from qa.index.encoder import Encoder
from qa.index.segment import content_words, tokenize, use_cache_dir, words
from qa.index.storage import IndexProblem, LoadedIndex, load_index
from qa.index.stores import Store, Where, open_store
from qa.schemas import AskResponse, PassageOut, SlotsOut
from qa.settings import RESCORE_MODES, Settings

__all__ = ["DocInfo", "Pipeline", "QuestionError", "clean_question"]

MAX_HISTORY = 20


def _counted(question: str, quotes: list[Quote], results: list[SideResult]) -> str:
    """"共10条：" before the items when the question asks how many a list has (one side)."""
    asked = ITEM_COUNT.search(question)
    if asked is None or len(results) != 1 or len(quotes) < 2:
        return ""
    unit = next(u for u in asked.groups() if u)
    return f"共{len(quotes)}{unit if unit != '方面' else '个方面'}：\n"


QUALIFIER_WORDS = frozenset(w for group in QUALIFIER_GROUPS for w in group)
GENERIC_IDF = 2.0  # idf mass below which a question's known words are all generic ones (系统 1.3, 信息 0.1)


def _follow_up_years(facts: QueryFacts, own: QueryFacts) -> tuple[int, ...]:
    """A follow-up's own time frame wins: its years, or none when it asks another role
    without a year ("现在有多少？" after a 2015 target asks the latest status, not 2015)."""
    if own.years:
        return own.years
    if own.role and facts.role and own.role != facts.role:
        return ()
    return facts.years


class Pipeline:
    """Loaded model + index, answering questions. Thread-safe for concurrent `ask` calls."""

    def __init__(self, settings: Settings, index: LoadedIndex, encoder: Encoder | None, weights: Weights | None = None,
                 store: Store | None = None) -> None:
        self.settings = settings
        self.index = index
        # Issue 16: BM25 and dense runs come from the store settings.store names; chunks stay the build's.
        self.store = store if store is not None else open_store(settings, index)
        self.encoder = encoder
        self.weights = weights or Weights()
        self.view = AnswerView.of(index)
        docs = list(index.documents.values())
        self.cities = tuple(sorted({d.city for d in docs if d.city}))
        # Words of document titles name a document, not a passage ("十二五", "规划").
        self._title_tokens = frozenset(t for d in docs for t in tokenize(d.title))
        self.documents = [DocInfo(d.doc_id, d.title, d.doc_number, d.city, d.period) for d in docs]
        profiles = self.view.profiles.values()
        self.scope = Scope(
            cities=self.cities,
            plan_windows=tuple((p.start, p.end) for p in profiles if p.kind == "plan" and p.start is not None),
            review_years=tuple(y for p in profiles if p.kind == "review" and p.start is not None for y in range(p.start, p.end + 1)),
        )
        self.corpus = Corpus(
            cities=self.cities, text="\n".join(d.text for d in docs),
            periods=tuple(sorted({d.period for d in docs if d.period and not d.period.isdigit()})),
            windows=tuple(d.years for d in docs if d.years), synonyms=load_thesaurus(),
        )
        # each sentence's chunk and document, for the sentence-level dense run and its filter
        self._sentence_chunks = np.fromiter((x.chunk for x in self.view.sentences), dtype=np.int64, count=len(self.view.sentences))
        self._sentence_docs = np.array([x.doc_id for x in self.view.sentences], dtype=object)
        self.front_matter = FrontMatter(self.view, self.cities, self.scope, self._title_tokens)
        self._addressees = self.front_matter.addressee_chunks()
        self.follow_ups = ListFollowUps(self.view, self.cities, self.scope)
        self.expander = QueryExpander(index, self.corpus.synonyms, self.corpus.mentions, encoder,
                                      settings.expansion_weight, settings.bridge_floor, self._title_tokens)

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = True, log=print) -> Pipeline:
        """Load the encoder and the index; (re)build the index if it is missing, stale or damaged.

        Raises:
            PlanQAError: the model is missing, or the index is unusable and build_if_missing is False.
        """
        settings = settings or Settings()
        use_cache_dir(settings.index_dir / "jieba")  # hardening: jieba's cache out of /tmp
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

    # ------------------------------------------------------------------ retrieval

    def _doc_ids(self, doc: str | None, city: str | None) -> list[str]:
        doc_ids = list(self.index.documents)
        if doc is not None:
            if doc not in self.index.documents:
                raise QuestionError(f"未知文档 {doc!r}。可选文档：{sorted(self.index.documents)}")
            doc_ids = [doc]
        if city is not None:
            doc_ids = [d for d in doc_ids if self.index.documents[d].city == city]
        return doc_ids

    def _where(self, doc: str | None, city: str | None) -> Where | None:
        """The filter a search runs under (None: all documents); an unknown document is refused."""
        if doc is None and city is None:
            return None
        self._doc_ids(doc, city)
        return Where(doc_id=doc, city=city)

    def _retrieve(self, query: str, where: Where | None, timings: dict[str, float], mode: str | None = None,
                  bridges: dict[str, tuple[str, ...]] | None = None,
                  rescue: bool = True) -> tuple[list[Hit], np.ndarray | None, list[str]]:
        mode = mode or self.settings.mode
        t0 = time.perf_counter()
        # A named city already filters the documents; as a keyword it only adds noise.
        tokens = [t for t in tokenize(query) if where is None or t not in self.cities]
        boosts = self.expander.boosts(query, tokens, bridges or {})
        # bm25+rescore searches with words alone; the query's vector only rescores sentences, so it
        # is embedded after the search, in one batch with the sentence run's text when that is needed
        late = mode == "bm25+rescore" and self.encoder is not None
        vector = self.encoder.encode_queries([query])[0] if self.encoder is not None and mode != "bm25" and not late else None
        timings["embed"] = timings.get("embed", 0.0) + (time.perf_counter() - t0) * 1000
        stage: dict[str, float] = {}
        hits = search(self.store, [*tokens, *boosts], vector, mode=mode, dense_weight=self.settings.dense_weight,
                      rrf_k=self.settings.rrf_k, depth=max(self.settings.candidates, self.settings.top_k), where=where,
                      timings=stage, boosts=boosts)
        for name, value in stage.items():
            timings[name] = timings.get(name, 0.0) + value
        weak = rescue and mode in RESCORE_MODES and self.encoder is not None and self.settings.lexical_gate > 0 \
            and self._words_barely_match(tokens, hits)
        t0 = time.perf_counter()
        expanded = " ".join([self._dense_text(query), *expansions(query, self.view.synonyms)]) if weak else ""
        texts = ([query] if late else []) + ([expanded] if weak else [])
        vectors = self.encoder.encode_queries(texts) if texts else None
        timings["embed"] = timings.get("embed", 0.0) + (time.perf_counter() - t0) * 1000
        if late:
            vector = vectors[0]
        if weak:
            hits = self._fuse_sentence_run(vectors[-1], hits, where, timings)
        return hits, vector, tokens

    def _words_barely_match(self, tokens: list[str], hits: list[Hit]) -> bool:
        """The question's own words barely match (everyday words the plans do not use): a
        sentence-level dense run then joins BM25's (where words match, it only dilutes them)."""
        mass = sum(self.index.bm25.term_idf(t) for t in set(tokens))
        return lexical_strength(hits, mass) < self.settings.lexical_gate

    def _fuse_sentence_run(self, vector: np.ndarray, hits: list[Hit], where: Where | None,
                           timings: dict[str, float]) -> list[Hit]:
        """Fuse a sentence-level dense run of the question and its thesaurus equivalents
        (``vector``) into BM25's hits."""
        t0 = time.perf_counter()
        allowed = None
        if where is not None:
            allowed = np.isin(self._sentence_docs, self._doc_ids(where.doc_id, where.city))
        dense = sentence_run(self.view.sentence_vectors, self._sentence_chunks, allowed, vector, self.settings.candidates)
        fused = rescue_weak(hits, dense, self.settings.sentence_weight, self.settings.rrf_k)
        timings["sentence_run"] = timings.get("sentence_run", 0.0) + (time.perf_counter() - t0) * 1000
        return fused

    def _dense_text(self, query: str) -> str:
        """The question as the dense model reads it: without its place names. A named city
        already filters the documents, and the name only draws the vector to sentences
        that mention the city (dev: the sentence run alone finds the evidence in its top 5
        for 0.72 of questions with the names, 0.86 without)."""
        text = without_places(query, analyse(query, self.cities, self.scope).places)
        return text.strip() or text

    def _terms(self, tokens: list[str], focus: str) -> list[tuple[str, float]]:
        """Query terms for sentence matching, weighted by idf; context words from an
        earlier question count less than the follow-up's own, and years are judged
        by their own feature."""
        focus_tokens = set(tokenize(focus))
        return [
            (t, self.index.bm25.term_idf(t) * (1.0 if t in focus_tokens else 0.3) * (0.3 if t in self._title_tokens else 1.0))
            for t in dict.fromkeys(tokens)
            if not re.fullmatch(r"(?:19|20)\d{2}", t) and t not in FRAME_WORDS
        ]

    # ------------------------------------------------------------------ one side

    def _answer_side(self, side: Side, focus: str, doc: str | None, timings: dict[str, float], mode: str | None) -> SideResult:
        """Retrieve, choose and check the answer to one side of the question."""
        if analyse(focus, self.cities, self.scope).answer_type == "where" and "；" in side.question:
            # "这个目标在哪一部分提出的？": answer the previous question; its heading path is the answer.
            previous = side.question.split("；")[0]
            side, focus = replace(side, question=previous), previous
            where = True
        else:
            where = False
        facts = analyse(side.question, self.cities, self.scope)
        focus_facts = analyse(focus, self.cities, self.scope)
        if where:
            facts = replace(facts, answer_type="where")
        if focus != side.question:
            # A follow-up's own words say what it asks; the setting gives place and time,
            # and the kind of answer when the follow-up asks nothing itself ("那X呢？").
            kind = facts if focus_facts.answer_type == "what" and not ASKING.search(focus) else focus_facts
            facts = replace(facts, answer_type=kind.answer_type, wants_number=kind.wants_number,
                            wants_list=kind.wants_list, wants_when=kind.wants_when,
                            wants_who=kind.wants_who, attribute=focus_facts.attribute,
                            qualifiers=focus_facts.qualifiers or self._borrowed_qualifiers(side, facts, focus_facts),
                            role=focus_facts.role or facts.role,
                            years=_follow_up_years(facts, focus_facts), text=focus_facts.text,
                            referent=side.question if refers_back(focus) else "")
        # a sub-group said in everyday words (县里, 乡下) is the official one its group starts with (县级, 农村)
        facts = replace(self._officially(facts, focus), equivalents=tuple(expansions(focus, self.view.synonyms)))
        where = self._where(doc, side.city)
        t0 = time.perf_counter()
        bridges = self.expander.bridges(focus)
        timings["bridge"] = timings.get("bridge", 0.0) + (time.perf_counter() - t0) * 1000
        # a follow-up read in its predecessor's words: their match says little of its own
        hits, vector, tokens = self._retrieve(side.question, where, timings, mode, bridges, rescue=focus == side.question)
        header = self.front_matter.answer(focus, facts, self._doc_ids(doc, side.city), side.label)
        if header is not None:
            quotes, refusal = header
            return SideResult(side, facts, Decision(quotes=quotes, score=1.0 if quotes else 0.0), hits, refusal, quotes)
        hits = [h for h in hits if h.chunk not in self._addressees] or hits  # a salutation says nothing asked
        t0 = time.perf_counter()
        rescore_vector = vector if (mode or self.settings.mode) in RESCORE_MODES else None
        terms = self._terms(tokens, focus)
        # A year asked is answered from the documents that speak of it (a hard filter when any does).
        of_the_years = self._hits_of_the_years(hits, facts)
        decision = answering.choose(self.view, of_the_years, facts, side.asks or focus, terms, rescore_vector,
                                    self.weights, self.settings.answer_passages, 3 if facts.wants_list else 1)
        timings["answer"] = timings.get("answer", 0.0) + (time.perf_counter() - t0) * 1000
        result = SideResult(side, facts, decision, hits)
        enumeration = best_list(self.view, of_the_years, self._attribute_terms(focus_facts)[1], focus,
                                decision.quotes) if facts.wants_list else None
        if enumeration is None and facts.answer_type in ("what", "how") and SECTION_ASKED.search(focus):
            enumeration = section_parts(self.view, of_the_years, self._attribute_terms(focus_facts)[1], focus)
        if enumeration is not None:
            result.refusal = (scope_refusal(facts, self.corpus, self._attribute_terms(focus_facts)[0])
                              or self._absent_thing(facts, doc, side.city))
            quotes = list(enumeration.quotes)
        else:
            result.refusal = self._refusal(facts, focus_facts, decision, bridges, doc, side.city)
            if side.borrowed_years or (focus != side.question and not focus_facts.years):
                result.refusal, result.note = self._latest_status_instead(facts, focus_facts, decision, result.refusal,
                                                                          bridges, doc, side.city)
            quotes = decision.quotes
        if result.refusal is None and quotes and facts.wants_list:
            # a list is not checked quote by quote: it must at least be of the project it is asked of
            # (the kind asked, "哪些综合应用系统", is what the items are, not a project named)
            result.refusal = unnamed_thing_refusal(without_asked_kind(focus), [quote_evidence(self.view, q) for q in quotes],
                                                   self.corpus)
        if result.refusal is None:
            result.quotes = [replace(q, label=side.label) for q in quotes]
        return result

    @staticmethod
    def _borrowed_qualifiers(side: Side, facts: QueryFacts, focus_facts: QueryFacts) -> tuple[str, ...]:
        """The sub-groups a part inherits from the whole: a follow-up or a clause that names
        nothing of its own ("…2015年要到多少？") asks of the same sub-group; a clause that
        names its own thing ("…工程叫啥，发展了多少家用户？") does not take the other clause's."""
        return () if side.asks and focus_facts.attribute else facts.qualifiers

    def _latest_status_instead(self, facts: QueryFacts, focus_facts: QueryFacts, decision: Decision,
                               refusal: Refusal | None, bridges: dict[str, tuple[str, ...]], doc: str | None,
                               city: str | None) -> tuple[Refusal | None, str]:
        """A follow-up ("那宝鸡呢？") inherits the earlier question's status year, which is that
        city's base year; another city's plan states its status for its own base year (2009
        rather than 2010). That figure answers, with a note naming both years."""
        if refusal is None or refusal.reason != "other_period" or facts.role != "status" or not facts.years:
            return refusal, ""
        again = self._refusal(replace(facts, years=()), focus_facts, decision, bridges, doc, city)
        best = decision.quotes[0] if decision.quotes else None
        if again is not None or best is None or best.year is None or best.year in facts.years:
            return refusal, ""
        asked = "、".join(str(y) for y in facts.years)
        return None, f"文档没有给出{asked}年的数据，引文是{best.year}年的现状"

    def _officially(self, facts: QueryFacts, focus: str) -> QueryFacts:
        """A sub-group said in everyday words (县里, 乡下) is the official one its thesaurus
        group starts with (县级, 农村): a qualifier, and so named in the attribute."""
        officials = load_officials()
        attribute, qualifiers = facts.attribute, list(facts.qualifiers)
        for word in thesaurus_words(focus, self.view.synonyms):
            official = officials.get(word, word)
            if official in QUALIFIER_WORDS and official not in focus:
                attribute = attribute.replace(word, official)
                qualifiers += [official] if official not in qualifiers else []
        return replace(facts, attribute=attribute, qualifiers=tuple(qualifiers))

    def _hits_of_the_years(self, hits: list[Hit], facts: QueryFacts) -> list[Hit]:
        """For a question asked of a year: the passages of documents that speak of that year
        ("2007年…取得了哪些进展" is answered from the 2007 review, not from a later plan); of a
        plan period and no year ("十二五规划怎么说"): of documents that speak of one of its years."""
        years = facts.years or tuple(y for p in facts.periods if p in PERIODS for y in range(PERIODS[p][0], PERIODS[p][1] + 1))
        if not years:
            return hits
        kept = [h for h in hits if any(speaks_of(self.view, self.view.chunks[h.chunk].doc_id, y) for y in years)]
        return kept or hits

    def _attribute_terms(self, facts: QueryFacts) -> tuple[list[str], list[tuple[str, float]]]:
        """The words naming what the question asks about, and their (token, idf) terms."""
        names = [w for w in content_words(facts.attribute) if w not in FRAME_WORDS and w not in self._title_tokens]
        if not names:  # no noun: the verbs and the rest still say what is asked ("投入")
            names = [w for w in words(facts.attribute) if len(w) >= 2 and w not in FRAME_WORDS and w not in self._title_tokens]
        if not names and facts.wants_list:  # "发展目标有几条？": the section asked is named with a frame word (目标)
            names = [w for w in content_words(facts.text) if len(w) >= 2 and w not in self._title_tokens and w not in facts.places
                     and (w not in FRAME_WORDS or SECTION_ASKED.search(w))]
        terms = [(t, self.index.bm25.term_idf(t)) for t in dict.fromkeys(t for w in names for t in tokenize(w))]
        # A thesaurus phrase of the attribute that no name covers ("网上买卖" has no noun) is
        # a name too, held whole (by itself or an equivalent: 电子商务), not word by word.
        phrases = [p for p in thesaurus_words(facts.attribute, self.view.synonyms)
                   if len(tokenize(p)) > 1 and not any(n in p for n in names)]
        names += phrases
        terms += [(p, max(self.index.bm25.term_idf(t) for t in tokenize(p))) for p in phrases]
        return names, terms

    def _absent_thing(self, facts: QueryFacts, doc: str | None, city: str | None) -> Refusal | None:
        """A named project or system of another document (see policy.absent_thing_refusal)."""
        if doc is None and city is None:
            return None
        searched = [(self.index.documents[d].title, self.index.documents[d].text) for d in self._doc_ids(doc, city)]
        return absent_thing_refusal(facts.referent or facts.text, searched, self.corpus) if searched else None

    def _refusal(self, facts: QueryFacts, focus_facts: QueryFacts, decision: Decision,
                 bridges: dict[str, tuple[str, ...]], doc: str | None = None, city: str | None = None) -> Refusal | None:
        """The first reason the documents do not answer this side, or None."""
        names = self._attribute_terms(focus_facts)[0]
        refusal = scope_refusal(facts, self.corpus, names) or self._absent_thing(facts, doc, city)
        if refusal is not None:
            return refusal
        best = decision.quotes[0] if decision.quotes else None
        # No score floor: on dev every floor that refused anything refused right answers
        # first; the checks below refuse by what is missing instead.
        if best is None:
            return Refusal("weak_evidence", "文档中没有足够相关的内容回答这个问题。")
        # a thesaurus phrase of the question (网上做买卖) lends its equivalents to its words
        # (做买卖), as in choosing the sentence: none of them is then a word the documents lack
        table = {**self.corpus.synonyms, **bridges} if bridges else self.corpus.synonyms  # no copy when nothing to add
        synonyms = phrase_synonyms(focus_facts.text, table, _parts)
        corpus = replace(self.corpus, synonyms=synonyms) if synonyms is not self.corpus.synonyms else self.corpus
        if facts.wants_list:
            # A list is answered by those of its quotes that pass every check; the others are dropped.
            passing = [q for q in decision.quotes if self._quote_refusal(facts, focus_facts, q, names, corpus) is None]
            if passing:
                decision.quotes[:] = passing
                return None
        refusal = self._quote_refusal(facts, focus_facts, best, names, corpus)
        if refusal is None:
            return None
        # The best sentence does not answer; a close runner-up from another passage that
        # passes every check does (its quote replaces the best one).
        for other in [*(self._read_on(best) if refusal.restated else []), *decision.runners_up]:
            if self._quote_refusal(facts, focus_facts, other, names, corpus) is None:
                decision.quotes[:] = [other]
                return None
        return refusal

    def _read_on(self, quote: Quote) -> list[Quote]:
        """A sentence that only restates a what-question (a lead such as "三是培育壮大信息服务外包
        产业。") is read on into the sentence after it in its passage, where the answer is."""
        after = self.view.neighbour(quote.chunk, quote.start, quote.end, after=True)
        return [replace(quote, end=after.end, key_start=-1, key_end=-1)] if after else []

    def _quote_refusal(self, facts: QueryFacts, focus_facts: QueryFacts, quote: Quote, names: list[str],
                       corpus: Corpus) -> Refusal | None:
        """Why this quote does not answer the question, or None."""
        evidence = quote_evidence(self.view, quote)  # what every check below reads
        refusal = self._coverage_refusal(names, quote, focus_facts, corpus)
        refusal = refusal or rate_refusal(focus_facts, evidence, corpus)
        refusal = refusal or technology_refusal(focus_facts, evidence, corpus)
        refusal = refusal or choice_refusal(focus_facts.text, evidence, corpus)
        refusal = refusal or person_refusal(focus_facts.text, evidence)
        if focus_facts.wants_number:
            # "数字咸阳工程计划投资多少": a figure of the named project only, not of a fund beside it
            refusal = refusal or unnamed_thing_refusal(focus_facts.text, [evidence], corpus, PROJECTS)
        if facts.referent:
            # "这个工程谁负责？": the thing referred to is the one named before, and the quote must name it
            refusal = refusal or unnamed_thing_refusal(facts.referent, [evidence], corpus)
        if facts.wants_list and self.view.chunks[quote.chunk].kind == "table_row":
            # One project's row (its unit, year, money) lists none of the project's parts.
            refusal = refusal or list_noun_refusal(focus_facts, evidence)
        return refusal or answer_refusal(facts, quote, self.view, self.corpus)

    def _coverage_refusal(self, names: list[str], best: Quote, focus_facts: QueryFacts, corpus: Corpus) -> Refusal | None:
        """Refuse a quote that lacks what the question names.

        Only words the documents use somewhere count (a thesaurus equivalent counts as
        the word): a quote about 电话普及率 lacks 互联网 of 互联网普及率, so it answers
        another indicator. A word the documents never use may be the user's own
        wording for what the quote says, so it cannot tell; it is named only when the
        known words fail too.
        """
        unknown = unknown_terms(names, corpus)
        # an unknown compound stands for its known parts (危险点 -> 危险, 财政局 -> 财政)
        parts = {w: [t for t in tokenize(w) if t != w and len(t) >= 2 and corpus.mentions(t)] for w in unknown if len(w) >= 3}
        unsaid, unknown = unknown, [w for w in unknown if not parts.get(w)]
        names = [*names, *(t for ts in parts.values() for t in ts)]
        terms = [(t, self.index.bm25.term_idf(t)) for t in dict.fromkeys(t for w in names if w not in unknown and w not in parts
                                                                         for t in tokenize(w))]
        # one character ("线" of 拉上网线) is held by any word that has it (有线): it proves nothing
        terms = [(t, w) for t, w in terms if len(t) >= 2] or terms
        # the only words the documents know are generic (系统), the specific ones (指令) unknown;
        # each unknown word asks that much more of the known ones (地震、火灾 beside 数据 alone)
        generic = bool(terms) and sum(w for _, w in terms) < GENERIC_IDF * max(1, len(unknown))
        # a number asked of an indicator the documents never name (成交额, no equivalent) would be
        # some other indicator's number: no known word to hold the quote to, no answer
        unheld = not terms and focus_facts.wants_number
        if not (unknown and (generic or unheld)) and (not terms or attribute_coverage(
                _counted_once(terms, self.index.bm25.vocab), quote_evidence(self.view, best), corpus,
                focus_facts.text) >= self.settings.min_evidence_coverage):
            return self._clause_refusal(terms, best, focus_facts, corpus)
        if unsaid:
            return Refusal("not_in_corpus", f"文档中没有提到“{'、'.join(unsaid)}”。")
        return Refusal("weak_evidence", f"文档中没有直接回答“{focus_facts.attribute}”的内容。")

    def _clause_refusal(self, terms: list[tuple[str, float]], quote: Quote, focus_facts: QueryFacts,
                        corpus: Corpus) -> Refusal | None:
        """A number is the asked attribute's only if its clause, a clause next to it or the
        heading path names the attribute: "努力培育软件产业，大力发展电信增值服务，到2015年
        信息服务业增加值达到50亿元" gives 信息服务业's figure, not 软件产业's."""
        if not focus_facts.wants_number or quote.key_start < 0 or not terms:
            return None
        chunk = self.view.chunks[quote.chunk]
        clause = chunk.display if chunk.kind == "table_row" else key_clause(self.view, quote, around=1)
        held = attribute_coverage(terms, clause + "\n" + chunk.section_path, corpus, focus_facts.text)
        subject = figure_subject(self.view, quote) if chunk.kind != "table_row" else ""
        if subject and (attribute_coverage(terms, subject, corpus, focus_facts.text) == 0
                        or another_indicator(subject, focus_facts.attribute, terms, focus_facts.text, corpus)):
            # the figure's own clause gives it for another indicator ("实现宽带网络全覆盖，
            # 有线电视网络覆盖率达到75%" is no 行政村通宽带比例), whatever the clause beside says
            return Refusal("weak_evidence", f"文档中没有直接给出“{focus_facts.attribute}”的数字（引文中的数字是“{subject}”的）。")
        if held >= self.settings.min_evidence_coverage or self._names_the_head(focus_facts, quote, chunk, corpus):
            return None
        return Refusal("weak_evidence", f"文档中没有直接给出“{focus_facts.attribute}”的数字（引文中的数字说的是另一项）。")

    def _names_the_head(self, facts: QueryFacts, quote: Quote, chunk, corpus: Corpus) -> bool:
        """The number's own clause names what the question ends on (应用系统 of "金财工程有多少个
        应用系统投入运行", its subject two clauses back), or an equivalent of it."""
        head = next((w for w in reversed(words(facts.attribute)) if len(w) >= 2), "")
        own = chunk.display if chunk.kind == "table_row" else key_clause(self.view, quote)
        return bool(head) and (head in own or any(s in own for s in corpus.synonyms.get(head, ())))

    # ------------------------------------------------------------------ the question

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None, *, id: str | None = None, mode: str | None = None) -> AskResponse:
        """Answer one question with cited verbatim quotes, or say what the documents do not say.

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
        standalone, focus = rewrite_with_focus(text, self._past(history))
        facts = analyse(standalone, self.cities, self.scope)
        filtered = self._filter_refusal(facts, doc)
        results: list[SideResult] = []
        past = self._past(history)
        picked = self.follow_ups.pick(text, past, lambda side, q: self._answer_side(side, q, doc, timings, mode)) \
            if filtered is None else None
        if picked is not None:
            results = [picked]
            if past and is_elliptical(text):
                standalone = f"{rewrite_with_focus(past[-1], past[:-1])[0].rstrip('？?。 ')}；{text}"
        elif filtered is None:
            borrowed = bool(past) and is_elliptical(text) and not find_years(text)
            results = self._answer_sides(text, standalone, focus, facts, doc, timings, mode, borrowed)
        response = self._respond(text, standalone, facts, results, filtered)
        timings["total"] = (time.perf_counter() - started) * 1000
        response.id = id
        response.timing_ms = {k: round(v, 2) for k, v in timings.items()}
        return response

    def _answer_sides(self, text: str, standalone: str, focus: str, facts: QueryFacts, doc: str | None,
                      timings: dict[str, float], mode: str | None, borrowed: bool = False) -> list[SideResult]:
        """Answer each side of a comparison, each aspect of a two-part question, or the one question
        (``borrowed``: its years come from an earlier question)."""
        sides = [replace(s, borrowed_years=borrowed) for s in split_sides(standalone, facts, self.cities)]
        if len(sides) > 1:
            return [self._answer_side(side, side.question, doc, timings, mode) for side in sides]
        # Only a question asked as is splits into aspects; a rewritten follow-up asks one thing.
        setting = "".join([*facts.places, *(f"{y}年" for y in facts.years), *facts.periods])
        aspects = split_aspects(standalone, facts.answer_type, facts.places, setting) if standalone == text else []
        if not aspects and focus != standalone and "；" in standalone:
            return self._aspects_in_setting(sides[0], standalone, focus, doc, timings, mode)
        if not aspects and sides[0].city is None and doc is None and facts.answer_type == "number" \
                and not facts.places and len(self.cities) > 1:
            return self._each_city(sides[0], focus, timings, mode)
        if not aspects:
            return [self._answer_side(sides[0], focus, doc, timings, mode)]
        return [self._answer_side(replace(sides[0], label=a.label, question=standalone if a.whole else a.question, asks=a.question),
                                  a.question, doc, timings, mode) for a in aspects]

    def _aspects_in_setting(self, side: Side, standalone: str, focus: str, doc: str | None,
                            timings: dict[str, float], mode: str | None) -> list[SideResult]:
        """A follow-up asking two things of what came before ("附件里谁负责，哪年建？"): each
        in the previous question's setting. The follow-up's own words are analysed, since the
        rewritten question's facts describe the setting, not what is asked now."""
        context = standalone.rsplit("；", 1)[0] + "；"
        asked = split_aspects(focus, analyse(focus, self.cities, self.scope).answer_type)
        return [self._answer_side(replace(side, label=a.label, question=context + a.question), a.question, doc, timings, mode)
                for a in asked] or [self._answer_side(side, focus, doc, timings, mode)]

    def _each_city(self, side: Side, focus: str, timings: dict[str, float], mode: str | None) -> list[SideResult]:
        """A figure asked without a place, of documents of several cities ("宽带用户目标是多少？"):
        each city's answer, labelled, rather than one city's figure passed off as the answer."""
        results = [self._answer_side(replace(side, label=city, city=city), focus, None, timings, mode) for city in self.cities]
        answered = [r for r in results if r.refusal is None]
        return answered or results[:1]

    def _past(self, history: list[str] | None) -> list[str]:
        past = []
        for earlier in (history or [])[-MAX_HISTORY:]:
            try:
                past.append(clean_question(earlier, self.settings.max_question_chars))
            except QuestionError:
                continue  # a bad earlier turn must not sink the current question
        return past

    def _filter_refusal(self, facts: QueryFacts, doc: str | None) -> Refusal | None:
        if doc is None:
            return None
        doc_ids = self._doc_ids(doc, None)
        allowed_cities = tuple(sorted({self.index.documents[d].city for d in doc_ids if self.index.documents[d].city}))
        titles = [self.index.documents[d].title for d in doc_ids]
        return filter_refusal(facts, allowed_cities, titles) or self._year_filtered(facts, doc_ids, titles)

    def _year_filtered(self, facts: QueryFacts, doc_ids: list[str], titles: list[str]) -> Refusal | None:
        """The filter keeps only documents that do not speak of the asked year, while
        another document does ("2007年…" asked of the 十二五 plan; the 2007 review has it)."""
        for year in facts.years:
            if any(speaks_of(self.view, d, year) for d in doc_ids):
                continue
            others = [self.index.documents[d].title for d in self.index.documents if d not in doc_ids and speaks_of(self.view, d, year)
                      and (not facts.places or self.index.documents[d].city in facts.places)]
            if others:
                where = "、".join(f"《{t}》" for t in titles)
                found = "、".join(f"《{t}》" for t in others)
                return Refusal("filtered_out", f"当前只在{where}中查找；{year}年的情况在{found}中。请把文档范围改为“全部文档”再问。")
        return None

    def _respond(self, text: str, standalone: str, facts: QueryFacts, results: list[SideResult], filtered: Refusal | None) -> AskResponse:
        """Turn the answered sides into what the user reads."""
        quotes = [q for r in results for q in r.quotes]
        refused = [r for r in results if r.refusal is not None]
        messages = [f"{r.side.label}：{r.refusal.message}" if r.side.label else r.refusal.message for r in refused]
        messages += [f"{r.side.label}：{r.note}" if r.side.label else r.note for r in results if r.note and r.refusal is None]
        if filtered is not None:
            messages = [filtered.message]
        citations = [citation(self.view, n, q) for n, q in enumerate(quotes, start=1)]
        passages = self._passages(results)
        answerable = bool(quotes)
        message = "；".join(messages)
        if answerable:
            answer = answer_text(self.view, quotes, citations, where=facts.answer_type == "where")
            answer = _counted(text, quotes, results) + answer
            answer += f"\n\n（{message}）" if message else ""
        else:
            answer = f"{SILENT}。{message}" if message else f"{SILENT}。"
        reason = "" if answerable else (filtered.reason if filtered else next((r.refusal.reason for r in refused), "weak_evidence"))
        rows = comparison_rows(self.view, results, citations) if len(results) > 1 else []
        verdict = comparison_verdict(text, rows)
        if verdict:
            answer = f"{verdict}\n\n{answer}"
        return AskResponse(
            question=text, rewritten_question=standalone, answerable=answerable, answer=answer,
            message=message, citations=citations, passages=passages,
            confidence=round(min((r.decision.score for r in results), default=0.0), 4),
            related=[] if answerable else self._related(results, passages),
            slots=SlotsOut(places=list(facts.places), years=list(facts.years), periods=list(facts.periods),
                           role=facts.role, attribute=facts.attribute, qualifiers=list(facts.qualifiers),
                           answer_type=facts.answer_type),
            reason=reason,
            comparison=rows, verdict=verdict,
        )

    def _passages(self, results: list[SideResult]) -> list[PassageOut]:
        """The sources, each side's in turn: the quoted passages, then the passages the
        answer step looked inside by their best sentence, then the rest by retrieval."""
        scores = {h.chunk: h.score for r in results for h in r.hits}
        orders = [[*(q.chunk for q in r.quotes), *r.decision.ranked, *(h.chunk for h in r.hits)] for r in results]
        ranked = list(dict.fromkeys(c for group in zip_longest(*orders) for c in group if c is not None))
        return [passage_out(self.view, c, scores.get(c, 0.0)) for c in ranked[: self.settings.top_k]]

    def _related(self, results: list[SideResult], passages: list[PassageOut]) -> list[PassageOut]:
        """For a refusal: the passage the answer step found first (labelled with what it
        gives instead, e.g. 2010年现状), then the best retrieved passages."""
        related = []
        for r in results:
            if r.refusal is not None and r.decision.quotes and r.refusal.reason in ("status_only", "target_only", "outcome", "other_period", "no_value"):
                best = r.decision.quotes[0]
                related.append(passage_out(self.view, best.chunk, best.score, label=related_label(best)))
        chunks = {p.chunk_id for p in related}
        return (related + [p for p in passages if p.chunk_id not in chunks])[:3]


def _parts(phrase: str) -> list[str]:
    """A phrase's words in both cuts: search-mode tokens (网上, 买卖) and precise words (做买卖)."""
    return list(dict.fromkeys([*tokenize(phrase), *words(phrase)]))


def _counted_once(terms: list[tuple[str, float]], vocabulary: Mapping[str, int]) -> list[tuple[str, float]]:
    """The terms a quote must hold: a word the documents never use as a token is carried by
    its parts among the terms (税务局 by 税务), not counted again at the rarest idf."""
    return [(t, w) for t, w in terms if t in vocabulary or not any(o != t and o in t for o, _ in terms)]
