"""Synthetic corpora (qa.evaluation.scale): distinct, deterministic, parseable; and the scale measurements."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from qa.evaluation.scale import (
    CITIES,
    SEED_CITIES,
    Variant,
    ann_tradeoff,
    evidence_hit,
    hit_at_k,
    synthesize,
    variant,
    write_corpus,
)
from qa.index import dense
from qa.ingest.documents import load_documents

PLAN = "\n".join([  # noqa: FLY002 - one line per document line
    "咸阳市“十二五”信息化发展规划",
    "咸阳市人民政府办公室关于印发规划的通知",
    "咸政办发〔2011〕11号",
    "各县市区人民政府：现印发你们，请认真贯彻落实。",
    "二○一一年一月二十六日",
    "咸阳市“十二五”信息化发展规划",
    "一、“十一五”信息化发展现状",
    "2010年底，全市宽带用户总数达到35万户，广播人口覆盖率99%，比宝鸡多出很多，这是第一段。",
    "电话普及率52.33/百人，移动通信总容量达到240多万门，这是第二段，用于检验段落的顺序变化。",
    "有线电视用户达到46万户，数字电视用户达到29万户，这是第三段，也比三十个字符要长一些。",
    "二、发展目标",
    "指标",
    "2015年",
    "350",
    "80%",
])


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "xianyang-plan.txt").write_text(PLAN, encoding="utf-8")
    (folder / "baoji-plan.txt").write_text(PLAN.replace("咸阳", "宝鸡").replace("咸政", "宝政"), encoding="utf-8")
    return folder


def test_variant_is_deterministic_and_starts_at_one() -> None:
    assert variant(7, CITIES) == variant(7, CITIES)
    assert variant(7, CITIES) != variant(8, CITIES)
    with pytest.raises(ValueError, match="copy numbers start at 1"):
        variant(0, CITIES)


def test_synthesize_shifts_names_years_periods_and_figures() -> None:
    text = synthesize(PLAN, Variant(copy=1, cities=("渭南", "汉中"), period_shift=1, factor=2.0))
    assert not any(city in text for city in SEED_CITIES)
    assert text.splitlines()[0] == "渭南市“十三五”信息化发展规划"
    assert "渭政办发〔2016〕11号" in text and "“十二五”信息化发展现状" in text
    assert "2015年底" in text and "70万户" in text and "104.66/百人" in text and "100%" in text  # 99% * 2 is capped
    assert text.splitlines()[-3:] == ["2020年", "700", "100%"]  # table cells
    headings = [line for line in text.splitlines() if re.match(r"[一二三四五六七八九十]、", line)]
    assert headings == ["一、“十二五”信息化发展现状", "二、发展目标"]


def test_synthesize_shuffles_paragraphs_within_a_section_only() -> None:
    originals = PLAN.replace("宝鸡", "汉中").splitlines()[7:10]
    orders = set()
    for copy in range(1, 12):
        lines = synthesize(PLAN, Variant(copy, ("渭南", "汉中"), 0, 1.0)).splitlines()
        assert sorted(lines[7:10]) == sorted(originals)  # same paragraphs, between the same headings
        orders.add(tuple(lines[7:10]))
    assert len(orders) > 1


def test_write_corpus_keeps_seeds_and_adds_distinct_parseable_copies(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "x3"
    paths = write_corpus(seeds, out, 3)
    assert len(paths) == 6
    for seed in seeds.glob("*.txt"):
        assert (out / seed.name).read_bytes() == seed.read_bytes()
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(set(texts)) == len(texts)
    docs, problems = load_documents(out)
    assert problems == []
    copies = [d for d in docs if "-x" in d.doc_id]
    assert len(copies) == 4 and all(d.city and d.city not in SEED_CITIES for d in copies)
    assert write_corpus(seeds, out, 3) == paths  # deterministic


def test_write_corpus_leaves_unchanged_files_alone_and_drops_extra_ones(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "x"
    write_corpus(seeds, out, 3)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.txt")}
    write_corpus(seeds, out, 2)
    assert {p.name for p in out.glob("*.txt")} == {n for n in stamps if "-x002" not in n}
    assert all(p.stat().st_mtime_ns == stamps[p.name] for p in out.glob("*.txt"))


@pytest.mark.parametrize(
    ("multiple", "target", "message"),
    [(0, "out", "at least 1"), (2, "seeds", "refusing to write")],
)
def test_write_corpus_refuses_bad_requests(seeds: Path, tmp_path: Path, multiple: int, target: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_corpus(seeds, seeds if target == "seeds" else tmp_path / target, multiple)


def test_evidence_hit_needs_same_document_and_containment() -> None:
    passages = [("a", "x"), ("b", "包含证据文本的段落"), ("c", "y")]
    assert evidence_hit(passages, [("b", "证据文本")], k=2)
    assert not evidence_hit(passages, [("b", "证据文本")], k=1)
    assert not evidence_hit(passages, [("c", "证据文本")])
    assert hit_at_k([passages, passages, passages], [[("b", "证据")], [], [("a", "无")]], k=5) == 0.5
    assert hit_at_k([passages], [[]]) is None


def test_ann_tradeoff_compares_hnsw_with_exact_search() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:20] + 0.05
    filters = [np.arange(100, 130, dtype=np.int64)] * 20
    rows = ann_tradeoff(vectors, queries, filters, ef_search=(16, 64))
    assert [r["index"] for r in rows] == ["flat", "hnsw M=32 ef=16", "hnsw M=32 ef=64"]
    assert rows[0]["recall@10"] == 1.0
    assert all(0.0 <= r["recall@10"] <= 1.0 and 0.0 <= r["filtered_recall@10"] <= 1.0 for r in rows)


def test_filtered_search_on_hnsw_is_exact() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(500, 8)).astype(np.float32)
    allowed = np.arange(0, 500, 50, dtype=np.int64)
    flat, hnsw = dense.build(vectors, "flat"), dense.build(vectors, "hnsw")
    for query in vectors[:10]:
        expected = dense.search(flat, query, 5, allowed)
        got = dense.search(hnsw, query, 5, allowed)
        assert got[1].tolist() == expected[1].tolist()
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-5)


def test_recall_by_score_counts_tied_duplicates_as_found() -> None:
    from qa.evaluation.scale import recall_by_score

    truth = [np.array([0.9, 0.8, 0.8])]
    assert recall_by_score([np.array([0.9, 0.8, 0.8])], truth) == 1.0  # other ids, same scores
    assert recall_by_score([np.array([0.9, 0.8, 0.5])], truth) == round(2 / 3, 4)
    assert recall_by_score([np.array([])], truth) == 0.0
