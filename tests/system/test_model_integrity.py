"""Issue 15, silent rot of the model: checksums recorded at build, verified on load."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.errors import PlanQAError
from qa.index.encoder import Encoder, _OnnxModel
from qa.model import integrity
from qa.model.build import is_built
from qa.settings import Settings

pytestmark = pytest.mark.slow
ONNX = "onnx/model.onnx"


@pytest.fixture()
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ONNX backend's files copied (torch weights linked, never written), checksums recorded."""
    monkeypatch.setenv(integrity.STAMP_ENV, str(tmp_path / "verified.json"))
    source, dest = Settings().model_dir, tmp_path / "model"
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if path.is_dir() or rel.as_posix() in ("onnx/model_qint8.onnx", integrity.HASH_FILE):
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.name == "model.safetensors":
            (dest / rel).symlink_to(path)
        else:
            shutil.copyfile(path, dest / rel)
    integrity.record(dest)
    integrity.record(dest, [ONNX])
    return dest


def _damage(path: Path, at: float, size: int = 64) -> None:
    with path.open("r+b") as handle:
        handle.seek(int(path.stat().st_size * at))
        handle.write(bytes(size))


def test_intact_model_loads_and_verifies_once(model_copy: Path) -> None:
    encoder = Encoder(model_copy)
    assert encoder.encode_queries(["宽带"]).shape == (1, encoder.dim)
    assert is_built(model_copy)
    Encoder(model_copy)  # second load: the stamp spares the hashing


@pytest.mark.parametrize("where", [0.5, 0.0001])  # weights shifted silently; protobuf header broken
def test_damaged_onnx_is_refused_not_drifted(model_copy: Path, where: float) -> None:
    Encoder(model_copy)
    _damage(model_copy / ONNX, where)
    with pytest.raises(integrity.ModelDamaged, match="模型文件已损坏，请运行 planqa model build"):
        Encoder(model_copy)
    assert not is_built(model_copy)  # so `planqa model build` converts it again


def test_damaged_tokenizer_is_refused(model_copy: Path) -> None:
    _damage(model_copy / "tokenizer.json", 0.5, 8)
    with pytest.raises(integrity.ModelDamaged, match="tokenizer.json"):
        Encoder(model_copy)


def test_unloadable_onnx_without_a_record_is_a_message_not_a_traceback(model_copy: Path) -> None:
    (model_copy / integrity.HASH_FILE).unlink()
    path = model_copy / ONNX
    path.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(PlanQAError, match="模型文件已损坏"):
        _OnnxModel(model_copy, path, threads=1)


def test_cli_reports_damage_in_one_line(model_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qa.app.cli import main

    _damage(model_copy / ONNX, 0.5)
    assert main(["ask", "宽带用户目标是多少？", "--model", str(model_copy)]) == 2
    err = capsys.readouterr().err
    assert "模型文件已损坏" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
