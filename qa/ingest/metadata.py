"""What a Chinese government document says about itself, read from its first lines.

Title, issuing number (文号, e.g. 咸政办发〔2011〕11号), date (成文/印发日期), issuing
office, place (province, city, county) and period (十二五 -> 2011-2015, or a
year range, or one year) follow the layout of the national standard for official
documents (GB/T 9704-2012): red header, number, title, body, office and date.
An optional sidecar ``<file>.meta.json`` overrides or completes any of them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from qa.errors import PlanQAError

# Five-year-plan names and the years they cover; used to tell whether a year a
# user asks about is inside a document's period.
PERIODS: dict[str, tuple[int, int]] = {
    "十五": (2001, 2005),
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
}
_ORDINAL_PERIOD = re.compile(r"第(十[一二三四五]?)个五年")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年?")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}\s*[〔［\[【(（]\s*(?:19|20)\d{2}\s*[〕］\]】)）]\s*第?\d+\s*号$")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}
_DATE_CN = re.compile(r"^([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_DATE_NUM = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_OFFICE = r"(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|领导小组|局|厅|委|部)"
_OFFICE_ABOUT = re.compile(rf"^(.{{2,30}}?{_OFFICE})关于")
_OFFICE_LINE = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,40}}{_OFFICE}$")
_RED_HEADER = re.compile(r"^(.{2,30}?)文件$")
_PLACE = re.compile(
    r"^(?:(?P<province>[\u4e00-\u9fff]{2,7}?(?:省|自治区))|(?P<muni>北京|天津|上海|重庆)市)?"
    r"(?P<city>[\u4e00-\u9fff]{2,4}?(?:市|地区|自治州|州|盟))?"
    r"(?P<county>[\u4e00-\u9fff]{1,3}?(?:自治县|县|区|旗))?"
)
# Words that end in 市/区/县 without naming a place ("智慧城市", "示范区").
_NOT_PLACE = re.compile(r"城市|城区|园区|景区|开发区|新区|示范区|功能区|试验区|片区|社区|地区$|城乡|都市|超市|上市|街区|小区|辖区|市区|县区|县域")
_SKIP_TITLE = re.compile(r"^(?:签发人|密级|特急|加急|急件|平急|★|（此件|\(此件|抄送|附件)")
FRONT_LINES = 8


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    doc_number: str = ""
    date: str = ""
    office: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    period: str = ""


FIELDS = tuple(f.name for f in fields(Metadata))


def chinese_count(text: str) -> int:
    """十 -> 10, 二十六 -> 26, 三 -> 3 (month and day numerals)."""
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def parse_date(line: str) -> str:
    """ISO date of a standalone date line ('二○一一年一月二十六日', '2016年3月5日'), else ''."""
    line = line.strip()
    match = _DATE_NUM.match(line)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_CN.match(line)
        if not match:
            return ""
        year = int("".join(str(_CN_DIGIT[c]) for c in match.group(1)))
        month, day = chinese_count(match.group(2)), chinese_count(match.group(3))
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def read_period(title: str) -> str:
    """十二五 from '…“十二五”…', a five-year name or 'YYYY-YYYY' from a year range, else a single year."""
    ordinal = _ORDINAL_PERIOD.search(title)
    if ordinal:
        return ordinal.group(1) + "五"
    named = next((name for name in sorted(PERIODS, key=len, reverse=True) if name in title), "")
    if named:
        return named
    span = _YEAR_RANGE.search(title)
    if span:
        first, last = int(span.group(1)), int(span.group(2))
        return next((name for name, window in PERIODS.items() if window == (first, last)), f"{first}-{last}")
    year = _YEAR.search(title)
    return year.group(1) if year else ""


def period_years(period: str) -> tuple[int, int] | None:
    """First and last year of a period name, 'YYYY-YYYY' or 'YYYY'."""
    if period in PERIODS:
        return PERIODS[period]
    if period.isdigit():
        return int(period), int(period)
    match = re.fullmatch(r"(\d{4})-(\d{4})", period)
    return (int(match.group(1)), int(match.group(2))) if match else None


def read_place(text: str) -> tuple[str, str, str]:
    """(province, city, county) named at the start of a title or an office name."""
    match = _PLACE.match(text)
    if not match:
        return "", "", ""
    province = (match.group("province") or "").removesuffix("省").removesuffix("自治区") or (match.group("muni") or "")
    city = match.group("city") or ""
    county = match.group("county") or ""
    if city and _NOT_PLACE.search(text[:match.end("city") + 2]):
        city, county = "", ""
    if county and _NOT_PLACE.search(text[match.start("county"):match.end("county") + 2]):
        county = ""
    city = city.removesuffix("市")
    return province, city, county


def _title(lines: list[str]) -> str:
    for line in lines[:FRONT_LINES]:
        if _RED_HEADER.match(line) or _DOC_NUMBER.match(line) or _SKIP_TITLE.match(line) or parse_date(line):
            continue
        return line
    return lines[0] if lines else ""


def _office(lines: list[str], date_index: int | None) -> str:
    for line in lines[:FRONT_LINES]:
        match = _OFFICE_ABOUT.match(line)
        if match:
            return match.group(1)
    if date_index is not None and date_index > 0 and _OFFICE_LINE.match(lines[date_index - 1]):
        return lines[date_index - 1]
    header = next((m.group(1) for m in map(_RED_HEADER.match, lines[:3]) if m), "")
    return header


def read_fields(text: str) -> Metadata:
    """Metadata as stated in the text itself; fields it does not state are ''."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = _title(lines)
    # The issuing number stands alone on one of the first lines; numbers inside
    # the prose are citations of other documents.
    doc_number = next((line for line in lines[:FRONT_LINES] if _DOC_NUMBER.match(line)), "")
    date_index = next((i for i, line in enumerate(lines[:200]) if parse_date(line)), None)
    office = _office(lines, date_index)
    province, city, county = read_place(title)
    if not (province or city or county) and office:
        province, city, county = read_place(office)
    return Metadata(title=title, doc_number=doc_number, date=parse_date(lines[date_index]) if date_index is not None else "",
                    office=office, province=province, city=city, county=county, period=read_period(title))


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def apply_sidecar(meta: Metadata, path: Path) -> Metadata:
    """Override fields from ``<file>.meta.json`` next to the document, when there is one.

    Raises:
        PlanQAError: the sidecar is not a JSON object of known string fields.
    """
    side = sidecar_path(path)
    if not side.is_file():
        return meta
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanQAError(f"{side}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise PlanQAError(f"{side}: expected a JSON object with some of the fields {list(FIELDS)}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise PlanQAError(f"{side}: unknown field(s) {unknown}; allowed: {list(FIELDS)}")
    bad = sorted(k for k, v in data.items() if not isinstance(v, str))
    if bad:
        raise PlanQAError(f"{side}: field(s) {bad} must be strings")
    if "period" in data and data["period"] and period_years(data["period"]) is None:
        raise PlanQAError(f"{side}: period {data['period']!r} is not one of {list(PERIODS)}, 'YYYY-YYYY' or 'YYYY'")
    return replace(meta, **{k: v.strip() for k, v in data.items()})
