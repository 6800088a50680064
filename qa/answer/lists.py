"""Complete lists: find the enumeration that answers a 有哪些 question and return every item.

A plan enumerates in three ways: sibling headings under one parent ("四、保障措施 >
（一）…（六）"), rows of a 专栏 or 附件 table, and a clause list in one sentence
("形成了玻璃基板、电视机、覆铜板、电子元器件等产品制造产业体系"). Each candidate is
scored by how much of the asked attribute its parent heading (or its sentence)
holds, and by a count the question names ("哪八个方向"); every item is quoted
verbatim with its own citation; totals (合计/小计) are never items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answer.cite import HEADING_MARKER
from qa.answer.query import CELL_PROPERTIES, FRAME_WORDS, PLACES
from qa.answer.retrieval import Hit
from qa.answer.select import Quote, lexical_coverage
from qa.answer.values import longest_shared
from qa.answer.view import AnswerView
from qa.index.segment import is_verb, tokenize, words
from qa.ingest.documents import PERIODS

_CN_COUNT = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}
_COUNT = re.compile(r"(?:哪|这)([一二三四五六七八九十两]|\d{1,2})[个项条类方大点部项]|([一二三四五六七八九十两]|\d{1,2})大")
_TOTAL = re.compile(r"^(?:合计|总计|小计)")
# Items announced by a verb of listing, separated by commas: "主要用于公共服务平台，信息化重点项目，…"
_ANNOUNCED = re.compile(r"(?:用于|包括|主要有|分别是|分别为|涵盖|重点是|主要是)[：:]?((?:[^，。；、：]{2,24}[，、；]){1,9}[^，。；、：]{2,24})")
_CLAUSE_LIST = re.compile(r"[^，。；：、“”]{2,16}(?:、[^，。；：、“”]{2,16}){2,}")
# Two items and a third joined by 及/和 ("机床、汽车及零部件"), when no longer run is there.
_PAIR_LIST = re.compile(r"[^，。；：、“”]{2,16}、[^，。；：、“”等]{2,16}(?=等)")
_SHORT_LIST = re.compile(r"[^，。；：、“”]{2,16}、[^，。；：、“”]{1,8}?(?:及|和|与)[^，。；：、“”等]{2,16}")
MIN_ITEMS = 2
MIN_COVERAGE = 0.35  # share of the attribute's terms the enumeration's heading must hold
CLAUSE_DISCOUNT = 0.9
HEADING_LOOKBACK = 300  # characters before a section's first chunk where its heading may stand


@dataclass(frozen=True)
class Enumeration:
    """A candidate list: where it comes from, its score and one quote per item."""

    kind: str  # "headings", "rows", "points" or "clauses"
    score: float
    quotes: tuple[Quote, ...]


def asked_count(question: str) -> int | None:
    """The number of items a question names ("哪八个方向", "九大产业集群"), if any."""
    match = _COUNT.search(question)
    if not match:
        return None
    token = match.group(1) or match.group(2)
    return int(token) if token.isdigit() else _CN_COUNT.get(token)


def item_text(title: str) -> str:
    """A heading without its numbering ("（一）工业领域信息化" -> "工业领域信息化")."""
    return HEADING_MARKER.sub("", title).strip()


def _children(view: AnswerView, doc_id: str, parent: tuple[str, ...]) -> list[int]:
    """The first chunk of each child heading under ``parent``, in document order."""
    firsts: dict[str, int] = {}
    depth = len(parent)
    for i in view.doc_chunks[doc_id]:
        chunk = view.chunks[i]
        if len(chunk.section) > depth and chunk.section[:depth] == parent:
            firsts.setdefault(chunk.section[depth], i)
    return list(firsts.values())


def _heading_quote(view: AnswerView, chunk_id: int, depth: int, score: float) -> Quote | None:
    chunk = view.chunks[chunk_id]
    title = chunk.section[depth]
    text = view.text(chunk.doc_id)
    # A heading is glued to its first paragraph, or stands before it (on its own line,
    # or above a table's header lines).
    at = text.rfind(title, max(0, chunk.start - HEADING_LOOKBACK), chunk.start + len(title))
    if at < 0:
        at = text.find(title, chunk.start, chunk.end)
    if at < 0:
        return None
    item = item_text(title).strip("：: ") or title  # "附件：" is all marker: the heading itself
    key = text.find(item, at, at + len(title))
    return Quote(chunk.doc_id, chunk_id, at, at + len(title), key, key + len(item), score, heading=True)


def _row_quote(view: AnswerView, chunk_id: int, score: float) -> Quote | None:
    chunk = view.chunks[chunk_id]
    name = chunk.cells[0] if chunk.cells else None
    if name is None or _TOTAL.match(re.sub(r"\s+", "", name.value)):
        return None
    return Quote(chunk.doc_id, chunk_id, chunk.start, chunk.end, name.start, name.end, score)


def _fit(coverage: float, items: int, wanted: int | None) -> float:
    """Coverage, with a bonus when the item count is the one the question names."""
    return coverage + (0.5 if wanted is not None and items == wanted else 0.0) - (0.3 if wanted and items != wanted else 0.0)


def heading_lists(view: AnswerView, hits: list[Hit], terms: list[tuple[str, float]], wanted: int | None) -> list[Enumeration]:
    """Sibling headings (or table rows) under each heading above the top passages."""
    found: list[Enumeration] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for hit in hits:
        chunk = view.chunks[hit.chunk]
        for depth in range(1, len(chunk.section) + 1):
            parent = chunk.section[:depth]
            if (chunk.doc_id, parent) in seen:
                continue
            seen.add((chunk.doc_id, parent))
            # The innermost heading counts fully, the headings above it by half.
            coverage = lexical_coverage(terms, parent[-1], " ".join(parent[:-1]), view.synonyms)
            if coverage < MIN_COVERAGE:
                continue
            found.extend(_under(view, chunk.doc_id, parent, coverage, wanted))
    return found


# A heading standing alone as a chunk (nothing under it): "附件一：…", "附件二：…" at a plan's end.
BARE_HEADING_CHARS = 60


def _family(chunk) -> str:
    """A bare heading chunk's numbering style ("附件#：", "（#）"), or "" when it is not one."""
    text = chunk.text.strip()
    match = HEADING_MARKER.match(text)
    if chunk.kind != "text" or match is None or len(text) > BARE_HEADING_CHARS or "\n" in text:
        return ""
    return re.sub(r"[一二三四五六七八九十\d]+", "#", match.group())


