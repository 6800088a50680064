"""`python app.py` serves the PlanQA chat on http://127.0.0.1:7860 (logic lives in qa/app/web.py)."""
from __future__ import annotations

from qa.answer.pipeline import Pipeline
from qa.app.web import build_demo, launch
from qa.settings import Settings

# Module-level so `gradio app.py` (reload mode) can find it; loading takes a few seconds.
demo = build_demo(Pipeline.load(Settings(), build_if_missing=True))

if __name__ == "__main__":
    launch(demo)
