"""What an answer value looks like, and which value in a quote answers the question.

A number with the unit the question asks for (% for a rate, 元 for money, 家 for
"多少家"), a date, an organisation, a document number (X发〔2011〕11号), a title; and
the one bound to the asked attribute: the first after the attribute (or its
sub-group word) in the same clause ("宽带用户达到95万户").
"""
from __future__ import annotations

import re

from qa.answer.query import DESCRIBED, QUALIFIER_GROUPS, QueryFacts, find_years
from qa.answer.view import AnswerView
from qa.index.segment import word_tag, words

_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s*[-—~至]\s*\d+(?:[.,]\d+)*)?多?(?:万|亿)?多?"
    r"(?:%|％|/百户|/百人|部/百人|台/百户|公里|户|人|门|条|元|个|家|所|台|部|次|项|倍|处|座|名|M)?"
)
_CN_NUM = "〇○零一二三四五六七八九十"
# A date: 二○一一年一月二十六日, 2007年12月28日, 12月28日, 2014年6月.
_DATE = re.compile(
    rf"(?:[{_CN_NUM}\d]{{4}}年)?[{_CN_NUM}\d]{{1,3}}月(?:[{_CN_NUM}\d]{{1,3}}日)?"
    rf"|[{_CN_NUM}\d]{{4}}年(?=[底末初]|[^\d{_CN_NUM}月])"
    # a plan period is a time too: "“十一五”期间，…平台建成"
    r"|[“\"]?(?:十[一二三四五六]|[一二三四五六七八九])五[”\"]?(?:期间|时期|末|期末|以来|初期?)"
)

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号")
_DATE_VALUE = re.compile(r"[〇○零一二三四五六七八九十\d]{4}年[〇○零一二三四五六七八九十\d]{1,3}月")
_TITLE = re.compile(r"《[^》]{4,}》")
# Parts every official document has, held by a value of their form rather than by
# the word: a 文号 is "X发〔2011〕11号", a date "二○一一年一月二十六日", a title "《…》".
DOCUMENT_PARTS: dict[str, re.Pattern[str]] = {
    **dict.fromkeys(("文号", "发文字号", "字号", "发文号"), _DOC_NUMBER),
    **dict.fromkeys(("日期", "印发日期", "成文日期", "落款日期", "发文日期"), _DATE_VALUE),
    **dict.fromkeys(("标题", "全称", "题目", "文件名"), _TITLE),
}
# Who does something: a clause that binds a task to a unit ("由市工信委牵头", "办公室设在
#市工信委", "以市长为组长"), or a table's unit column.
ORGANISATION = re.compile(
    r"由[^，。；]{2,24}?(?:负责|牵头|承担|组织|主管|实施|建设|管理)|[^，。；]{2,14}(?:牵头|负责)|"
    r"[^，。；《]{2,20}(?:办公室|政府|委员会|局|厅)关于印发|"
    r"(?:牵头|责任|实施|负责|主管|承办)单位|[^，。；]{2,14}(?:局|委|办|厅|政府|办公室|小组)(?:统一|统筹|具体)?(?:协调|部署|领导|指导)|(?:配合|会同|协助)[^，。；]{2,12}?(?:做好|完成|开展|推进|建设|实施)|设在[^，。；]{2,14}|以[^，。；]{2,10}为(?:组长|主任|主体)|实施单位|"
    r"(?:部|厅|局|司|处|委|办)?(?:部长|厅长|局长|司长|处长|主任|书记|市长|省长|县长|组长|院长|总经理|董事长)|"
    # a company ("陕西康佳电子有限公司", "彩虹集团")
    r"[\u4e00-\u9fa5]{2,16}?(?:有限责任公司|股份有限公司|有限公司|集团公司|集团|公司)(?![\u4e00-\u9fa5]{0,2}(?:化|制))|"
    # a government department named on its own (省科技厅的试点城市, 市工信委、市财政局)
    r"(?:国家|省|市)[\u4e00-\u9fa5]{1,5}?(?:部|厅|局|委)(?=[的、，。；和与及]|城市)"
)


