"""Metadata read from a government document's own lines (qa.ingest.metadata), and sidecar overrides."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.errors import PlanQAError
from qa.ingest.documents import load_documents
from qa.ingest.metadata import (
    Metadata,
    apply_sidecar,
    parse_date,
    period_years,
    read_fields,
    read_place,
)
from qa.settings import Settings

NOTICE = """陕西省人民政府文件
陕政发〔2016〕25号
陕西省人民政府关于印发《陕西省“十三五”信息化发展规划》的通知
各设区市人民政府，省人民政府各工作部门：
现将《陕西省“十三五”信息化发展规划》印发给你们，请认真贯彻执行。
陕西省人民政府
2016年6月30日
"""


def test_a_notice_gives_number_office_date_province_period() -> None:
    meta = read_fields(NOTICE)
    assert meta == Metadata(title="陕西省人民政府关于印发《陕西省“十三五”信息化发展规划》的通知", doc_number="陕政发〔2016〕25号",
                            date="2016-06-30", office="陕西省人民政府", province="陕西", city="", county="", period="十三五")


@pytest.mark.parametrize(("title", "place", "period"), [
    ("宝鸡市渭滨区2016—2020年信息化建设规划", ("", "宝鸡", "渭滨区"), "十三五"),
    ("延长县“十四五”数字经济发展规划", ("", "", "延长县"), "十四五"),
    ("咸阳市国民经济和社会发展第十二个五年规划纲要", ("", "咸阳", ""), "十二五"),
    ("智慧城市建设三年行动计划（2021-2023年）", ("", "", ""), "2021-2023"),
    ("咸阳市2007年信息化建设综述", ("", "咸阳", ""), "2007"),
])
def test_place_and_period_from_titles(title: str, place: tuple[str, str, str], period: str) -> None:
    meta = read_fields(title + "\n正文。")
    assert (meta.province, meta.city, meta.county) == place and meta.period == period
    assert read_place(title) == place


def test_dates_and_periods() -> None:
    assert parse_date("二○一一年一月二十六日") == "2011-01-26"
    assert parse_date("2016年3月5日") == "2016-03-05" and parse_date("2016年13月5日") == ""
    assert period_years("十三五") == (2016, 2020) and period_years("2021-2023") == (2021, 2023)
    assert period_years("2007") == (2007, 2007) and period_years("") is None


def test_the_seeds_keep_their_metadata() -> None:
    docs, _ = load_documents(Settings().seeds_dir)
    got = {d.doc_id: (d.title, d.city, d.period, d.doc_number) for d in docs}
    assert got == {
        "baoji-12th-five-year-informatization-plan": ("宝鸡市“十二五”信息化建设规划", "宝鸡", "十二五", ""),
        "xianyang-12th-five-year-informatization-plan": ("咸阳市“十二五”信息化发展规划", "咸阳", "十二五", "咸政办发〔2011〕11号"),
        "xianyang-2007-informatization-review": ("咸阳市2007年信息化建设综述", "咸阳", "2007", ""),
    }


def test_sidecar_overrides_and_completes(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    (tmp_path / "plan.txt.meta.json").write_text(json.dumps({"title": "另一个标题", "date": "2017-01-01", "period": "2016-2020"},
                                                            ensure_ascii=False), encoding="utf-8")
    meta = apply_sidecar(read_fields(NOTICE), path)
    assert (meta.title, meta.date, meta.period, meta.doc_number) == ("另一个标题", "2017-01-01", "2016-2020", "陕政发〔2016〕25号")


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", "not readable JSON"),
    ('["title"]', "expected a JSON object"),
    ('{"author": "x"}', r"unknown field\(s\) \['author'\]; allowed"),
    ('{"title": 3}', "must be strings"),
    ('{"period": "next decade"}', "period 'next decade' is not one of"),
])
def test_bad_sidecars_are_refused_naming_the_file(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "plan.txt.meta.json").write_text(content, encoding="utf-8")
    with pytest.raises(PlanQAError, match=reason) as info:
        apply_sidecar(Metadata(), tmp_path / "plan.txt")
    assert str(info.value).startswith(str(tmp_path / "plan.txt.meta.json"))
