"""Follow-ups over the previous answer's list: the N-th item, the largest item, each item's cell.

"第二项具体指什么？", "其中哪个投资最多？", "这几个项目各由谁负责？" lean on a list the
previous question produced. The previous question is answered again (cheap and
deterministic) and the item or cell asked for is quoted from it.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from qa.answer.lists import each_row, extreme, extreme_row, item_detail, ordinal
from qa.answer.query import ASKS_A_CELL, QueryFacts, Scope, analyse
from qa.answer.results import SideResult
from qa.answer.rewrite import is_elliptical, rewrite_with_focus
from qa.answer.sides import Side, split_sides
from qa.answer.view import AnswerView

# (side, focus) -> the answered side; the pipeline's own answer step.
AnswerSide = Callable[[Side, str], SideResult]


class ListFollowUps:
    """Answers a follow-up that picks from the previous question's list, or says it does not apply (None)."""

    def __init__(self, view: AnswerView, cities: tuple[str, ...], scope: Scope) -> None:
        self.view = view
        self.cities = cities
        self.scope = scope

    def pick(self, text: str, past: list[str], answer: AnswerSide) -> SideResult | None:
        """The first kind of list follow-up the question is, answered; None for none."""
        return (self._nth(text, past, answer) if past else None) or self._same_item(text, past, answer) \
            or self._extreme(text, past, answer) or (self._each(text, past, answer) if past else None)

    def _same_item(self, text: str, past: list[str], answer: AnswerSide) -> SideResult | None:
        """"花多少钱？" after "第二个是谁负责？" (and any cell questions between): another cell of
        the same item of the list."""
        if len(past) < 2 or ordinal(text) is not None or not is_elliptical(text) or not ASKS_A_CELL.search(text):
            return None
        for k in range(len(past) - 1, 0, -1):
            n = ordinal(past[k])
            if n is not None:
                return self._nth(f"第{n}项{text}", past[:k], answer)
            if not (is_elliptical(past[k]) and ASKS_A_CELL.search(past[k])):
                return None
        return None

    def _listed(self, question: str, answer: AnswerSide) -> tuple[QueryFacts, Side, SideResult] | None:
        facts = analyse(question, self.cities, self.scope)
        if not facts.wants_list:
            return None
        side = split_sides(question, facts, self.cities)[0]
        listed = answer(side, question)
        return (facts, side, listed) if listed.refusal is None else None

    def _nth(self, text: str, past: list[str], answer: AnswerSide) -> SideResult | None:
        """"第二项具体指什么？": the passage under the previous list's N-th item."""
        n = ordinal(text)
        found = self._listed(rewrite_with_focus(past[-1], past[:-1])[0], answer) if n is not None else None
        if found is None or len(found[2].quotes) < n:
            return None
        facts, side, listed = found
        # "第三项计划经费多少？": the item's table row, its asked cell the key.
        cells = each_row(self.view, listed.quotes, f"各{text}") if ASKS_A_CELL.search(text) else []
        detail = cells[n - 1] if len(cells) >= n else item_detail(self.view, listed.quotes[n - 1])
        return SideResult(Side(f"第{n}项", text, side.city), facts, listed.decision, listed.hits, quotes=[detail])

    def _extreme(self, text: str, past: list[str], answer: AnswerSide) -> SideResult | None:
        """"其中哪个投资最多？" (after a list) or "附件里哪个工程经费最多？": the table row whose
        asked column is largest (or smallest)."""
        which = extreme(text)
        if which is None:
            return None
        leaning = bool(past) and is_elliptical(text)
        listing = rewrite_with_focus(past[-1], past[:-1])[0] if leaning else re.sub(r"哪(?:个|项|一个|一项|家)", "哪些", text, count=1)
        found = self._listed(listing, answer)
        row = extreme_row(self.view, found[2].quotes, text, which) if found is not None else None
        if row is None:
            return None
        facts, side, listed = found
        return SideResult(Side("", text, side.city), facts, listed.decision, listed.hits, quotes=[row])

    def _each(self, text: str, past: list[str], answer: AnswerSide) -> SideResult | None:
        """"这几个项目各由谁负责？" after a list: each item's row, its asked cell the key."""
        own = analyse(text, self.cities, self.scope)
        if not is_elliptical(text) and (own.places or own.years or len(text) > 16):
            return None
        found = self._listed(rewrite_with_focus(past[-1], past[:-1])[0], answer)
        rows = each_row(self.view, found[2].quotes, text) if found is not None else []
        if not rows:
            return None
        facts, side, listed = found
        return SideResult(Side("", text, side.city), facts, listed.decision, listed.hits, quotes=rows)