def heading_runs(view: AnswerView, hits: list[Hit], terms: list[tuple[str, float]], wanted: int | None) -> list[Enumeration]:
    """Runs of headings that stand alone, one after another, numbered alike (the 附件 titles
    at a plan's end): each run whose titles hold the asked attribute is a list."""
    found: list[Enumeration] = []
    seen: set[int] = set()
    for hit in hits:
        family = _family(view.chunks[hit.chunk])
        if not family or hit.chunk in seen:
            continue
        order = view.doc_chunks[view.chunks[hit.chunk].doc_id]
        at = order.index(hit.chunk)
        lo, hi = at, at
        while lo > 0 and _family(view.chunks[order[lo - 1]]) == family:
            lo -= 1
        while hi + 1 < len(order) and _family(view.chunks[order[hi + 1]]) == family:
            hi += 1
        run = order[lo:hi + 1]
        seen.update(run)
        titles = [view.chunks[i].text.strip() for i in run]
        coverage = lexical_coverage(terms, " ".join(titles), "", view.synonyms)
        if len(run) < MIN_ITEMS or coverage < MIN_COVERAGE:
            continue
        quotes = []
        for i in run:
            chunk = view.chunks[i]
            text = view.text(chunk.doc_id)
            item = item_text(HEADING_MARKER.sub("", chunk.text.strip()).lstrip("：: "))
            key = text.find(item, chunk.start, chunk.end) if item else -1
            quotes.append(Quote(chunk.doc_id, i, chunk.start, chunk.end, key, key + len(item) if key >= 0 else -1,
                                coverage, heading=True))
        found.append(Enumeration("headings", _fit(coverage, len(quotes), wanted), tuple(quotes)))
    return found


def introduced_list(view: AnswerView, quote: Quote, wanted: int | None) -> Enumeration | None:
    """A sentence that introduces a list ("应从以下八个方向入手：", "主要表现为：")
    is answered by the headings that follow it under its own heading."""
    text = view.text(quote.doc_id)
    if not text[quote.start:quote.end].rstrip().endswith(("：", ":")):
        return None
    chunk = view.chunks[quote.chunk]
    parent = chunk.section
    heads = [q for q in (_heading_quote(view, i, len(parent), 1.0) for i in _children(view, chunk.doc_id, parent)) if q is not None]
    if len(heads) < MIN_ITEMS:
        return None
    return Enumeration("headings", _fit(1.0, len(heads), wanted), tuple(heads))


# "一是…。二是…。三是…": a passage's points counted in words, each at a sentence's or clause's start.
_ORDINAL_POINT = re.compile(r"(?:(?<=[。；：:\n])|^)\s*([一二三四五六七八九十])是")


