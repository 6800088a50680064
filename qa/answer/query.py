"""Question analysis: the slots of a question (places, time frame and its role, the
asked attribute, qualifiers, the kind of answer wanted).

The rules are about how Chinese officials phrase questions of any plan: 到2015年/
十二五末/要达到/目标 ask for a *target*; 2010年底/目前/现有/已经 ask for a *status*;
实际/完成了/是否实现 ask for an *outcome*, which a plan cannot state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.index.segment import place_words, word_tag, words
from qa.ingest.documents import PERIODS

_PLACES_FILE = Path(__file__).resolve().parents[1] / "data" / "places.txt"
PLACES: tuple[str, ...] = tuple(
    word for line in _PLACES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for word in line.split()
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CN_DIGITS = "〇一二三四五六七八九"
_PERIOD = re.compile("|".join(sorted(PERIODS, key=len, reverse=True)))
# Administrative suffixes: 绵阳市 -> 绵阳, 甘肃省 -> 甘肃, 岐山县 -> 岐山.
_PLACE_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|州|盟|旗)$")
# Administrative suffixes: those that make a name surely a place (乾县, 陕西省), and with 市 and
# 自治 those that may follow a place named (咸阳市; not 市级).
SURE_PLACE_SUFFIX = "省|县|区|州|旗"
ADMIN_SUFFIX = f"{SURE_PLACE_SUFFIX}|市|自治"
# Words jieba tags as places that name no particular place.
_GENERIC_PLACES = frozenset(
    ["城镇", "城乡", "城市", "农村", "乡村", "乡镇", "全国", "国内", "国外", "境外", "海外", "全省", "全市", "本市", "我市", "各地", "地方", "基层", "西部", "东部", "中部", "东北", "西北", "西南", "华北", "华东", "华南", "华中", "沿海", "内地", "城区", "市区", "郊区", "山区", "社区", "园区", "中国", "我国", "国家", "东西"]
)

_NUMBER_WORDS = re.compile(r"多少|几[个家所项条台户万亿成倍年]?|比例|比重|百分之|占比|数量|规模|金额|产值|增加值|指数|覆盖率|普及率|拥有率|率是|目标值|多大|多长|多高|多快")
# A question ending by asking a name ("这个职位叫啥") wants a name, whatever figure words
# its modifiers hold ("规模大点的公司").
_NAME_ASKED = re.compile(r"(?:叫|叫做|称为|称作|名为)(?:啥|什么)(?:名字|名称)?[？?。]?$|(?:名字|名称)(?:是|叫)(?:啥|什么)[？?。]?$")
_MONEY_WORDS = re.compile(r"经费|资金|投资|投入|预算|钱")
_LIST_WORDS = re.compile(r"哪些|哪几|包括什么|包括哪|包含哪|有哪|列举|都有|几大|哪[一二三四五六七八九十两]+[个项条类方]")
# The properties a plan gives of a project (an annex table's columns): how a question
# asks each, and the column headers that hold it. A time asked comes before the holder,
# so "哪一年实施" asks the 实施年度, not the 实施单位.
CELL_PROPERTIES: tuple[tuple[str, str], ...] = (
    (r"投资|经费|钱|资金|花|预算", r"经费|投资|资金|金额|预算"),
    (r"哪一?年|哪几年|何时|什么时候|年度|时间|年份|期限|周期", r"年度|时间|年份|期限|周期"),
    (r"谁|单位|部门|机构|负责|实施|承担|牵头", r"单位|部门|机构"),
)
ASKS_A_CELL = re.compile("|".join(asked for asked, _ in CELL_PROPERTIES))
PROPERTY_NAMES = "|".join(header for _, header in CELL_PROPERTIES)
_WHEN_WORDS = re.compile(r"什么时候|何时|哪一?年|哪几年|哪天|哪一天|几月|日期|时间|时限")
# "谁定得高", "哪个更多": which side's figure is larger; a comparison of figures, not a who.
COMPARATIVE = re.compile(r"(?:谁|哪个|哪一个|哪边|哪座城市|哪个城市|哪个市)(?:的|定得|定的|订得|订的|要|会)?"
                         r"(?:更|比较|较|最)?(?:高|低|多|少|大|小|快|慢|领先|靠前)"
                         # "谁的宽带目标更高": the compared indicator between
                         r"|(?:谁|哪个市|哪个城市|哪边)的[\u4e00-\u9fff]{2,10}?(?:更|比较|较)(?:高|低|多|少|大|小|快|慢)")
_WHO_WORDS = re.compile(r"谁|哪个部门|哪个单位|哪些部门|哪些单位|哪家|由.{0,6}负责|实施单位|牵头|主送|发文机关|哪个机关")
_WHERE_WORDS = re.compile(r"哪一?部分|哪一?章|哪一?节|哪个章节|哪一条|在哪里提出|在哪提出|出自|哪个部分|(?:放|写|列|载|出现)在.{0,12}哪|"
                          r"哪个(?:专栏|章节|部分)[？?]?$|"
                          r"哪个(?:专栏|章节|领域|方面|板块)[^？?，]{0,8}(?:提出|写|列|提到)")
# How many items a section lists: counted from the items, rarely written as a number.
ITEM_COUNT = re.compile(r"几(条|点|个方面|方面|部分)")
_YESNO_WORDS = re.compile(r"是否|是不是|有没有|能不能|能否|会不会|吗[？?。]?$")
_DOCPART_WORDS = re.compile(r"文号|发文字号|字号|标题|全称|题目|文件名")
_HOW_WORDS = re.compile(r"怎么|怎样|如何|什么措施|哪些措施|什么办法|途径|举措|保障|为什么|为何")

# (最终 asks an outcome only of what was done: "最终达到了多少", not "最终目的是什么")
_OUTCOME = re.compile(r"实际|最终(?:结果|(?:达到|完成|实现|建成|获批|落实)了)|获批|批下来|最后(?:获|批|建成|实现|完成|达到|结果)|完成情况|落实情况|执行情况|是否(?:已经?)?(?:完成|实现|达到|达成|兑现)|有没有(?:完成|实现|达到|达成)|完成了多少|(?:实现|达成|兑现)了(?:多少|没有)|超额")
_TARGET = re.compile(r"到\s*(?:19|20)\d{2}|(?:19|20)\d{2}\s*年?(?:前|以前|之前)|目标|力争|争取|要达到|要发展|要实现|要建|要求达到|计划|打算|预计|预期|期末|末期|结束时|将达到|规划.{0,6}(?:达到|发展到)")
_STATUS = re.compile(r"目前|眼下|眼前|如今|这几年|近几年|这些年|近年来|近年|(?<![出体表发实])现在|当前|现有|已经|已有|已达|截至|截止|年底|年末|现状|发展基础|现有基础|达到了|有了")

# Sub-groups a figure may be given for; naming one member of a group while the
# passage gives another is a different indicator (农村 is not 城镇).
QUALIFIER_GROUPS: tuple[tuple[str, ...], ...] = (
    ("农村", "城镇", "城市"),
    ("市级", "县级", "乡镇级", "乡级", "村级", "省级"),
    ("城镇家庭", "农村家庭"),
    ("城镇居民", "农村居民"),
    ("固定电话", "移动电话"),
    ("大型企业", "中小企业"),
    ("企业", "居民", "人口", "家庭"),
)
# Words that frame a question rather than name what it asks about.
FRAME_WORDS = frozenset(
    "请问 请 一下 多少 是 什么 哪些 哪个 哪几 几 几个 怎么 怎么样 怎样 如何 是否 是不是 有没有 吗 呢 呀 啊 吧 "
    "分别 各 各是 各有 具体 规划 规划里 规划中 文件 里面 里 中 的 了 有 要 在 和 与 及 对 将 把 被 为 "
    "达到 达 目标 目标值 计划 打算 预计 提出 实际 完成 目前 现在 眼下 眼前 如今 当前 截至 截止 年底 年末 底 末 期末 期间 时期 "
    "规划 计划 十二五 十一五 十三五 信息化规划 到 多 大 哪一年 哪年 哪天 哪一天 什么时候 何时 哪个 哪家 谁 我市 全市 市 年 我 你 这个 那个 这 那 其 它 该 上述 情况 方面 内容 一共 总共 共 已经 已 以后 以前 之后 之前 以来 当时 那时 届时 时候 "
    # what the plan says (说, 提到), the kind of answer (叫什么名字), where in the text (文末), wishes (希望, 想让) and the end of a period
    # a spoken topic marker (电子商务这块) and the verb of setting a target (定了啥目标)
    "这块 那块 这一块 这方面 这事 定 各自 行列 层面 哪 几样 几件 "
    # where in a table the question looks ("重点工程表里"): a place in the text, not the asked thing
    "表里 表中 表格里 表上 "
    "进展 进度 说 讲 提到 提及 写 写到 写道 原话 原文 名字 名称 叫 叫做 叫啥 啥 称为 做到 一年 每年 文末 文中 正文 文后 末尾 结尾 希望 想 想要 想让 能 能够 都 结束 结束时 时 还是 或者 或是".split()
)
@dataclass(frozen=True)
class Scope:
    """What the corpus covers, for judging a question's places and years.

    Args:
        cities: places whose documents are indexed.
        plan_windows: (first, last) year of each plan document.
        review_years: years covered by yearly reviews.
    """

    cities: tuple[str, ...] = ()
    plan_windows: tuple[tuple[int, int], ...] = ()
    review_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class QueryFacts:
    """The slots of one question (see module docstring).

    Attributes:
        places: short place names in order of mention (绵阳市 -> 绵阳).
        years, periods: the time frame named.
        role: "target", "status", "outcome" or "" when the question does not say.
        attribute: the asked thing, the question without place, time and question words.
        qualifiers: sub-group words named (农村, 市级 …).
        answer_type: number, list, when, who, where, docpart (文号, 标题), yesno, how or what.
    """

    places: tuple[str, ...]
    years: tuple[int, ...]
    periods: tuple[str, ...]
    wants_number: bool
    wants_list: bool
    wants_when: bool
    wants_who: bool
    role: str = ""
    attribute: str = ""
    qualifiers: tuple[str, ...] = ()
    answer_type: str = "what"
    equivalents: tuple[str, ...] = ()  # official terms for the question's everyday words (thesaurus)
    referent: str = ""  # a follow-up's earlier question, when the follow-up refers to its thing (这个项目)
    admin_places: tuple[str, ...] = ()  # places that are surely places: listed, or written with 省/市/县/区
    text: str = ""  # the question these slots were read from


def short_place(name: str) -> str:
    """绵阳市 -> 绵阳; a two-character name keeps its suffix (沙市 stays 沙市)."""
    stripped = _PLACE_SUFFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


_QUANTIFIED_PLACE = re.compile(r"^(?:各|全|本|每|该|某|其他|其它|外|多)")
_ADMIN_END = re.compile(r"(?:省|市|县|区|州|盟|旗|镇|乡)$")


def find_places(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Place names in order of first mention, without repeats: listed places, the
    corpus's own, and any word the segmenter tags as a place (ns)."""
    names = set(PLACES) | set(extra)
    found = [(text.find(n), n) for n in names if n in text]
    for word, at in place_words(text):
        short = short_place(word)
        # "各县区", "全县", "本市": a quantifier before an administrative word names no place;
        # a word the segmenter only guessed ("上建" of 基础上建) is none unless it says 省/市/县…
        if short not in _GENERIC_PLACES and word not in _GENERIC_PLACES and len(short) >= 2 \
                and not _QUANTIFIED_PLACE.match(word) and (word_tag(word) or _ADMIN_END.search(word)):
            found.append((at, short))
    ordered = sorted(found, key=lambda pair: (pair[0], -len(pair[1])))
    places: list[str] = []
    for _, name in ordered:
        if name not in places and not any(name in p or p in name for p in places):
            places.append(name)
    return tuple(places)