def value_fit(facts: QueryFacts, text: str, question: str) -> float:
    """How well a sentence holds a value of the kind asked: 1 a fitting value, 0.5 a
    value of the right kind in another unit, 0 none."""
    kind = facts.answer_type
    if kind == "number":
        if _rank_span(text, question) is not None or _count_span(text, question) is not None:
            return 1.0
        numbers = [m.group() for m in _NUMBER.finditer(text) if not re.fullmatch(r"(?:19|20)\d{2}|\d", m.group())]
        if not numbers:
            return 0.0
        if any(fits_unit(question, n, loose=False) is not False for n in numbers):
            return 1.0
        return 0.75 if any(fits_unit(question, n) is not False for n in numbers) else 0.5
    if kind == "when":
        # A table row's 实施年度 cell ("实施年度：2011-2015") is a date too.
        return 1.0 if _DATE.search(text) or re.search(r"(?:年度|年份|时间|期限)：\s*\d{4}", text) else 0.0
    if kind == "who":
        return 1.0 if ORGANISATION.search(text) else 0.0
    if kind == "docpart":
        return 1.0 if any(p.search(text) for w, p in DOCUMENT_PARTS.items() if w in question) else 0.0
    if kind == "what":
        if _DEGREE_ASKED.search(question):
            return 1.0 if _RESULT_SAID.search(text) else 0.0
        if _TARGET_ASKED.search(question):
            # "定了啥目标": a target is a level to reach; a sentence setting one by a figure says it
            return 1.0 if _sets_a_figure_for(facts.attribute, text) else _named_kind_fit(question, text)
        return _named_kind_fit(question, text)
    return 0.0


_TARGET_ASKED = re.compile(r"(?:什么|啥|哪些)(?:具体)?(?:目标|指标)|目标(?:是|为|有)(?:什么|啥|哪些)")
_FIGURE_SET = re.compile(r"(?:达到?|超过|突破|提高到|增加到|实现)[^，。；]{0,12}?\d")


def _sets_a_figure_for(attribute: str, text: str) -> bool:
    """A clause of the text sets a figure (达到…250亿元) and names the asked thing (电子商务):
    "…开展电子商务，…，信息服务业增加值达到60亿元" sets one for another thing."""
    asked = [w for w in words(attribute) if len(w) >= 2]
    return any(_FIGURE_SET.search(c) and any(w in c for w in asked) for c in re.split(r"[，；。,;]", text))


# "做到啥程度", "到什么地步": how far a thing has got, which a sentence saying what was
# reached answers ("全市已实现100%的行政村通电话", "通信“村村通”工程全部完成").
_DEGREE_ASKED = re.compile(r"(?:什么|啥|怎样的?|何种|哪个|哪一?步)(?:程度|地步)")
_RESULT_SAID = re.compile(r"已(?:经)?(?:全部|基本|初步)?(?:实现|完成|建成|达到|覆盖|开通|建立)|(?:全部|基本|初步|已)(?:完成|实现|建成|形成)"
                          r"|(?:实现|完成|建成|达到)了|\d+(?:\.\d+)?(?:%|％)")


# "什么保护制度", "哪个平台", "啥系统": the kind of thing a what-question asks the name of.
_WHAT_KIND = re.compile(r"(?:什么|啥|哪个|哪一个|哪项|哪一项)([\u4e00-\u9fff]{2,8}?)(?=[？?，,。；;！!]|$|呢|吗|了|来|的)")




def _named_kind_fit(question: str, text: str) -> float:
    """1 when a sentence names a thing of the asked kind ("…等级保护制度" for 什么保护制度):
    it holds the answer's shape. A degree or a state (什么程度, 啥水平) is described, not named."""
    kind = _asked_name_kind(question)
    if not kind or kind not in text:
        return 0.0
    name = named_key(text, 0, len(text), question)
    if name is None:  # the kind inside another word, or with nothing new before it (政府|部门)
        return PLAIN_NAME_FIT
    if not _WHICH_ONE.search(question):
        return 1.0
    # 哪个X asks which one: a name with a place in it ("宝鸡市先进制造业两化融合试验区") names one;
    # "省级…试验区" names a level
    return 1.0 if _has_place(text[name[0]:name[1] - len(kind)]) else PLAIN_NAME_FIT


_WHICH_ONE = re.compile(r"哪个|哪一个|哪家")
PLAIN_NAME_FIT = 0.5


