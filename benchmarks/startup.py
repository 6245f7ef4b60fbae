"""Start-up time of `advisor --help` and of one `advisor estimate`, against a bare interpreter
measured in the same run (and `import click`, the floor any click CLI pays).

Goals, against the floor of any click CLI (`python -c 'import click'`) in the same run: `advisor --help`
within 1.2x of it, and a flags-only `advisor estimate` within 3x of it, from the command line or from Python
(`advisor.estimate(...)`; `import advisor` alone is shown too: the package, nothing more). Importing pydantic
is shown beside them: it alone takes most of that 3x, which is why an estimate reads price tables validated before from
the cache (pricing/table_cache.py) and never imports it. The runs share the user's cache folder, warmed
by the first run; the last case runs with an empty one each time, as the very first estimate does.
Run: `make bench`, or `.venv/bin/python benchmarks/startup.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
ADVISOR = str(Path(PYTHON).with_name("advisor"))
ESTIMATE = shlex.split(
    "estimate --model gpt-4.1 --ft-model gpt-4.1-mini --requests 2M --prompt-tokens 1800 --cached-tokens 1500 "
    "--output-tokens 120 --ft-prompt-tokens 300 --training-tokens 2M --examples 5000 --format json"
)
# the same estimate from Python (docs/python-api.md): the keywords are the flags with underscores
API_ESTIMATE = (
    "import advisor; advisor.estimate(model='gpt-4.1', ft_model='gpt-4.1-mini', requests='2M', prompt_tokens=1800, "
    "cached_tokens=1500, output_tokens=120, ft_prompt_tokens=300, training_tokens='2M', examples=5000).to_json()"
)
FIRST_RUN = "advisor estimate (first run: no cache)"
CASES = {
    "python -c pass (baseline)": [PYTHON, "-c", "pass"],
    "python -c 'import click' (floor)": [PYTHON, "-c", "import click"],
    # what any command pays that validates a file with pydantic (a table not validated before, a scenario)
    "import click + pydantic's BaseModel": [
        PYTHON,
        "-c",
        "import click; from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator",
    ],
    "advisor --help": [ADVISOR, "--help"],
    "advisor estimate (flags only)": [ADVISOR, *ESTIMATE],
    "python -c 'import advisor'": [PYTHON, "-c", "import advisor"],
    "advisor.estimate() from Python": [PYTHON, "-c", API_ESTIMATE],
    # the same with an empty cache folder each run: every price table is parsed and validated (no goal)
    FIRST_RUN: [ADVISOR, *ESTIMATE],
}


def run_once(name: str, command: list[str]) -> float:
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "ADVISOR_CACHE_DIR": empty} if name == FIRST_RUN else None
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    for name, command in CASES.items():  # warm the file cache, .pyc files and the price-table cache
        run_once(name, command)
    timings: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):  # interleaved, so drift hits every case alike
        for name, command in CASES.items():
            timings[name].append(run_once(name, command))
    baseline = statistics.median(timings["python -c pass (baseline)"])
    print(f"{'case':38} {'median ms':>10} {'min ms':>8} {'x baseline':>11}   ({runs} runs each, interleaved)")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:38} {median * 1000:10.1f} {min(values) * 1000:8.1f} {median / baseline:10.2f}x")
    floor = statistics.median(timings["python -c 'import click' (floor)"])
    print()
    goals = (("advisor --help", 1.2), ("advisor estimate (flags only)", 3.0), ("advisor.estimate() from Python", 3.0))
    for name, goal in goals:
        ratio = statistics.median(timings[name]) / floor
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"`{name}` is {ratio:.2f}x `import click` (goal: within {goal:g}x): {verdict}")
    pydantic = statistics.median(timings["import click + pydantic's BaseModel"]) / floor
    print(f"(importing pydantic's BaseModel and validators after click alone is {pydantic:.2f}x `import click`)")


if __name__ == "__main__":
    main()