def ordinal_points(view: AnswerView, quote: Quote, terms: list[tuple[str, float]], wanted: int | None) -> Enumeration | None:
    """The points of the chosen sentence's passage counted 一是, 二是, 三是 ("主要表现在以下几点：
    一是…融合程度不高，…。二是…"), each point's first clause an item."""
    chunk = view.chunks[quote.chunk]
    text = view.text(quote.doc_id)
    body = text[chunk.start:chunk.end]
    run = []
    for found in _ORDINAL_POINT.finditer(body):
        if _CN_COUNT.get(found.group(1)) == len(run) + 1:
            run.append(found)
    if len(run) < MIN_ITEMS:
        return None
    quotes = []
    for k, point in enumerate(run):
        lo = chunk.start + point.start(1)
        stop = run[k + 1].start(1) if k + 1 < len(run) else len(body)
        end = re.search(r"[。；;]", body[point.end():stop])
        hi = chunk.start + (point.end() + end.end() if end else stop)
        clause = re.search(r"[，。；,;]", body[point.end():stop])
        key_hi = chunk.start + (point.end() + clause.start() if clause else stop)
        quotes.append(Quote(quote.doc_id, quote.chunk, lo, hi, chunk.start + point.end(), key_hi, quote.score))
    coverage = lexical_coverage(terms, body[:run[0].start()], chunk.section_path, view.synonyms)
    return Enumeration("points", _fit(coverage, len(quotes), wanted), tuple(quotes))


def _under(view: AnswerView, doc_id: str, parent: tuple[str, ...], coverage: float, wanted: int | None) -> list[Enumeration]:
    rows = [i for i in view.doc_chunks[doc_id] if view.chunks[i].section == parent and view.chunks[i].kind == "table_row"]
    row_quotes = [q for q in (_row_quote(view, i, coverage) for i in rows) if q is not None]
    heads = [q for q in (_heading_quote(view, i, len(parent), coverage) for i in _children(view, doc_id, parent)) if q is not None]
    found = []
    if len(row_quotes) >= MIN_ITEMS:
        found.append(Enumeration("rows", _fit(coverage, len(row_quotes), wanted), tuple(row_quotes)))
    if len(heads) >= MIN_ITEMS:
        found.append(Enumeration("headings", _fit(coverage, len(heads), wanted), tuple(heads)))
    return found


# Kinds of thing a plan lists ("…等部门", "…等领域"): a list of one kind does not answer
# a question asking for another ("整合哪些部门的信息" is not "社会保障、…等公共服务领域").
_KINDS = re.compile(r"部门|单位|机构|领域|行业|产业|产品|企业|园区|工程|项目|系统|平台|方面|环节|技术|业务|区")
_ASKED_KIND = re.compile(r"(?:哪些|哪几[个项类种条张家所座批块件位名支]?|哪[一二三四五六七八九十两]+[个项类种条张家所座批块件位名支大]?)"
                         r"([^的？?，,。；]{1,8})")
KIND_FIT = 0.3
_NO_KIND = frozenset({"内容", "东西", "事情", "事", "情况", "要点", "做法", "样", "件"})


def asked_kind(question: str) -> str:
    """The kind of thing a list question asks for: the head of the words after 哪些/哪几个
    ("哪些部门的信息" -> 部门, "哪三个区" -> 区, "哪些信息资源库" -> 资源库)."""
    match = _ASKED_KIND.search(question)
    if match is None:
        return ""
    cut = words(match.group(1))
    # a part of a whole said first is the kind, whatever follows ("哪几个方面|总结当年进展")
    if cut and cut[0] in _PART_KINDS:
        cut = cut[:1]
    # "哪些内容" names no kind of thing: any list may answer it
    return cut[-1] if cut and cut[-1] not in _NO_KIND else ""


_PARTICLES = frozenset(("了", "要", "有", "的", "是", "都", "还", "又", "将", "会"))


def asked_lead(question: str) -> str:
    """The verb a list question puts right before 哪些/哪几 ("在企业中推进哪几个方面" -> 推进):
    a plan introduces the list that answers with it ("在企业中积极推进A、B、C和D")."""
    match = _ASKED_KIND.search(question)
    if match is None:
        return ""
    before = words(re.split(r"[，,；;：:]", question[:match.start()])[-1])
    while before and before[-1] in _PARTICLES:
        before.pop()
    verb = before[-1] if before else ""
    return verb if len(verb) >= 2 and verb not in FRAME_WORDS else ""


def _led_by(sentence: str, span: tuple[int, int], lead: str) -> float:
    """A run whose first item opens with the asked verb ("推进产品设计研发信息化、…"), or whose
    clause goes on to it ("计算机网、电信网和有线电视网的“三网融合”" for 融合的是哪几张网)."""
    if not lead:
        return 0.0
    first = re.split(r"[、，,；]", sentence[span[0]:span[1]])[0]
    after = re.split(r"[，,。；;]", sentence[span[1]:])[0]
    return KIND_FIT if lead in first[:-2] or lead in after else 0.0


