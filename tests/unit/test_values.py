"""Answer values (qa.answer.values): the value bound to the asked attribute, of the asked kind."""
from __future__ import annotations

import pytest

from qa.answer.query import Scope, analyse
from qa.answer.values import docpart_key, key_span, longest_shared, value_fit

SCOPE = Scope(cities=("咸阳",), plan_windows=((2011, 2015),), review_years=(2007,))


def key(text: str, question: str, terms: list[tuple[str, float]] | None = None) -> str:
    facts = analyse(question, SCOPE.cities, SCOPE)
    span = key_span(text, 0, len(text), terms or [], facts, question)
    return text[span[0]:span[1]] if span else ""


@pytest.mark.parametrize("text, question, expected", [
    # the unit the question asks for: 户 for users, % for a rate, 家 for "多少家"
    ("有线电视用户达到36.5万户，通达203个行政村。", "2007年咸阳有线电视用户有多少户？", "36.5万户"),
    ("基本实现了156家党政机关公文网上传输，30%的部门实现无纸化办公。", "有多少家党政机关实现了公文网上传输？", "156家"),
    ("30%的部门实现无纸化办公，156家机关联网。", "无纸化办公的部门比例是多少？", "30%"),
    # a level, not an increment, unless an increase is asked
    ("全市固定电话新增用户10万户，固定电话用户总数达到84.4万户。", "固定电话用户总数是多少？", "84.4万户"),
    ("全市固定电话新增用户10万户，固定电话用户总数达到84.4万户。", "固定电话新增用户多少？", "10万户"),
    # 个 is any thing's classifier: the number in the asked thing's own clause wins over
    # another thing's number that happens to say 个
    ("邮政所140处，邮政储蓄联网网点133个。", "2010年咸阳有多少个邮政所？", "140处"),
    ("邮政所140处，邮政储蓄联网网点133个。", "2010年咸阳有多少个联网网点？", "133个"),
    # the sub-group asked: 县级, not 市级
    ("市级行政许可网上办理比例达到80%，县级达到60%。", "县级行政许可网上办理比例是多少？", "60%"),
    # the longest piece of the attribute anchors: 移动通信总容量, not 交换容量
    ("新增移动通信交换容量80万门，移动通信总容量达到230万门。", "移动通信总容量是多少？", "230万门"),
    # the value may come first in its clause; past 和 the clause counts another thing
    ("规模以上企业90%实现管理信息化，70%实现产品设计研发信息化。", "规模以上企业实现管理信息化的比例是多少？", "90%"),
    ("5年内培育20家省级示范企业和实施50个省级示范项目。", "要培育多少家省级示范企业？", "20家"),
    # a rank answers 排第几; 350万 is a bare magnitude
    ("信息化综合指数名列全省第二名，基础设施指数仅为0.712。", "信息化综合指数在全省排第几？", "第二名"),
    # several years in one quote: the number of the asked year's clause
    ("2009年我市信息化综合指数达到0.686，预计2010年达到0.707。", "2010年信息化综合指数预计达到多少？", "0.707"),
    # a growth rate is a percentage, even next to an output in 元
    ("力争电子信息产业的工业总产值年均增速24.8%，到2015年产值达到81.94亿元。", "电子信息产业工业总产值年均增速目标是多少？", "24.8%"),
    # a count in Chinese numerals answers 几个
    ("设立了土地、气象、种植业等十大子网，突出农业科技应用。", "农业信息港一共设了几个子网?", "十大子网"),
    # a date is not a quantity
    ("9月23日，多晶硅项目开工，投资37亿元。", "硅料工程花费多少钱？", "37亿元"),
    # 个 is the general classifier: "多少个" is answered by 处 when no number says 个
    ("全市建成邮政所140处，覆盖所有乡镇。", "2010年全市有多少个邮政所？", "140处"),
    # ... but a number that does say 个 comes first
    ("培育20家示范企业和实施50个示范项目。", "要实施多少个示范项目？", "50个"),
    # "增加了多少" asks the increase, not the level reached ("增加到")
    ("注册资本由原来的1.2亿元增加到3.9亿元，增加了2.7亿元。", "注册资本增加了多少？", "2.7亿元"),
    ("注册资本由原来的1.2亿元增加到3.9亿元，增加了2.7亿元。", "注册资本增加到多少？", "3.9亿元"),
    ("注册资本由原来的1.2亿元增加到3.9亿元，增加了2.7亿元。", "增资扩股前注册资本原来是多少？", "1.2亿元"),
    # a thing named inside a joint total (固定及移动…) has its own figure further on
    ("固定及移动电话用户总数303.99万户，其中：固定电话用户总数83.98万户，移动电话220.01万户。", "2009年移动电话用户多少？", "220.01万户"),
    ("固定及移动电话用户总数303.99万户，其中：固定电话用户总数83.98万户，移动电话220.01万户。", "固定及移动电话用户总数多少？", "303.99万户"),
])
def test_key_is_the_value_bound_to_the_asked_attribute(text: str, question: str, expected: str) -> None:
    assert key(text, question) == expected


