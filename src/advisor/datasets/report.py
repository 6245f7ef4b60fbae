"""From a scanned file to a DatasetReport: file-wide checks (size, duplicates, conflicting answers,
label imbalance, differing system prompts, over-long examples), statistics and training cost."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from advisor.costs.money import format_price, per_million
from advisor.costs.training import (
    MissingFigure,
    TrainingWork,
    auto_epochs,
    auto_epochs_rule,
    billed_tokens_per_epoch,
    price_training,
)
from advisor.datasets.problems import Problem, ProblemLog
from advisor.datasets.rules import OPENAI_RULES, DataRules, SecondOpinion
from advisor.datasets.scan import SYSTEMS_TRACKED, ScanResult
from advisor.methods import Method
from advisor.pricing.catalog import Catalog, ModelMatch, training_blockers
from advisor.pricing.row_counting import row_counting
from advisor.safe_text import shell_command

# domain-facts.md section 5 and decision-guidance.md: OpenAI's minimum, and advisor's rule of thumb
# for every provider (a warning where the provider takes fewer: DataRules.min_examples)
MIN_EXAMPLES = 10
FEW_EXAMPLES = 50
RECOMMENDED = {
    "sft": "at least 10 examples (hard minimum); 50-100 to see an effect; 500+ for production",
    "dpo": "preference pairs: ideally thousands; do SFT on the preferred answers first",
    "rft": "dozens to hundreds of graded prompts; at most 50,000 training and 1,000 validation examples",
}
GROUPS_REPORTED = 100
LABEL_SET_MAX = 20
DOMINANT_SHARE = Decimal("0.8")


class ProblemEntry(BaseModel):
    severity: Literal["error", "warning"]
    code: str
    line: int | None
    example: int | None
    field: str | None
    message: str
    hint: str


class TokenStats(BaseModel):
    """Tokens per valid example (in `encoding`'s chat format: advisor.tokens.chat_format), nearest-rank
    percentiles."""

    encoding: str
    total: int
    min: int
    p10: int
    median: int
    p90: int
    max: int
    mean: Decimal


class OverLimit(BaseModel):
    provider: str
    model: str
    limit: int
    examples: int


class TrainingQuote(BaseModel):
    """What training on this file costs on one model, and which price row says so."""

    provider: str
    model: str
    encoding: str
    basis: Literal["tokens", "hours", "gpu_hours"]
    billed_tokens_per_epoch: int | None = None
    epochs: int | None = None
    billed_tokens: int | None = None
    price: Decimal
    usd: Decimal | None = None
    row: str
    as_of: date
    source: str
    note: str | None = None
    tokens_exact: bool = True  # counted with the model's own tokenizer and chat format
    tokens_note: str | None = None  # what the count is, and its measured error when approximate


class SecondOpinionEntry(BaseModel):
    """A provider SDK's own verdict on the file, beside advisor's."""

    checker: str
    passed: bool
    message: str
    scope: str
    agrees: bool


class DatasetReport(BaseModel):
    file: str
    method: Method
    method_source: str
    lines: int
    examples: int
    valid_examples: int
    errors: int
    warnings: int
    problems: list[ProblemEntry]
    omitted: dict[str, int]
    tokens: TokenStats | None
    assistant_tokens: int
    missing_system: int
    missing_user: int
    over_limit: list[OverLimit]
    recommended_size: str
    epochs: int | None
    epochs_rule: str | None
    costs: list[TrainingQuote]
    notes: list[str]
    rules: str = "openai"  # whose data rules were applied (advisor.datasets.rules)
    rules_source: str = OPENAI_RULES.source
    second_opinion: SecondOpinionEntry | None = None


def nearest_rank(sorted_values: Sequence[int], percent: int) -> int:
    """The nearest-rank percentile: the smallest value with at least `percent`% of the values at or below it."""
    rank = max(1, -(-percent * len(sorted_values) // 100))
    return sorted_values[rank - 1]


def token_stats(encoding: str, counts: array[int]) -> TokenStats | None:
    if not counts:
        return None
    ordered = sorted(counts)
    total = sum(ordered)
    return TokenStats(
        encoding=encoding,
        total=total,
        min=ordered[0],
        p10=nearest_rank(ordered, 10),
        median=nearest_rank(ordered, 50),
        p90=nearest_rank(ordered, 90),
        max=ordered[-1],
        mean=Decimal(total) / len(ordered),
    )


def equal_groups(keys: array[int]) -> list[list[int]]:
    """Indexes of values that share a non-zero key (groups of two or more), in order of first appearance.

    No set of every key: one pass marks each key's slot in a bitmap of at least 16 bits per key (2 MB
    for up to a million keys); only keys whose slot was already marked (repeats, and about 1 in 16
    others by chance) are kept, and a second pass groups just those."""
    bits = max(1 << 24, 1 << (16 * len(keys)).bit_length())
    seen = bytearray(bits >> 3)
    mask = bits - 1
    candidates: set[int] = set()
    for key in keys:
        slot = key & mask
        index = slot >> 3
        bit = 1 << (slot & 7)
        byte = seen[index]
        if byte & bit:
            candidates.add(key)
        else:
            seen[index] = byte | bit
    del seen
    candidates.discard(0)
    if not candidates:
        return []  # the usual case
    groups: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        if key in candidates:
            groups.setdefault(key, []).append(index)
    return sorted(group for group in groups.values() if len(group) > 1)


def _lines(scan: ScanResult, indexes: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(str(scan.line_of[i]) for i in indexes[:limit])
    return shown + (f" and {len(indexes) - limit} more" if len(indexes) > limit else "")


def _duplicates(scan: ScanResult, same_input: list[list[int]]) -> list[Problem]:
    """Exact and white-space duplicates. Examples with the same messages apart from white space share
    their input and answer digests, so only examples with the same input are compared; the digest of
    each whole line tells exact copies apart (no line is read again, so a pipe works too)."""
    groups: list[list[int]] = []
    for group in same_input:
        by_answer: dict[int, list[int]] = {}
        for index in group:
            by_answer.setdefault(scan.answer[index], []).append(index)
        groups += [members for members in by_answer.values() if len(members) > 1]
    groups.sort()
    problems: list[Problem] = []
    exact_groups = near_groups = 0
    for group in groups:
        versions: dict[int, list[int]] = {}
        for index in group:
            versions.setdefault(scan.line_digest[index], []).append(index)
        copies = [members for members in versions.values() if len(members) > 1]
        for members in copies:
            exact_groups += 1
            if exact_groups <= GROUPS_REPORTED:
                problems.append(
                    _group_problem(
                        scan,
                        members,
                        "duplicate",
                        "is an exact duplicate of line",
                        "remove the copies: duplicates weigh an example twice",
                    )
                )
        if len(versions) > 1:
            near_groups += 1
            if near_groups <= GROUPS_REPORTED:
                firsts = [members[0] for members in versions.values()]
                problems.append(
                    _group_problem(
                        scan,
                        firsts,
                        "near-duplicate",
                        "has the same messages as line {first}, apart from white space",
                        "keep one of them",
                    )
                )
    return problems


def recommended_size(method: Method, rules: DataRules = OPENAI_RULES) -> str:
    """How many examples to aim for, with the provider's own minimum where it is not OpenAI's 10."""
    if method == "sft" and rules.min_examples != MIN_EXAMPLES:
        return (
            f"at least {rules.min_examples:,} example{'s' if rules.min_examples != 1 else ''} ({rules.provider}'s "
            f"minimum); 50-100 to see an effect; 500+ for production"
        )
    return RECOMMENDED[method]


def _split_command(path: str, validation: str) -> str:
    """`advisor dataset split` of the file checked, as it can be pasted (FILE for a stream, which it cannot split)."""
    named = path if path not in ("-", "") and not path.startswith("/dev/") else "FILE"
    return shell_command("advisor", "dataset", "split", named, "--validation", validation)


def file_wide_problems(scan: ScanResult, method: Method, path: str, rules: DataRules = OPENAI_RULES) -> list[Problem]:
    """Problems only the whole file shows, by the provider's rules."""
    problems: list[Problem] = []
    valid = scan.valid
    provider = rules.provider
    if method not in rules.methods:
        offered = ", ".join(m.upper() for m in rules.methods)
        problems.append(
            Problem(
                "error",
                "method-not-offered",
                f"{method.upper()} data: {provider} trains only {offered} from a file"
                + (" (a file of user messages only reads as RFT prompts)" if method == "rft" else ""),
                f"add the assistant's answers (SFT), or check the file for a provider that offers {method.upper()}",
            )
        )
    if valid < rules.min_examples:
        problems.append(
            Problem(
                "error",
                "too-few-examples",
                f"{valid} valid examples: {provider} rejects fewer than {rules.min_examples}",
                f"add examples: {recommended_size(method, rules)}",
            )
        )
    elif valid < MIN_EXAMPLES:
        problems.append(
            Problem(
                "warning",
                "few-examples",
                f"{valid} valid examples: {provider} takes them, but fewer than {MIN_EXAMPLES} (OpenAI's minimum, "
                "advisor's rule of thumb) are unlikely to change the model",
                f"aim for {RECOMMENDED[method].removeprefix('at least 10 examples (hard minimum); ')}",
            )
        )
    elif valid < FEW_EXAMPLES:
        problems.append(
            Problem(
                "warning",
                "few-examples",
                f"{valid} valid examples: likely too few to see an effect",
                f"aim for {recommended_size(method, rules)}",
            )
        )
    limit = (rules.max_examples or {}).get(method)
    if limit is not None and valid > limit:
        problems.append(
            Problem(
                "error",
                "rft-too-many" if method == "rft" else "too-many-examples",
                f"{valid:,} examples: {provider} takes at most {limit:,} for {method.upper()}",
                f"keep {limit:,} for training: `{_split_command(path, str(valid - limit))}` writes them to its "
                ".train.jsonl",
            )
        )
    if rules.one_format_per_file and len(scan.formats) > 1:
        (first, first_line), *others = sorted(scan.formats.items(), key=lambda item: item[1])
        other, line = others[0]
        problems.append(
            Problem(
                "error",
                "mixed-formats",
                f"line {line} is in the {other} format, line {first_line} in the {first} format: "
                f"{provider} takes one format per file",
                "write every line in one format",
                line=line,
            )
        )
    same_input = equal_groups(scan.input)
    problems += _duplicates(scan, same_input)
    if method != "rft":
        conflicts = 0
        for group in same_input:
            answers = {scan.answer[i] for i in group}
            if len(answers) > 1:
                conflicts += 1
                if conflicts <= GROUPS_REPORTED:
                    problems.append(
                        _group_problem(
                            scan,
                            group,
                            "conflicting-answers",
                            f"has the same input as line {{first}} with a different answer ({len(answers)} answers)",
                            "keep one answer per input, or make the inputs tell them apart",
                        )
                    )
    problems += _label_imbalance(scan)
    problems += _system_prompts(scan)
    return problems