def without_asked_kind(question: str) -> str:
    """The question without the kind of thing it asks for ("哪些综合应用系统")."""
    match = _ASKED_KIND.search(question)
    return question[:match.start()] + question[match.end():] if match else question


def kind_fit(after: str, kind: str) -> float:
    """How the words after a clause list fit the asked kind: "等部门" +, "等…领域" when
    部门 was asked −, nothing said 0."""
    said = re.match(r"等([^，。；,;]{0,12})", after)
    if not kind or said is None:
        return 0.0
    if kind in said.group(1):
        return KIND_FIT
    other = _KINDS.search(said.group(1))
    return -KIND_FIT if other is not None and other.group() not in kind else 0.0


def _said_after(sentence: str, span: tuple[int, int]) -> str:
    """What follows a clause list; its last item may run on into "等…领域" (a run ends only at a stop)."""
    last = sentence.rfind("、", span[0], span[1]) + 1
    at = sentence.find("等", last, span[1])
    return sentence[at if at >= 0 else span[1]:]


def _names_the_kind(after: str, asked: tuple[str, ...]) -> bool:
    """A short list is the answer when it is followed by 等 and the kind asked ("…等产品")."""
    return after.startswith("等") and any(after[1:1 + len(w)] == w for w in asked)


def run_fit(sentence: str, span: tuple[int, int], kind: str) -> float:
    """How a run of items fits the asked kind: the words after it (:func:`kind_fit`), or
    items that end in the kind's head ("政策库、项目库、人才库" for 哪些资源库)."""
    fit = kind_fit(_said_after(sentence, span), kind)
    run = sentence[span[0]:span[1]]
    for pattern in (r"[、，,；和及与]", r"[，,；]"):  # items, or comma clauses that hold their own 、
        items = [i.removesuffix("的") for i in re.split(pattern, run) if i]
        if kind and len(items) >= 2 and 2 * sum(i.endswith(kind[-1]) for i in items) > len(items):
            fit = max(fit, KIND_FIT)
    return fit


def _list_span(sentence: str, asked: tuple[str, ...] = (), kind: str = "", lead: str = "") -> tuple[int, int] | None:
    """Where a sentence enumerates: of its runs of 、-separated items, and the
    comma-separated items after a word that announces them ("主要用于A，B，C"), the one
    that best fits the asked kind, then the longest."""
    # A run starts at its clause: the first item may be longer than the pattern allows ("逐步建立…").
    runs = [(_clause_start(sentence, m.start()), m.end()) for m in _CLAUSE_LIST.finditer(sentence)]
    # a short run ("A、B及C", "A、B等…") counts when followed by 等 and what is asked
    short = [(_clause_start(sentence, m.start()), m.end()) for p in (_SHORT_LIST, _PAIR_LIST) for m in p.finditer(sentence)
             if _names_the_kind(sentence[m.end():], asked) or _led_by(sentence, m.span(), lead)]
    runs += [r for r in short if not any(lo <= r[0] and r[1] <= hi for lo, hi in runs)]
    announced = _ANNOUNCED.search(sentence)
    if announced and len(re.split(r"[、，,；]", announced.group(1))) >= 2:
        runs.append(announced.span(1))
    runs += _kind_clauses(sentence, kind) + _joined_of_kind(sentence, kind)
    return max(runs, key=lambda r: (run_fit(sentence, r, kind) + _asked_after(sentence, r, asked) + _led_by(sentence, r, lead),
                                    r[1] - r[0], -r[0]),
               default=None)


def _kind_clauses(sentence: str, kind: str) -> list[tuple[int, int]]:
    """Three or more comma clauses in a row, each ending in the asked kind ("提供…推广平台，
    提供技术和产品信息的平台，发布…的平台"): a list of that kind, one clause an item."""
    if not kind:
        return []
    runs, start, count, at = [], -1, 0, 0
    for clause in re.split(r"(?<=[，,；;。])", sentence):
        body = clause.rstrip("，,；;。")
        if body.endswith(kind) and len(body) > len(kind):
            start, count = (at if count == 0 else start), count + 1
        else:
            if count >= 3:
                runs.append((start, at - 1))
            count = 0
        at += len(clause)
    if count >= 3:
        runs.append((start, len(sentence.rstrip("，,；;。"))))
    return runs


_JOINS = r"、|和|及|与|以及"


def _joined_of_kind(sentence: str, kind: str) -> list[tuple[int, int]]:
    """Two or more things of the asked kind joined by 和/及/、 ("搭建|核心技术创新平台和公共技术
    服务支撑平台" for 哪两类技术平台), from after the verb that introduces them."""
    if not kind:
        return []
    item = rf"[^，。；：、“”,;:]{{1,16}}?{re.escape(kind)}"
    runs = []
    for found in re.finditer(rf"{item}(?:(?:{_JOINS}){item})+", sentence):
        head = words(found.group())[0]
        start = found.start() + (len(head) if is_verb(head) else 0)
        runs.append((start, found.end()))
    return runs


