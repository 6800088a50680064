"""Which side's quoted figure is larger (qa.answer.present.comparison_verdict)."""
from __future__ import annotations

import pytest

from qa.answer.present import comparison_verdict
from qa.schemas import ComparisonRowOut


def rows(*values: str) -> list[ComparisonRowOut]:
    return [ComparisonRowOut(side=side, answered=bool(v), value=v) for side, v in zip(("咸阳", "宝鸡", "渭南"), values)]


def test_the_larger_figure_is_named_with_both_values() -> None:
    assert comparison_verdict("咸阳和宝鸡的信息化指数目标谁高？", rows("0.817", "0.812")) == \
        "比较（按引文数字）：咸阳（0.817）高于宝鸡（0.812）。"
    # 万 and 亿 are scaled before comparing; 多 asks which is more
    assert "宝鸡（1.2亿元）多于咸阳（9000万元）" in comparison_verdict("两市投资哪个多？", rows("9000万元", "1.2亿元"))


def test_three_sides_are_ranked_and_ties_said() -> None:
    assert comparison_verdict("三市谁高？", rows("60%", "80%", "70%")).endswith("宝鸡（80%） ＞ 渭南（70%） ＞ 咸阳（60%）。")
    assert "相同" in comparison_verdict("谁高？", rows("80%", "80%"))


@pytest.mark.parametrize("question, values", [
    ("咸阳和宝鸡的宽带用户目标各是多少？", ("95万户", "60万户")),  # not asked which is higher
    ("谁高？", ("80%", "45台/百户")),  # different units
    ("谁高？", ("85%以上", "90%")),  # a bound is no exact figure
    ("谁高？", ("95万户", "")),  # a side without an answer
])
def test_no_verdict_without_comparable_figures(question: str, values: tuple[str, ...]) -> None:
    assert comparison_verdict(question, rows(*values)) == ""