# Words that ask: a clause holding one asks something of its own.
ASKING = re.compile(r"多少|几|什么|啥|咋|哪|谁|如何|怎么|怎样|是否|是不是|有没有|多大|多长|何时|吗")


@lru_cache(maxsize=8192)
def find_years(text: str) -> tuple[int, ...]:
    """Four-digit years, plus years written in Chinese numerals (二○一一年); memoised (each
    candidate sentence is read for years several times an answer)."""
    years = [int(y) for y in _YEAR.findall(text)]
    for match in re.finditer(rf"([{_CN_DIGITS}○零]{{4}})年", text):
        digits = "".join(str(_CN_DIGITS.index(c)) if c in _CN_DIGITS else "0" for c in match.group(1))
        years.append(int(digits))
    return tuple(dict.fromkeys(years))


# "十一五那几年", "这几年": a stretch of time the question speaks of, not a count it asks.
DEICTIC_YEARS = re.compile(r"[这那前近头后]几年")


# The verbs that say who carries a thing out ("由市工信委牵头", "哪个部门负责").
_LEAD_VERBS = "牵头|负责|实施|承担|主管|承办"
# "应急办牵头的那个项目" names the project by who leads it: the who is given, not asked.
_NAMED_AGENT = re.compile(rf"(?:由)?[\u4e00-\u9fff]{{2,10}}?(?:{_LEAD_VERBS})的(?![是有为])(?=[\u4e00-\u9fff])")


