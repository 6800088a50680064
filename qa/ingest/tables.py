"""Rebuild tables that were flattened to one cell per line.

Baoji's plan stores its indicator table (专栏1) and its project appendix as a
run of short lines. We infer the column count from how regular the cell types
(number / year / text) of the resulting rows are, then emit one row per data
line with its column headers, keeping every cell's span in the source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.layout import TableLayout
from qa.ingest.text import squeeze

_NUMBER = re.compile(r"^[-+]?[\d,]+(?:\.\d+)?\s*(?:%|％|万元|亿元|万户|万)?$")
_YEAR = re.compile(r"^(?:19|20)\d{2}(?:\s*[-—~至]\s*(?:19|20)\d{2})?年?$")
_UNIT_LINE = re.compile(r"^[（(][^）)]{1,8}[）)]$")
_TOTAL = re.compile(r"^(?:合计|总计|小计)")

Span = tuple[int, int]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Span, ...]
    group: str = ""
    is_total: bool = False
    columns: tuple[int, ...] = ()  # column of each cell when empty cells were left out


@dataclass(frozen=True)
class Table:
    title: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]


def cell_type(value: str) -> str:
    value = squeeze(value)
    if _YEAR.match(value):
        return "year"
    if _NUMBER.match(value):
        return "num"
    return "text"


def _merge_unit_lines(text: str, cells: list[Span]) -> list[Span]:
    """Join a header's unit line ('（万元）') onto the cell above it."""
    merged: list[Span] = []
    for span in cells:
        if merged and _UNIT_LINE.match(squeeze(text[span[0]:span[1]])):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _parse_rows(values: list[str], start: int, width: int, expected: tuple[str, ...]) -> tuple[list[tuple[int, int, str]], int]:
    """Greedy row parse from `start`; returns (rows as (first, count, kind), score)."""
    rows: list[tuple[int, int, str]] = []
    score = 0
    i = start
    while i < len(values):
        if _TOTAL.match(squeeze(values[i])):
            rows.append((i, len(values) - i, "total"))
            break
        kinds = tuple(cell_type(v) for v in values[i + 1:i + width])
        if i + width <= len(values) and kinds == expected and cell_type(values[i]) == "text":
            rows.append((i, width, "row"))
            score += width
            i += width
        else:
            rows.append((i, 1, "group"))
            score -= 2
            i += 1
    return rows, score


def _layouts(values: list[str], start: int, width: int) -> list[tuple[str, ...]]:
    """Candidate column-type profiles: from the first line, or the line after a group label."""
    profiles = []
    for probe in (start, start + 1):
        if probe + width <= len(values):
            kinds = tuple(cell_type(v) for v in values[probe + 1:probe + width])
            if any(kind != "text" for kind in kinds):
                profiles.append(kinds)
    return profiles


def parse_table(text: str, lines: list[Span]) -> Table | None:
    """Parse a run of one-cell-per-line spans into a table, or None if it is not one.

    Args:
        text: the whole document.
        lines: spans of consecutive short lines (white space trimmed).

    Returns:
        The table whose layout explains the most cells as regular rows.
    """
    cells = _merge_unit_lines(text, lines)
    values = [text[s:e] for s, e in cells]
    best: tuple[int, int, int, list[tuple[int, int, str]]] | None = None  # (key..., rows)
    for offset in range(3):
        for width in range(2, 7):
            if offset + width >= len(values):
                continue
            for expected in _layouts(values, offset + width, width):
                rows, score = _parse_rows(values, offset + width, width, expected)
                if sum(1 for *_, kind in rows if kind == "row") < 2:
                    continue
                # Every title line taken into the header must pay for itself, or a
                # group label ('信息网络基础设施重点工程') gets swallowed as a header.
                key = (score - 3 * offset, -offset, width)
                if best is None or key > best[:3]:
                    best = (*key, rows)
    if best is None:
        return None
    _, neg_offset, width, rows = best
    offset = -neg_offset
    headers = tuple(squeeze(v) for v in values[offset:offset + width])
    title = tuple(squeeze(v) for v in values[:offset])
    out: list[TableRow] = []
    group = ""
    for first, count, kind in rows:
        if kind == "group":
            group = squeeze(values[first])
            continue
        out.append(TableRow(cells=tuple(cells[first:first + count]), group=group, is_total=kind == "total"))
    return Table(title=title, headers=headers, rows=tuple(out))


def from_layout(text: str, layout: TableLayout) -> Table | None:
    """A reader's real table as a :class:`Table`: merged title rows, header row, group rows, data rows.

    Args:
        text: the whole document.
        layout: the table's cell spans (first rows: title rows spanning the table, then headers).

    Returns:
        The table, or None when no data row is left.
    """
    rows = [row for row in layout.rows if any(row)]
    title: list[str] = []
    # A caption typed into a first row merged across the table ("专栏1 …") is its title.
    while len(rows) > 2 and sum(1 for cell in rows[0] if cell) == 1 and len(rows[1]) > 1:
        cell = next(cell for cell in rows.pop(0) if cell)
        title.append(squeeze(text[cell[0]:cell[1]]))
    if len(rows) < 2:
        return None
    headers = tuple(squeeze(text[c[0]:c[1]]) if c else "" for c in rows[0])
    out: list[TableRow] = []
    group = ""
    for row in rows[1:]:
        filled = [(i, cell) for i, cell in enumerate(row) if cell]
        if len(filled) == 1 and len(headers) > 2:
            group = squeeze(text[filled[0][1][0]:filled[0][1][1]])  # a row naming the group of rows below it
            continue
        out.append(TableRow(cells=tuple(cell for _, cell in filled), group=group, columns=tuple(i for i, _ in filled)))
    return Table(title=tuple(title), headers=headers, rows=tuple(out)) if out else None
