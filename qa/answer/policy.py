"""Evidence checks: is the chosen quote an answer to the question that was asked?

Each check returns a :class:`Refusal` (a stable reason code and a Chinese message
naming what is missing) or None. The checks run in two places: before retrieval,
on what the question names (a place, period or term the documents never mention),
and after selection, on the quote (its time role, year, sub-group, value).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import permutations

from qa.answer.query import (
    ADMIN_SUFFIX,
    PROJECT_KINDS,
    QUALIFIER_GROUPS,
    THING_KINDS,
    QueryFacts,
)
from qa.answer.select import Quote, qualifier_fit
from qa.answer.thesaurus import load_technologies, thesaurus_words
from qa.answer.values import (
    DOCUMENT_PARTS,
    ORGANISATION,
    level_for_increase,
    longest_shared,
    says_asked_count,
    unit_conflict,
)
from qa.answer.view import AnswerView
from qa.index.segment import content_words, has_word, words

REASONS = (
    "not_in_corpus", "other_place", "other_period", "status_only", "target_only",
    "outcome", "no_value", "filtered_out", "weak_evidence",
)
_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万亿]+[个家项条所户人台部次期批轮届]")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[、.．]")
# 3G, IPv6, B2B are names; a bandwidth (4M, 100Mbps) is a figure.
_LATIN_NAME = re.compile(r"[A-Za-z]+\d+[A-Za-z\d]*|\d+(?!(?:[MK]b?(?:ps)?|[MK]B)(?![A-Za-z\d]))[A-Za-z]+[A-Za-z\d]*")
# A word made of Latin letters or digits (5G, VR, AI, IPv6) names a technology outright.
_LATIN_TERM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-]*$")
@dataclass(frozen=True)
class Refusal:
    """Why the documents do not answer: a code from :data:`REASONS` and a message."""

    reason: str
    message: str
    restated: bool = False  # the quote only restates the question: its answer may follow it


@dataclass(frozen=True)
class Corpus:
    """What the documents mention, for checks on what a question names.

    Args:
        cities: places the documents are about.
        text: all document texts joined (substring checks).
        periods: plan periods the documents are for (十二五).
        windows: (first, last) year of each document.
        synonyms: word -> its equivalents (thesaurus groups).
    """

    cities: tuple[str, ...]
    text: str
    periods: tuple[str, ...]
    windows: tuple[tuple[int, int], ...]
    synonyms: dict[str, tuple[str, ...]]

    def mentions(self, word: str) -> bool:
        """Whether the documents use the word, one of its thesaurus equivalents, or
        (for a part of any official document, such as 文号) a value of its form."""
        if word in self.text or any(s in self.text for s in self.synonyms.get(word, ())):
            return True
        pattern = DOCUMENT_PARTS.get(word)
        return bool(pattern and pattern.search(self.text))


def attribute_coverage(terms: list[tuple[str, float]], evidence: str, corpus: Corpus, question: str = "") -> float:
    """idf-weighted share of the asked attribute's terms (jieba search-mode tokens, so a
    compound's parts count too) that the evidence holds; a thesaurus equivalent counts
    as the term ("手机" is held by "移动电话"), and for a phrase of the question it counts
    for each of its words ("电脑办公系统" held by "OA管理系统")."""
    total = sum(w for _, w in terms)
    if total <= 0:
        return 1.0
    held = [w for w in thesaurus_words(question, corpus.synonyms)
            if any(has_word(evidence, s) for s in corpus.synonyms[w])]
    folded = (evidence + "\n" + " ".join(held)).lower()
    return sum(w for t, w in terms if _holds(folded, t, corpus)) / total


def _holds(evidence: str, term: str, corpus: Corpus) -> bool:
    if has_word(evidence, term) or any(has_word(evidence, s) for s in corpus.synonyms.get(term, ())):
        return True
    pattern = DOCUMENT_PARTS.get(term)
    return bool(pattern and pattern.search(evidence))


def unknown_terms(words: Iterable[str], corpus: Corpus) -> list[str]:
    """Content words of the question (two characters or more) the documents never use."""
    return [w for w in dict.fromkeys(words) if len(w) >= 2 and not corpus.mentions(w)]


def scope_refusal(facts: QueryFacts, corpus: Corpus, attribute_words: list[str]) -> Refusal | None:
    """Refuse before retrieval when the question names something the documents never mention.

    Args:
        facts: the question's slots.
        corpus: what the documents mention.
        attribute_words: the precise-mode words of the asked attribute.
    """
    foreign = [p for p in facts.places if p not in corpus.cities and p not in corpus.text]
    # A province or city the documents only mention (陕西 in 陕西省人民政府…) is not one
    # they plan for, when the question names no city they do plan for.
    if not any(p in corpus.cities for p in facts.places):
        foreign += [p for p in facts.admin_places if p not in corpus.cities and p not in foreign
                    and _planned_elsewhere(p, facts.text, corpus.text)]
    if foreign:
        return Refusal("other_place", f"这些文档只涉及{'、'.join(corpus.cities)}，没有关于{'、'.join(foreign)}的内容。")
    for period in facts.periods:
        if period not in corpus.periods and period not in corpus.text:
            covered = "、".join(f"“{p}”" for p in corpus.periods) or "其他时期"
            return Refusal("other_period", f"这些文档是{covered}时期的，没有涉及“{period}”时期的内容。")
    for year in facts.years:
        if not any(first <= year <= last for first, last in corpus.windows) and f"{year}年" not in corpus.text:
            return Refusal("other_period", f"文档中没有关于{year}年的内容。")
    latin = [w for w in unknown_terms(attribute_words, corpus) if _LATIN_TERM.match(w)]
    missing = latin or unmentioned_technologies(facts.text, corpus)
    if missing:
        return Refusal("not_in_corpus", f"文档中没有提到“{'、'.join(missing)}”。")
    return None


def unmentioned_technologies(question: str, corpus: Corpus) -> list[str]:
    """Named technologies the question asks about that the documents never mention (the
    longest name only: 智慧城市, not also 城市)."""
    named: list[str] = []
    for term in load_technologies():
        if term.lower() in question.lower() and not any(term in longer for longer in named):
            named.append(term)
    return [t for t in named if not corpus.mentions(t) and t.lower() not in corpus.text.lower()]


def technology_refusal(facts: QueryFacts, evidence: str, corpus: Corpus) -> Refusal | None:
    """A named technology the question asks about (物联网 of "物联网示范工程计划投资多少")
    that the quote and its headings do not name, literally or through the thesaurus: the
    quote is about something else (another project's budget)."""
    named: list[str] = []
    for term in load_technologies():
        if term.lower() in facts.attribute.lower() and not any(term in longer for longer in named):
            named.append(term)
    missing = [t for t in named if t.lower() not in evidence.lower() and not any(s in evidence for s in corpus.synonyms.get(t, ()))]
    if missing:
        return Refusal("weak_evidence", f"文档中找到的段落没有提到“{'、'.join(missing)}”。")
    return None


_TITLES = "司长|局长|主任|市长|书记|组长|部长|省长|县长|区长|处长|科长|经理|董事长|院长|校长|主席|秘书长"
# "项目负责人叫什么名字", "组长姓什么": a person's own name is asked, not a unit or a title.
_NAME_OF_PERSON = re.compile(rf"(负责人|联系人|牵头人|带头人|领导|{_TITLES})[^，,。？?；;]{{0,3}}?(?:叫什么|叫啥|的?名字|姓名|姓什么|姓啥)")
# A person named in an official text stands by a title: "副司长董宝青考察了…".
_PERSON_NAMED = re.compile(rf"(?:{_TITLES})(?![为是的任兼和与及等])[\u4e00-\u9fff]{{2,3}}"
                           r"(?=[，。、；：（(]|考察|视察|出席|主持|讲话|指出|强调|带队|一行|同志)")


def person_refusal(question: str, evidence: str) -> Refusal | None:
    """A person's name is asked ("项目负责人叫什么名字") and the quote names no person, only
    a unit or a title (市长为组长): the documents do not give the name."""
    asked = _NAME_OF_PERSON.search(question)
    if asked is None or _PERSON_NAMED.search(evidence):
        return None
    return Refusal("no_value", f"文档中没有给出{asked.group(1)}的姓名。")


def _planned_elsewhere(place: str, question: str, text: str) -> bool:
    """A province or city named with its suffix that the documents only mention; a county
    or district they name the same way (旬邑县) is one of their own."""
    named = re.search(rf"{re.escape(place)}({ADMIN_SUFFIX})", question)
    if named is None:
        return False
    return not (named.group(1) in ("县", "区") and named.group() in text)


_THING = re.compile("|".join(THING_KINDS))
PROJECTS = re.compile("|".join(PROJECT_KINDS))
_MIN_THING = 6  # a project's own name ("精准农业引导工程"), not a kind of thing ("市政府网站")


def named_things(question: str, text: str, kinds: re.Pattern[str] = _THING) -> list[str]:
    """The longest names in the question that end like a plan's own project or system
    ("精准农业引导工程") and that the documents use somewhere."""
    things: list[str] = []
    for end in (m.end() for m in kinds.finditer(question)):
        for start in range(max(0, end - 24), end - _MIN_THING + 1):
            name = _as_written(question[start:end], text)
            if name and not re.match(r"[个家项条所座处名的了和与及在是有几多少市县省区我全各]", name):
                if not any(name in t for t in things):
                    things.append(name)
                break
    return things


def _as_written(name: str, text: str) -> str:
    """The name as the documents write it, or "": a user adds 项目 or 工程 to a project the
    plan names bare ("航空物流园项目" for the plan's "航空物流园：…")."""
    if name in text:
        return name
    bare = re.sub(r"(?:项目|工程)$", "", name)
    return bare if bare != name and len(bare) >= 3 and bare in text else ""


def absent_thing_refusal(question: str, searched: list[tuple[str, str]], corpus: Corpus) -> Refusal | None:
    """The question names a project or system that the documents it is asked of never
    name, though another document does: "宝鸡的精准农业引导工程" when only 咸阳 plans one.

    Args:
        searched: (title, text) of the documents the question is asked of.
    """
    for thing in named_things(question, corpus.text):
        if not any(_names(text, thing) for _, text in searched):
            titles = "、".join(f"《{title}》" for title, _ in searched)
            return Refusal("other_place", f"{titles}中没有提到“{thing}”（其他文档中有）。")
    return None


def unnamed_thing_refusal(question: str, evidence: list[str], corpus: Corpus,
                          kinds: re.Pattern[str] = _THING) -> Refusal | None:
    """The question names one project or system ("精准农业引导工程") and no quote, nor its
    heading path, names it: the quotes are about something else."""
    for thing in named_things(question, corpus.text, kinds):
        if not any(_names(text, thing) for text in evidence):
            return Refusal("weak_evidence", f"文档中找到的段落没有提到“{thing}”，没有回答这个问题的内容。")
    return None


_QUOTE_MARKS = re.compile(r"[“”\"‘’'《》]")


def _names(text: str, thing: str) -> bool:
    """The text names the thing, or its words together in another order ("重大信息化项目"
    as "信息化重大项目"): a kind of thing, not one thing's own name. Quotation marks do not
    part a name ("“数字宝鸡”工程" names 数字宝鸡工程)."""
    text, thing = _QUOTE_MARKS.sub("", text), _QUOTE_MARKS.sub("", thing)
    if thing in text:
        return True
    parts = words(thing)
    return 1 < len(parts) <= 4 and any("".join(order) in text for order in permutations(parts))


def rate_refusal(facts: QueryFacts, evidence: str, corpus: Corpus) -> Refusal | None:
    """A rate asked (上网率, 普及率, 拥有率, 覆盖率) is a different indicator from another
    rate of the same group: "农村家庭上网率" is not answered by "农村家庭电脑拥有率"."""
    if facts.answer_type != "number":
        return None
    cut = words(facts.attribute)
    last = "".join(cut[-2:]) if cut[-1:] == ["率"] else next(iter(reversed(cut)), "")  # 光纤/入户/率: 入户率
    if not last.endswith("率") or len(last) < 2:
        return None
    rate = last[-3:]
    names = (rate, last, *corpus.synonyms.get(last, ()), *corpus.synonyms.get(rate, ()))
    if any(n in evidence for n in names):
        return None
    return Refusal("weak_evidence", f"文档中没有直接回答“{facts.attribute}”的内容（引文说的不是“{rate}”）。")


def choice_refusal(question: str, evidence: str, corpus: Corpus) -> Refusal | None:
    """A choice question ("是变大还是变小", "是市级还是县级") is answered by a quote that says
    one of its alternatives (or an equivalent); a quote that says none does not choose."""
    at = question.find("还是")
    if at < 0:
        return None
    left = re.split(r"[，,。；;？?是]", question[:at])[-1][-6:]
    right = re.split(r"[，,。；;？?呢吗啊的]", question[at + 2:])[0][:6]
    options = [o for o in (left, right) if len(o) >= 2]
    if len(options) < 2 or any(_holds(evidence, o, corpus) for o in options):
        return None
    return Refusal("weak_evidence", f"文档中没有说是“{options[0]}”还是“{options[1]}”。")


def filter_refusal(facts: QueryFacts, allowed_cities: tuple[str, ...], titles: list[str]) -> Refusal | None:
    """The document filter excludes every document of the place the question names."""
    named = [p for p in facts.places if p not in allowed_cities]
    if named and allowed_cities and not any(p in allowed_cities for p in facts.places):
        where = "、".join(f"《{t}》" for t in titles)
        return Refusal("filtered_out", f"当前只在{where}中查找；问题问的是{'、'.join(named)}。请把文档范围改为“全部文档”再问。")
    return None


def quote_evidence(view: AnswerView, quote: Quote) -> str:
    """What the user sees as evidence: the quote (a table row with its headers) and its heading path."""
    chunk = view.chunks[quote.chunk]
    body = chunk.display if chunk.kind == "table_row" and not quote.heading else view.text(quote.doc_id)[quote.start:quote.end]
    return body + "\n" + chunk.section_path


def key_clause(view: AnswerView, quote: Quote, around: int = 0) -> str:
    """The clause holding the key span (the whole quote when there is no key), with
    ``around`` clauses on each side (within the quote)."""
    text = view.text(quote.doc_id)
    if quote.key_start < 0:
        return text[quote.start:quote.end]
    lo, hi = _clause_bounds(text, quote, around)
    return text[lo:hi]


def _clause_bounds(text: str, quote: Quote, around: int) -> tuple[int, int]:
    lo, hi = quote.key_start, quote.key_end
    for step in range(around + 1):
        if step:  # step over the stop that ended the clause before
            lo, hi = max(quote.start, lo - 1), min(quote.end, hi + 1)
        lo = max(quote.start, max((text.rfind(p, quote.start, lo) for p in "，；。、"), default=-1) + 1)
        ends = [i for i in (text.find(p, hi, quote.end) for p in "，；。") if i >= 0]
        hi = min(ends) if ends else quote.end
    return lo, hi


# The indicator a clause gives its figure for, said right before it ("有线电视网络覆盖率达到75%").
_KIND_OF_FIGURE = r"(?:率|数|量|额|值|比例|比重|指数|收入|容量|规模)"  # what an indicator's name ends in
_SUBJECT = re.compile(rf"([\u4e00-\u9fff]{{2,14}}{_KIND_OF_FIGURE})\s*(?:仅|只|已|将|约|预计|力争)?"
                      r"(?:达到|达|为|是|突破|超过|提高到|提升到|增加到|增至|约)?\s*$")
_INDICATOR_KIND = re.compile(_KIND_OF_FIGURE + "$")


def figure_subject(view: AnswerView, quote: Quote) -> str:
    """The indicator the key figure's own clause names right before it, or ''."""
    if quote.key_start < 0:
        return ""
    text = view.text(quote.doc_id)
    lo = _clause_bounds(text, quote, 0)[0]
    found = _SUBJECT.search(text[lo:quote.key_start])
    return re.sub(r"^(?:年底|年末|年|底|末|我市|全市|本市)+", "", found.group(1)) if found else ""


def another_indicator(subject: str, attribute: str, terms: list[tuple[str, float]], question: str, corpus: Corpus) -> bool:
    """The figure's indicator is a sibling of the asked one: of the same kind (both an
    指数, both a 率) but differing both ways, lacking an asked word (综合 of
    信息化综合指数) and having one the question lacks (基础设施 of 信息化基础设施指数),
    literally and through the thesaurus."""
    kind = _INDICATOR_KIND.search(subject)
    if kind is None or not re.sub(r"比[\u4e00-\u9fff]{0,2}$", "", attribute).endswith(kind.group()):  # (信息化综合指数|比高)
        return False
    folded = subject.lower()
    if all(len(t) < 2 or _holds(folded, t, corpus) for t, _ in terms):
        return False
    return any(len(w) >= 2 and not _SCOPE.match(w) and w not in question
               and not any(s in question for s in corpus.synonyms.get(w, ())) for w in words(subject))


def _value_text(view: AnswerView, quote: Quote) -> str:
    text = view.text(quote.doc_id)
    return text[quote.key_start:quote.key_end] if quote.key_start >= 0 else text[quote.start:quote.end][:40]


def answer_refusal(facts: QueryFacts, quote: Quote, view: AnswerView, corpus: Corpus) -> Refusal | None:
    """Refuse a chosen quote that does not answer what was asked.

    Checks, in order: a named sub-place the passage does not mention; a year the
    quote's document does not cover; an outcome asked of a plan; a status passed off
    as a target or the reverse; a status of another year; another sub-group's value;
    a number asked but none quoted.
    """
    chunk = view.chunks[quote.chunk]
    doc = view.documents[quote.doc_id]
    evidence = quote_evidence(view, quote)
    missing = [p for p in facts.admin_places if p not in corpus.cities and p not in evidence]
    if missing:
        return Refusal("other_place", f"文档中没有给出{'、'.join(missing)}的相关内容。")
    for year in facts.years:
        # A year the quote's document never speaks of; a year it does speak of is
        # judged below, with the quote's own year and role.
        covered = (doc.years is not None and doc.years[0] <= year <= doc.years[1]) or f"{year}年" in doc.text
        if not covered and str(year) not in evidence and quote.year != year:
            return Refusal("other_period", f"文档中没有关于{year}年的相关内容。")
    if facts.wants_number and chunk.kind == "table_row" and quote.key_start < 0:
        # no cell of the row holds the asked kind of number (a project's budget is not its users)
        return Refusal("no_value", f"文档中找到了“{chunk.display.split(' · ')[0]}”这一行，但其中没有问题所问的数。")
    value = _value_text(view, quote)
    if facts.role == "outcome":
        return Refusal("outcome", f"规划只给出目标值，没有实际完成情况。规划的目标是：{value}")
    if facts.role == "target" and quote.role == "status":
        label = f"{quote.year}年" if quote.year else ""
        return Refusal("status_only", f"文档没有给出这一项的目标值，只给出了{label}现状：{value}")
    if facts.role == "status" and quote.role == "target":
        label = f"到{quote.year}年的" if quote.year else ""
        return Refusal("target_only", f"文档没有给出这一项的现状数据，只给出了{label}目标：{value}")
    profile = view.profiles[quote.doc_id]
    review_covers = profile.kind == "review" and any(profile.start <= y <= profile.end for y in facts.years)
    if facts.role == "target" and facts.years and quote.role == "target" and quote.year is not None and quote.year not in facts.years:
        asked = "、".join(str(y) for y in facts.years)
        return Refusal("other_period", f"文档没有给出到{asked}年的目标，只给出了到{quote.year}年的：{value}")
    if facts.role == "status" and facts.years and quote.year is not None and quote.year not in facts.years and not review_covers:
        asked = "、".join(str(y) for y in facts.years)
        return Refusal("other_period", f"文档没有给出{asked}年的数据，只给出了{quote.year}年的：{value}")
    own_clause = key_clause(view, quote)  # the figure's clause, read by several checks below
    span = _span_total(facts, chunk.display if chunk.kind == "table_row" else own_clause)
    if span:
        label = span if span[-1] in "年内间来" else f"{span}年"
        return Refusal("no_value", f"文档只给出了{label}的合计（{value}），没有每年的数。")
    # A figure of a sub-group is another figure; a what/how answer may well name one.
    narrower = _unasked_subgroup(facts, own_clause, corpus.synonyms) if facts.wants_number else ""
    if narrower:
        return Refusal("no_value", f"文档给出的是{narrower}的数据，问题问的不是{narrower}。")
    # a Latin term (IT, CIO) is held by itself or a thesaurus equivalent (信息技术, 首席信息官)
    latin = [w for w in facts_latin(facts) if w.lower() not in evidence.lower()
             and not any(s in evidence for s in corpus.synonyms.get(w, corpus.synonyms.get(w.upper(), ())))]
    if latin:
        return Refusal("weak_evidence", f"文档中没有关于“{'、'.join(latin)}”的这一项内容。")
    if facts.answer_type == "what" and chunk.kind != "table_row" and restates(facts.text, doc.text[quote.start:quote.end],
                                                                               corpus.synonyms):
        return Refusal("weak_evidence", "文档中找到的句子只是重复了问题的说法，没有给出答案。", restated=True)
    # A table row's clause is its item with the cell ("企业互联网普及率 · 2015年：100%").
    clause = chunk.display.split(" · ")[0] + "：" + value if chunk.kind == "table_row" else own_clause
    if _named_by_equivalent(facts, clause, corpus.synonyms):
        facts = replace(facts, qualifiers=())  # 农村信息服务站 is 村级信息服务站: 农村 names the thing, not a sub-group
    whole = _whole_area_only(facts, clause, evidence) if facts.wants_number else ""
    if whole:
        return Refusal("no_value", f"文档只给出了{whole}的数据，没有单列“{'、'.join(facts.qualifiers)}”的。")
    if facts.qualifiers and qualifier_fit(facts.qualifiers, clause) < 0:
        other = _other_qualifier(facts.qualifiers, clause)
        return Refusal("no_value", f"文档给出的是{other}的数据，没有{'、'.join(facts.qualifiers)}的。")
    dropped = _dropped_modifier(facts, clause, _figure_window(view, quote, chunk), corpus) if facts.wants_number else None
    if dropped:
        broader, asked = dropped
        return Refusal("no_value", f"文档给出的是“{broader}”的数字，没有单列“{asked}”的。")
    owner = _other_owner(facts, own_clause) if facts.wants_number else ""
    if owner:
        return Refusal("no_value", f"文档给出的是{owner}的数据，不是问题所问的全市（全域）数据。")
    shown = _shown_value(chunk, quote, value)
    if facts.wants_number and quote.key_start >= 0 and level_for_increase(facts.text, clause):
        return Refusal("no_value", f"文档中没有给出新增的数量；引文中的数字（{shown}）是总量。")
    total = _TOTAL_ASKED.search(facts.text) if facts.wants_number else None
    if total and not _TOTAL_SAID.search(clause + chunk.section_path[-20:]):
        return Refusal("no_value", f"文档中没有给出“{total.group()}”；引文中的数字（{shown}）只是其中一项。")
    if facts.wants_number and quote.key_start >= 0 and unit_conflict(facts.text, shown):
        return Refusal("no_value", f"文档中找到了相关段落，但给出的数字（{shown}）不是问题所问的那一类数。")
    quoted = chunk.display if chunk.kind == "table_row" else doc.text[quote.start:quote.end]
    if facts.answer_type == "when" and quote.key_start < 0 and not _DATE_OR_YEAR.search(quoted):
        return Refusal("no_value", "文档中找到了相关段落，但没有写明时间。")
    if facts.answer_type == "who" and not ORGANISATION.search(quoted):
        return Refusal("no_value", "文档中找到了相关段落，但没有写明由哪个部门或单位负责。")
    # a digit inside a name (3G, IPv6, B2B) is not a figure, nor one the question itself gives
    # ("那1亿元专项资金里给欠发达地区分了多少" is not answered by "筹措1亿元资金")
    bare = _LATIN_NAME.sub("", _LIST_MARKER.sub("", quoted))
    for figure in _given_figures(facts.text):
        bare = bare.replace(figure, "")
    if facts.wants_number and not _HAS_NUMBER.search(bare) and not says_asked_count(facts.text, value):
        return Refusal("no_value", "文档中找到了相关段落，但没有给出问题所问的具体数字。")
    return None


def restates(question: str, quoted: str, synonyms: dict[str, tuple[str, ...]]) -> bool:
    """Whether a sentence names nothing the question does not ("三是培育壮大信息服务外包产业。"
    for "培育信息服务外包产业，打算建立哪两样东西？"): each word naming a thing is the
    question's own or an equivalent of one of its words, so it answers nothing."""
    named = [w for w in content_words(quoted) if len(w) >= 2]
    return bool(named) and all(w in question or any(s in question for s in synonyms.get(w, ())) for w in named)


def _given_figures(question: str) -> set[str]:
    """The figures a question states itself (not its years)."""
    return {m.group() for m in re.finditer(r"\d+(?:\.\d+)?", question) if not re.fullmatch(r"(?:19|20)\d{2}", m.group())}


# A total of money asked ("十二五期间信息化建设总投资") is answered by a figure said to be a
# total (总投资, 合计, 共计), not by one fund or project ("市政府筹措1亿元资金").
_TOTAL_ASKED = re.compile(r"总投资|总投入|投资总额|投入总额|总经费|经费总额|总资金|资金总额|总预算|预算总额|总金额")
_TOTAL_SAID = re.compile(r"总|合计|共计|累计|一共|共需|共投")


def _shown_value(chunk, quote: Quote, value: str) -> str:
    """The key as the user reads it: a table cell with its column's unit ("10,000万元")."""
    cell = next((c for c in chunk.cells if c.start == quote.key_start), None)
    return chunk.cell_text(cell).partition("：")[2] if cell is not None else value


_DATE_OR_YEAR = re.compile(r"(?:19|20)\d{2}|[〇○零一二三四五六七八九十]{2,4}年|\d{1,2}月|年度|十[一二三四五六]五")
_WHOLE_AREA = re.compile(r"全市|全省|全县|全区|全国|全域")
_OWNER = re.compile(r"([\u4e00-\u9fff]{2,10}?(?:集团|公司|有限公司|企业|项目|工程|厂|基地|园区))")


def _named_by_equivalent(facts: QueryFacts, clause: str, synonyms: dict[str, tuple[str, ...]]) -> bool:
    """The question's sub-group word is part of a thesaurus word whose equivalent the
    clause uses ("农村信息服务站" of the question, "村级信息服务站" in the plan)."""
    return any(any(q in word for q in facts.qualifiers) and any(s in clause for s in synonyms[word])
               for word in thesaurus_words(facts.text, synonyms))


_SCOPE = re.compile(r"^(?:全市|我市|本市|全省|我省|本省|全县|全区|全国|各县|各级|全部|所有)$")


def _figure_window(view: AnswerView, quote: Quote, chunk) -> str:
    """The key's clause with one clause on each side, and the heading path."""
    body = chunk.display if chunk.kind == "table_row" else key_clause(view, quote, around=1)
    return body + "\n" + chunk.section_path


# "每百户", "每万人", "人均": the figure's base (its unit says it: 85/百户), not a narrower indicator.
_PER_HEAD = re.compile(r"^(?:每?[百千万]+[户人家]|[人户]均)$")


# "每年分别安排多少", "年均投入多少": a figure per year is asked.
_PER_YEAR_ASKED = re.compile(r"每年|每一年|年均|平均每年|分年度|各年度|逐年")
# A span of years a figure is the total of: "实施年度：2011-2015", "2011—2015年", "5年内".
_YEAR_SPAN = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}年?|[一二三四五六七八九十\d]+年(?:内|间|来)")
_PER_YEAR_SAID = re.compile(r"每年|年均|平均每年|年度投入|一年")