def _asked_after(sentence: str, span: tuple[int, int], asked: tuple[str, ...]) -> float:
    """A run the sentence says is the asked thing: "等" and two or more of the question's
    words after it ("软件系统租赁、系统托管等软件系统应用外包"), the more of them the better."""
    said = re.match(r"等([^，。；,;]{2,16})", sentence[span[1]:])
    held = sum(w in said.group(1) for w in asked) if said else 0
    return KIND_FIT * held / len(asked) if held >= 2 else 0.0


def _clause_start(sentence: str, at: int) -> int:
    stop = max(sentence.rfind(p, 0, at) for p in "，。；：“”,;:")
    return stop + 1 if at - stop <= 40 else at


def clause_list(view: AnswerView, quote: Quote, terms: list[tuple[str, float]], wanted: int | None,
                kind: str = "", lead: str = "") -> Enumeration | None:
    """The 、-separated items of a chosen sentence, as one quote with the list as its key.

    Scored a little below a heading enumeration of the same coverage: a clause list
    is often a side remark ("必须充分认识、积极应对、妥善解决").
    """
    text = view.text(quote.doc_id)
    sentence = text[quote.start:quote.end]
    span = _list_span(sentence, tuple(t for t, _ in terms if len(t) >= 2), kind, lead)
    if span is None:
        return None
    items = re.split(r"[、，,；]", sentence[span[0]:span[1]])
    items = items if len(items) > 1 else re.split(_JOINS, sentence[span[0]:span[1]])
    # (its heading counts at half, as for any sentence: "专栏3：电子政务重点工程" says what it lists)
    coverage = lexical_coverage(terms, sentence, view.chunks[quote.chunk].section_path, view.synonyms) * CLAUSE_DISCOUNT
    coverage += run_fit(sentence, span, kind) + _led_by(sentence, span, lead)
    lo, hi = quote.start + span[0], quote.start + span[1]
    rest = re.match(r"[^，。；,;、“”]{1,8}(?=[，。；,;]|$)", sentence[span[1]:])
    hi += rest.end() if rest and re.match(r"[\u4e00-\u9fff]", sentence[span[1] - 1]) else 0  # a word cut by the item cap
    return Enumeration("clauses", _fit(coverage, len(items), wanted),
                       (Quote(quote.doc_id, quote.chunk, quote.start, quote.end, lo, hi, quote.score),))


def _parts(value: str) -> set[str]:
    """A cell's value and its 、-separated parts, without a trailing 年 ("广电", "2015")."""
    value = re.sub(r"\s+", "", value)
    return {p.removesuffix("年") for p in re.split(r"[、，,/；;]", value) if p} | {value.removesuffix("年")}


def _names(value: str, cell: str) -> bool:
    """Whether a cell is the value, or has it as a part or a part's start ("广电" of "广电局"),
    a part's place name aside ("广电" of "宝鸡广电")."""
    parts = _parts(cell)
    parts |= {p[len(place):] for p in parts for place in PLACES if p.startswith(place) and len(p) > len(place)}
    return value in parts or (not value.isdigit() and any(p.startswith(value) for p in parts))


def filtered_rows(view: AnswerView, hits: list[Hit], question: str) -> Enumeration | None:
    """"实施年度为2015年的项目有哪些", "有广电参与实施的是哪几个工程": the rows of a table
    whose cell (or one of its 、-separated parts) is exactly a value the question names,
    when the question names the column too ("实施年度", "实施单位")."""
    docs = list(dict.fromkeys(view.chunks[h.chunk].doc_id for h in hits[:5]))
    # (the city a question names scopes the documents, 规划 names them: neither filters a cell, 宝鸡电信 or 市规划局)
    cities = {d.city for d in view.documents.values() if d.city}
    values = {w for w in re.findall(r"(?:19|20)\d{2}", question)} | {
        w for w in words(question) if len(w) >= 2 and w not in cities and w not in FRAME_WORDS}
    for doc_id in docs:
        rows = [i for i in view.doc_chunks[doc_id] if view.chunks[i].kind == "table_row" and len(view.chunks[i].cells) >= 2]
        headers = {c.header for i in rows for c in view.chunks[i].cells[1:] if len(c.header) >= 2}
        if not any(longest_shared(h, question, 2) for h in headers):
            continue
        for value in sorted(values, key=lambda v: (-len(v), v)):
            matching = [i for i in rows if any(_names(value, c.value) for c in view.chunks[i].cells[1:])]
            if 0 < len(matching) < len(rows):
                quotes = [q for q in (_row_quote(view, i, 2.0) for i in matching) if q is not None]
                if quotes:
                    return Enumeration("rows", 2.0, tuple(quotes))
    return None