def _group_problem(scan: ScanResult, group: list[int], code: str, what: str, hint: str) -> Problem:
    first, rest = group[0], group[1:]
    text = what.format(first=scan.line_of[first]) if "{first}" in what else f"{what} {scan.line_of[first]}"
    others = f" (also lines {_lines(scan, rest[1:])})" if len(rest) > 1 else ""
    return Problem("warning", code, text + others, hint, line=scan.line_of[rest[0]])


def _label_imbalance(scan: ScanResult) -> list[Problem]:
    labelled = scan.labelled
    if scan.labels_overflow or labelled < 20 or labelled < 0.9 * scan.valid or not scan.labels:
        return []
    counts = scan.labels
    label, top = counts.most_common(1)[0]
    share = Decimal(top) / labelled
    if len(counts) == 1:
        return [
            Problem(
                "warning",
                "single-answer",
                f"every answer is {label!r}",
                "a model trained on one answer learns to say it always: add the other cases",
            )
        ]
    if len(counts) <= LABEL_SET_MAX and share >= DOMINANT_SHARE:
        return [
            Problem(
                "warning",
                "label-imbalance",
                f"{label!r} is {share:.0%} of {labelled:,} answers ({len(counts)} distinct)",
                "balance the classes, or the model will over-predict the common one",
            )
        ]
    return []


