"""Checksums of the model's files: recorded when they are written, verified before they are loaded.

Issue 15: a damaged `model.onnx` gave an `InvalidProtobuf` traceback and milder damage
shifted every embedding unnoticed (cosine 0.9976). `planqa model build` and the ONNX
export record a sha256 per file in `<model>/planqa_hashes.json`; the encoder verifies
the files it is about to read. Hashing the 449 MB ONNX file costs ~2 s on 2 cores, so a
file whose (size, mtime, ctime, inode) is unchanged since it last verified is not
hashed again: any write changes its ctime, which user space cannot set back.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qa.errors import PlanQAError

HASH_FILE = "planqa_hashes.json"
DAMAGED = "模型文件已损坏，请运行 planqa model build"
STAMP_ENV = "PLANQA_VERIFY_CACHE"


class ModelDamaged(PlanQAError):
    """A model file does not match the checksum recorded when it was written."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def recorded(model_dir: Path) -> dict[str, str]:
    """Relative file name → sha256, as recorded; empty for a folder built before checksums."""
    files = _read(model_dir / HASH_FILE).get("files", {})
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def record(model_dir: Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """Hash `names` (default: every file outside `onnx/`) and add them to the folder's record."""
    if names is None:
        names = sorted(
            p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*")
            if p.is_file() and p.name != HASH_FILE and p.relative_to(model_dir).parts[0] != "onnx"
        )  # fmt: skip
    files = recorded(model_dir)
    files.update({name: file_sha256(model_dir / name) for name in names})
    _write(model_dir / HASH_FILE, {"algorithm": "sha256", "files": files})
    return files


def _stamp_path() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planqa" / "verified.json"
    return Path(os.environ.get(STAMP_ENV) or default)


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def verify(model_dir: Path, names: Iterable[str] | None = None) -> list[str]:
    """Check recorded files (all, or those of `names` that have a record).

    Returns:
        The names verified.

    Raises:
        ModelDamaged: a file is missing or its content differs from its record.
    """
    expected = recorded(model_dir)
    wanted = [n for n in (expected if names is None else names) if n in expected]
    stamps = _read(_stamp_path())
    todo: list[str] = []
    for name in wanted:
        path = model_dir / name
        try:
            key = [*_stat_key(path), expected[name]]
        except OSError:
            raise ModelDamaged(f"{DAMAGED}（缺少 {path}）") from None
        if stamps.get(str(path.resolve())) != key:
            todo.append(name)
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        digests = dict(zip(todo, pool.map(lambda n: file_sha256(model_dir / n), todo)))
    for name, digest in digests.items():
        if digest != expected[name]:
            raise ModelDamaged(f"{DAMAGED}（{model_dir / name} 校验和不符）")
        stamps[str((model_dir / name).resolve())] = [*_stat_key(model_dir / name), digest]
    if digests:
        try:
            _stamp_path().parent.mkdir(parents=True, exist_ok=True)
            _write(_stamp_path(), stamps)
        except OSError:
            pass  # no stamp: the next start hashes again, nothing worse
    return wanted