def _section_starts(view: AnswerView, hits: list[Hit]) -> list[Hit]:
    """The first chunk of every section of the top passages' documents: the heading that
    names the list ("三、主要任务及重点工程") may head no passage the words found."""
    docs = dict.fromkeys(view.chunks[h.chunk].doc_id for h in hits[:3])
    starts: dict[tuple[str, tuple[str, ...]], int] = {}
    for doc_id in docs:
        for i in view.doc_chunks[doc_id]:
            starts.setdefault((doc_id, view.chunks[i].section), i)
    return [Hit(i, 0.0, 0.0, 0.0) for i in starts.values()]


# What a plan states as a numbered run of sub-headings: its principles, targets, tasks, measures.
SECTION_ASKED = re.compile(r"原则|目标|任务|措施|举措|思路")


def section_parts(view: AnswerView, hits: list[Hit], terms: list[tuple[str, float]], question: str) -> Enumeration | None:
    """"基本原则是什么": the numbered sub-headings of the section whose own heading says all the
    asked words ("（二）基本原则" -> 统筹规划，分步实施 / 深化应用，融合发展 / …), or None. When the
    question's words are all the plan's title words ("咸阳十二五信息化发展目标"), the section word
    itself with the word before it ("发展目标") is what the heading must say."""
    if not terms:
        named = re.search(rf"[\u4e00-\u9fff]{{2}}(?:{SECTION_ASKED.pattern})", question)
        terms = [(named.group()[-4:], 1.0)] if named else []
    if not terms:
        return None
    asked = SECTION_ASKED.search(question)
    found = [e for e in heading_lists(view, [*hits[:10], *_section_starts(view, hits)], terms, None)
             if e.kind == "headings" and e.score >= 1.0 and asked and asked.group() in _parent_title(view, e.quotes[0])]
    return max(found, key=lambda e: (e.score, len(e.quotes)), default=None)


def _parent_title(view: AnswerView, heading: Quote) -> str:
    """The heading a listed heading stands under ("（二）基本原则" above "1.统筹规划，分步实施")."""
    section = view.chunks[heading.chunk].section
    title = view.text(heading.doc_id)[heading.start:heading.end]
    at = next((k for k, h in enumerate(section) if h == title), 0)
    return section[at - 1] if at > 0 else view.documents[heading.doc_id].title


_BOX = re.compile(r"(专栏|附件|附表)\s*([0-9]+|[一二三四五六七八九十]+)")


def _in_named_box(view: AnswerView, candidates: list[Enumeration], question: str) -> list[Enumeration]:
    """"专栏2包括哪些工程？": only the enumerations under 专栏2 (not 专栏1 or 专栏21)."""
    named = _BOX.search(question)
    if named is None:
        return candidates
    label = re.compile(rf"{named.group(1)}\s*{named.group(2)}(?![0-9一二三四五六七八九十])")
    inside = [e for e in candidates if e.quotes and label.search(view.chunks[e.quotes[0].chunk].section_path)]
    return inside or candidates


def best_list(view: AnswerView, hits: list[Hit], terms: list[tuple[str, float]], question: str,
              chosen: list[Quote]) -> Enumeration | None:
    """The enumeration that best answers a list question, or None to keep the chosen quotes.

    Candidates: sibling headings or table rows under a heading of the top passages,
    the headings a chosen sentence introduces, and a clause list in a chosen
    sentence. Ties go to the longer list.
    """
    filtered = filtered_rows(view, hits, question)
    if filtered is not None:
        return filtered
    wanted = asked_count(question)
    kind = asked_kind(question)
    candidates = heading_lists(view, [*hits[:10], *_section_starts(view, hits)], terms, wanted)
    candidates += heading_runs(view, hits[:10], terms, wanted)
    for quote in chosen:
        candidates.extend(e for e in (introduced_list(view, quote, wanted), ordinal_points(view, quote, terms, wanted),
                                      clause_list(view, quote, terms, wanted, kind, asked_lead(question))) if e)
    candidates += _lists_of_the_kind(view, chosen, terms, wanted, kind)
    candidates += _document_parts(view, question, kind, wanted)
    candidates = _in_named_box(view, candidates, question)
    # "指导思想提出要建设哪几个…" asks inside the item it names, not for its siblings.
    candidates = [e for e in candidates if e.kind != "headings" or not _names_an_item(view, e, question)]
    if not candidates:
        return None
    return max(candidates, key=lambda e: (e.score, len(e.quotes)))


# Kinds that ask how a document is divided ("综述是从哪几个方面总结的", "规划分哪几部分").
_PART_KINDS = frozenset({"方面", "部分", "章", "章节", "板块", "块", "篇"})
_NAMED_TITLE = 0.7  # share of a title's words a question must use to name the document


