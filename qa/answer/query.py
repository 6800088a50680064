"""What a question is about: places, years, plan periods, and what kind of answer it wants."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.documents import PERIODS

_PLACES_FILE = Path(__file__).resolve().parents[1] / "data" / "places.txt"
PLACES: tuple[str, ...] = tuple(
    word for line in _PLACES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for word in line.split()
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CN_DIGITS = "〇一二三四五六七八九"
_NUMBER_WORDS = re.compile(r"多少|几[个家所项条台户万亿]?|比例|比重|百分之|占比|数量|规模|金额|经费|资金|投资|产值|增加值|指数|覆盖率|普及率|率|目标值")
_LIST_WORDS = re.compile(r"哪些|哪几|包括什么|包括哪|有什么|列举|都有")
_WHEN_WORDS = re.compile(r"什么时候|何时|哪一?年|几月|日期|时间")
_WHO_WORDS = re.compile(r"谁|哪个部门|哪个单位|哪家|由.{0,6}负责|实施单位|牵头")
_PERIOD = re.compile("|".join(sorted(PERIODS, key=len, reverse=True)))


@dataclass(frozen=True)
class QueryFacts:
    places: tuple[str, ...]
    years: tuple[int, ...]
    periods: tuple[str, ...]
    wants_number: bool
    wants_list: bool
    wants_when: bool
    wants_who: bool


def find_places(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Place names in order of first mention, without repeats."""
    names = set(PLACES) | set(extra)
    found = sorted(((text.find(n), n) for n in names if n in text), key=lambda pair: pair[0])
    return tuple(dict.fromkeys(name for _, name in found))


def find_years(text: str) -> tuple[int, ...]:
    """Four-digit years, plus years written in Chinese numerals (二○一一年)."""
    years = [int(y) for y in _YEAR.findall(text)]
    for match in re.finditer(rf"([{_CN_DIGITS}○零]{{4}})年", text):
        digits = "".join(str(_CN_DIGITS.index(c)) if c in _CN_DIGITS else "0" for c in match.group(1))
        years.append(int(digits))
    return tuple(dict.fromkeys(years))


def analyse(question: str, extra_places: tuple[str, ...] = ()) -> QueryFacts:
    return QueryFacts(
        places=find_places(question, extra_places),
        years=find_years(question),
        periods=tuple(dict.fromkeys(_PERIOD.findall(question))),
        wants_number=bool(_NUMBER_WORDS.search(question)),
        wants_list=bool(_LIST_WORDS.search(question)),
        wants_when=bool(_WHEN_WORDS.search(question)),
        wants_who=bool(_WHO_WORDS.search(question)),
    )
