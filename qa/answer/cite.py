"""The one citation format for drafting, used by the chat, the CLI, the JSON `reference` and exports.

《咸阳市“十二五”信息化发展规划》（咸政办发〔2011〕11号，2011年1月26日印发）第二部分
“二、‘十二五’信息化建设发展目标／（二）发展目标／1、加强信息化硬件设施建设，实现信息化网络完全覆盖”：
“……全市宽带用户达到95万户……”

Headings are taken from the stored section path and cleaned here, for display only:
the chunker sometimes glues the first words of the prose onto a heading title
("（三）发展目标在“十二五”期间") or cuts a long title at its 24-character cap; the
stored strings stay as they are because ids and the index depend on them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from qa.schemas import CitationOut

SECTION_SEP = " > "  # how qa.ingest.chunking.Chunk.section_path joins headings
PATH_SEP = "／"  # how a heading path is shown to a reader
TITLE_CAP = 24  # qa.ingest.chunking._heading_title cuts titles here; such a title may end mid-word
TABLE_ROW = "表格行"
# Labels the chunker gives front-matter lines; they name a line, they are not headings of the plan.
FRONT_MATTER = ("发文字号（文号）", "成文日期（印发日期）")

# The numbering a heading starts with (附件一：, 专栏3：, 二、, （四）, 5、, （2）); lists read it too.
HEADING_MARKER = re.compile(
    r"^((?:附件|附表|附录)[一二三四五六七八九十\d]*\s*[：:]?|专栏\s*\d+\s*[：:]?|[一二三四五六七八九十]{1,3}、"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}(?:、|[.．])|[（(]\d{1,2}[）)])"
)
_PART = re.compile(r"^([一二三四五六七八九十]{1,3})、")
# A heading title is a noun phrase; these are the words such phrases end with in plan documents.
_HEADING_ENDS = (
    "目标", "思想", "原则", "问题", "成绩", "现状", "措施", "保障", "任务", "基础", "领导", "环境",
    "机制", "体系", "要求", "重点", "方向", "布局", "内容", "意义", "形势", "思路", "工程", "建设",
)
# Prose glued after a heading starts like a sentence: a time frame, a subject or a verb of policy.
_PROSE_STARTS = (
    "目前", "当前", "近年", "在", "我市", "我国", "全市", "深入", "认真", "坚持", "根据", "按照", "围绕",
    "为", "以", "通过", "到20", "“十", "今后", "随着", "面对", "力争", "争取", "要",
)
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_LINE = re.compile(
    r"^(?P<y>[〇○零O一二三四五六七八九\d]{4})年(?P<m>[一二三四五六七八九十\d]{1,3})月(?P<d>[一二三四五六七八九十\d]{1,3})日$"
)
_FRONT_LINES = 12  # an issuing notice's date stands on one of the first lines


def _cn_number(text: str) -> int:
    """'二十六' -> 26, '十二' -> 12, '3' -> 3 (month and day numerals)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


