"""WordprocessingML details python-docx leaves out: heading levels and list-numbering text.

Word stores "一、" of an automatically numbered heading not in the paragraph but in
numbering.xml (ECMA-376 Part 1, §17.9); a plan's outline lives in that text, so
it is rendered here and put in front of the paragraph, as a reader sees it.
Pure functions over lxml elements; python-docx stays in :mod:`qa.ingest.readers.word`.
"""
from __future__ import annotations

import re

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_VAL = f"{{{W}}}val"
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_DIGITS = "零一二三四五六七八九"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else ("一" if rest < 20 else "") + chinese_number(rest))
    return _DIGITS[n // 100] + "百" + tail if n < 1000 else str(n)


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """One counter in a numFmt (ST_NumberFormat); unknown formats fall back to decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital",
               "japaneseCounting", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt in ("ideographTraditional", "ideographZodiac") and 1 <= n <= 10:
        return _HEAVENLY[n - 1]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) - ord("0") + ord("０")) for d in str(n))
    return str(n)


def _val(element, path: str) -> str | None:
    found = element.find(path, NS) if element is not None else None
    return None if found is None else found.get(_VAL)


class Styles:
    """Paragraph styles by id, with their `basedOn` chain (§17.7.4.3)."""

    def __init__(self, styles_root) -> None:
        self.by_id = {s.get(f"{{{W}}}styleId"): s for s in (styles_root.findall("w:style", NS) if styles_root is not None else [])}

    def chain(self, style_id: str | None) -> list:
        chain, seen = [], set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            chain.append(style)
            style_id = _val(style, "w:basedOn")
        return chain

    def heading_level(self, p) -> int | None:
        """1-based outline level from the paragraph or its style: a heading style or w:outlineLvl."""
        level = _val(p, "w:pPr/w:outlineLvl")
        for style in self.chain(_val(p, "w:pPr/w:pStyle")):
            name = _val(style, "w:name") or ""
            match = _HEADING_NAME.match(name.strip())
            if match:
                return int(match.group(1))
            level = level if level is not None else _val(style, "w:pPr/w:outlineLvl")
        # outlineLvl 9 means body text (§17.3.1.20).
        return int(level) + 1 if level is not None and level.isdigit() and int(level) < 9 else None

    def is_title(self, p) -> bool:
        return any((_val(s, "w:name") or "").strip().lower() in ("title", "标题") for s in self.chain(_val(p, "w:pPr/w:pStyle")))

    def num_pr(self, p) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph, else from its style chain; numId 0 switches numbering off."""
        num_id, ilvl = _val(p, "w:pPr/w:numPr/w:numId"), _val(p, "w:pPr/w:numPr/w:ilvl")
        for style in self.chain(_val(p, "w:pPr/w:pStyle")):
            if num_id is None:
                num_id = _val(style, "w:pPr/w:numPr/w:numId")
            if ilvl is None:
                ilvl = _val(style, "w:pPr/w:numPr/w:ilvl")
        if num_id is None or num_id == "0":
            return None
        return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0


class Numbering:
    """Renders list labels in document order, keeping Word's counters (§17.9)."""

    def __init__(self, numbering_root) -> None:
        root = numbering_root
        self.abstract = {a.get(f"{{{W}}}abstractNumId"): a for a in (root.findall("w:abstractNum", NS) if root is not None else [])}
        self.nums = {n.get(f"{{{W}}}numId"): n for n in (root.findall("w:num", NS) if root is not None else [])}
        self.counters: dict[str, list[int]] = {}

    def _levels(self, num_id: str) -> tuple[str, dict[int, object]]:
        num = self.nums.get(num_id)
        abstract_id = _val(num, "w:abstractNumId") if num is not None else None
        abstract = self.abstract.get(abstract_id)
        levels = {int(lvl.get(f"{{{W}}}ilvl", "0")): lvl for lvl in (abstract.findall("w:lvl", NS) if abstract is not None else [])}
        for override in (num.findall("w:lvlOverride", NS) if num is not None else []):
            lvl = override.find("w:lvl", NS)
            if lvl is not None:
                levels[int(override.get(f"{{{W}}}ilvl", "0"))] = lvl
        return abstract_id or num_id, levels

    def label(self, num_id: str, ilvl: int) -> str:
        """The next label of list `num_id` at level `ilvl` ("一、", "（二）", "3."); "" for bullets."""
        key, levels = self._levels(num_id)
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(key, [0] * 9)
        if counters[ilvl] == 0:
            start = _val(levels[ilvl], "w:start")
            counters[ilvl] = int(start) if start and start.isdigit() else 1
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        fmt = _val(levels[ilvl], "w:numFmt") or "decimal"
        text = _val(levels[ilvl], "w:lvlText") or ""
        if fmt in ("bullet", "none") or not text:
            return ""

        def fill(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            count = counters[level] if level < len(counters) else 0
            level_fmt = _val(levels.get(level), "w:numFmt") or "decimal" if level in levels else "decimal"
            return format_number(max(count, 1), level_fmt)

        return re.sub(r"%(\d)", fill, text)
