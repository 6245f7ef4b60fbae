"""Issue 16's goals, each a ratio against a baseline measured in the same run (interleaved rounds,
medians): costs that do not grow with the work.

| row | goal |
|---|---|
| `advisor tokens` on a JSONL file vs a plain tiktoken loop | >= 1.8x faster; peak <= 250 MiB (at 1 GB) |
| `advisor recommend` on 1,000 scenario files in one run | <= 5 s in all (a shell loop is shown beside it) |
| `recommend` with a prompt file, second run | no tokenizer load; <= 1.5x a run without prompt files |
| `dataset check` vs the cookbook loop | >= 1.9x at 400k examples, >= 1.5x at 10k |
| `dataset check` peak memory | <= 160 MiB at any size |

Peak memory is PSS summed over the process tree, sampled in a separate run (benchmarks/dataset_check.py
says why). Run: `make bench`, or `.venv/bin/python benchmarks/costs.py [--tokens-mb 200] [--peak-mb 1024]
[--examples 10000,400000] [--scenarios 1000] [--rounds 3]`. Big sizes take minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dataset_check import advisor_command, generate, loop_command, peak_memory_kib, tiktoken_encoding, timed

ADVISOR = str(Path(sys.executable).with_name("advisor"))
REPO = Path(__file__).resolve().parent.parent
ROWS: list[tuple[str, str, str, str]] = []  # (what, measured, goal, verdict)


def plain_tiktoken_loop(path: Path) -> int:
    """What anyone would write: tiktoken, json.loads per line, the cookbook's message rule."""
    import json

    from advisor.tokens.count import count_chat

    encoding = tiktoken_encoding("o200k_base")  # built as tiktoken builds it, without advisor's cache
    total = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            total += count_chat(encoding, json.loads(line))
    return total


def row(what: str, measured: str, goal: str, met: bool) -> None:
    ROWS.append((what, measured, goal, "met" if met else "NOT met"))
    print(f"  {what}: {measured} (goal {goal}): {'met' if met else 'NOT met'}", flush=True)


def bench_tokens(folder: Path, size_mb: int, peak_mb: int | None, rounds: int) -> None:
    path = folder / "tokens.jsonl"
    generate(path, 0, size_mb)
    ours = [ADVISOR, "tokens", "--encoding", "o200k_base", str(path), "--format", "json"]
    loop = [sys.executable, __file__, "--tokens-loop", str(path)]
    loop_wall, our_wall = [], []
    for _ in range(rounds):
        wall, _, out = timed(loop)
        loop_wall.append(wall)
        loop_total = int(out)
        wall, _, out = timed(ours)
        our_wall.append(wall)
        import json

        our_total = json.loads(out)["total_tokens"]
    ratio = statistics.median(loop_wall) / statistics.median(our_wall)
    same = "same total" if loop_total == our_total else f"DIFFERENT totals {loop_total} vs {our_total}"
    row(
        f"advisor tokens, {size_mb} MB vs a plain tiktoken loop",
        f"{ratio:.2f}x ({statistics.median(our_wall):.1f} s vs {statistics.median(loop_wall):.1f} s, {same})",
        ">= 1.8x",
        ratio >= 1.8 and loop_total == our_total,
    )
    if peak_mb and peak_mb != size_mb:
        path.unlink()
        generate(path, 0, peak_mb)
    peak = peak_memory_kib(ours) / 1024
    loop_peak = peak_memory_kib(loop) / 1024
    row(
        f"advisor tokens peak memory, {peak_mb or size_mb} MB",
        f"{peak:,.0f} MiB (the loop: {loop_peak:,.0f} MiB)",
        "<= 250 MiB",
        peak <= 250,
    )
    path.unlink()


