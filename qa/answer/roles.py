"""What part a passage plays in a plan: its section's role and its time role.

Chinese government plans of every level share one outline: a review of the last
period (现状/成绩/基础), its problems (问题/不足), the situation (形势/机遇), guiding
ideas and principles (指导思想/原则), targets (目标), tasks (任务/重点), projects
(工程/项目/专栏), safeguards (保障措施) and annexes (附件/表), after an issuing
notice (文号/主送/印发). A figure in the review is a *status*; a figure in the
targets, tasks or projects is a *target* unless the sentence itself is dated before
the plan's period. A yearly review (综述/总结/工作报告) only reports status.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qa.answer.query import find_years
from qa.ingest.documents import Document

# (role, heading words). The first match, innermost heading first, wins.
SECTION_ROLES: tuple[tuple[str, str], ...] = (
    ("annex", r"附件|附表|^表\d"),
    ("header", r"文号|发文字号|印发日期|成文日期|主送|抄送"),
    ("problem", r"问题|不足|差距|挑战|制约"),
    ("status", r"现状|成绩|成就|成效|基础|回顾|进展|主要工作"),
    ("situation", r"形势|机遇|环境|趋势"),
    ("principle", r"指导思想|基本原则|原则|思路|方针"),
    ("target", r"目标|指标"),
    ("project", r"工程|项目|专栏"),
    ("task", r"任务|重点|领域|举措"),
    ("measures", r"保障|措施|组织领导|实施"),
)
_SECTION_PATTERNS = tuple((role, re.compile(words)) for role, words in SECTION_ROLES)
TARGET_SECTIONS = frozenset({"target", "project", "task", "annex"})
STATUS_SECTIONS = frozenset({"status", "problem"})
_REVIEW_TITLE = re.compile(r"综述|总结|回顾|工作报告|年鉴|统计公报|情况报告")
# A sentence in a target section that reports what exists already.
_STATUS_WORDS = re.compile(r"目前|现有|已经|已有|已建|已达|截至|截止|现已|取得了|建成了")
_TARGET_WORDS = re.compile(r"到\s*(?:19|20)\d{2}|力争|争取|目标|将达到|要达到|达到.{0,12}以上|期末|计划")


@dataclass(frozen=True)
class DocProfile:
    """Time facts of one document: its kind and the year its status figures describe."""

    doc_id: str
    kind: str  # "plan" or "review"
    start: int | None
    end: int | None
    status_year: int | None


def _roles_of(heading: str) -> list[str]:
    return [role for role, pattern in _SECTION_PATTERNS if pattern.search(heading)]


def lists_problems(section: tuple[str, ...]) -> bool:
    """Whether a heading of the path is a list of problems (存在问题, 面临的问题)."""
    return any("problem" in _roles_of(heading) for heading in section)


def section_role(section: tuple[str, ...]) -> str:
    """The role of a heading path ('' if no heading says one).

    The outline's top level decides; an inner heading only chooses among the roles
    its parent names ("二、指导思想、基本原则和发展目标 > （三）发展目标" is a target),
    so a task heading that merely mentions 基础设施 stays a task.
    """
    candidates: list[str] = []
    for heading in section:
        roles = _roles_of(heading)
        if not candidates:
            candidates = roles
        elif roles:
            narrowed = [r for r in candidates if r in roles]
            candidates = narrowed or candidates
        if len(candidates) == 1:
            return candidates[0]
    return candidates[0] if candidates else ""


def document_kind(title: str) -> str:
    """"review" for a yearly review or report, else "plan"."""
    return "review" if _REVIEW_TITLE.search(title) else "plan"


def profile(document: Document, status_texts: list[str]) -> DocProfile:
    """A document's kind, period and status year.

    Args:
        document: the document.
        status_texts: texts of its chunks in status/problem sections.

    Returns:
        The profile; the status year is the year its review sections name most often
        before the plan period (a 2011–2015 plan may report 2009 or 2010 figures).
    """
    years = document.years
    start, end = years or (None, None)
    kind = document_kind(document.title)
    if kind == "review":
        return DocProfile(document.doc_id, kind, start, end, end)
    counts = Counter(y for text in status_texts for y in find_years(text) if start is None or y < start)
    status_year = max(counts, key=lambda y: (counts[y], y)) if counts else (start - 1 if start else None)
    return DocProfile(document.doc_id, kind, start, end, status_year)


def sentence_role(doc: DocProfile, section: str, sentence: str) -> str:
    """"status", "target" or "" for one sentence of a document.

    Args:
        doc: the document's profile.
        section: the role of the sentence's section (:func:`section_role`).
        sentence: the sentence text.
    """
    if doc.kind == "review":
        return "status"
    years = find_years(sentence)
    past = doc.start is not None and any(y < doc.start for y in years)
    future = doc.start is not None and any(y >= doc.start for y in years)
    if section in STATUS_SECTIONS:
        return "target" if future and _TARGET_WORDS.search(sentence) else "status"
    if past or (_STATUS_WORDS.search(sentence) and not _TARGET_WORDS.search(sentence)):
        return "status"
    if section in TARGET_SECTIONS or future or _TARGET_WORDS.search(sentence):
        return "target"
    return ""


def sentence_year(doc: DocProfile, role: str, sentence: str, before: str) -> int | None:
    """The year a sentence's figure describes.

    The year in the sentence; else, for a status, the last year named earlier in its
    paragraph ("2010年底，…。全市宽带用户总数达到35万户") or the document's status
    year; for a target, the plan's last year.
    """
    own = find_years(sentence)
    if role == "status":
        past = [y for y in own if doc.start is None or y < doc.start or doc.kind == "review"]
        if past:
            return past[-1]
        earlier = [y for y in find_years(before) if doc.start is None or y < doc.start or doc.kind == "review"]
        return earlier[-1] if earlier else doc.status_year
    if role == "target":
        future = [y for y in own if doc.start is not None and y >= doc.start]
        return max(future) if future else doc.end
    return None
