"""Turn an elliptical follow-up ("那宝鸡呢？") into a standalone question using the history."""
from __future__ import annotations

import re

from qa.answer.query import find_places, find_years

_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|同样地?|以及|和|跟|对于|至于)[，,\s]*")
_TAIL = re.compile(r"(?:的情况|情况|的呢|呢|怎么样|如何|又是多少|又如何|的)?[？?！!。.\s]*$")
_PRONOUN = re.compile(r"^(?:它|它们|其|该|这个|这项|这些|那个|那项|上述)")
_ELLIPTICAL_MAX = 16
# A short question that names no place leans on the conversation ("示范项目要实施多少个？").
_DEPENDENT_MAX = 24


def is_elliptical(question: str) -> bool:
    q = question.strip()
    return len(q) <= _ELLIPTICAL_MAX and (
        bool(_LEAD.match(q)) or q.rstrip("？?。 ").endswith("呢") or bool(_PRONOUN.match(q))
    )


def _substitute(previous: str, old: tuple, new: tuple, label: str) -> str:
    """Put the follow-up's places/years in place of the previous question's (or in front)."""
    if not new:
        return previous
    joined = "和".join(str(n) for n in new)
    if not old:
        return f"{joined}{label}{previous}"
    result = previous.replace(str(old[0]), "\x00", 1)
    for extra in old[1:]:
        result = result.replace(str(extra), "", 1)
    return result.replace("\x00", joined, 1)


def rewrite(question: str, history: list[str]) -> str:
    """A standalone version of `question` given earlier user questions (oldest first)."""
    return rewrite_with_focus(question, history)[0]


def rewrite_with_focus(question: str, history: list[str]) -> tuple[str, str]:
    """A standalone question plus its focus: the part whose words the answer must match.

    Args:
        question: the latest user question.
        history: earlier user questions; each may itself be a follow-up.

    Returns:
        (standalone, focus). The question unchanged when it stands alone; a place or
        year swapped into the previous question for "那宝鸡呢？"; otherwise the previous
        question as context followed by this one, with this one as the focus.
    """
    question = question.strip()
    if not history:
        return question, question
    if not is_elliptical(question):
        if find_places(question) or len(question) > _DEPENDENT_MAX:
            return question, question
        previous = rewrite(history[-1], history[:-1])
        return f"{previous.rstrip('？?。 ')}；{question}", question
    previous = rewrite(history[-1], history[:-1])
    core = _TAIL.sub("", _LEAD.sub("", question)).strip()
    swapped = _swap_place_or_year(previous, core)
    if swapped is not None:
        return swapped, swapped
    # A new topic, not just a new place or year: match the follow-up's own words.
    return f"{previous.rstrip('？?。 ')}；{question}", core or question


def _swap_place_or_year(previous: str, core: str) -> str | None:
    """The previous question with the follow-up's place/year, or None if the follow-up has a topic of its own."""
    places, years = find_places(core), find_years(core)
    topic = core
    for token in places + tuple(str(y) for y in years):
        topic = topic.replace(token, "")
    # Words that only restate the previous question's aim ("2015年目标呢？").
    topic = re.sub(r"年底|年末|年初|底|末|目标|情况|数据|数字|指标|[年的和与及、，,\s]+", "", topic)
    if topic:
        return None
    result = _substitute(previous, find_places(previous), places, "")
    return _substitute(result, find_years(previous), years, "年")