def _asked_name_kind(question: str) -> str:
    """The kind a what-question asks the name of ("保护制度" of 什么保护制度), or ''."""
    described = _WHAT_LIKE.search(question)
    if described:  # "构建一个什么样的政府": a 政府 of some kind (服务型政府) is named
        return described.group(1) if described.group(1) not in DESCRIBED else ""
    match = _WHAT_KIND.search(question)
    if match is None or match.group(1).startswith("样") or match.group(1) in DESCRIBED:
        return ""
    return match.group(1)


_WHAT_LIKE = re.compile(r"(?:什么|啥)样的?([\u4e00-\u9fff]{2,8}?)(?=[？?，,。；;！!]|$|呢|吗)")


_NAME_STOPS = frozenset(("的", "了", "着", "和", "与", "及", "或", "在", "为", "是", "把", "将", "对"))
_NAME_CHARS = 24


def named_key(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """The name of the asked kind the quote gives: the noun phrase ending in the kind,
    back to the verb, particle or stop before it ("积极申报|西安—咸阳国家级两化融合试验区",
    "开通了|百件实事网上办栏目" for 什么栏目)."""
    kind = _asked_name_kind(question)
    at = text.find(kind, start, end) if kind else -1
    if at < 0:
        return _verb_object(text, start, end, question) if kind else None
    names = []
    while at >= 0:
        names.append(_name_at(text, start, at, kind, question))
        at = text.find(kind, at + len(kind), end)
    names = [n for n in names if n is not None]
    # "省级两化融合试验区—宝鸡市先进制造业两化融合试验区": the name with a place in it is the one meant
    proper = [n for n in names if _has_place(text[n[0]:n[1] - len(kind)])]
    return (proper or names or [None])[0]


def _has_place(words_before: str) -> bool:
    return any(word_tag(w) == "ns" for w in words(words_before))


def _name_at(text: str, start: int, at: int, kind: str, question: str) -> tuple[int, int] | None:
    """The name ending in the asked kind at ``at``, or None when it says nothing new."""
    if text[at - 1:at] == "等" and "、" in text[max(start, at - _NAME_CHARS):at]:
        return _listed_start(text, start, at), at + len(kind)
    tokens = words(text[max(start, at - _NAME_CHARS):at])
    taken: list[str] = []
    for k in range(len(tokens) - 1, -1, -1):
        token = tokens[k]
        if word_tag(token) in ("d", "ad") and taken:
            taken.pop(0)  # 积极|申报|…: the word after an adverb is the verb, whatever its tag
            break
        if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z\d—-]+", token) or token in _NAME_STOPS or _introduces(tokens, k):
            break
        taken.insert(0, token)
    # a name says something the question does not: "网站栏目" for 门户网站开通了什么栏目 names nothing
    if sum(len(t) for t in taken if t not in question) < 2:
        return None
    taken = sum(len(t) for t in taken)
    return at - taken, at + len(kind)


# "想进入什么行列": the verb the asked kind is the object of.
_ASKING_VERB = re.compile(r"([\u4e00-\u9fff]{2})(?:什么|啥|哪个|哪一个)")
_OBJECT = re.compile(rf"[^，。；：,;:、（(]{{2,{_NAME_CHARS}}}")