@lru_cache(maxsize=64)
def issue_date(text: str) -> str:
    """The issuing date of a document from its front matter, in Arabic numerals (GB/T 9704-2012).

    Args:
        text: the whole document text.

    Returns:
        e.g. "2011年1月26日" for a line "二○一一年一月二十六日"; "" when the front matter has none.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:_FRONT_LINES]
    for line in lines:
        match = _DATE_LINE.match(line)
        if match:
            year = "".join(str(_CN_DIGITS.get(ch, ch)) for ch in match["y"])
            return f"{int(year)}年{_cn_number(match['m'])}月{_cn_number(match['d'])}日"
    return ""


def _split_marker(label: str) -> tuple[str, str]:
    match = HEADING_MARKER.match(label)
    return (match.group(0), label[match.end():]) if match else ("", label)


def clean_heading(label: str) -> str:
    """A heading as a reader should see it: glued prose cut off, a cut-off title marked.

    Args:
        label: one stored heading, e.g. "（三）发展目标在“十二五”期间".

    Returns:
        e.g. "（三）发展目标"; "附件：" becomes "附件"; a title cut at the chunker's cap ends in "……".
    """
    label = label.strip()
    marker, title = _split_marker(label)
    marker = marker.rstrip("：: ") if not title.strip() else marker
    for i in range(2, len(title) - 1):
        if title[:i].endswith(_HEADING_ENDS) and title[i:].startswith(_PROSE_STARTS):
            return marker + title[:i]
    if len(title) >= TITLE_CAP and title[-1] not in "。；！？）”》":
        comma = title.rfind("，")
        if comma >= TITLE_CAP // 2 and len(title) - comma <= 6:  # a clause of a few words: drop it
            title = title[:comma]
        return f"{marker}{title}……"
    return marker + title


def heading_path(section: str | Sequence[str]) -> list[str]:
    """The cleaned headings of a section path (a stored " > "-joined string or a tuple)."""
    parts = section.split(SECTION_SEP) if isinstance(section, str) else list(section)
    return [clean_heading(p) for p in parts if p.strip() and p.strip() not in FRONT_MATTER]


def part_name(headings: Sequence[str]) -> str:
    """'第二部分' for a path under "二、…"; '' otherwise (an appendix names itself)."""
    match = _PART.match(headings[0]) if headings else None
    return f"第{match.group(1)}部分" if match else ""


def _inner_quotes(text: str) -> str:
    """Quotation marks inside a quotation become single ones (Chinese typesetting)."""
    return text.replace("“", "‘").replace("”", "’")


def source_label(
    title: str, doc_number: str = "", issue_date: str = "", section: str | Sequence[str] = "",
    page: int | None = None,
) -> str:
    """Where a quote comes from: 《标题》（文号，日期印发）第X部分“heading／heading”，第N页."""
    book = title if title.startswith("《") else f"《{title}》"
    issued = "，".join(p for p in (doc_number, f"{issue_date}印发" if issue_date else "") if p)
    headings = heading_path(section)
    where = f"{part_name(headings)}“{_inner_quotes(PATH_SEP.join(headings))}”" if headings else ""
    pages = f"，第{page}页" if page else ""
    return f"{book}{f'（{issued}）' if issued else ''}{where}{pages}"


def format_reference(
    title: str, doc_number: str, section: str | Sequence[str], body: str, *, is_table: bool = False,
    issue_date: str = "", page: int | None = None,
) -> str:
    """A citation ready to paste into a draft: the source, then the verbatim quote.

    A rebuilt table row is not verbatim text (its cells are joined with their
    column headers), so it is labelled 表格行 and not put in quotation marks.

    Args:
        title, doc_number, issue_date: the document's metadata ("" when unknown).
        section: the stored heading path.
        body: the verbatim quote, or a table row's display with column headers.
        is_table: body is a rebuilt table row.
        page: the page of the source, when the source has pages.
    """
    label = source_label(title, doc_number, issue_date, section, page)
    if is_table:
        return f"{label}，{TABLE_ROW}：{body.strip()}"
    return f"{label}：“{_inner_quotes(body)}”"


def is_table_row(c: CitationOut) -> bool:
    """A citation of a rebuilt table row (its display names the columns)."""
    if c.kind:
        return c.kind == "table_row"
    return bool(c.display.strip()) and c.display.strip() != c.quote.strip()


def citation_label(c: CitationOut) -> str:
    """source_label of a CitationOut."""
    return source_label(c.title, c.doc_number, c.issue_date, c.section, getattr(c, "page", None))


def citation_reference(c: CitationOut) -> str:
    """format_reference of a CitationOut (what 复制引用 copies)."""
    table = is_table_row(c)
    body = (c.display or c.quote) if table else c.quote
    return format_reference(c.title, c.doc_number, c.section, body, is_table=table, issue_date=c.issue_date,
                            page=getattr(c, "page", None))


def offsets_line(c: CitationOut) -> str:
    """The detail line of the sources panel: character span (and page)."""
    page = getattr(c, "page", None)
    return f"字符 {c.start}–{c.end}" + (f" · 第{page}页" if page else "")
