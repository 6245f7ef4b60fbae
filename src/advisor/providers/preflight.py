"""Pre-flight: everything a launch checks before anything is sent.

The settings (refused before any data is read: a name the provider does not take, a number that is NaN
or infinite, more GPUs or nodes than MAX_GPUS_PER_NODE and MAX_NODES), the dataset check (errors stop
the launch), the price tables' methods and dates for the model today, the provider's own rules, and the
cost estimate, gathered in a LaunchPlan that `launch` then carries out. Each file is read once into a
private copy (`advisor.providers.checked_copy`): the check reads that copy and the upload sends it, and
its sha256 makes the launch's fingerprint ("the same launch"). The plan also knows the dated model name
to send.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from advisor.costs.money import format_price, format_usd
from advisor.costs.training import SPOT, Cluster, MissingFigure, Rollouts, TrainingWork, billing_of, price_training
from advisor.datasets.check import check_dataset
from advisor.datasets.formats import DatasetFormat
from advisor.datasets.grader import GraderCheck, grader_problems, load_grader, problem_line, unchecked_note
from advisor.datasets.report import DatasetReport
from advisor.datasets.rules import DataRules
from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.catalog import Catalog, ModelMatch, stale_warning, training_blockers
from advisor.pricing.model_ids import has_snapshot, parse_model_id
from advisor.pricing.tables import FineTuning, Gpu
from advisor.providers.base import (
    MAX_GPUS_PER_NODE,
    MAX_NODES,
    JobRequest,
    Provider,
    ScoresRftItself,
    SizesModels,
    Upload,
    gpu_pricer_of,
    settings_of,
)
from advisor.providers.checked_copy import CheckedCopies, CheckedFile
from advisor.safe_text import shell_command


@dataclass
class LaunchPlan:
    provider: str
    method: Method
    match: ModelMatch
    api_model: str
    training: Path
    validation: Path | None
    grader: dict[str, Any] | None
    suffix: str | None
    epochs: int | Literal["auto"]
    seed: int | None
    training_report: DatasetReport
    validation_report: DatasetReport | None
    estimate_usd: Decimal | None
    estimate_text: str
    problems: list[str] = field(default_factory=list)  # any of them stops the launch
    notices: list[str] = field(default_factory=list)  # the price table's notices in force (the wind-down ...)
    stale: str | None = None  # the price table is old
    others_training: list[str] = field(default_factory=list)  # other providers that train this method and model
    settings: dict[str, Any] = field(default_factory=dict)  # the provider settings chosen (training_type, tier ...)
    files: dict[str, CheckedFile] = field(default_factory=dict)  # training, validation, grader: as read once

    def not_available_hint(self) -> str:
        """Why the provider refuses new jobs (its table's notices) and who still trains this, for a
        403 training_not_available."""
        notices = list(self.notices)
        until = self.match.row.fine_tuning.new_jobs_until if self.match.row.fine_tuning else None
        if until and not any(str(until) in notice for notice in notices):
            notices.append(f"New {self.match.name} jobs end for everyone on {until}.")
        method, model = self.method.upper(), self.match.name
        where = (
            f"Still training {method} on {model} today, per the price tables: {', '.join(self.others_training)} "
            f"(price it: `{shell_command('advisor', 'estimate', '--ft-provider', self.others_training[0])} ...`)."
            if self.others_training
            else f"No other provider in the price tables trains {method} on {model} today."
        )
        return " ".join(["This is final: advisor does not retry it.", *notices, where])

    def fingerprint(self) -> str:
        """Identifies 'the same launch': same provider, method, model, data, grader and settings."""
        parts = {
            "provider": self.provider,
            "method": self.method,
            "model": self.api_model,
            "training": self.files["training"].sha256,
            "validation": self.files["validation"].sha256 if self.validation else None,
            "grader": self.grader,
            "suffix": self.suffix,
            "epochs": self.epochs,
            "seed": self.seed,
            **({"settings": self.settings} if self.settings else {}),  # launches made before settings keep their id
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def uploads(self, run_id: str) -> list[Upload]:
        """The checked copies, as they are uploaded."""
        roles: tuple[Literal["training", "validation"], ...] = ("training",)
        if self.validation:
            roles += ("validation",)
        return [
            Upload(
                role, self.files[role].path, f"{run_id}-{role}.jsonl", self.files[role].size, self.files[role].sha256
            )
            for role in roles
        ]

    def file_records(self) -> dict[str, dict[str, object]]:
        """What the ledger keeps of each file: where it came from, its size and sha256."""
        return {role: checked.record() for role, checked in self.files.items()}

    def request(self, run_id: str, training_file: str, validation_file: str | None) -> JobRequest:
        return JobRequest(
            run_id=run_id,
            method=self.method,
            model=self.api_model,
            training_file=training_file,
            validation_file=validation_file,
            grader=self.grader,
            suffix=self.suffix,
            epochs=self.epochs,
            seed=self.seed,
            settings=dict(self.settings),
        )


def api_model_name(match: ModelMatch) -> str:
    """The model name to send: fine-tuning takes a dated snapshot (gpt-4.1-mini -> gpt-4.1-mini-2025-04-14)."""
    written = match.model_id.base
    if has_snapshot(written):
        return written
    dated = [alias for alias in match.row.aliases if has_snapshot(alias)]
    return dated[0] if dated else written


def plan_launch(
    provider: Provider,
    catalog: Catalog,
    today: date,
    *,
    copies: CheckedCopies,
    method: Method,
    model: str,
    training: str,
    validation: str | None = None,
    grader: str | None = None,
    suffix: str | None = None,
    epochs: int | Literal["auto"] = "auto",
    seed: int | None = None,
    settings: dict[str, Any] | None = None,
    formats: Sequence[DatasetFormat | DataRules],
    grader_checks: Sequence[GraderCheck] = (),
) -> LaunchPlan:
    """Everything checked before anything is sent; the files are read once, into `copies`. `formats`: the
    plugins' data formats; `grader_checks`: their checks of an RFT grader (the command line loads both)."""
    settings = {name: value for name, value in (settings or {}).items() if value is not None}
    check_settings(provider, settings)
    match, api_model = _model_row(provider, catalog, model, settings)
    others = [p for p in catalog.providers_offering(method, match.name, today) if p != provider.name]
    problems = [f"{blocker}" for blocker in training_blockers(match, method, today)]
    if problems:
        problems[-1] += f"; {', '.join(others)} can" if others else "; no provider in the price tables can, today"
    if grader and method != "rft":
        raise UserError("--grader goes with --method rft", hint="drop --grader, or use --method rft")
    files = {"training": copies.copy("training", training)}
    if validation:
        files["validation"] = copies.copy("validation", validation)
    if method == "rft" and grader:
        files["grader"] = copies.copy("grader", grader)
    copy_of = {role: str(checked.path) for role, checked in files.items()}
    grader_spec = None
    grader_valid = True
    with _as_given(files.values()):
        if method == "rft":
            if not grader:
                if not isinstance(provider, ScoresRftItself):  # else its own scorer, which its pre-flight checks
                    problems.append("RFT needs a grader: give --grader FILE (JSON)")
            else:
                grader_spec = load_grader(copy_of["grader"])
                found = grader_problems(grader_spec.definition, grader_checks)
                problems += [problem_line(files["grader"].source, problem) for problem in found]
                grader_valid = not found
            if not validation:
                problems.append("RFT needs a validation file: give --validation-file (advisor dataset split makes one)")
        training_report = check_dataset(
            copy_of["training"],
            catalog,
            today,
            method=method,
            models=[f"{match.provider}/{match.name}"],
            epochs=epochs,
            grader_path=copy_of["grader"] if grader_spec else None,
            formats=formats,
        )
        model_id = f"{match.provider}/{match.name}"  # the same rules as this check (advisor.datasets.rules)
        problems += _dataset_problems(training, training_report, model=model_id)
        validation_report = None
        if validation:
            validation_report = check_dataset(
                copy_of["validation"],
                catalog,
                today,
                method=method,
                models=[f"{match.provider}/{match.name}"],
                grader_path=copy_of["grader"] if grader_spec else None,
                formats=formats,
            )
            problems += _dataset_problems(validation, validation_report, validation=True, model=model_id)
    estimate_usd, estimate_text = _estimate(training_report, match, method, settings, provider)
    plan = LaunchPlan(
        provider.name,
        method,
        match,
        api_model,
        files["training"].path,
        files["validation"].path if validation else None,
        grader_spec.definition if grader_spec else None,
        suffix,
        epochs,
        seed,
        training_report,
        validation_report,
        estimate_usd,
        estimate_text,
        problems,
        notices=[notice.text for notice in match.table.notices if notice.since <= today]
        + _cap_notices(match)
        + _grader_notices(grader_spec is not None, grader_checks),
        stale=stale_warning(match.table, today),
        others_training=others,
        settings=settings,
        files=files,
    )
    preview = plan.request("adv-preview", "file-training", "file-validation" if validation else None)
    if not grader_valid:  # its problems are listed once, above: the provider's own checks of it would repeat them
        preview = replace(preview, grader=None)
    with _as_given(files.values()):
        plan.problems += provider.preflight(preview, plan.uploads("adv-preview"))
    plan.problems = [_named(problem, files.values()) for problem in plan.problems]  # the user's file names
    return plan


def _named(text: str, files: Iterable[CheckedFile]) -> str:
    """`text` with each private copy's path replaced by the file as the user gave it."""
    for checked in files:
        text = text.replace(str(checked.path), checked.source)
    return text


@contextmanager
def _as_given(files: Iterable[CheckedFile]) -> Iterator[None]:
    """A UserError raised while the copies are read names the user's files, not the private copies."""
    files = list(files)
    try:
        yield
    except UserError as exc:
        exc.where = _named(exc.where, files) if exc.where else exc.where
        exc.message = _named(exc.message, files)
        exc.hint = _named(exc.hint, files) if exc.hint else exc.hint
        exc.args = (str(exc),)
        raise


def _grader_notices(graded: bool, checks: Sequence[GraderCheck]) -> list[str]:
    """A grader no installed plugin could check is said to be so before anyone confirms."""
    note = unchecked_note(checks) if graded else None
    return [note] if note else []


def _cap_notices(match: ModelMatch) -> list[str]:
    """A provider that pauses a job at a cost (`auto_pause_usd`: Azure's RFT cap) says so before anyone confirms."""
    cap = match.row.fine_tuning.auto_pause_usd if match.row.fine_tuning else None
    if cap is None:
        return []
    return [
        f"{match.provider} pauses this job automatically once its training cost reaches {format_usd(cap)} "
        f"({match.provider}:{match.name} auto_pause_usd); the checkpoint reached by then can be deployed"
    ]


def _model_row(provider: Provider, catalog: Catalog, model: str, settings: dict[str, Any]) -> tuple[ModelMatch, str]:
    """(the price row, the model name to send). An open model the tables do not list (a Hugging Face id,
    a local folder) is priced as the row the `price_as` setting names, e.g. a size bracket, and sent as
    written; only a provider that declares `price_as` takes it."""
    price_as, why = settings.get("price_as"), "price_as"
    if price_as is None:
        try:
            match = catalog.find(model, provider.name)
        except UserError as exc:
            if not isinstance(provider, SizesModels):
                if "price_as" in settings_of(provider):
                    exc.hint = f"{exc.hint}; or price it as a listed row of its size: --set price_as=ROW"
                raise
            # priced by its size: the row is kept as `price_as`, so the actual cost is priced the same way
            price_as, why = provider.size_bracket(model, settings)
            settings["price_as"] = price_as
        else:
            return match, api_model_name(match)
    match = catalog.find(str(price_as), provider.name)
    note = f"{model} is priced as {match.provider}:{match.name} ({why})"
    return replace(match, requested=model, model_id=parse_model_id(model), note=note), model


def _rollouts(
    fine_tuning: FineTuning | None, method: Method, settings: dict[str, Any], prompts: int
) -> Rollouts | None:
    """RFT on own GPUs (GRPO): what its rollouts generate, prompts x generations x completion length, when the
    launch names the completion length (`max_completion_length`, an upper bound)."""
    length = settings.get("max_completion_length")
    if method != "rft" or not fine_tuning or billing_of(fine_tuning, method) != "gpu_hours" or length is None:
        return None
    generations = settings.get("num_generations") or fine_tuning.rft_rollouts or 8
    try:
        return Rollouts(prompts=prompts, generations=Decimal(str(generations)), completion_tokens=Decimal(str(length)))
    except ArithmeticError:  # not a number: the provider's own check names the setting
        return None


def cluster_of(settings: dict[str, Any]) -> Cluster:
    """The GPUs an own-GPU run holds, from its launch settings: `gpus` x `nodes` train; with `vllm=server` and
    `generation_nodes`, that many more nodes of `gpus` generate apart (GRPO); `spot=true`: spot capacity.
    A value that is not a number counts as 1 (the provider's own check names it)."""

    def whole(name: str, default: int) -> int:
        text = str(settings.get(name, default)).strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else default

    gpus, nodes = whole("gpus", 1), whole("nodes", 1)
    apart = whole("generation_nodes", 0) if str(settings.get("vllm", "")).strip() == "server" else 0
    spot = str(settings.get("spot", "")).strip().lower() in ("true", "yes", "1", "on")
    return Cluster(training_gpus=max(1, gpus * nodes), generation_gpus=gpus * apart, spot=spot)


def _dataset_problems(
    path: str, report: DatasetReport, validation: bool = False, model: str | None = None
) -> list[str]:
    # a validation file may be small: too few examples is a training-file rule
    errors = [p for p in report.problems if p.severity == "error" and not (validation and p.code == "too-few-examples")]
    if not errors:
        return []
    first = errors[0]
    where = f"{path}:{first.line}" if first.line else path
    more = report.errors - 1
    return [
        f"{where}: {first.message} ({first.code})"
        + (f", and {more:,} more error(s)" if more else "")
        + f": run `{shell_command('advisor', 'dataset', 'check', path, *(('--model', model) if model else ()))}`"
    ]


def check_settings(provider: Provider, settings: dict[str, Any]) -> None:
    """Bad input in the settings, refused before any data is read: a name the provider does not take, a
    value that reads as a number but is NaN or infinite (it would reach a request body), more GPUs per
    node or nodes than advisor's caps."""
    accepted = settings_of(provider)
    unknown = sorted(set(settings) - set(accepted))
    if "scheduler" in unknown:
        raise UserError(
            f"--scheduler {_shown(settings['scheduler'])}: {provider.name} runs its jobs itself and takes no scheduler",
            hint="a scheduler (Slurm, SkyPilot) runs jobs on your own GPUs: --provider local",
        )
    if unknown:
        raise UserError(
            f"{provider.name} does not take the setting(s) {', '.join(unknown)}; "
            f"it takes: {', '.join(accepted) or 'none'}",
            hint="`advisor providers --format json` says what each setting does",
        )
    for name, most in (("gpus", MAX_GPUS_PER_NODE), ("nodes", MAX_NODES)):
        value = settings.get(name)
        text = str(value).strip()
        if value is not None and not (text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= most):
            raise UserError(
                f"{name}={_shown(value)}: must be a whole number from 1 to {most:,}",
                hint="the most advisor launches on (docs/launching.md, Settings)",
            )
    for name, value in settings.items():
        try:
            number = float(str(value))
        except ValueError:
            continue  # not a number: the provider's own check names what it wants
        if not math.isfinite(number):  # NaN, inf, or too large for a float (1e400, 5,000 digits)
            raise UserError(
                f"--set {name}={_shown(value)}: must be a finite number", hint=f"give {name} a number such as 2"
            )


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text):,} characters)"


