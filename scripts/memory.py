"""Memory and cold-start numbers of the single-machine default (issue 16, memory diet).

Prints, as the median of --repeat cold processes:
- `planqa ask` one-shot: wall seconds from process start to exit, CPU seconds (user + system:
  close to the wall time of an idle machine, since the one-shot ask runs on one thread), and peak RSS;
- a loaded pipeline: seconds to ready, RSS when ready and after the first answer.

    python scripts/memory.py --repeat 5                  # this checkout, the model of PLANQA_MODEL_DIR
    python scripts/memory.py --repo /path/to/other/checkout   # the same numbers for another checkout

Timings on a shared 2-core machine are noisy; the load average is printed with them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "到2015年咸阳全市宽带用户的目标是多少？"
READY = """
import json, time, sys
from pathlib import Path
launch = float(sys.argv[1])
from qa.answer.pipeline import Pipeline
from qa.settings import Settings
imported = time.time()
pipe = Pipeline.load(Settings(), build_if_missing=False)
ready = time.time()
def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
rss_ready = rss()
pipe.ask(sys.argv[2])
print(json.dumps({"imports_s": imported - launch, "ready_s": ready - launch, "rss_ready_mb": rss_ready,
                  "rss_answered_mb": rss(), "first_answer_s": time.time() - launch}))
"""


def _run(argv: list[str], repo: Path) -> tuple[str, float, float, float]:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started = time.time()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=repo, env=env)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"`{' '.join(argv)}` failed")
    return out, time.time() - started, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = Path(args.repo)
    asks, ready = [], []
    for _ in range(args.repeat):
        _, wall, peak, cpu = _run([sys.executable, "-m", "qa", "ask", QUESTION], repo)
        asks.append({"cold_ask_s": wall, "cold_ask_cpu_s": cpu, "cold_ask_peak_rss_mb": peak})
        out, _, peak, _ = _run([sys.executable, "-c", READY, repr(time.time()), QUESTION], repo)
        ready.append({**json.loads(out.strip().splitlines()[-1]), "peak_rss_mb": peak})
    rows = asks + ready
    summary = {key: round(statistics.median(r[key] for r in rows if key in r), 2) for key in sorted({k for r in rows for k in r})}
    summary.update(repo=str(repo), model=os.environ.get("PLANQA_MODEL_DIR", "models/multilingual-e5-small"),
                   repeat=args.repeat, load_average=[round(x, 2) for x in os.getloadavg()])
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