def _verb_object(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """A quote that names no thing of the asked kind may still name the asked verb's object:
    "进入|全国先进信息化发展城市" for 进入什么行列, the words after the verb to the clause's end."""
    verb = _ASKING_VERB.search(question)
    if verb is None or word_tag(verb.group(1)) != "v":
        return None
    at = text.find(verb.group(1), start, end)
    found = _OBJECT.match(text, at + 2, end) if at >= 0 else None
    return found.span() if found else None


def _listed_start(text: str, start: int, at: int) -> int:
    """Where names listed before 等 and the asked kind start ("为企业提供|支付平台、安全平台、
    管理平台等共享资源"): after the first verb of their clause, else at the clause."""
    lo = max(start, max(text.rfind(p, start, at) for p in "，。；：,;:") + 1)
    first = text[lo:at].split("、")[0]
    pos = 0
    for token in words(first):
        pos += len(token)
        if pos < len(first) and word_tag(token) == "v":
            return lo + pos
    return lo


def _introduces(tokens: list[str], k: int) -> bool:
    """The token is a verb that introduces a name (建立, 打造; not 城市|管理|信息系统's 管理)."""
    return len(tokens[k]) >= 2 and word_tag(tokens[k]) == "v"


# A post the question asks who holds, and how a plan names its holder ("以市长为组长",
# "由市委副书记、主管副市长为副组长", "市长任组长").
_POST = re.compile(r"副组长|组长|副主任|主任|总指挥|召集人|负责人|第一责任人")
_HOLDER = r"(?:以|由)?([^，。；：以由]{1,20}?)(?:为|任|担任|兼任)"


def post_key(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """Who holds the post a who-question names ("组长是谁", "谁当组长"): the words between 以/由
    and 为组长 in the quote."""
    post = _POST.search(question)
    if post is None or not re.search(r"谁|哪位|什么人|哪个领导", question):
        return None
    found = re.compile(_HOLDER + re.escape(post.group())).search(text, start, end)
    return (found.start(1), found.end(1)) if found else None


def docpart_key(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """The document number / title / date the question asks for, inside the quote."""
    for word, pattern in DOCUMENT_PARTS.items():
        if word in question:
            found = pattern.search(text, start, end)
            if found:
                return found.start(), found.end()
    return None


# The unit a question's wording asks for, as a pattern on the number's unit.
_UNIT_WANTED: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"带宽|网速|速率|接入速度"), re.compile(r"[MGK]|兆|bps", re.IGNORECASE)),
    (re.compile(r"增速|增幅|增长率|年均增长|递增"), re.compile(r"%|％")),
    (re.compile(r"率|比例|比重|占比|百分|几成|多大比例"), re.compile(r"%|％|/百")),
    (re.compile(r"投资|资金|经费|钱|产值|增加值|交易额|销售额|收入|预算|金额|花费|造价|费用"), re.compile(r"元")),
    (re.compile(r"用户|户数|多少户|家庭"), re.compile(r"户")),
    # people counted: "多少人", "多少懂电脑的人手", "几名技术人员"
    (re.compile(r"人数|多少人|几人|人口|网民|(?:多少|几)[^，,。？?；]{0,10}?(?:人手|人才|人员|干部|职工|学员|专家|的人)"), re.compile(r"人|名")),
    (re.compile(r"指数"), re.compile(r"^$")),
    (re.compile(r"多长|长度|里程|多远"), re.compile(r"公里|千米|米")),
)
# An increment ("新增用户10万户") rather than a level, when its clause says so before the number.
_INCREMENT_BEFORE = re.compile(r"(?:新增|增加|增长|提高|减少|下降|新建|净增)[^，。；、总]*$")
_INCREMENT_OF = re.compile(r"(?:新增|增加了?|增长了?|提高了?|净增)[^到至，。；、]{0,3}$")
_INCREMENT_ASKED = re.compile(r"新增|增加|增长|提高|减少|下降|新建|净增|增幅|增速")
# The amount of an increase asked ("新增了多少户"), and a clause that speaks of one.
_AMOUNT_OF_INCREASE = re.compile(r"新增|净增|增加了|增长了|增加多少|增长多少|多了多少|增量")
_SAYS_INCREASE = re.compile(r"新增|净增|新发展|新装|新建|新开通|新通|增加|增长|增幅|增量|提高了|扩")


def level_for_increase(question: str, clause: str) -> bool:
    """An increase asked and the figure's clause says none: it gives the level reached
    ("在网用户150多万户" for "新增了多少户")."""
    return bool(_AMOUNT_OF_INCREASE.search(question)) and not _SAYS_INCREASE.search(clause)


def _unit_of_number(number: str) -> str:
    return re.sub(r"^[\d.,\s\-—~至]+", "", number)


# "多少M", "多少万元", "几万户": the unit written after the question word.
_EXPLICIT_UNIT = re.compile(r"(?:多少|几)((?:万|亿)?(?:元|户|人|公里)|[A-Za-z]+|/百[户人])")
_MEASURE = re.compile(r"(?:多少|几)([家个项条所台部次名座处户人门])")
_ANY_THING = "个家项条所台部名座处间"  # classifiers of things, which 个 stands for
_SAME_MEASURE = {"家": "家户", "户": "户家"}


