"""`advisor dataset check` against a straightforward single-threaded loop (json.loads + tiktoken
encode per message: the OpenAI Cookbook's method) on the same generated file, in the same run.

Both run as commands in their own process (interpreter start, imports and loading the tokenizer
included, as when someone runs either on a file), in interleaved rounds; medians are reported, since
machines shared with other work vary by 20% from one minute to the next. The script checks that both
give the same token total.

Peak memory is measured in one more run of advisor, not in the timed rounds: it is the proportional
set size (PSS) summed over advisor and its worker processes, sampled from /proc, so pages the workers
share with their parent (the tokenizer tables) are counted once. Reading /proc/PID/smaps_rollup costs
about 17 ms of CPU per sample on a 140 MB process, so sampling every 20 ms during a timed run would
take half a core away from the program being timed.

Goal (issue 16, on 2 cores): at least 1.5x faster than the loop at 10,000 examples and 1.9x at
400,000, peak memory at most 160 MiB at any size; benchmarks/costs.py prints each as a row. The loop
builds its encoding as tiktoken.get_encoding does (parsing the vocabulary file), not with advisor's
cache of the parsed vocabulary.
Run: `make bench`, or `.venv/bin/python benchmarks/dataset_check.py [--examples N] [--size-mb M] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tiktoken

from advisor.tokens.tokenizer import parse_vocabulary, read_vocabulary, spec_for

WORDS = [
    "the",
    "invoice",
    "customer",
    "order",
    "shipment",
    "refund",
    "account",
    "payment",
    "delivery",
    "product",
    "warranty",
    "return",
    "policy",
    "please",
    "thanks",
    "support",
    "issue",
    "error",
    "update",
    "request",
    "approve",
    "reject",
    "summary",
    "detail",
    "schedule",
    "meeting",
    "report",
    "quarter",
    "revenue",
    "forecast",
    "budget",
    "contract",
    "renewal",
    "discount",
    "price",
    "tier",
    "plan",
    "migrate",
    "database",
    "backup",
    "latency",
    "timeout",
    "retry",
    "region",
    "cluster",
    "deploy",
    "release",
    "version",
    "feature",
    "flag",
    "rollback",
    "incident",
    "severity",
    "Oslo",
    "Berlin",
    "Paris",
    "København",
    "Zürich",
    "São",
    "naïve",
    "café",
    "résumé",
    "2026",
    "42",
    "3.14",
    "100%",
    "$250",
    "#A-113",
    "e-mail",
]
SYSTEMS = [
    "You are Acme's support assistant. Answer briefly and cite the policy section.",
    "You classify support tickets into billing, shipping, technical or other.",
    "You are a careful analyst. Reply in JSON with keys summary and action.",
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order by its number.",
            "parameters": {
                "type": "object",
                "properties": {
                    "order_id": {"type": "string", "description": "The order number, e.g. A-113."},
                    "region": {"type": "string", "description": "Sales region.", "enum": ["eu", "us", "apac"]},
                },
                "required": ["order_id"],
            },
        },
    }
]


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def example(rng: random.Random) -> dict:
    messages = [
        {"role": "system", "content": rng.choice(SYSTEMS)},
        {"role": "user", "content": sentence(rng, 8, rng.choice([40, 120, 600]))},
    ]
    record: dict = {"messages": messages}
    if rng.random() < 0.1:
        call = {
            "id": f"call_{rng.randrange(10**8)}",
            "type": "function",
            "function": {"name": "lookup_order", "arguments": json.dumps({"order_id": f"A-{rng.randrange(999)}"})},
        }
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "content": sentence(rng, 5, 30)},
        ]
        record["tools"] = TOOLS
    messages.append({"role": "assistant", "content": sentence(rng, 3, rng.choice([20, 80, 300]))})
    return record


def generate(path: Path, examples: int, size_mb: int | None) -> int:
    rng = random.Random(20261122)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        while count < examples or (size_mb and handle.tell() < size_mb * 1024 * 1024):
            handle.write(json.dumps(example(rng), ensure_ascii=False) + "\n")
            count += 1
    return count


def tiktoken_encoding(name: str) -> tiktoken.Encoding:
    """The encoding as tiktoken.get_encoding builds it once the vocabulary is on disk: read the file,
    check its sha256, parse the base64 lines, build the Encoding. advisor's own loader keeps the parsed
    ranks in the user's cache folder (advisor.tokens.ranks_cache); tiktoken has no such cache, so the
    loop does not use it."""
    spec = spec_for(name)
    ranks = parse_vocabulary(read_vocabulary(spec))
    return tiktoken.Encoding(name=name, pat_str=spec.pattern, mergeable_ranks=ranks, special_tokens=spec.special_tokens)


def cookbook_loop(path: Path) -> int:
    """What a developer would write from the Cookbook: parse each line, encode each message's strings."""
    encoding = tiktoken_encoding("o200k_base")
    total = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            tokens = 3  # reply priming
            for message in record["messages"]:
                tokens += 3
                for key, value in message.items():
                    if isinstance(value, str):
                        tokens += len(encoding.encode(value))
                    elif key == "tool_calls":
                        for call in value:
                            tokens += len(encoding.encode(call["function"]["name"]))
                            tokens += len(encoding.encode(call["function"]["arguments"]))
                    if key == "name":
                        tokens += 1
            for tool in record.get("tools", []):  # the Cookbook's num_tokens_for_tools, gpt-4o family
                function = tool["function"]
                tokens += 7 + len(encoding.encode(f"{function['name']}:{function['description'].removesuffix('.')}"))
                properties = function["parameters"]["properties"]
                if properties:
                    tokens += 3
                    for key, spec in properties.items():
                        tokens += 3
                        if "enum" in spec:
                            tokens += -3 + sum(3 + len(encoding.encode(item)) for item in spec["enum"])
                        description = spec["description"].removesuffix(".")
                        tokens += len(encoding.encode(f"{key}:{spec['type']}:{description}"))
            if record.get("tools"):
                tokens += 12
            total += tokens
    return total