def _document_parts(view: AnswerView, question: str, kind: str, wanted: int | None) -> list[Enumeration]:
    """The top-level headings of the document the question names by its title, when it
    asks into how many parts (方面, 部分) it is divided."""
    if kind not in _PART_KINDS:
        return []
    asked = set(tokenize(question.replace("市", "")))
    found = []
    places = [d.city for d in view.documents.values() if d.city and d.city in question]
    for doc_id, doc in view.documents.items():
        if places and doc.city not in places:
            continue  # the question names another city's document
        title = [t for t in tokenize(doc.title.replace("市", "")) if len(t) >= 2]
        if title and sum(t in asked for t in title) >= _NAMED_TITLE * len(title):
            heads = [q for q in (_heading_quote(view, i, 0, 1.0) for i in _children(view, doc_id, ())) if q is not None]
            if len(heads) >= MIN_ITEMS:
                found.append(Enumeration("headings", _fit(1.0, len(heads), wanted), tuple(heads)))
    return found


def _lists_of_the_kind(view: AnswerView, chosen: list[Quote], terms: list[tuple[str, float]], wanted: int | None,
                       kind: str) -> list[Enumeration]:
    """When a chosen sentence lists no thing of the asked kind, a clause list of that kind
    in another sentence of its passage ("政策库、项目库、人才库" beside "高新区、…等园区"
    when 资源库 are asked)."""
    found = []
    for quote in chosen:
        sentence = view.text(quote.doc_id)[quote.start:quote.end]
        span = _list_span(sentence, (), kind)
        # a sentence that lists nothing ("推进农村公共信息服务体系建设。") leaves any list beside it
        listless = span is None and view.chunks[quote.chunk].kind != "table_row"
        if not listless and (not kind or (span is not None and run_fit(sentence, span, kind) > 0)):
            continue
        for sid in view.chunk_sentences[quote.chunk]:
            other = view.sentences[sid]
            if other.start == quote.start:
                continue
            text = view.text(quote.doc_id)[other.start:other.end]
            span = _list_span(text, (), kind)
            # (beside a listless sentence, a list that says the asked words at least as fully)
            beside = listless and lexical_coverage(terms, text, "", view.synonyms) >= lexical_coverage(terms, sentence, "", view.synonyms)
            if span is not None and (run_fit(text, span, kind) > 0 or beside):
                sibling = replace(quote, start=other.start, end=other.end)
                found += [e for e in (clause_list(view, sibling, terms, wanted, kind),) if e]
    return found


def _names_an_item(view: AnswerView, enumeration: Enumeration, question: str) -> bool:
    names = (view.text(q.doc_id)[q.key_start:q.key_end] for q in enumeration.quotes)
    return any(_item_named(name, question) for name in names)


def _item_named(name: str, question: str) -> bool:
    """The question names the item: its title whole, or, when the title runs into its
    paragraph without a stop ("指导思想深入贯彻落实科学发展观，"), its first four characters."""
    title = re.split(r"[：:，,。；;]", name)[0]
    if len(title) < 2:
        return False
    # "咸阳市“十二五”信息化重大项目" begins with what every title of its plan may: place and period
    own = _SHARED_START.sub("", title)
    return title in question or (len(title) > 12 and own[:4] in question)


_PERIOD_NAMES = "|".join(sorted(PERIODS, key=len, reverse=True))
_SHARED_START = re.compile(rf"^(?:[\u4e00-\u9fff]{{2,4}}?[省市县区])?(?:[“\"]?(?:{_PERIOD_NAMES})[”\"]?(?:期间|时期)?)?")


_ORDINAL = re.compile(r"第([一二三四五六七八九十两]|\d{1,2})(?:项|个|条|点|类|方面)")


def ordinal(question: str) -> int | None:
    """The item a follow-up points at ("第二项具体指什么？" -> 2)."""
    match = _ORDINAL.search(question)
    if not match:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _CN_COUNT.get(token)


def item_detail(view: AnswerView, item: Quote) -> Quote:
    """What a list item says: a heading's first sentence of prose (its key the item's
    name), a table row whole; the item itself when it has no text of its own."""
    if not item.heading:
        return item
    text = view.text(item.doc_id)
    chunk = view.chunks[item.chunk]
    for sid in view.chunk_sentences[item.chunk]:
        sentence = view.sentences[sid]
        body = text[sentence.start:sentence.end]
        if sentence.start >= item.end and body.strip():
            # from the heading on, so the item's name is read with what it says
            return Quote(item.doc_id, item.chunk, item.start, sentence.end, item.key_start, item.key_end, item.score)
    return Quote(item.doc_id, item.chunk, chunk.start, chunk.end, -1, -1, item.score)