def fits_unit(question: str, number: str, loose: bool = True) -> bool | None:
    """Whether a number's unit fits what the question asks (None: the question says no unit).

    "多少家/几个/多少项" ask for that measure word (``loose``: 个 for any thing's
    classifier, 处 or 家 too); rate, money, user and people words for %, 元, 户 and 人.
    """
    unit = _unit_of_number(number)
    per_hundred = re.search(r"百(?:口|个|名|位)?([户人])", question)
    if per_hundred and re.search(r"/百[户人]$", unit):
        # "每百户拥有多少台" is answered by "85/百户" or "45台/百户", not by "/百人"
        return unit.endswith(per_hundred.group(1))
    explicit = _EXPLICIT_UNIT.search(question)
    if explicit:
        wanted = explicit.group(1).lower()
        return unit.lower().endswith((wanted, wanted[:-1] + "家" if wanted.endswith("户") else wanted))
    measure = _MEASURE.search(question)
    if measure and not re.search(r"多少(?:万|亿)", question):
        # 个 is the general classifier: "多少个邮局" is answered by "140处"
        # 家 and 户 both count households and firms ("多少家在用" -> "15万户", "4660户工业企业")
        wanted = _ANY_THING if measure.group(1) == "个" and loose else _SAME_MEASURE.get(measure.group(1), measure.group(1))
        return _unit_of_number(number).endswith(tuple(wanted))
    for asked, unit in _UNIT_WANTED:
        if asked.search(question):
            return bool(unit.search(_unit_of_number(number)))
    return None


def unit_conflict(question: str, number: str) -> bool:
    """A number whose own unit is not of the kind asked ("20家" for a 交易额); a bare
    number (a table cell, an index) never conflicts."""
    if CN_COUNT.fullmatch(number):
        return False  # a count in Chinese numerals ("十大子网") is what 几个 asks
    # "350万" names a magnitude, not a unit: it is as bare as "350".
    return bool(_unit_of_number(number).strip(" 万亿千百")) and fits_unit(question, number) is False


# A rank asked ("排第几", "名次") is answered by a rank ("第二名", "第9位").
_RANK_ASKED = re.compile(r"第几|名次|排第|排名第|排在第|位列第|排什么位置|排名如何|排名怎样")
_RANK = re.compile(r"第[一二三四五六七八九十百\d]+(?:名|位)")


# A count written in Chinese numerals ("十大子网", "八个方向"), asked by 几个/几大/多少个.
_COUNT_ASKED = re.compile(r"几[个大项条类种家级]|多少[个项条类种家]")
CN_COUNT = re.compile(r"[一二三四五六七八九十两]{1,3}[个大项条类种家级](?:(?!的)[\u4e00-\u9fff]){0,4}")


def says_asked_count(question: str, text: str) -> bool:
    """Whether the text gives, in Chinese numerals, a count the question asks ("几级" ->
    "三级"); "九大产业集群" is no answer to how much output (产值多少)."""
    return bool(_COUNT_ASKED.search(question) and CN_COUNT.search(text))


def _count_span(region: str, question: str) -> tuple[int, int] | None:
    if not _COUNT_ASKED.search(question):
        return None
    for found in CN_COUNT.finditer(region):
        if found.start() > 0 and region[found.start() - 1] == "第":
            continue
        # the counted things listed right before their count belong to it: "市、县、乡三级"
        return found.start() - len(_listed_before(region[:found.start()])), found.end()
    return None


def _listed_before(text: str) -> str:
    """The run of short 、-separated words the text ends with ("市、县、乡"), or the
    administrative levels it ends with run together ("市县" of 市县两级), or ""."""
    tokens = words(text[-12:])
    levels = ""
    while tokens and re.fullmatch(r"[省市县区乡镇村]+", tokens[-1]):
        levels = tokens.pop() + levels
    if len(levels) >= 2:
        return levels
    tokens = words(text[-24:])
    run: list[str] = []
    while len(tokens) >= 1 and len(tokens[-1]) <= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", tokens[-1]):
        run[:0] = [tokens.pop()]
        if not tokens or tokens[-1] != "、":
            break
        run[:0] = [tokens.pop()]
    return "".join(run) if "、" in run else ""


