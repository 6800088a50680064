"""Questions about a document itself, answered from its front matter.

An official document (GB/T 9704-2012) opens with its title, the issuing office's
notice (…关于印发《…》的通知), its number (咸政办发〔2011〕11号), the addressees
(主送机关, a line ending in "："), and its date (二○一一年一月二十六日). "规划是哪天
印发的？", "文号是什么？", "通知主送了哪些单位？", "标题全称是什么？" ask for one of
these parts; the answer is the part's own span in the document text, so it is quoted
and cited like any other answer. A document without that part says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.documents import Document

_FRONT_LINES = 8
_ISSUE_VERB = r"(?:印发|发布|下发|出台|发文|成文|签发|颁布)"
_WHEN = r"(?:哪天|哪一天|哪日|什么时候|何时|哪年|哪一年|几月|几号|日期|时间)"
# Which part a question asks for, by how people name it.
PART_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("doc_number", re.compile(r"文号|发文字号|字号|发文号|文件编号|文件号")),
    ("addressees", re.compile(r"主送|(?:发给|下发给|印发给|发送给|送达)了?(?:哪些|哪几个|什么|谁)")),
    ("date", re.compile(rf"{_ISSUE_VERB}.{{0,3}}{_WHEN}|{_WHEN}.{{0,4}}{_ISSUE_VERB}")),
    ("office", re.compile(r"发文机关|发文单位|(?:哪个|哪家|什么|哪一个)(?:单位|部门|机关|机构)(?:印发|发布|下发|制定|出台|发的)|由?谁(?:印发|发布|下发|制定|出台)")),
    ("title", re.compile(r"标题|全称|题目|文件名|名称是什么|名字是什么|叫什么")),
)
PART_NAMES = {"doc_number": "文号", "addressees": "主送机关", "date": "印发日期", "office": "发文机关", "title": "标题"}
_DATE_LINE = re.compile(r"^[〇○零O一二三四五六七八九\d]{4}\s*年\s*[一二三四五六七八九十\d]{1,3}\s*月\s*[一二三四五六七八九十\d]{1,3}\s*日$")
_ADDRESSEES = re.compile(r"^([^。：:《]{4,120}?)[：:]")
_ORG = re.compile(r"政府|部门|机构|单位|委员会|办公室|办公厅|局|厅|委")


@dataclass(frozen=True)
class Span:
    """A front-matter part's place in the document text."""

    start: int
    end: int


def asked_part(question: str) -> str:
    """The front-matter part a question asks for ('' when none); the first match wins."""
    return next((name for name, pattern in PART_WORDS if pattern.search(question)), "")


def part_words(question: str) -> list[str]:
    """The words of the question that name the part (they are not content to look up)."""
    return [m.group() for _, pattern in PART_WORDS for m in pattern.finditer(question)]


def _lines(text: str) -> list[tuple[int, str]]:
    """The first lines of a document with their offsets."""
    out, at = [], 0
    for line in text.split("\n")[:_FRONT_LINES]:
        out.append((at, line))
        at += len(line) + 1
    return out


def _stripped(at: int, line: str) -> Span | None:
    lead = len(line) - len(line.lstrip())
    body = line.strip()
    return Span(at + lead, at + lead + len(body)) if body else None


def find_part(doc: Document, part: str) -> Span | None:
    """Where the document states the part, or None when its front matter has none."""
    lines = _lines(doc.text)
    if part == "title":
        first = next(((at, line) for at, line in lines if line.strip()), None)
        return _stripped(*first) if first else None
    if part == "doc_number" and doc.doc_number:
        at = doc.text.find(doc.doc_number, 0, lines[-1][0] + len(lines[-1][1]))
        return Span(at, at + len(doc.doc_number)) if at >= 0 else None
    if part == "date":
        return next((_stripped(at, line) for at, line in lines if _DATE_LINE.match(line.strip())), None)
    if part == "office" and doc.office:
        at = doc.text.find(doc.office, 0, lines[-1][0] + len(lines[-1][1]))
        return Span(at, at + len(doc.office)) if at >= 0 else None
    if part == "addressees" and doc.doc_number:
        return _addressees(lines)
    return None


def _addressees(lines: list[tuple[int, str]]) -> Span | None:
    """The 主送 line: after the number, up to its colon, naming offices."""
    for at, line in lines:
        found = _ADDRESSEES.match(line)
        if found and len(_ORG.findall(found.group(1))) >= 2 and "关于" not in found.group(1):
            return Span(at + found.start(1), at + found.end(1))
    return None