def _system_prompts(scan: ScanResult) -> list[Problem]:
    if scan.systems_overflow:
        return [
            Problem(
                "warning",
                "system-prompt-varies",
                f"more than {SYSTEMS_TRACKED:,} different system prompts",
                "use the system prompt you will use in production on every example",
            )
        ]
    if len(scan.systems) <= 1:
        return []
    (_, common_count), *others = scan.systems.most_common()
    lines = sorted(line for system, _ in others for line in scan.system_lines[system])
    shown = ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines[:5]))
    return [
        Problem(
            "warning",
            "system-prompt-varies",
            f"{len(scan.systems)} different system prompts; the most common is in {common_count:,} examples, "
            f"the others are on {shown}" + (" and more" if sum(c for _, c in others) > 5 else ""),
            "use the system prompt you will use in production on every example",
            line=lines[0],
        )
    ]


def training_models(catalog: Catalog, method: Method, today: date, models: Sequence[str]) -> list[ModelMatch]:
    """The models to price: those given, or every row that can start a `method` job today."""
    if models:
        return [catalog.find(model) for model in models]
    found = []
    for provider in catalog.providers:
        for name, row, _ in catalog.rows(provider):
            if row.fine_tuning and method in row.fine_tuning.methods:
                match = catalog.find(name, provider)
                if not training_blockers(match, method, today):
                    found.append(match)
    return found


