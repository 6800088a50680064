"""Split a comparison into its sides, each a sub-question with its own place and time.

"宝鸡2009年的固定电话用户数和咸阳2007年的固定电话用户总数各是多少？" has two sides,
宝鸡 in 2009 and 咸阳 in 2007: each side keeps its own year, and a year named once
for all ("到2015年宝鸡和咸阳的…") is shared. Two years for one place ("2010年有多少，
2015年的目标是多少") or a year and a plan period ("2007年和十二五") are sides too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.query import ASKING, FRAME_WORDS, QueryFacts, attribute_of
from qa.index.segment import word_tag, words
from qa.ingest.documents import PERIODS

_RANGE = re.compile(r"\d{4}\s*年?\s*[-—~至]\s*\d{4}")  # "2011-2015年" is one period; "从2007年到2010年" compares two years


@dataclass(frozen=True)
class Side:
    """One sub-question: its label in the answer, its text and the city it is about."""

    label: str
    question: str
    city: str | None
    asks: str = ""  # the words that say which value is wanted, when not the whole question (an aspect)
    borrowed_years: bool = False  # its years come from an earlier question ("那宝鸡呢？"), not its own words


_YEAR_BEFORE = re.compile(r"(?:(?:19|20)\d{2}\s*年?(?:底|末)?|十[一二三四五]五(?:末|期间)?)\s*(?:的)?$")


def _start(question: str, name: str) -> int:
    """Where a name's segment starts: at its year when the year comes first ("2007年咸阳…")."""
    at = question.find(name)
    before = _YEAR_BEFORE.search(question[max(0, at - 8):at])
    return at - len(before.group()) if before else at


def _spans(question: str, names: list[str], own_years: bool = False) -> list[tuple[str, int, int]]:
    """Each name's segment: from its first mention to the next name's; when each side has
    its own year, from the year just before the name ("2007年咸阳…和2009年宝鸡…")."""
    starts = sorted(((_start(question, n) if own_years else question.find(n)), n) for n in names)
    return [(name, at, starts[k + 1][0] if k + 1 < len(starts) else len(question)) for k, (at, name) in enumerate(starts)]


# Where the shared ask starts in the last side's segment ("…移动电话用户分别是多少？").
_ASK = re.compile(r"(?:分别|各自|各)?(?:是|有|为|达到|要达到)?(?:多少|几|什么|哪些|哪个)|分别|各自|各(?:是|有|为)")
_JOINER = re.compile(r"(?:和|与|及|以及|跟|同|、|，|,)\s*$")
_BARE = re.compile(r"(?:(?:19|20)\d{2}\s*年?(?:底|末)?|相比|比较|对比|相较|[市省县区的年底末比])")


def _own_subjects(question: str, segments: list[tuple[str, int, int]]) -> list[str] | None:
    """Each side's own sub-question when every side names its own subject ("2007年咸阳移动在网
    用户和2009年宝鸡移动电话用户分别是多少？"): its segment with the shared ask; else None."""
    ask = _ASK.search(question, segments[-1][1])
    if ask is None:
        return None
    tail = question[ask.start():]
    parts = [_JOINER.sub("", question[lo:hi]) for _, lo, hi in segments[:-1]] + [question[segments[-1][1]:ask.start()]]
    if question[:segments[0][1]].strip() or any(
            len(_BARE.sub("", part.replace(name, ""))) < 2 for (name, _, _), part in zip(segments, parts)):
        return None
    return [part + tail for part in parts]


def _names_something(clause: str) -> bool:
    """The clause names a thing of its own (a word of two characters beyond time and asking)."""
    return any(len(w) >= 2 and w not in FRAME_WORDS and word_tag(w) for w in words(attribute_of(clause, (), ())))


def _own_clauses(question: str, cities: list[str], topic_first: bool = False) -> list[str] | None:
    """Each side's own clause when every place asks in a clause of its own ("…里，咸阳以什么
    为核心，宝鸡以什么为中心？"): the clauses before the first place's, then its own; else None."""
    clauses = [c for c in re.split(r"(?<=[，,；;？?])", question) if c.strip()]
    owner = [[n for n in cities if n in c] for c in clauses]
    if any(sum(n in names for names in owner) != 1 for n in cities) or any(len(names) > 1 for names in owner):
        return None
    first = next(k for k, names in enumerate(owner) if names)
    if topic_first and first == 0 and not all(_names_something(c) for c in clauses):
        return None  # "咸阳2010年宽带用户有多少，2015年的目标是多少？": the later clause leans on the first
    if any(not names for names in owner[first:]) or not all(ASKING.search(clauses[k]) for k in range(first, len(clauses))):
        return None
    shared = "".join(clauses[:first])
    return [shared + next(c for c, names in zip(clauses, owner) if names == [n]).rstrip("，,；;？?") + "？" for n in cities]


