"""`advisor dataset check` as a function: detect the method, choose models and tokenizers, scan the
file on every core, and report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Literal

from advisor.datasets.examples import detect_method
from advisor.datasets.formats import DatasetFormat, formats_for
from advisor.datasets.grader import GraderCheck, GraderSpec, grader_problems, load_grader, unchecked_note
from advisor.datasets.report import DatasetReport, ProblemEntry, build_report, training_models
from advisor.datasets.rules import DataRules, SecondOpinion, rules_for
from advisor.datasets.scan import BOM, ScanResult, ScanSettings, scan_file
from advisor.errors import UserError
from advisor.methods import Method
from advisor.parsing import json_text
from advisor.parsing.file_text import unreadable
from advisor.parsing.jsonl import BLOCK_BYTES, MAX_LINE_BYTES, is_stream, open_stream
from advisor.pricing.catalog import Catalog, ModelMatch
from advisor.tokens.workers import BlockRunner

DETECT_LINES = 1000


def detect_file_method(path: str) -> tuple[Method, str]:
    """The method of the first valid example in the file, and how it was decided."""
    try:
        with open(path, "rb") as handle:
            return detect_in_lines(handle.readline(MAX_LINE_BYTES + 1) for _ in range(DETECT_LINES))
    except OSError as exc:
        raise unreadable(path, exc, "a JSONL file") from None


def detect_in_lines(lines: Iterable[bytes]) -> tuple[Method, str]:
    """The method of the first valid example among the first lines, and how it was decided."""
    for number, raw in enumerate(lines, start=1):
        if number > DETECT_LINES:
            break
        try:
            example = json_text.loads(raw.removeprefix(BOM))
        except ValueError:
            continue
        if isinstance(example, dict):
            method = detect_method(example)
            return method, f"detected from line {number}"
    return "sft", "assumed: no valid example to detect it from (use --method)"


def check_dataset(
    path: str,
    catalog: Catalog,
    today: date,
    *,
    method: Method | None = None,
    models: Sequence[str] = (),
    epochs: int | Literal["auto"] = "auto",
    grader_path: str | None = None,
    grader_checks: Sequence[GraderCheck] | None = None,
    jobs: int | None = None,
    chunk_bytes: int | None = None,
    progress: Callable[[ScanResult], None] | None = None,
    formats: Sequence[DatasetFormat | DataRules],
    runner: BlockRunner | None = None,
    provider: str | None = None,
) -> DatasetReport:
    """Check and measure the file for `method` (detected when None) and price it for `models` (every
    model that trains the method, when empty). `formats` are the plugins' data formats, which the caller
    loads (advisor.plugins: plugins sit above the engines), with their tokenizers, and their providers'
    data rules; those of the one provider being checked apply (OpenAI's otherwise). `provider` checks
    for every model of that provider (with `models`: those models, which must be its). A pipe, stdin
    (`-`) or other stream is read once, as it comes; `runner` is one the caller started before its own
    set-up. `grader_checks`: the plugins' checks of the grader itself, whose problems are errors of the
    report (None: the caller checks the grader, as launch does)."""
    handle, head = None, b""
    if is_stream(path):
        handle = open_stream(path)
        head = handle.read(BLOCK_BYTES)  # the method is detected from its first lines
        detected, source = detect_in_lines(head.split(b"\n")[:DETECT_LINES])
    else:
        detected, source = detect_file_method(path)
    if method is None:
        method = detected
    else:
        source = "given with --method" + (f" (the file looks like {detected})" if detected != method else "")
    grader = load_grader(grader_path) if grader_path else None
    if grader and method != "rft":
        raise UserError("--grader goes with RFT data", hint="drop --grader, or check an RFT file (--method rft)")
    matches = training_models(catalog, method, today, models)
    if provider is not None:
        matches = _of_provider(catalog, method, today, provider, models, matches)
    encodings = list(dict.fromkeys(catalog.encoding_for(f"{m.provider}/{m.name}") for m in matches)) or ["o200k_base"]
    if not models:
        encodings.sort(key=lambda name: name != "o200k_base")  # the common tokenizer first, for statistics
    data_formats = [f for f in formats if isinstance(f, DatasetFormat)]
    checked = {provider} if provider is not None else {m.provider for m in matches}
    rules = rules_for([f for f in formats if isinstance(f, DataRules)], checked)
    applied = formats_for(data_formats, method, checked)
    settings = ScanSettings(path, method, tuple(encodings), grader, formats=applied, rules=rules)
    scan_options = {} if chunk_bytes is None else {"chunk_bytes": chunk_bytes}
    scan = scan_file(settings, jobs=jobs, progress=progress, runner=runner, handle=handle, head=head, **scan_options)
    report = build_report(
        scan,
        file=path,
        method=method,
        method_source=source,
        models=matches,
        epochs=epochs,
        grader_given=grader is not None,
        rules=rules,
        second_opinion=_second_opinion(rules, path) if handle is None else None,
    )
    if grader is not None and grader_checks is not None:
        _add_grader_problems(report, grader, grader_checks)
    return report


def _add_grader_problems(report: DatasetReport, grader: GraderSpec, checks: Sequence[GraderCheck]) -> None:
    """The grader's own problems (the plugins' checks), first among the report's errors: each names the
    grader file and the field."""
    found = [
        ProblemEntry(
            severity="error",
            code="grader-invalid",
            line=None,
            example=None,
            field=problem.field or None,
            message=f"{grader.path}: {problem.message}",
            hint=problem.hint,
        )
        for problem in grader_problems(grader.definition, checks)
    ]
    report.problems[:0] = found
    report.errors += len(found)
    note = unchecked_note(checks)
    if note:
        report.notes.append(note)


def _of_provider(
    catalog: Catalog, method: Method, today: date, provider: str, models: Sequence[str], matches: list[ModelMatch]
) -> list[ModelMatch]:
    """The models of `provider` a check prices: those given (each must be the provider's), or every one
    that trains `method` today (none: the file is still checked by the provider's rules)."""
    if provider not in catalog.providers:
        known = ", ".join(sorted(catalog.providers))
        raise UserError(f"no price table for provider {provider!r}", hint=f"use one of: {known}")
    if models:
        others = sorted({f"{m.provider}/{m.name}" for m in matches if m.provider != provider})
        if others:
            raise UserError(
                f"--model {', '.join(others)} is not at {provider}",
                hint=f"drop --provider, or name models of {provider}",
            )
        return matches
    return [m for m in training_models(catalog, method, today, ()) if m.provider == provider]


def _second_opinion(rules: DataRules, path: str) -> SecondOpinion | None:
    """The provider SDK's own checker on the file, when the provider has one and its SDK is installed."""
    if rules.second_opinion is None:
        return None
    try:
        return rules.second_opinion(path)
    except Exception as exc:  # the SDK's checker failing is a finding, not a crash of the check
        return SecondOpinion(f"{rules.provider}'s SDK checker", False, f"it raised {type(exc).__name__}: {exc}")