def test_when_question_keys_a_date() -> None:
    assert key("成文日期 二○一一年一月二十六日", "规划是哪天印发的？") == "二○一一年一月二十六日"


def test_document_number_key() -> None:
    text = "根据《意见》（陕政发〔2009〕68号）制定。"
    span = docpart_key(text, 0, len(text), "依据的意见文号是什么？")
    assert text[span[0]:span[1]] == "陕政发〔2009〕68号"


def test_value_fit_by_kind() -> None:
    number = analyse("宽带用户有多少户？", SCOPE.cities, SCOPE)
    assert value_fit(number, "宽带用户35万户", "宽带用户有多少户？") == 1.0
    assert value_fit(number, "宽带用户35%", "宽带用户有多少户？") == 0.5
    assert value_fit(number, "宽带用户快速增长", "宽带用户有多少户？") == 0.0
    who = analyse("由哪个部门牵头？", SCOPE.cities, SCOPE)
    assert value_fit(who, "由市工信委牵头", "由哪个部门牵头？") == 1.0
    asked = "信息安全要建立和完善什么保护制度？"
    what = analyse(asked, SCOPE.cities, SCOPE)
    assert value_fit(what, "建立和完善信息安全等级保护制度，严格执行法律法规", asked) == 1.0
    assert value_fit(what, "逐步建立和完善安全交易、知识产权保护等方面的规章制度", asked) == 0.0  # no 保护制度 named
    degree = "数字宝鸡眼下搞到啥程度了？"  # a degree is described, not named
    assert value_fit(analyse(degree, SCOPE.cities, SCOPE), "创新活跃程度存在差距", degree) == 0.0


def test_longest_shared() -> None:
    assert longest_shared("移动通信总容量", "新增交换容量，移动通信总容量达到") == (7, 7)
    assert longest_shared("无人机", "宽带网络") is None


def test_numbers_with_duo_keep_their_unit() -> None:
    assert key("移动通信总容量达到230万门, 在网用户150多万户。", "2007年咸阳移动通信在网用户有多少？") == "150多万户"


def test_unit_conflict_only_for_numbers_with_a_unit() -> None:
    from qa.answer.values import unit_conflict
    assert unit_conflict("电子商务交易额到2015年要达到多少？", "20家")
    assert not unit_conflict("电子商务交易额到2015年要达到多少？", "250亿元")
    assert not unit_conflict("计划经费是多少万元？", "840")  # a bare table cell


def test_people_counted_in_everyday_words_want_a_count_of_people() -> None:
    from qa.answer.values import unit_conflict
    assert unit_conflict("打算一年教出来多少懂电脑的人手？", "45台/百户")
    assert not unit_conflict("打算一年教出来多少懂电脑的人手？", "500人")
    assert not unit_conflict("要培养几名技术人员？", "20名")
    assert not unit_conflict("多少人手？", "300")  # a bare number never conflicts


def test_who_needs_a_unit_bound_to_the_task() -> None:
    who = analyse("城市一卡通系统由哪个部门负责建设？", SCOPE.cities, SCOPE)
    assert value_fit(who, "建设城市一卡通系统，提高城市管理水平。", who.text) == 0.0
    assert value_fit(who, "领导小组办公室设在市工信委。", who.text) == 1.0


def test_a_plan_period_answers_a_when_question_and_a_percentage_never_does() -> None:
    text = "“十一五”期间，我市电子政务统一平台建成并投入使用。"
    assert key(text, "咸阳市电子政务统一平台什么时候建成的？") == "“十一五”期间"
    assert key("建成两级电子政务统一平台，实现80%市级行政许可网上办理。", "电子政务统一平台什么时候建成？") == ""


def test_jia_and_hu_both_count_households_and_firms() -> None:
    from qa.answer.values import unit_conflict
    assert not unit_conflict("农村有多少家在用？", "15万户")
    assert not unit_conflict("有多少户企业设立了信息技术中心？", "156家")
    assert unit_conflict("农村有多少家在用？", "15万人")