def tree_pss_kib(pid: int) -> int:
    """Proportional memory of a process and all its descendants, in KiB (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def advisor_command(path: Path) -> list[str]:
    advisor = str(Path(sys.executable).with_name("advisor"))
    return [advisor, "dataset", "check", str(path), "--model", "gpt-4.1-mini", "--format", "json"]


def loop_command(path: Path) -> list[str]:
    return [sys.executable, __file__, "--loop", str(path)]


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds of the process and its children, and what it printed."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {process.stderr}")
    return elapsed, _children_cpu() - cpu_before, process.stdout


def peak_memory_kib(command: list[str]) -> int:
    """Highest PSS of the command's process tree, sampled every 20 ms."""
    peak = 0
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        peak = max(peak, tree_pss_kib(process.pid))
        time.sleep(0.02)
    return peak


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200_000)
    parser.add_argument("--size-mb", type=int, help="grow the file to at least this size")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--file", type=Path, help="use this generated file instead of making one")
    parser.add_argument("--loop", type=Path, help=argparse.SUPPRESS)  # run the cookbook loop, print its total
    args = parser.parse_args()
    if args.loop:
        print(cookbook_loop(args.loop))
        return
    if args.file:
        with args.file.open("rb") as handle:
            path, count = args.file, sum(1 for _ in handle)
    else:
        folder = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
        path = folder / "train.jsonl"
        count = generate(path, args.examples, args.size_mb)
    size = path.stat().st_size
    print(f"file: {count:,} examples, {size / 2**20:,.1f} MiB, {os.cpu_count()} cores")

    loop_wall, loop_cpu, advisor_wall, advisor_cpu = [], [], [], []
    for _ in range(args.rounds):
        wall, cpu, out = timed(loop_command(path))
        loop_wall.append(wall)
        loop_cpu.append(cpu)
        loop_total = int(out)
        wall, cpu, out = timed(advisor_command(path))
        advisor_wall.append(wall)
        advisor_cpu.append(cpu)
        advisor_total = json.loads(out)["tokens"]["total"]
    peak_kib = peak_memory_kib(advisor_command(path))
    median = statistics.median
    print(f"{'':36} {'wall (median)':>14} {'CPU (median)':>13}   rounds: {args.rounds}")
    print(
        f"{'single-threaded cookbook loop':36} {median(loop_wall):12.2f} s {median(loop_cpu):11.2f} s   "
        f"tokens {loop_total:,}"
    )
    print(
        f"{'advisor dataset check (all cores)':36} {median(advisor_wall):12.2f} s {median(advisor_cpu):11.2f} s   "
        f"tokens {advisor_total:,}"
    )
    print(f"same token total: {'yes' if loop_total == advisor_total else 'NO'}")
    ratios = [loop / ours for loop, ours in zip(loop_wall, advisor_wall, strict=True)]
    print(
        f"speed-up: {median(loop_wall) / median(advisor_wall):.2f}x wall-clock (per round: "
        f"{', '.join(f'{r:.2f}x' for r in ratios)}); goal: at least 1.5x at 10k examples, 1.9x at 400k, on 2 cores"
    )
    print(
        f"advisor's CPU is {median(advisor_cpu) / median(loop_cpu):.2f}x the loop's: it also validates "
        "every field, looks for personal data, duplicates and conflicts, and prices the file"
    )
    print(f"advisor's peak memory: {peak_kib / 1024:,.0f} MiB (PSS of all its processes, a separate run)")
    if not args.keep and not args.file:
        path.unlink()
        path.parent.rmdir()
    elif not args.file:
        print(f"kept {path}")


if __name__ == "__main__":
    main()