def _without_named_agents(question: str) -> str:
    return _NAMED_AGENT.sub(lambda m: m.group() if re.search(r"谁|哪|什么|啥", m.group()) else "", question)


def answer_type(question: str) -> str:
    """What kind of answer the question wants; the most specific cue wins."""
    question = _without_named_agents(DEICTIC_YEARS.sub("", question))
    if _WHERE_WORDS.search(question):
        return "where"
    if COMPARATIVE.search(question):
        return "number"
    if _DOCPART_WORDS.search(question):
        return "docpart"
    if _NAME_ASKED.search(question.strip()):
        return "what"
    if _WHO_WORDS.search(question) and re.search(rf"由|{_LEAD_VERBS}", question) \
            and not re.search(r"哪些(?:项目|工程|任务|工作|系统|平台)", question):
        return "who"  # "由哪些部门来实施" asks who, though it says 哪些
    if re.search(r"哪几年|哪一?年(?!度的)", question) and not re.search(r"哪些(?!年)", question):
        return "when"  # "哪几年实施" asks when, though it says 哪几
    if re.search(r"哪几级|哪[一二三四五两]级", question):
        return "number"  # levels are told as a count of them ("市县两级", "市、县、乡三级")
    if _LIST_WORDS.search(question) or ITEM_COUNT.search(question):
        return "list"  # "发展目标有几条？" is answered by counting the listed items
    if _WHEN_WORDS.search(question):
        return "when"
    if _WHO_WORDS.search(question):
        return "who"
    if _HOW_WORDS.search(question) and not re.search(r"多少|几", question):
        return "how"  # 经费怎么保障 asks how, not how much
    if _NUMBER_WORDS.search(question) or (_MONEY_WORDS.search(question) and re.search(r"多少|几|多大", question)):
        return "number"
    # (a year or period may sit between the indicator and 目标: "有线电视用户2015年目标？")
    plain = re.sub(r"(?:19|20)\d{2}\s*年?(?:底|末)?|[“\"]?十[一二三四五]五[”\"]?(?:末|期末)?", "", question)
    if re.search(r"(?:率|量|数|额|指数|比例|比重|规模|用户|产值|增加值|收入|投资|经费|容量|人数|户数)\s*(?:的?目标值?|指标)?(?:是|为)?\s*[？?。]?$", plain):
        return "number"  # "…电脑拥有量目标？" asks a figure without saying 多少
    if _YESNO_WORDS.search(question):
        return "yesno"
    return "what"


