"""Issue 26's goal for `advisor serve`: a what-if recompute of a shipped example is served in <= 50 ms at
the 95th percentile, measured beside the CLI's own in-process `recommend` of the same example in the same
run (the ratio is printed).

The server is a real `advisor serve` process on 127.0.0.1; each request is what htmx sends when the
requests control moves (`HX-Request`, a new value every time, so nothing is answered from a cache of
pages: the server recomputes the recommendation, renders the column, chart and notes). The CLI side is
`advisor recommend FILE --format json` run in this process (`advisor.cli.main`) with its output discarded:
its time includes loading the price tables, which the server loads once a date.

Run: `make bench`, or `.venv/bin/python benchmarks/web_whatif.py [--requests 200] [--example FILE]`.
Exit status 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_MS = 50.0
TODAY = "2026-12-07"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def served(example: str, requests: int) -> list[float]:
    """Milliseconds per what-if request, each a different requests-a-month value."""
    import httpx

    server = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", example, "--port", "0", "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    try:
        assert server.stdout is not None
        found = re.fullmatch(r"advisor serving at (\S+)", server.stdout.readline().strip())
        assert found, "advisor serve did not start"
        with httpx.Client(base_url=found.group(1), headers={"HX-Request": "true"}, timeout=30) as client:
            client.get("/", params={"today": TODAY, "c": "0"}).raise_for_status()  # the price tables load once
            times = []
            for n in range(requests):
                params = {"today": TODAY, "c": "0", "r0": str(300_000 + 997 * n)}
                start = time.perf_counter()
                answer = client.get("/", params=params)
                times.append((time.perf_counter() - start) * 1000)
                answer.raise_for_status()
                assert 'id="result-0"' in answer.text
            return times
    finally:
        server.terminate()
        server.wait(timeout=10)


def cli_in_process(example: str, runs: int) -> list[float]:
    """Milliseconds per `advisor recommend EXAMPLE --format json`, in this process."""
    from advisor.cli import main

    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(["recommend", str(REPO / example), "--format", "json", "--today", TODAY])
        times.append((time.perf_counter() - start) * 1000)
        assert status == 0
    return times[1:]  # the first pays for imports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--example", default="examples/invoice-extraction/scenario.toml")
    args = parser.parse_args()
    web = served(args.example, args.requests)
    cli = cli_in_process(args.example, max(10, args.requests // 10))
    p95, p50, cli_p50 = percentile(web, 0.95), statistics.median(web), statistics.median(cli)
    print(f"advisor serve what-if on {args.example}: {len(web)} requests")
    print(f"  served: p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal: p95 <= {GOAL_MS:.0f} ms)")
    print(f"  advisor recommend in-process: p50 {cli_p50:.1f} ms over {len(cli)} runs")
    print(f"  ratio served p50 / recommend p50: {p50 / cli_p50:.2f}")
    verdict = p95 <= GOAL_MS
    print(f"  {'met' if verdict else 'MISSED'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