def place_sides(question: str, cities: list[str], years: tuple[int, ...]) -> list[Side]:
    """One side per corpus city named; a year inside a city's segment is that city's own."""
    # One year for all ("到2015年宝鸡和咸阳…") is shared; several years belong to their sides.
    clauses = _own_clauses(question, cities)
    if clauses is not None:
        return [Side(name, sub, name) for name, sub in zip(cities, clauses)]
    times = [*(str(y) for y in years), *(p for p in PERIODS if p in question)]
    segments = _spans(question, cities, own_years=len(times) >= 2)
    subjects = _own_subjects(question, segments)
    if subjects is not None:
        return [Side(name, sub, name) for (name, _, _), sub in zip(segments, subjects)]
    own = {name: [t for t in times if t in question[lo:hi]] for name, lo, hi in segments}
    sides = []
    for name, _, _ in segments:
        sub = question
        for other, _, _ in segments:
            if other != name:
                sub = sub.replace(other, "")
                for time in own[other]:
                    if time not in own[name]:
                        sub = _without_time(sub, time)
        sides.append(Side(name, sub, name))
    return sides


def _without_time(question: str, time: str) -> str:
    """The question without a year ("2007年", "2007") or a period with its ending ("十一五期间")."""
    if time.isdigit():
        return question.replace(f"{time}年", "").replace(time, "")
    return re.sub(rf"[“\"]?{time}[”\"]?(?:末|期末|期间|时期)?", "", question)


def time_sides(question: str, facts: QueryFacts, city: str | None) -> list[Side]:
    """One side per year (or per plan period besides a year) of a one-place question."""
    marks = [str(y) for y in facts.years]
    marks += [p for p in facts.periods if _apart(p, question, facts.years)]
    clauses = _own_clauses(question, marks, topic_first=True)
    if clauses is not None:  # "门户网站，07年咸阳干了啥，十二五规划又要咋弄？": each time asks in its own clause
        return [Side(f"{m}年" if m.isdigit() else f"“{m}”", sub, city) for m, sub in zip(marks, clauses)]
    sides = []
    for mark in marks:
        sub = question
        for other in marks:
            if other != mark:
                sub = sub.replace(f"{other}年", "").replace(other, "")
        label = f"{mark}年" if mark.isdigit() else f"“{mark}”"
        sides.append(Side(label, sub, city))
    return sides


# "两市", "两地各…": the two places the documents are about, when there are exactly two.
_BOTH_PLACES = re.compile(r"两(?:个)?(?:市|地|城|城市|地市)(?![场级])")


def _both(question: str, cities: tuple[str, ...]) -> list[Side]:
    """One side per city for "两市…各…" over the documents of exactly two cities; the
    side's question names its city where the question said 两市."""
    found = _BOTH_PLACES.search(question)
    if found is None or len(cities) != 2:
        return []
    return [Side(city, question[:found.start()] + city + question[found.end():], city) for city in cities]


def _apart(period: str, question: str, years: tuple[int, ...]) -> bool:
    """A period is a time of its own beside the years asked: none of them falls in it, or it is
    said as its end ("十一五末" is 2010, apart from 2007)."""
    first, last = PERIODS[period]
    if re.search(rf"{period}[”\"]?(?:末|期末)", question):
        return last not in years
    return not any(first <= y <= last for y in years)


def split_sides(question: str, facts: QueryFacts, cities: tuple[str, ...]) -> list[Side]:
    """The sides of a question; a single side (label '') when it compares nothing."""
    named = [p for p in facts.places if p in cities]
    if not named and (both := _both(question, cities)):
        return both
    if len(named) >= 2:
        return place_sides(question, named, facts.years)
    city = named[0] if named else None
    periods_apart = [p for p in facts.periods if _apart(p, question, facts.years)]
    several_times = len(facts.years) >= 2 or (facts.years and periods_apart)
    if several_times and not _RANGE.search(question):
        return time_sides(question, facts, city)
    return [Side("", question, city)]