def time_role(question: str, years: tuple[int, ...], periods: tuple[str, ...], scope: Scope) -> str:
    """target / status / outcome / '' (see module docstring).

    A year decides before wording: a year inside a plan's period is that plan's
    target, a year before it (or a year a review covers) a status.
    """
    plan_years = {y for first, last in scope.plan_windows for y in range(first, last + 1)}
    first_plan = min((first for first, _ in scope.plan_windows), default=None)
    # "十二五末/期间" is a time; "十二五规划" only names the plan.
    as_time = [p for p in periods if re.search(rf"{p}[”\"]?(?:末|期末|末期|期间|时期|结束|以来|中期|初|{DEICTIC_YEARS.pattern})", question)]
    # a period wholly before the plans ("十一五做到多大比例") is a past time unless it names its plan
    as_time += [p for p in periods if p not in as_time and p in PERIODS and first_plan is not None and PERIODS[p][1] < first_plan
                and not re.search(rf"{p}[”\"]?(?:信息化)?(?:规划|计划|纲要)", question)]
    asked = list(years) + [PERIODS[p][1] for p in as_time if p in PERIODS]
    # "09年的实际数" is a past status; "实际完成了多少" of a plan's years asks an outcome
    if _OUTCOME.search(question) and not any(y in scope.review_years or (first_plan is not None and y < first_plan)
                                             for y in years):
        return "outcome"
    for year in asked:
        if year in scope.review_years:
            return "status"
        if year in plan_years:
            return "target"
        if first_plan is not None and year < first_plan:
            return "status"
    if _TARGET.search(question):
        return "target"
    if _STATUS.search(question):
        return "status"
    return ""


