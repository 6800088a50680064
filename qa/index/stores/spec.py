"""Parse a `--store` value; imports nothing heavy, so settings can validate with it.

    faiss                      BM25 matrix + FAISS in this process (default)
    milvus:PATH.db             Milvus Lite, embedded, one local file (tests, one machine)
    milvus://HOST:PORT         a Milvus Standalone/Distributed server; the token, if the
                               server needs one, comes from $PLANQA_MILVUS_TOKEN (never
                               from settings, which are written into the index manifest)

Deployment knobs that do not change an answer, for a Milvus server only:
$PLANQA_MILVUS_REPLICAS (in-memory replicas a collection is loaded with, default 1)
and $PLANQA_MILVUS_SHARDS (shards of a new generation's collection, default 1).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from qa.errors import PlanQAError

STORE_FORMS = ("faiss", "milvus:PATH.db", "milvus://HOST:PORT")
TOKEN_ENV = "PLANQA_MILVUS_TOKEN"
REPLICAS_ENV = "PLANQA_MILVUS_REPLICAS"
SHARDS_ENV = "PLANQA_MILVUS_SHARDS"
_SERVER = re.compile(r"milvus://(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})/?")


@dataclass(frozen=True)
class StoreSpec:
    """A parsed store value.

    Args:
        kind: "faiss" or "milvus".
        uri: what `pymilvus.MilvusClient` is given: a `.db` path (Milvus Lite) or `http://HOST:PORT`.
        lite: whether the uri is a Milvus Lite file.
    """

    kind: str
    uri: str = ""
    lite: bool = False

    @property
    def token(self) -> str:
        return os.environ.get(TOKEN_ENV, "") if self.kind == "milvus" and not self.lite else ""

    @property
    def replicas(self) -> int:
        return _count(REPLICAS_ENV) if self.kind == "milvus" and not self.lite else 1

    @property
    def shards(self) -> int:
        return _count(SHARDS_ENV) if self.kind == "milvus" and not self.lite else 1


def _count(name: str) -> int:
    value = os.environ.get(name, "1")
    if not value.isdigit() or int(value) < 1:
        raise PlanQAError(f"${name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def parse_store(value: str) -> StoreSpec:
    """Read a `--store` value (see module docstring); raise PlanQAError naming the allowed forms."""
    if value == "faiss":
        return StoreSpec("faiss")
    server = _SERVER.fullmatch(value)
    if server:
        if not 0 < int(server["port"]) < 65536:
            raise PlanQAError(f"Milvus port must be 1-65535, got {value!r}")
        return StoreSpec("milvus", f"http://{server['host']}:{server['port']}")
    if value.startswith("milvus:") and not value.startswith("milvus://"):
        path = value[len("milvus:"):]
        if path.endswith(".db") and len(path) > 3:
            return StoreSpec("milvus", path, lite=True)
    raise PlanQAError(f"Unknown store {value!r}. Supported stores: {list(STORE_FORMS)}")