def bench_recommend(folder: Path, count: int, rounds: int) -> None:
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    examples = sorted((REPO / "examples" / "scenarios").glob("*.toml"))
    for n in range(count):
        shutil.copy(examples[n % len(examples)], scenarios / f"s{n:04d}.toml")
    many = [ADVISOR, "recommend", str(scenarios), "--format", "json", "--today", "2026-12-01"]
    one = [ADVISOR, "recommend", str(scenarios / "s0000.toml"), "--format", "json", "--today", "2026-12-01"]
    many_wall = [timed(many)[0] for _ in range(rounds)]
    one_wall = statistics.median(timed(one)[0] for _ in range(5))
    seconds = statistics.median(many_wall)
    row(
        f"advisor recommend on {count:,} scenario files, one run",
        f"{seconds:.2f} s (a shell loop: about {one_wall * count:,.0f} s, {one_wall * count / seconds:,.0f}x longer)",
        "<= 5 s",
        seconds <= 5,
    )

    invoice = REPO / "examples" / "invoice-extraction"
    work = folder / "invoice"
    shutil.copytree(invoice, work)
    with_prompt = [ADVISOR, "recommend", str(work / "scenario.toml"), "--format", "json", "--today", "2026-12-01"]
    without = work / "flags.toml"
    text = (work / "scenario.toml").read_text(encoding="utf-8")
    without.write_text(_without_prompt_files(text), encoding="utf-8")
    no_prompt = [ADVISOR, "recommend", str(without), "--format", "json", "--today", "2026-12-01"]
    timed(with_prompt)  # the first run counts and caches
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "advisor", *with_prompt[1:]], capture_output=True, text=True
    ).stderr
    loaded = "tiktoken" in imports
    ours, base = [], []
    for _ in range(max(rounds, 5)):
        ours.append(timed(with_prompt)[0])
        base.append(timed(no_prompt)[0])
    ratio = statistics.median(ours) / statistics.median(base)
    row(
        "recommend with a prompt file, second run, vs without prompt files",
        f"{ratio:.2f}x ({statistics.median(ours) * 1000:.0f} ms vs {statistics.median(base) * 1000:.0f} ms); "
        f"tokenizer loaded: {'yes' if loaded else 'no'}",
        "<= 1.5x, no tokenizer load",
        ratio <= 1.5 and not loaded,
    )


def _without_prompt_files(text: str) -> str:
    """The invoice scenario with its prompt files replaced by the counts they give."""
    lines = []
    for line in text.splitlines():
        if line.startswith("prompt_file"):
            line = "prompt_tokens = 1739"
        elif line.startswith("ft_prompt_file"):
            line = "ft_prompt_tokens = 142"
        lines.append(line)
    return "\n".join(lines) + "\n"


def bench_dataset(folder: Path, examples: int, rounds: int) -> None:
    path = folder / f"train-{examples}.jsonl"
    generate(path, examples, None)
    loop_wall, our_wall = [], []
    for _ in range(rounds):
        wall, _, out = timed(loop_command(path))
        loop_wall.append(wall)
        loop_total = int(out)
        wall, _, out = timed(advisor_command(path))
        our_wall.append(wall)
        import json

        our_total = json.loads(out)["tokens"]["total"]
    ratio = statistics.median(loop_wall) / statistics.median(our_wall)
    goal = 1.9 if examples >= 400_000 else 1.5
    same = "same total" if loop_total == our_total else "DIFFERENT totals"
    row(
        f"dataset check vs the cookbook loop, {examples:,} examples ({path.stat().st_size / 2**20:,.0f} MiB)",
        f"{ratio:.2f}x ({statistics.median(our_wall):.2f} s vs {statistics.median(loop_wall):.2f} s, {same})",
        f">= {goal}x" + ("" if examples in (10_000, 400_000) else " (goal set at 10k / 400k)"),
        ratio >= goal and loop_total == our_total,
    )
    peak = peak_memory_kib(advisor_command(path)) / 1024
    row(f"dataset check peak memory, {examples:,} examples", f"{peak:,.0f} MiB", "<= 160 MiB", peak <= 160)
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens-mb", type=int, default=200)
    parser.add_argument("--peak-mb", type=int, default=1024, help="file size for the tokens peak-memory row")
    parser.add_argument("--examples", default="10000,400000", help="dataset check sizes, comma-separated")
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["tokens", "recommend", "dataset"], action="append")
    parser.add_argument("--tokens-loop", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tokens_loop:
        print(plain_tiktoken_loop(args.tokens_loop))
        return
    only = set(args.only or ["tokens", "recommend", "dataset"])
    folder = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    start = time.perf_counter()
    try:
        if "recommend" in only:
            bench_recommend(folder, args.scenarios, args.rounds)
        if "tokens" in only:
            bench_tokens(folder, args.tokens_mb, args.peak_mb, args.rounds)
        if "dataset" in only:
            for examples in (int(n) for n in args.examples.split(",")):
                bench_dataset(folder, examples, args.rounds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n| what | measured | goal | |\n|---|---|---|---|  ({time.perf_counter() - start:.0f} s in all)")
    for cells in ROWS:
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