def test_an_ordinal_of_the_asked_measure_and_of_the_named_project() -> None:
    from qa.answer.values import _rank_span
    region = "配合省上做好“秦税”二期工程建设，配合税务总局做好“金税”三期工程建设。"
    span = _rank_span(region, "十二五要配合建的金税工程是第几期？")
    assert region[span[0]:span[1]] == "三期"
    batch = "我市是国家建设部数字化城管第三批试点城市，信息化水平名列全省第二名。"
    span = _rank_span(batch, "宝鸡是数字化城管第几批试点城市？")
    assert batch[span[0]:span[1]] == "第三批"
    span = _rank_span(batch, "信息化水平在全省排第几？")
    assert batch[span[0]:span[1]] == "第二名"


def test_a_count_keeps_the_things_listed_before_it() -> None:
    assert key("建成市、县两级电子政务统一平台。", "乙市电子政务统一平台要建成几级？").startswith("市、县两级")
    assert key("进一步完善市、县、乡三级电子政务统一平台。", "要完善几级平台？").startswith("市、县、乡三级")
    assert key("重点建设三个区的两化融合。", "重点建设几个区？").startswith("三个区")  # nothing listed before


def test_a_count_asked_of_a_listed_run_is_a_value() -> None:
    assert key("实现省、市、县、乡、村五级网络的互联互通。", "宽带接入工程要打通几级网络？") == "省、市、县、乡、村五级网络"


@pytest.mark.parametrize("text, question, name", [
    ("积极申报西安—咸阳国家级两化融合试验区。", "咸阳要申报的是哪个两化融合试验区？", "西安—咸阳国家级两化融合试验区"),
    ("开通了百件实事网上办栏目，提高了网站为群众服务的能力。", "门户网站开通了什么栏目？", "百件实事网上办栏目"),
    ("建立和完善信息安全等级保护制度，严格执行法律法规。", "要建立和完善什么保护制度？", "信息安全等级保护制度"),
    ("重点打造以陕汽为核心的装备制造业信息化服务平台。", "要打造个什么平台？", "装备制造业信息化服务平台"),
    ("开发一体的城市综合管理信息系统。", "要开发什么管理信息系统？", "城市综合管理信息系统"),  # 管理 is part of the name
])
def test_the_name_of_the_asked_kind_is_the_key(text: str, question: str, name: str) -> None:
    from qa.answer.values import named_key
    span = named_key(text, 0, len(text), question)
    assert span is not None and text[span[0]:span[1]] == name


def test_no_name_key_for_the_kind_alone_or_a_degree() -> None:
    from qa.answer.values import named_key
    assert named_key("开通了栏目。", 0, 6, "开通了什么栏目？") is None
    assert named_key("两化融合程度不高。", 0, 9, "两化融合到什么程度？") is None


def test_a_name_made_of_the_questions_own_words_is_no_key() -> None:
    from qa.answer.values import named_key
    text = "完善了网站栏目设置，丰富了网站内容。"
    assert named_key(text, 0, len(text), "2007年门户网站开通了什么栏目？") is None


@pytest.mark.parametrize("text, question, holder", [
    ("成立了以市长为组长的信息化工作领导小组，落实了工作机构。", "领导小组组长是谁？", "市长"),
    ("成立了由市长为组长，市委副书记、主管副市长为副组长的市信息化领导小组。", "谁当组长？", "市长"),
    ("成立了由市长为组长，市委副书记、主管副市长为副组长的市信息化领导小组。", "副组长是谁？", "市委副书记、主管副市长"),
])
def test_the_holder_of_the_asked_post_is_the_key(text: str, question: str, holder: str) -> None:
    from qa.answer.values import post_key
    span = post_key(text, 0, len(text), question)
    assert span is not None and text[span[0]:span[1]] == holder


def test_a_count_in_chinese_numerals_answers_only_a_count_asked() -> None:
    from qa.answer.values import says_asked_count
    assert says_asked_count("环境自动监控平台覆盖到几级？", "市、县、乡三级")
    assert not says_asked_count("钛及钛合金产业集群到2015年产值要做到多少？", "围绕宝鸡市“九大产业集群”的发展需求")