def row_encoding(match: ModelMatch, encodings: tuple[str, ...]) -> str:
    """The counting name a row's counts are in (advisor.pricing.row_counting); the scan's first for a row with none."""
    counting = row_counting(match.row)
    return counting.name if counting else encodings[0]


def training_quote(match: ModelMatch, method: Method, encoding: str, counts: array[int], epochs: int) -> TrainingQuote:
    fine_tuning = match.row.fine_tuning
    table = match.table
    counting = row_counting(match.row)
    common: dict[str, Any] = dict(
        provider=match.provider,
        model=match.name,
        encoding=encoding,
        as_of=table.as_of,
        source=table.source,
        tokens_exact=counting.exact if counting else False,
        tokens_note=counting.describe() if counting else f"{match.provider}:{match.name} names no tokenizer",
    )
    if fine_tuning is None or method not in fine_tuning.methods:
        offers = ", ".join(fine_tuning.methods) if fine_tuning else "no fine-tuning"
        return TrainingQuote(
            **common,
            basis="tokens",
            price=Decimal(0),
            row=f"{match.provider}:{match.name}",
            note=f"does not offer {method} (offers {offers})",
        )
    per_epoch, _ = billed_tokens_per_epoch(counts, fine_tuning.max_example_tokens)
    work = TrainingWork(method=method, tokens_per_epoch=per_epoch, epochs=epochs)
    try:
        cost = price_training(work, fine_tuning, table.gpus)
    except MissingFigure as missing:  # hosted RFT bills hours, which no file says
        rate = missing.rate
        return TrainingQuote(
            **common,
            basis=rate.basis,
            price=rate.price,
            row=f"{match.provider}:{match.name} {rate.field}",
            note=f"RFT bills training hours ({format_price(rate.price)} an hour), "
            "not tokens: price a run with advisor estimate's --rft-hours H (the billable hours of a pilot run)",
        )
    assert cost.rate is not None
    if cost.basis == "gpu_hours":
        note: str | None = cost.explanation
        field = f"fine_tuning throughput, {cost.rate.field}"
        if method == "rft":  # the completions GRPO generates, and trains on, are not in the file
            note = f"{note} (the prompts only: GRPO's generation and its training on the completions are in " + (
                "advisor estimate)"
            )
    else:
        note = "DPO token counting is not published: input + both outputs, an estimate" if method == "dpo" else None
        field = cost.rate.field
        if cost.usd != per_million(cost.billed_tokens or 0, cost.rate.price):
            note = cost.explanation  # a minimum applied: say how
    return TrainingQuote(
        **common,
        basis=cost.rate.basis,
        billed_tokens_per_epoch=per_epoch,
        epochs=epochs,
        billed_tokens=cost.billed_tokens,
        price=cost.rate.price,
        usd=cost.usd,
        row=f"{match.provider}:{match.name} {field}",
        note=note,
    )


