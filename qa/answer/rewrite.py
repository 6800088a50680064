"""Follow-ups: turn an elliptical question ("那宝鸡呢？") into a standalone one.

Only an elliptical question is rewritten: one that leans on the conversation with a
lead or tail word (那…呢, 还有…), a pronoun or demonstrative (它, 这个, 其中, 该),
or that has no subject and no attribute of its own. A complete question stands
alone even mid-conversation (one without a place of its own takes the place the
conversation is about), and at most the previous question supplies context.
"""
from __future__ import annotations

import re

from qa.answer.query import (
    ASKING,
    PROPERTY_NAMES,
    QUALIFIER_GROUPS,
    attribute_of,
    find_places,
    find_years,
)

_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|同样地?|以及|和|跟|对于|至于)[，,\s]*")
_TAIL = re.compile(r"(?:的情况|情况|的呢|呢|怎么样|如何|又是多少|又如何|的)?[？?！!。.\s]*$")
_REFERENCE = re.compile(
    r"^(?:那么|那)?(?:它|其|此)|它们|其中|(?<!应)该[项工计规文]|这个|这项|这些|这笔|这一|这里|这几|那个|那项|那些|那几|上述|"
    r"前者|后者|第[一二三四五六七八九十\d]+[项个条点]|具体"
)
_ELLIPTICAL_MAX = 16
# A question whose asked thing is this short ("计划经费多少？" asks 经费) and that names
# no place or year leans on the conversation for its subject.
_BARE_ATTRIBUTE = 2
# The properties a plan gives of a project or task (query.CELL_PROPERTIES, a task's
# contents): a question asking only one of them is about the thing last spoken of.
_PROPERTY_ONLY = re.compile(
    r"(?:附件|专栏\d*|附表|表格?)?(?:"  # where in the document it is asked from adds no subject
    r"(?:计划|预计|总|主要|具体|建设|实施|负责|牵头|承担|责任|承建|主管|资金)?"
    rf"(?:{PROPERTY_NAMES})|(?:建设|主要|具体)内容"
    r"|负责|牵头|承担|实施|承建|建|建设)+"
)


def is_elliptical(question: str) -> bool:
    """Whether the question needs the previous one to be understood (module docstring)."""
    q = question.strip()
    if _REFERENCE.search(q):
        return True
    short = len(q) <= _ELLIPTICAL_MAX
    if short and (_LEAD.match(q) or q.rstrip("？?。 ").endswith("呢") or re.search(r"呢[？?，,]", q)):
        return True
    own_subject = bool(find_places(q)) or bool(find_years(q))
    attribute = attribute_of(q, (), ())
    # "负责单位是谁？", "计划经费多少？": what it asks is a property of something it does not name
    return not own_subject and (len(attribute) <= _BARE_ATTRIBUTE or bool(_PROPERTY_ONLY.fullmatch(attribute)))


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


def _previous(history: list[str]) -> str:
    """The previous question as a standalone question, without its own context chain."""
    standalone, focus = rewrite_with_focus(history[-1], history[:-1])
    if focus == standalone:
        return standalone
    # A context-joined question ("…；这笔钱用在哪些方面？") hands on its own part only,
    # with the places and years it inherited.
    inherited = "".join(p for p in find_places(standalone) if p not in focus)
    return f"{inherited}{focus}"


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
        # A complete question; one that names no place is still about the conversation's place.
        if find_places(question):
            return question, question
        places = "".join(find_places(_previous(history)))
        return (f"{places}{question}", question) if places else (question, question)
    previous = _previous(history)
    core = _TAIL.sub("", _LEAD.sub("", question)).strip()
    swapped = (_swap_place_or_year(previous, core) or _swap_qualifier(previous, core) or _swap_total(previous, core)
               or _swap_attribute(previous, core))
    if swapped is not None:
        return swapped, swapped
    # A new topic, not just a new place or year: match the follow-up's own words, in
    # the previous question's setting with the follow-up's own place and year in it.
    setting = _substitute(previous, find_places(previous), find_places(core), "")
    setting = _substitute(setting, find_years(previous), find_years(core), "年")
    return f"{setting.rstrip('？?。 ')}；{question}", core or question


def _swap_place_or_year(previous: str, core: str) -> str | None:
    """The previous question with the follow-up's place/year, or None if the follow-up has a topic of its own."""
    places, years = find_places(core), find_years(core)
    if not places and not years and re.search(r"目标|现状|现在|目前|当前|实际", core):
        return None  # "目标呢？" after a 2010 question asks the other time role: the follow-up's own frame
    topic = core
    for token in places + tuple(str(y) for y in years):
        topic = topic.replace(token, "")
    # Words that only restate the previous question's aim ("2015年目标呢？").
    topic = re.sub(r"年底|年末|年初|底|末|目标|情况|数据|数字|指标|[年的和与及、，,\s市县省]+", "", topic)
    if topic:
        return None
    result = _substitute(previous, find_places(previous), places, "")
    return _substitute(result, find_years(previous), years, "年")


def _swap_qualifier(previous: str, core: str) -> str | None:
    """"农村呢？" after a question about 城镇家庭上网率: the same question for the other sub-group."""
    word = re.sub(r"[的方面呢]+$", "", core)
    for group in QUALIFIER_GROUPS:
        if word in group:
            for other in sorted(group, key=len, reverse=True):
                if other != word and other in previous and word not in previous:
                    return previous.replace(other, word, 1)
    return None




def _swap_attribute(previous: str, core: str) -> str | None:
    """"那有线数字电视用户呢？" after "咸阳到2015年宽带用户目标是多少？": the previous question
    about the new indicator, when the follow-up only names one (no question word, place or year)."""
    if ASKING.search(core) or find_places(core) or find_years(core):
        return None
    new = attribute_of(core, (), ())
    old = attribute_of(previous, find_places(previous), ())
    if len(new) < 2 or len(old) < 2 or old not in previous or new in previous:
        return None
    if any(new in group for group in QUALIFIER_GROUPS):
        return previous.replace(old, new + old, 1)  # "农村呢？": the sub-group of the same indicator
    if _ASPECT.match(new):
        # a measure or aspect word ("总数呢？") qualifies the previous indicator
        return None if _TIME_ASPECT.match(new) else previous.replace(old, old + new, 1)
    # another noun ("网民呢？") names a new indicator; the unit asked was the old one's
    # ("网民有多少人" -> "互联网普及率是多少", not "…有多少人")
    return _ASKED_UNIT.sub("是多少", previous.replace(old, new, 1), count=1)


_ASKED_UNIT = re.compile(r"(?:有|是)?(?:多少|几)(?:万|亿|千|百)?(?:[户人元个家项条台部次门张座所处名]|公里)")


_ASPECT = re.compile(r"^(?:总数|总量|数量|规模|比例|比重|占比|增速|增幅|增长|人数|户数|金额|总额|投资|经费|资金|目标|现状)$")
_TIME_ASPECT = re.compile(r"^(?:目标|现状)$")


_INCREMENT = re.compile(r"新增|净增|增加了?|增长了?")


def _swap_total(previous: str, core: str) -> str | None:
    """"总数呢？" after "2007年新增宽带用户多少？": the same indicator's level, not its increase."""
    if re.sub(r"[的呢？?。\s]+", "", core) not in ("总数", "总量", "总共", "累计", "一共"):
        return None
    if not _INCREMENT.search(previous):
        return None
    level = _INCREMENT.sub("", previous, count=1)
    return re.sub(r"(是多少|有多少|多少)", r"总数\1", level, count=1) if "总数" not in level else level