def _span_total(facts: QueryFacts, clause: str) -> str:
    """A figure per year asked ("每年分别安排多少") and the figure's clause or row gives a total
    over a span of years ("实施年度：2011-2015 · 计划经费：840万元"): the span, else ''."""
    if not facts.wants_number or not _PER_YEAR_ASKED.search(facts.text) or _PER_YEAR_SAID.search(clause):
        return ""
    span = _YEAR_SPAN.search(clause)
    return span.group() if span else ""


def _word_ends(name: str) -> list[int]:
    """Where a modifier of two or more characters may end in the name, leaving a tail of three
    or more: at a word's end, or between the halves of a four-character compound
    (每百户|拥有|电脑 and 移动|电话|用户数, never 每百户拥|有电脑)."""
    ends, at = [], 0
    for word in words(name):
        inner = [at + 2] if len(word) == 4 else []
        at += len(word)
        ends += [i for i in (*inner, at) if 2 <= i <= len(name) - 3]
    return ends


def _dropped_modifier(facts: QueryFacts, clause: str, window: str, corpus: Corpus) -> tuple[str, str] | None:
    """The figure's clause names a broader indicator than the asked thesaurus indicator:
    the tail of one of its names without the modifier ("电话用户数" or "数字电视用户数" for
    手机用户数, whose names include 移动电话用户数), and no name of it is near the figure.
    (the broader tail, the asked word) or None. Tails shorter than three characters,
    and modifiers that are scope words (全市) or sub-groups (农村: judged by the sub-group
    checks), are not judged."""
    qualifiers = {w for group in QUALIFIER_GROUPS for w in group}
    for word in thesaurus_words(facts.attribute, corpus.synonyms):
        names = (word, *corpus.synonyms[word])
        if any(n in window for n in names):
            continue
        for name in names:
            for i in _word_ends(name):
                tail, modifier = name[i:], name[:i]
                if (tail in clause and modifier not in window and modifier not in qualifiers
                        and not _SCOPE.match(modifier) and not _PER_HEAD.match(modifier)):  # "电子商务年交易量" names its modifier
                    written = re.search(r"[\u4e00-\u9fff]{0,4}" + re.escape(tail), clause)
                    return written.group(), word
    return None