_EXTREME = re.compile(r"(?:哪个|哪项|哪一个|哪一项|哪家|什么)[^？?，,]{0,12}?(最多|最高|最大|最少|最低|最小)|(最多|最高|最大|最少|最低|最小)的(?:是)?(?:哪|什么)")


def extreme(question: str) -> str | None:
    """"其中哪个投资最多？" -> "max"; "…最少" -> "min"; None when no extreme is asked."""
    match = _EXTREME.search(question)
    if not match:
        return None
    return "min" if (match.group(1) or match.group(2)) in ("最少", "最低", "最小") else "max"


def _amount(value: str) -> float | None:
    found = re.search(r"\d[\d,]*(?:\.\d+)?", value)
    return float(found.group().replace(",", "")) if found else None


def extreme_row(view: AnswerView, items: list[Quote], question: str, which: str) -> Quote | None:
    """Of a list of table rows, the one whose asked column (the column the question names,
    else money for 投资/经费/钱, else the last numeric one) is largest or smallest; its key
    is that cell."""
    rows = [q for q in (_row_of(view, q) for q in items) if q is not None]
    if len(rows) != len(items):
        # the items are a table's groups ("两化融合重点工程"): the rows under them
        groups = [_members(view, q) for q in items]
        rows = [row for group in groups for row in group] if all(groups) else []
    if len(rows) < MIN_ITEMS:
        return None
    valued = []
    for quote in rows:
        cell = _asked_cell(view.chunks[quote.chunk].cells[1:], question)
        amount = _amount(cell.value) if cell is not None else None
        if amount is not None:
            valued.append((amount, quote, cell))
    if len(valued) < MIN_ITEMS:
        return None
    amount, quote, cell = (max if which == "max" else min)(valued, key=lambda v: v[0])
    return Quote(quote.doc_id, quote.chunk, quote.start, quote.end, cell.start, cell.end, quote.score)


def _members(view: AnswerView, item: Quote) -> list[Quote]:
    """The table rows under a heading item (the rows whose innermost heading it is)."""
    if not item.heading:
        return []
    name = re.sub(r"\s+", "", view.text(item.doc_id)[item.key_start:item.key_end])
    return [Quote(item.doc_id, i, c.start, c.end, c.cells[0].start, c.cells[0].end, item.score)
            for i in view.doc_chunks[item.doc_id]
            for c in (view.chunks[i],)
            if c.kind == "table_row" and c.cells and c.section and re.sub(r"\s+", "", c.section[-1]) == name
            and not _TOTAL.match(re.sub(r"\s+", "", c.cells[0].value))]


def _row_of(view: AnswerView, item: Quote) -> Quote | None:
    """A list item as a table row: itself, or the row of its document's table named like
    the heading ("专栏2 > 3.三网融合工程" and the 附件 row "三网融合工程")."""
    if not item.heading:
        return item if view.chunks[item.chunk].kind == "table_row" else None
    name = re.sub(r"\s+", "", view.text(item.doc_id)[item.key_start:item.key_end])
    for i in view.doc_chunks[item.doc_id]:
        chunk = view.chunks[i]
        if chunk.kind == "table_row" and chunk.cells and re.sub(r"\s+", "", chunk.cells[0].value) == name:
            return Quote(item.doc_id, i, chunk.start, chunk.end, chunk.cells[0].start, chunk.cells[0].end, item.score)
    return None


_EACH = re.compile(r"各|分别|每个|每项|每一个|每一项")


def each_row(view: AnswerView, items: list[Quote], question: str) -> list[Quote]:
    """"这几个项目各由谁负责？": for each listed item, its table row with the asked cell as
    the key ([] when the items have no rows or the question names no cell)."""
    if not _EACH.search(question):
        return []
    rows = [q for q in (_row_of(view, q) for q in items) if q is not None]
    if len(rows) < MIN_ITEMS or len(rows) != len(items):
        return []
    out = []
    for quote in rows:
        cell = _asked_cell(view.chunks[quote.chunk].cells[1:], question, numeric_fallback=False)
        if cell is None:
            return []
        out.append(Quote(quote.doc_id, quote.chunk, quote.start, quote.end, cell.start, cell.end, quote.score))
    return out


def _asked_cell(cells: list, question: str, numeric_fallback: bool = True):
    """The cell a question asks for: by money, unit or year words, else the column it names."""
    for asked, header in CELL_PROPERTIES:
        if re.search(asked, question):
            found = [c for c in cells if re.search(header, c.header)]
            if found:
                return found[0]
    named = [c for c in cells if len(c.header) >= 2 and longest_shared(c.header, question, 2)]
    numeric = [c for c in cells if _amount(c.value) is not None] if numeric_fallback else []
    return next(iter(named or numeric[-1:]), None)