def _gpus(
    match: ModelMatch, provider: Provider | None, settings: dict[str, Any]
) -> tuple[dict[str, Gpu], dict[str, str]]:
    """The table's [gpus] rows, with those the provider reads where the job will run (`PricesGpus`) in their
    place, and for each replaced row a note: its source, and the table's figure beside it."""
    gpus, fine_tuning = dict(match.table.gpus), match.row.fine_tuning
    gpu_prices = gpu_pricer_of(provider) if provider is not None else None
    if gpu_prices is None or fine_tuning is None:
        return gpus, {}
    rows = [name for gpu in fine_tuning.gpus_used() for name in (gpu, f"{gpu}{SPOT}")]
    notes = {}
    for price in gpu_prices(rows, settings):
        if price.gpu not in rows:
            continue
        table = gpus.get(price.gpu)
        instead = f"the table's {format_price(table.per_hour)}" if table else "no table row"
        gpus[price.gpu] = Gpu(per_hour=price.per_hour, source=price.source, as_of=price.as_of)
        shown = format_price(price.per_hour)
        notes[price.gpu] = f"gpus.{price.gpu} at {shown} from {price.source} (instead of {instead})"
    return gpus, notes


def _estimate(
    report: DatasetReport,
    match: ModelMatch,
    method: Method,
    settings: dict[str, Any] | None = None,
    provider: Provider | None = None,
) -> tuple[Decimal | None, str]:
    """The job's training cost from the checked file's tokens, with the launch's training type, tier and
    rollouts (None, and why, where it cannot be priced before the run), at the provider's own GPU prices
    where it reads them (`PricesGpus`)."""
    quote = next((q for q in report.costs if q.provider == match.provider and q.model == match.name), None)
    if quote is None:
        return None, "no estimate (the file has no valid examples)"
    settings, fine_tuning = settings or {}, match.row.fine_tuning
    if fine_tuning is None or method not in fine_tuning.methods:
        return None, f"no estimate ({quote.note or 'no training price'})"
    kind, tier = settings.get("training_type"), settings.get("tier")
    work = TrainingWork(
        method=method,
        tokens_per_epoch=quote.billed_tokens_per_epoch,
        epochs=quote.epochs,
        training_type=None if kind is None else str(kind),
        tier=None if tier is None else str(tier),
        rollouts=_rollouts(fine_tuning, method, settings, report.valid_examples),
        cluster=cluster_of(settings) if billing_of(fine_tuning, method) == "gpu_hours" else None,
    )
    gpus, read = _gpus(match, provider, settings)
    try:
        cost = price_training(work, fine_tuning, gpus)
    except MissingFigure as missing:
        if missing.needs != "hours":
            return None, f"no estimate ({missing})"
        return None, (
            f"RFT is billed per training hour: {format_price(missing.rate.price)} an hour ({quote.row}, as_of "
            f"{quote.as_of}); advisor estimate's --rft-hours H (a pilot run's billable hours) prices a run"
        )
    except ValueError as exc:
        return None, f"no estimate ({exc})"
    assert cost.rate is not None
    row, as_of = cost.rate.row(match.provider, match.name), cost.rate.as_of or quote.as_of
    used = [read[work.gpu] for work in cost.gpu_work if work.gpu in read]  # the rows this estimate priced with
    notes = "".join(f"; {note}" for note in dict.fromkeys(used))
    return cost.usd, f"{format_usd(cost.usd)}: {cost.explanation} ({row}, as_of {as_of}){notes}"
