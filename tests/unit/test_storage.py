"""The index fingerprint (qa.index.storage): resource hashes, and check_index on a hand-made build folder."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from qa.index.encoder import model_info
from qa.index.storage import (
    FILES,
    FORMAT_VERSION,
    TOKEN_RESOURCES,
    IndexProblem,
    check_index,
    resource_hashes,
    seed_hashes,
    sha256_file,
)
from qa.settings import REPO_ROOT, Settings

USERDICT = "qa/data/userdict.txt"


@pytest.fixture()
def resource_root(tmp_path: Path) -> Path:
    """A copy of the repo's qa/data and of every listed token resource."""
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "qa" / "data", root / "qa" / "data")
    for name in TOKEN_RESOURCES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / name, root / name)
    return root


def test_resource_hashes_are_sha256_of_each_listed_file(resource_root: Path) -> None:
    hashes = resource_hashes(root=resource_root)
    assert list(hashes) == list(TOKEN_RESOURCES)
    assert USERDICT in hashes and "qa/ingest/chunking.py" in hashes
    for name, digest in hashes.items():
        assert digest == hashlib.sha256((resource_root / name).read_bytes()).hexdigest()


def test_a_new_dictionary_word_changes_only_its_hash(resource_root: Path) -> None:
    before = resource_hashes(root=resource_root)
    with (resource_root / USERDICT).open("a", encoding="utf-8") as handle:
        handle.write("\n智慧咸阳 10 n\n")
    after = resource_hashes(root=resource_root)
    assert after[USERDICT] != before[USERDICT]
    assert {k: v for k, v in after.items() if k != USERDICT} == {k: v for k, v in before.items() if k != USERDICT}


# --------------------------------------------------------------------------- check_index


@pytest.fixture()
def fresh_build(tmp_path: Path) -> tuple[Settings, Path]:
    """Settings and a build folder whose manifest matches them: placeholder files with true checksums."""
    settings = Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index", model_dir=tmp_path / "model")
    settings.seeds_dir.mkdir()
    (settings.seeds_dir / "plan.txt").write_text("咸阳市规划\n一、目标\n全市宽带用户达到95万户。", encoding="utf-8")
    build = settings.index_dir / "builds" / "b1"
    build.mkdir(parents=True)
    for name in FILES:
        (build / name).write_bytes(name.encode())
    write_manifest(build, {
        "format_version": FORMAT_VERSION,
        "model": model_info(settings.model_dir),
        "settings": settings.index_fingerprint(),
        "seeds": seed_hashes(settings.seeds_dir),
        "resources": resource_hashes(),
        "files": {name: {"sha256": sha256_file(build / name)} for name in FILES},
    })
    return settings, build


def write_manifest(build: Path, manifest: dict) -> None:
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def edit_manifest(build: Path, **changes: object) -> None:
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    write_manifest(build, {**manifest, **changes})


def test_matching_build_passes(fresh_build: tuple[Settings, Path]) -> None:
    settings, build = fresh_build
    assert check_index(settings, build)["resources"] == resource_hashes()


def test_changed_resource_is_stale_and_named(fresh_build: tuple[Settings, Path]) -> None:
    settings, build = fresh_build
    edit_manifest(build, resources={**resource_hashes(), USERDICT: "0" * 64})
    with pytest.raises(IndexProblem, match=r"resources changed since the index was built \(qa/data/userdict\.txt\)") as info:
        check_index(settings, build)
    assert info.value.reason == "stale" and "planqa index build" in str(info.value)
    for other in TOKEN_RESOURCES:
        if other != USERDICT:
            assert other not in str(info.value)


def test_index_from_before_resource_hashes_is_stale(fresh_build: tuple[Settings, Path]) -> None:
    settings, build = fresh_build
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    del manifest["resources"]
    write_manifest(build, manifest)
    with pytest.raises(IndexProblem, match="resources changed") as info:
        check_index(settings, build)
    assert info.value.reason == "stale"
    assert all(name in str(info.value) for name in TOKEN_RESOURCES)


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        pytest.param({"format_version": 0}, "stale", "another PlanQA version", id="format"),
        pytest.param({"settings": {"bm25_k1": 2.0}}, "stale", "built with other settings", id="settings"),
        pytest.param({"model": {"path": "elsewhere"}}, "stale", "another embedding model", id="model"),
        pytest.param({"seeds": {}}, "stale", "documents in .* changed", id="seeds"),
        pytest.param({"files": {}}, "corrupt", r"documents\.jsonl is missing or damaged", id="checksums"),
    ],
)
def test_other_manifest_differences(fresh_build: tuple[Settings, Path], changes: dict, reason: str, message: str) -> None:
    settings, build = fresh_build
    edit_manifest(build, **changes)
    with pytest.raises(IndexProblem, match=message) as info:
        check_index(settings, build)
    assert info.value.reason == reason