def _whole_area_only(facts: QueryFacts, clause: str, evidence: str = "") -> str:
    """A sub-group asked (农村宽带用户) and the figure is the whole area's: its clause says
    全市 ("全市宽带用户达到95万户"), or neither the quote nor its headings name the sub-group
    or any other of its group ("有线电视用户达到46万户" for 农村有线电视用户). The whole
    area ('全市' or '全域'), else ''."""
    if not facts.qualifiers:
        return ""
    named = _WHOLE_AREA.search(clause)
    text = clause if named else evidence
    shared = longest_shared(facts.attribute, clause)
    if not named and shared is not None and shared[0] <= 1:
        # the clause opens with the indicator, its own subject ("电话普及率达到90/百人"): a
        # sub-group in another clause with a figure of its own ("移动电话用户数达到300万户")
        # is that figure's, not this one's
        text = clause + "".join(c for c in re.split(r"[，；。,;]", evidence) if clause in c or not re.search(r"\d", c))
    for word in facts.qualifiers:
        group = next((g for g in QUALIFIER_GROUPS if word in g), (word,))
        if any(member in text for member in group):
            return ""
    return named.group() if named else "总体"


def _other_owner(facts: QueryFacts, clause: str) -> str:
    """A whole-area figure asked ("全市信息化建设总投资") and the quoted figure belongs to one
    company or project ("彩虹集团总投资13亿元"): the owner named, else ''."""
    if not _WHOLE_AREA.search(facts.text) or _WHOLE_AREA.search(clause) or "我市" in clause:
        return ""
    found = _OWNER.search(clause)
    return found.group(1) if found else ""