def test_a_company_is_an_organisation() -> None:
    from qa.answer.values import ORGANISATION
    assert ORGANISATION.search("投资3500万元的陕西康佳电子有限公司高清平板生产线正式开工")
    assert ORGANISATION.search("彩虹集团液晶玻璃基板生产线开工")
    assert not ORGANISATION.search("推进农村信息服务体系建设")


def test_levels_run_together_before_their_count_belong_to_it() -> None:
    from qa.answer.values import _count_span
    region = "工业系统建立了市县两级工业经济运行监测网"
    lo, hi = _count_span(region, "监测网建到了哪几级？")
    assert region[lo:hi].startswith("市县两级")
    region = "建成市、县、乡三级网络"
    lo, hi = _count_span(region, "覆盖到几级？")
    assert region[lo:hi].startswith("市、县、乡三级")


def test_names_listed_before_deng_and_the_asked_kind_are_the_name() -> None:
    from qa.answer.values import named_key
    text = "为企业提供支付平台、安全平台、管理平台等共享资源、降低企业开展商业活动的成本。"
    lo, hi = named_key(text, 0, len(text), "那它给企业提供啥共享资源？")
    assert text[lo:hi] == "支付平台、安全平台、管理平台等共享资源"


def test_the_asked_verbs_object_is_the_name_when_the_kind_is_not_said() -> None:
    from qa.answer.values import named_key
    text = "并进入全国先进信息化发展城市，信息化综合指数达到0.817。"
    lo, hi = named_key(text, 0, len(text), "咸阳想进入什么行列？")
    assert text[lo:hi] == "全国先进信息化发展城市"
    assert named_key(text, 0, len(text), "咸阳要建什么平台？") is None  # the verb is not in the quote


def test_of_two_names_of_the_kind_the_one_with_a_place_is_the_key() -> None:
    from qa.answer.values import named_key
    text = "积极推进省级两化融合试验区—宝鸡市先进制造业两化融合试验区建设。"
    lo, hi = named_key(text, 0, len(text), "宝鸡要推进的是哪个两化融合试验区？")
    assert text[lo:hi].endswith("宝鸡市先进制造业两化融合试验区")


def test_which_one_prefers_a_proper_name_to_a_level() -> None:
    from qa.answer.values import PLAIN_NAME_FIT
    question = "宝鸡要建设的是哪个两化融合试验区？"
    facts = analyse(question, SCOPE.cities, SCOPE)
    assert value_fit(facts, "积极推进宝鸡市先进制造业两化融合试验区建设。", question) == 1.0
    assert value_fit(facts, "开展省级两化融合试验区建设。", question) == PLAIN_NAME_FIT
    # 什么X asks what kind, not which one: any name of the kind fits
    what = "要建设什么两化融合试验区？"
    assert value_fit(analyse(what, SCOPE.cities, SCOPE), "开展省级两化融合试验区建设。", what) == 1.0


def test_what_like_asks_for_a_named_kind() -> None:
    from qa.answer.values import PLAIN_NAME_FIT, named_key
    question = "说到底是要构建一个什么样的政府？"
    facts = analyse(question, SCOPE.cities, SCOPE)
    text = "优化投资环境，提高行政效能，构建服务型政府。"
    lo, hi = named_key(text, 0, len(text), question)
    assert text[lo:hi] == "服务型政府"
    assert value_fit(facts, text, question) == 1.0
    # the kind inside another word names none (政府|部门)
    assert value_fit(facts, "完善公文流转交换、政府部门内部办公等综合应用系统。", question) == PLAIN_NAME_FIT


def test_how_far_asked_is_answered_by_what_was_reached() -> None:
    question = "村村通电话这事，咸阳做到啥程度了？"
    facts = analyse(question, SCOPE.cities, SCOPE)
    assert value_fit(facts, "全市已实现 100%的行政村通电话。", question) == 1.0
    assert value_fit(facts, "通信“村村通”工程全部完成。", question) == 1.0
    assert value_fit(facts, "大力实施“村村通电话”工程。", question) == 0.0


def test_a_target_asked_is_a_figure_set_for_the_asked_thing() -> None:
    question = "宝鸡电子商务定了啥目标？"
    facts = analyse(question, SCOPE.cities + ("宝鸡",), SCOPE)
    assert value_fit(facts, "到2015年，实现电子商务年交易量达250亿元以上。", question) == 1.0
    # the figure is another thing's (信息服务业增加值), though the sentence names 电子商务
    other = "鼓励企业开展电子商务、现代物流，到2015年信息服务业增加值达到60亿元。"
    assert value_fit(facts, other, question) < 1.0
