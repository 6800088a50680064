"""Split a question that asks two things into its aspects, each answered on its own.

Officials often ask two things at once: "2010年信息化综合指数是多少？在全省排第几？",
"该项目投资多少，预计年产值多少？" (one clause per thing asked) or "该工程的经费和实施
年度是什么？" (two asked things joined by 和/与/以及 before one question word). Each
aspect gets its own headline value and citation; the passage search still sees the
whole question. Sub-groups share their head noun: "城镇和农村家庭上网率" asks
城镇家庭上网率 and 农村家庭上网率.

Places and years are not aspects: comparisons are split by :mod:`qa.answer.sides`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.query import ASKING, QUALIFIER_GROUPS
from qa.index.segment import is_verb, words

# Answer kinds that read well one value per aspect; lists, measures and yes/no do not split.
_SPLITTABLE = frozenset({"number", "when", "what", "who", "docpart"})
_CONJUNCTIONS = frozenset({"和", "与", "以及", "跟"})
# Words that end an asked thing on its right: what follows asks about it.
_RIGHT_STOP = re.compile(r"^(?:的|之|各|分别|都|是|为|有|达到|要|将|目标|目标值|计划|多少|几|什么|哪.*|如何|怎么|怎样|多大|何时|年|到|在|[，。？?、；]|(?:19|20)\d{2}.*)$")
# Words that end an asked thing on its left: what precedes names whose it is.
_LEFT_STOP = re.compile(r"^(?:的|之|在|对|中|里|年|底|末|期间|[，。？?、；：“”\"])$|^(?:19|20)\d{2}")
_MAX_PART = 14
# A clause asking only the name of what the clause before it asks about.
_NAME_ONLY = re.compile(r"^(?:它|这个|那个|该|这|那)?(?:又|还|都)?(?:叫|叫做|称为|名字叫|名称是|名字是)(?:啥|什么)(?:名字|名称)?[？?。]?$")


@dataclass(frozen=True)
class Aspect:
    """One asked thing: its label in the answer and the sub-question that asks only it."""

    label: str
    question: str
    whole: bool = False  # the passage search needs the whole question (a clause lacks its subject)


def split_aspects(question: str, answer_type: str, places: tuple[str, ...] = (), setting: str = "") -> list[Aspect]:
    """The aspects of a question; [] when it asks one thing (see module docstring).

    Args:
        setting: the question's place and time words ("咸阳2010年"), put before a clause
            that has none of its own so that its time frame is judged like the whole's.
    """
    if answer_type not in _SPLITTABLE:
        return []
    return _clause_aspects(question, setting) or _joined_aspects(question, places)


def _clause_aspects(question: str, setting: str) -> list[Aspect]:
    """One aspect per clause that asks on its own ("…是多少？在全省排第几？")."""
    clauses: list[str] = []
    for clause in (c for c in re.split(r"(?<=[？?；;，,、])", question) if c.strip("？?；;，,、 ")):
        if clauses and _NAME_ONLY.match(clause.strip()):
            clauses[-1] += clause  # "有没有…考核办法？叫什么名字？" asks one thing: its name
        else:
            clauses.append(clause)
    asking = [c for c in clauses if ASKING.search(c)]
    if len(asking) < 2 or len(asking) != len(clauses) and not ASKING.search(clauses[-1]):
        return []
    return [Aspect(_label(c), c.strip() if k == 0 else setting + c.strip(), whole=True) for k, c in enumerate(asking)]


def _label(clause: str) -> str:
    text = re.sub(r"[？?；;，,。、]", "", clause).strip()
    return text if len(text) <= 12 else text[:12] + "…"


def _joined_aspects(question: str, places: tuple[str, ...]) -> list[Aspect]:
    """"A和B是什么": one aspect per joined asked thing, sharing what is said around them."""
    tokens = words(question)
    positions = _positions(question, tokens)
    for k, token in enumerate(tokens):
        if token not in _CONJUNCTIONS or k == 0 or k + 1 == len(tokens):
            continue
        if is_verb(tokens[k - 1]) and is_verb(tokens[k + 1]):
            continue  # "建立和完善什么制度" asks one thing of two verbs
        left = _left_part(tokens, k, places)
        right = _right_part(tokens, k, places)
        if not left or not right:
            continue
        rest = "".join(tokens[k + 1 + len(right):])
        asks = ASKING.search(rest)
        # the joined things are asked about in their own clause ("经费和实施年度是什么"); a
        # clause break before the asking word makes them the subject of something else
        # ("想让国企和政府部门设…高管，这叫什么制度")
        if not asks or re.search(r"[，,；;。]", rest[:asks.start()]):
            continue
        lo = positions[k - len(left)]
        hi = positions[k + len(right)] + len(tokens[k + len(right)])
        first, second = "".join(left), "".join(right)
        first = _shared_head(left, right) or first
        prefix, suffix = question[:lo], question[hi:]
        return [Aspect(first, f"{prefix}{first}{suffix}"), Aspect(second, f"{prefix}{second}{suffix}")]
    return []


def _positions(question: str, tokens: list[str]) -> list[int]:
    at, out = 0, []
    for token in tokens:
        at = question.find(token, at)
        out.append(at)
        at += len(token)
    return out


def _left_part(tokens: list[str], k: int, places: tuple[str, ...]) -> list[str]:
    part: list[str] = []
    for token in reversed(tokens[:k]):
        if _LEFT_STOP.search(token) or token in places or any(token.startswith(p) for p in places):
            break
        part.insert(0, token)
    return part if 2 <= len("".join(part)) <= _MAX_PART else []


def _right_part(tokens: list[str], k: int, places: tuple[str, ...]) -> list[str]:
    part: list[str] = []
    for token in tokens[k + 1:]:
        if _RIGHT_STOP.search(token) or token in places:
            break
        part.append(token)
    return part if 2 <= len("".join(part)) <= _MAX_PART else []


def _shared_head(left: list[str], right: list[str]) -> str:
    """城镇 + 农村家庭上网率 -> 城镇家庭上网率: sub-group words share the head noun."""
    if len(left) != 1 or len(right) < 2:
        return ""
    same_group = any(left[0] in group and right[0] in group for group in QUALIFIER_GROUPS)
    return left[0] + "".join(right[1:]) if same_group else ""