_GENERIC_LIST_NOUNS = re.compile(r"^(?:方面|项目|工程|内容|措施|任务|工作|部门|单位|领域|行业|目标|重点|事项|环节|方式|途径|渠道|举措|要求|原则|问题|条|项|个|种|类|点)")


def list_noun_refusal(facts: QueryFacts, evidence: str) -> Refusal | None:
    """"要建立哪些业务系统？": a list of a specific kind of thing needs that kind named in
    the evidence; a row that only budgets the project does not list its systems."""
    found = re.search(r"(?:哪些|哪几[个项类种]?)([\u4e00-\u9fff]{2,6})", facts.text)
    if not found or _GENERIC_LIST_NOUNS.match(found.group(1)):
        return None
    noun = re.sub(r"(?:的|呢|吗)$", "", found.group(1))
    if len(noun) < 2 or noun in evidence or noun[-2:] in evidence:
        return None
    return Refusal("weak_evidence", f"文档中没有列出“{noun}”。")


def _unasked_subgroup(facts: QueryFacts, clause: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> str:
    """A sub-group word right before the asked indicator in the quote that the question
    does not name ("企业互联网普及率" when 互联网普及率 of the whole city is asked; also
    before an equivalent of it: "城镇家庭上网率" for 互联网普及率)."""
    shared = longest_shared(facts.attribute, clause)
    at = shared[0] if shared is not None else _equivalent_at(facts.attribute, clause, synonyms or {})
    if at is None:
        return ""
    before = clause[max(0, at - 4):at]
    if re.search(r"[省市县区乡镇]{2,}级$", before):
        return ""  # "市县级政务网站": the levels together, not one of them
    asked = facts.attribute + "".join(facts.qualifiers) + "".join(facts.equivalents)  # 农村信息服务站 = 村级…
    for group in QUALIFIER_GROUPS:
        for word in group:
            if before.endswith(word) and word not in asked:
                return word
    return ""


def _equivalent_at(attribute: str, clause: str, synonyms: dict[str, tuple[str, ...]]) -> int | None:
    """Where the clause names a thesaurus equivalent of a word of the attribute."""
    found = [clause.find(s) for w in thesaurus_words(attribute, synonyms) for s in synonyms[w] if s in clause]
    return min(found) if found else None


def facts_latin(facts: QueryFacts) -> list[str]:
    """Latin technical names the question asks about (IPv6, 4G, CIO)."""
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9.+\-]*\d*|\d+[A-Za-z]+", facts.attribute) if len(w) >= 2]


def _other_qualifier(asked: tuple[str, ...], clause: str) -> str:
    for word in asked:
        group = next((g for g in QUALIFIER_GROUPS if word in g), ())
        for other in group:
            if other != word and other in clause:
                return other
    return "其他范围"