def build_report(
    scan: ScanResult,
    *,
    file: str,
    method: Method,
    method_source: str,
    models: list[ModelMatch],
    epochs: int | Literal["auto"],
    grader_given: bool,
    rules: DataRules = OPENAI_RULES,
    second_opinion: SecondOpinion | None = None,
) -> DatasetReport:
    log = ProblemLog()
    log.merge(scan.problems, 0, 0)
    log.extend(file_wide_problems(scan, method, file, rules))
    encodings = scan.encodings
    over_limit = []
    for match in models:
        cap = match.row.fine_tuning.max_example_tokens if match.row.fine_tuning else None
        if cap is None:
            continue
        counts = scan.tokens[encodings.index(row_encoding(match, encodings))]
        if not counts or max(counts) <= cap:
            continue
        over = [i for i, tokens in enumerate(counts) if tokens > cap]
        if over:
            over_limit.append(OverLimit(provider=match.provider, model=match.name, limit=cap, examples=len(over)))
            log.warning(
                "over-limit",
                f"{len(over):,} examples are longer than {match.provider}:{match.name}'s "
                f"{cap:,}-token limit (lines {_lines(scan, over)})",
                "they are truncated to the limit: shorten or split them",
                line=scan.line_of[over[0]],
            )
    valid = scan.valid
    chosen_epochs = None
    rule = None
    if valid:
        chosen_epochs = auto_epochs(valid) if epochs == "auto" else epochs
        rule = auto_epochs_rule(valid) if epochs == "auto" else f"epochs = {epochs} (given)"
    costs = (
        [
            training_quote(
                match,
                method,
                row_encoding(match, encodings),
                scan.tokens[encodings.index(row_encoding(match, encodings))],
                chosen_epochs or 1,
            )
            for match in models
        ]
        if valid
        else []
    )
    notes = []
    if scan.valid < scan.examples:
        notes.append(
            f"{scan.examples - scan.valid:,} examples have errors; statistics and costs count the "
            f"{scan.valid:,} valid ones"
        )
    if method == "rft":
        notes.append(f"RFT also needs a validation file (at most 1,000 examples): `{_split_command(file, '0.2')}`")
        if not grader_given:
            notes.append("no --grader given: the fields a grader reads were not checked")
    opinion = None
    if second_opinion is not None:
        agrees = second_opinion.passed == (log.total("error") == 0)
        opinion = SecondOpinionEntry(**vars(second_opinion), agrees=agrees)
        if not agrees:
            ours = "passes" if second_opinion.passed is False else "refuses"
            theirs = "passes" if second_opinion.passed else "refuses"
            log.warning(
                "second-opinion-differs",
                f"{second_opinion.checker} {theirs} the file and advisor {ours} it: {second_opinion.message}"
                + (f" ({second_opinion.scope})" if second_opinion.scope else ""),
                "advisor's errors name the provider's rule each one applies; report a rule advisor gets wrong",
            )
    problems = sorted(log.kept, key=_problem_order)
    return DatasetReport(
        file=file,
        method=method,
        method_source=method_source,
        lines=scan.lines,
        examples=scan.examples,
        valid_examples=valid,
        errors=log.total("error"),
        warnings=log.total("warning"),
        problems=[ProblemEntry(**vars(problem)) for problem in problems],
        omitted=log.omitted(),
        tokens=token_stats(encodings[0], scan.tokens[0]),
        assistant_tokens=sum(scan.assistant_tokens),
        missing_system=scan.missing_system,
        missing_user=scan.missing_user,
        over_limit=over_limit,
        recommended_size=recommended_size(method, rules),
        epochs=chosen_epochs,
        epochs_rule=rule,
        costs=costs,
        notes=[*notes, *rules.notes],
        rules=rules.provider,
        rules_source=rules.source,
        second_opinion=opinion,
    )


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    return (0 if problem.severity == "error" else 1, problem.line or 0, problem.code)