def qualifiers(question: str) -> tuple[str, ...]:
    """Sub-group words named in the question, longest first within a group."""
    question = re.sub(r"([省市县乡村]|乡镇)一级", r"\1级", question)  # "市一级的审批事项" is 市级
    found: list[str] = []
    for group in QUALIFIER_GROUPS:
        for word in sorted(group, key=len, reverse=True):
            # 城镇家庭 names 家庭 of the group 企业/居民/家庭 too; within a group the longest wins.
            if word in question and not any(word in f for f in found if f in group):
                found.append(word)
    return tuple(found)


# Programmes plans name after a place: 数字咸阳, 智慧宝鸡, 平安陕西, 宽带中国, 无线城市.
_PROGRAMME_PREFIX = "数字|智慧|智能|平安|宽带|无线|诚信|健康|美丽|绿色|法治"


def without_places(text: str, places: tuple[str, ...], gap: str = "") -> str:
    """The text with each place name and its administrative suffix (咸阳市, not 市级) cut out."""
    for name in sorted(places, key=len, reverse=True):
        # "数字宝鸡", "智慧咸阳": a programme named after the place keeps its name
        text = re.sub(rf"(?<!{_PROGRAMME_PREFIX}){re.escape(name)}(?:市(?!级)|省|县(?!级)|区)?", gap, text)
    return text


# What a what-question asks to be described, not named (什么程度, 啥水平): the answer says
# how far or how well, so the word is the question's frame, not the asked thing.
DESCRIBED = frozenset({"程度", "水平", "地步", "阶段", "情况", "状况", "进展", "效果", "作用", "意义", "样子"})
_DESCRIBED_ASKED = re.compile(rf"个?(?:什么|啥|怎样的?|何种)个?(?:{'|'.join(sorted(DESCRIBED))})")


# "电子商务这块", "一卡通这事", "农村这方面": spoken Chinese marks its topic so; the marker is no part of it.
_TOPIC_MARKER = re.compile(r"[这那](?:一)?(?:块儿?|方面|件事|事儿?)")


# "这个项目", "该工程", "那个平台": a reference to a thing named before, not a thing asked.
# What a plan names as one thing of its own (a project, platform, system, site or zone), and of
# those, what has figures of its own (a budget, a year): a project, not a website or a centre.
THING_KINDS = ("工程", "项目", "平台", "系统", "中心", "网站", "基地", "园区", "试验区", "示范区", "服务站", "数据库", "物流园")
PROJECT_KINDS = ("工程", "项目", "平台", "系统", "基地", "试验区", "示范区")
_REFERENCE = re.compile(rf"(?:这个|那个|这项|那项|这一|那一|(?<![应活])该|此|上述)(?:{'|'.join(THING_KINDS)}|指标|目标)")


def refers_back(question: str) -> bool:
    """The question points to a thing named before ("这个项目谁负责？")."""
    return bool(_REFERENCE.search(question))


# "多不多", "够不够用", "完善不完善": a yes-no question's asking form, not the asked thing.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff]{1,2})([不没])\1([\u4e00-\u9fff]?)")


