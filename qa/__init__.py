"""PlanQA: ask questions of government plan documents, answered by cited verbatim quotes."""
from __future__ import annotations

__version__ = "0.1.0"
