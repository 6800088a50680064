"""The one base class for errors a user should read as a message, not a traceback.

The CLI turns a :class:`PlanQAError` into one ``planqa: error: …`` line and the web
app into a visible message; any other exception is a bug and keeps its traceback.
"""
from __future__ import annotations


class PlanQAError(ValueError):
    """Bad input or an unusable resource; the message says what is wrong and what is allowed."""