def _asking_form(match: re.Match[str]) -> str:
    """The A-not-A form removed; "打不打算", "需不需要" are A不AB, the word AB's asking form."""
    head, _, tail = match.groups()
    whole = len(head) == 1 and tail and words(head + tail) == [head + tail] and match.group(2) == "不"
    return " " if whole else " " + tail


def attribute_of(question: str, places: tuple[str, ...], periods: tuple[str, ...]) -> str:
    """The asked thing: the question's words without places, time and question words."""
    text = without_places(question, places, " ")
    for period in periods:
        text = text.replace(period, " ")
    text = re.sub(r"(?:19|20)\d{2}\s*年?", " ", text)
    text = COMPARATIVE.sub(" ", text)
    text = re.sub(r"哪(?:些|几|个|一)[个项条类种点样件块]?", " ", text)
    text = _DESCRIBED_ASKED.sub(" ", text)
    text = _A_NOT_A.sub(_asking_form, text)
    text = _TOPIC_MARKER.sub(" ", text)
    text = _REFERENCE.sub(" ", text)
    # "多少万户", "几个", "多大比例": the unit of the answer, not the asked thing.
    # (成 only after 几: "几成" is a share, "多大成交额" asks a 成交额)
    text = re.sub(r"几成|(?:多少|几|多大)(?:万|亿|千|百)?(?:[户人元个家项条台部次门张座所处名倍]|公里|比例|规模)?", " ", text)
    # "除了A，还是哪个…": A is given, not asked.
    text = re.sub(r"除了[^，,。？?]*?(?:以外|之外)?[，,]?\s*(?=还|也)", " ", text)
    kept = [w for w in words(text) if not _framing(w) and re.search(r"[\w%]", w)]
    return _joined(kept)


def _framing(word: str) -> bool:
    """A frame word, or one the segmenter glued from single-character frame words (各|定 -> 各定)."""
    return word in FRAME_WORDS or (len(word) > 1 and all(ch in FRAME_WORDS for ch in word))


def _joined(kept: list[str]) -> str:
    """Words joined as one phrase; two Latin words keep a space (CAD、CAM stays two terms)."""
    out = ""
    for word in kept:
        if out and re.match(r"[A-Za-z0-9]", word) and re.search(r"[A-Za-z0-9]$", out):
            out += " "
        out += word
    return out


_WHO_ASKED = re.compile(r"部门|单位|机构|机关|牵头|负责|主管|承担|承办")


def _who_free(attribute: str) -> str:
    """A who-question's words for the answer's kind (部门, 牵头) are not the asked thing."""
    return _WHO_ASKED.sub("", attribute)


# A place named with its own administrative suffix (乾县, 秦都区, 旬邑县) is surely a place.
_ADMIN_NAME = re.compile(rf"[\u4e00-\u9fff]{{1,6}}(?:{SURE_PLACE_SUFFIX})")


@lru_cache(maxsize=1024)
def analyse(question: str, extra_places: tuple[str, ...] = (), scope: Scope | None = None) -> QueryFacts:
    """The slots of a question (memoised: one answer reads the same question's slots
    several times, and the slots are immutable).

    Args:
        question: a standalone question.
        extra_places: the corpus's own place names (document cities).
        scope: what the corpus covers; decides whether a year is a target or a status.
    """
    scope = scope or Scope(cities=extra_places)
    places = find_places(question, extra_places)
    years = find_years(question)
    periods = tuple(dict.fromkeys(_PERIOD.findall(question)))
    kind = answer_type(question)
    admin = tuple(p for p in places if p in PLACES or p in extra_places or _ADMIN_NAME.fullmatch(p)
                  or re.search(rf"{re.escape(p)}(?:{ADMIN_SUFFIX})(?!级)", question))
    return QueryFacts(
        text=question,
        admin_places=admin,
        places=places,
        years=years,
        periods=periods,
        wants_number=kind == "number",
        wants_list=kind == "list",
        wants_when=kind == "when",
        wants_who=kind == "who",
        role=time_role(question, years, periods, scope),
        attribute=_who_free(attribute_of(question, places, periods)) if kind == "who" else attribute_of(question, places, periods),
        qualifiers=qualifiers(question),
        answer_type=kind,
    )