def _rank_span(region: str, question: str, anchor: int = 0) -> tuple[int, int] | None:
    """The rank or ordinal asked ("第二名", "二期"): of those after a quoted name the question
    says, else of all, the first after the asked thing's anchor, else the first."""
    if not _RANK_ASKED.search(question):
        return None
    # "第几期/第几批": the ordinal of that measure ("二期", "第三批"), not a rank (第二名)
    unit = re.search(r"第几([期批轮届代级次])", question)
    pattern = re.compile(rf"第?[一二三四五六七八九十\d]+{unit.group(1)}") if unit else _RANK
    found = list(pattern.finditer(region))
    # a quoted name right before an ordinal says whose it is: "“金税”三期" for 金税, not "“秦税”二期"
    named = [m for m in found if (name := re.search(r"“([^”]{1,12})”[^“”，。；]{0,4}$", region[:m.start()]))
             and name.group(1) in question]
    chosen = next((m for m in named or found if m.start() >= anchor), (named or found or [None])[0])
    return (chosen.start(), chosen.end()) if chosen else None


def _of_the_year(region: str, numbers: list, facts: QueryFacts) -> re.Match[str] | None:
    """"2009年…达到0.686，预计2010年达到0.707" asked of 2010: the number in the asked
    year's own clause, when the quote names several years."""
    if len(facts.years) != 1 or len(set(find_years(region))) < 2:
        return None
    at = region.find(f"{facts.years[0]}年")
    if at < 0:
        return None
    end = _clause_end(region, at)
    return next((m for m in numbers if at < m.start() < end), None)


def _bound_to_head(region: str, numbers: list, facts: QueryFacts) -> re.Match[str] | None:
    """The number written right after the asked thing's head word ("投资3500万元"), when
    the longest named piece of the attribute holds no number in its clause."""
    heads = [w for w in words(facts.attribute) if len(w) >= 2 and w in region]
    if not heads:
        return None
    head = heads[-1]
    for found in re.finditer(re.escape(head), region):
        for m in numbers:
            between = region[found.end():m.start()]
            if 0 <= m.start() - found.end() <= 4 and not re.search(r"[，。；,;]", between):
                return m
    return None


def key_span(text: str, start: int, end: int, terms: list[tuple[str, float]], facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """The number (or year) that answers: the value bound to the asked attribute.

    Candidates are the numbers of the quote that the question does not itself name;
    those with the unit the question asks for (% for a rate, 元 for money, 户 for
    users) and, unless an increase is asked, those that are not increments
    ("新增4万户") are preferred. The anchor is the asked sub-group if the question
    names one, else the strongest query term; the answer is the first number after
    it in the same clause ("宽带用户达到95万户"), else the nearest.
    """
    region = text[start:end]
    rank = _rank_span(region, question, _anchor(region, terms, facts) or 0)
    if rank is not None:
        return start + rank[0], start + rank[1]
    if facts.wants_when:
        dates = [m for m in _DATE.finditer(region) if m.group() not in question]
        if dates:
            anchor = _anchor(region, terms, facts)
            after = [m for m in dates if anchor is None or m.start() >= anchor]
            chosen = (after or dates)[0]
            return start + chosen.start(), start + chosen.end()
    numbers = [m for m in _NUMBER.finditer(region) if m.group() not in question and not re.fullmatch(r"\d", m.group())]
    counted = _count_span(region, question)
    if counted is not None and not any(fits_unit(question, m.group()) for m in numbers):
        return start + counted[0], start + counted[1]
    if facts.wants_when:
        numbers = [m for m in numbers if find_years(m.group() + "年")]  # 80% is never a time
    elif numbers and any(not find_years(m.group() + "年") or m.group().endswith(("万", "户", "元", "%")) for m in numbers):
        numbers = [m for m in numbers if not re.fullmatch(r"(?:19|20)\d{2}", m.group())] or numbers
    if not numbers:
        return None
    if not facts.wants_when:
        # "9月23日" is a date, not a quantity.
        numbers = [m for m in numbers if not re.match(r"[月日号]", region[m.end():m.end() + 1])] or numbers
    anchor = _anchor(region, terms, facts)
    numbers = _fitting_unit(region, numbers, anchor, question)
    if not re.search(r"原来|原先|之前|以前|前的|起初|最初", question):
        # "由1.2亿元增加到3.9亿元": the starting figure is asked only as 原来/之前
        numbers = [m for m in numbers if not re.search(r"由(?:原来的?|原先的?)?$", region[max(0, m.start() - 5):m.start()])] or numbers
    if not _INCREMENT_ASKED.search(re.sub(r"(?:增加|增长|提高|下降|减少)(?:到|至)", "", question)):  # "增加到" asks a level
        numbers = [m for m in numbers if not _INCREMENT_BEFORE.search(region[max(0, m.start() - 12):m.start()])] or numbers
    else:
        # "增加了多少" / "新增…多少" ask the increase ("增加了2.7亿元", "新增用户10万户"),
        # not the level reached ("增加到3.9亿元", "总数达到84.4万户")
        numbers = [m for m in numbers if _INCREMENT_OF.search(region[max(0, m.start() - 6):m.start()])] or numbers
    of_year = _of_the_year(region, numbers, facts)
    if of_year is not None:
        chosen = of_year
    elif anchor is None:
        chosen = numbers[0]
    else:
        clause_end = _clause_end(region, anchor)
        same_clause = [m for m in numbers if anchor <= m.start() < clause_end]
        # "90%实现管理信息化", "80%的大中型企业采用了OA": the value may come first in its clause.
        clause_start = _clause_start(region, anchor)
        before = [m for m in numbers if clause_start <= m.start() and m.end() <= anchor]
        after = [m for m in numbers if m.start() >= anchor]
        bound = None if same_clause else _bound_to_head(region, numbers, facts)
        if same_clause and before and re.search(r"和|以及|及|与|、", region[anchor:same_clause[0].start()]):
            # "培育20家示范企业和实施50个示范项目": past 和 the clause counts another thing.
            chosen = before[-1]
        elif same_clause:
            chosen = same_clause[0]
        elif bound is not None:
            chosen = bound
        elif before:
            chosen = before[-1]
        elif after:
            chosen = min(after, key=lambda m: m.start() - anchor)
        else:
            chosen = min(numbers, key=lambda m: anchor - m.end())
    return start + chosen.start(), start + chosen.end()


def _fitting_unit(region: str, numbers: list, anchor: int | None, question: str) -> list:
    """The numbers in the unit asked: the exact measure word first ("多少个" -> "133个"),
    unless only a number in another classifier is in the asked thing's own clause
    ("多少个邮局": "邮政所140处，邮政储蓄联网网点133个" answers 140处)."""
    strict = [m for m in numbers if fits_unit(question, m.group(), loose=False) is not False]
    loose = [m for m in numbers if fits_unit(question, m.group()) is not False]
    if anchor is not None:
        lo, hi = _clause_start(region, anchor), _clause_end(region, anchor)
        own = [m for m in loose if lo <= m.start() < hi]
        if own and not any(lo <= m.start() < hi for m in strict):
            return own
    return strict or loose or numbers


def longest_shared(attribute: str, region: str, minimum: int = 3) -> tuple[int, int] | None:
    """(start, length) in ``region`` of the longest substring of ``attribute`` it holds.

    Of equal pieces the later wins: a Chinese noun phrase ends in its head
    ("移动通信在网用户" is about 在网用户). Each start is only tried at the best length
    found so far, then grown: a few searches per start, not one per piece.
    """
    best_lo, best_len = -1, minimum - 1
    for lo in range(len(attribute) - minimum + 1):
        n = max(best_len, minimum)
        if lo + n > len(attribute) or attribute[lo:lo + n] not in region:
            continue
        while lo + n < len(attribute) and attribute[lo:lo + n + 1] in region:
            n += 1
        if n >= best_len:
            best_lo, best_len = lo, n
    if best_lo < 0:
        return None
    return region.find(attribute[best_lo:best_lo + best_len]), best_len


def _anchor(region: str, terms: list[tuple[str, float]], facts: QueryFacts) -> int | None:
    """Where the asked thing is named in the quote: its sub-group word, else the longest
    piece of the asked attribute ("移动通信总容量"), else its strongest term."""
    shared = longest_shared(facts.attribute, region)
    if shared is not None and any(w in region[shared[0]:shared[0] + shared[1]] for w in facts.qualifiers):
        return _own_mention(region, shared, facts.text)  # the attribute with its sub-group, whole ("城镇家庭上网率")
    for word in facts.qualifiers:
        at = region.find(word)
        group = next((g for g in QUALIFIER_GROUPS if word in g), ())
        contrasted = any(other in region for other in group if other != word and other not in word and word not in other)
        # The sub-group word when the quote contrasts sub-groups ("市级…80%，县级…60%")
        # or no longer piece of the attribute names the indicator.
        if at >= 0 and (contrasted or shared is None or shared[1] <= len(word)):
            return at
    if shared is not None:
        return _own_mention(region, shared, facts.text)
    # The user's everyday word is not in the quote; its official equivalent may be ("座机" -> "固定电话").
    equivalents = sorted((w for w in facts.equivalents if w in region), key=len, reverse=True)
    if equivalents:
        return _own_mention(region, (region.find(equivalents[0]), len(equivalents[0])), facts.text)
    anchors = [(region.find(t), w) for t, w in terms if t in region]
    if not anchors:
        return None
    return max(anchors, key=lambda a: (a[1], -a[0]))[0]


def _own_mention(region: str, shared: tuple[int, int], question: str) -> int:
    """Where the asked thing is named on its own: "固定及移动电话用户总数303.99万户，其中…
    移动电话220.01万户" names 移动电话 first inside a joint total (after 及/和/与), then
    alone; the later mention carries its own figure."""
    at, length = shared
    if at == 0 or region[at - 1] not in "及和与" or region[max(0, at - 3):at] in question:
        return at  # not inside a joint total, or the joint total is what is asked
    piece = region[at:at + length]
    for n in range(length, 1, -1):
        later = region.find(piece[:n], at + length)
        if later >= 0:
            return later
    return at


def _clause_start(region: str, at: int) -> int:
    return max((region.rfind(p, 0, at) for p in "，；。,;"), default=-1) + 1


def _clause_end(region: str, at: int) -> int:
    ends = [i for i in (region.find(p, at) for p in "，；。,;") if i >= 0]
    return min(ends) if ends else len(region)


def _role_column(cells: list, role: str):
    """Year columns (2009年 | 2015年): a status question reads the earliest, a target
    question the latest."""
    dated = [(find_years(c.header)[0], k, c) for k, c in enumerate(cells) if find_years(c.header)]
    if len(dated) < 2 or role not in ("status", "target"):
        return None
    return (min if role == "status" else max)(dated, key=lambda d: (d[0], d[1]))[2]


def _named_column(cells: list, attribute: str):
    """The cell whose column header the question names ("实施年度"): whole, or by three
    characters or more; the longest match wins."""
    named = []
    for k, cell in enumerate(cells):
        shared = longest_shared(cell.header, attribute, 2) if len(cell.header) >= 2 else None
        if shared is not None and (shared[1] == len(cell.header) or shared[1] >= 3):
            named.append((shared[1], -k, cell))
    return max(named, key=lambda n: n[:2])[2] if named else None


def table_key(view: AnswerView, chunk: int, facts: QueryFacts, question: str) -> tuple[int, int] | None:
    """For a table row, the cell the question asks about (by its column header)."""
    cells = view.chunks[chunk].cells
    if len(cells) < 2:
        return None
    wanted = next((c for c in cells[1:] if any(str(y) in c.header for y in facts.years)), None)
    wanted = wanted or _role_column(cells[1:], facts.role)
    wanted = wanted or _named_column(cells[1:], facts.attribute)
    for cell in cells[1:] if wanted is None else ():
        header = cell.header
        if (facts.wants_who and "单位" in header) or (facts.wants_when and "年度" in header) \
                or (re.search(r"经费|钱|资金|投资|预算", question) and "经费" in header):
            wanted = cell
            break
    if wanted is None:
        numeric = [c for c in cells[1:] if re.search(r"\d", c.value)]
        if not _MONEY_ASKED.search(question):
            # a project's budget answers a question about money, not one about its 交易额 or
            # users; its 实施年度 is a date, not a quantity
            numeric = [c for c in numeric if not _MONEY_COLUMN.search(c.header)
                       and not (facts.wants_number and _DATE_COLUMN.search(c.header))]
            if not numeric and facts.wants_number:
                return None
        wanted = numeric[-1] if numeric else cells[-1]
    return wanted.start, wanted.end


_MONEY_ASKED = re.compile(r"经费|钱|资金|投资|预算|投入|花费|成本|拨款|出资")
_MONEY_COLUMN = re.compile(r"经费|资金|投资|预算")
_DATE_COLUMN = re.compile(r"年度|年份|时间|日期")
