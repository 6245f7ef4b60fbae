"""`check_dataset`: what `advisor dataset check FILE` does, as a function (the CLI calls it), and its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from advisor.api import arguments
from advisor.api.display import as_html

if TYPE_CHECKING:
    from advisor.datasets.report import DatasetReport


@dataclass(frozen=True)
class DatasetCheck:
    """`advisor dataset check FILE`: problems (each with line, field and what to do), statistics and the
    training cost. The CLI exits 1 when `errors` is not zero; here `ok` says it."""

    report: DatasetReport

    @property
    def errors(self) -> int:
        return self.report.errors

    @property
    def warnings(self) -> int:
        return self.report.warnings

    @property
    def ok(self) -> bool:
        """No errors: the provider would accept the file (warnings may remain)."""
        return self.report.errors == 0

    def to_json(self) -> str:
        from advisor.render.dataset import to_json

        return to_json(self.report)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.dataset import print_report

        print_report(self.report, file=file, width=width)

    def _repr_html_(self) -> str:
        return as_html(lambda file, width: self.show(file, width))


def check_dataset(
    path: str | Path,
    *,
    method: str | None = None,
    model: str | Sequence[str] = (),
    epochs: int | str = "auto",
    provider: str | None = None,
    grader: str | Path | None = None,
    jobs: int | None = None,
    pricing: arguments.Files = (),
    today: date | str | None = None,
) -> DatasetCheck:
    """Check a JSONL training file by the provider's rules (`provider`, or `model`'s; its SDK's checker
    too where it has one): errors, warnings, statistics and the training cost on each `model` (default:
    every model that offers the method on `today`). A file with errors is a result (`ok` is False), not an
    exception: the CLI exits 1 for it. `jobs`: worker processes (default: every core)."""
    from advisor.tokens.workers import BlockRunner

    file = str(path)
    checked_method = None if method is None else arguments.method("method", method)
    models = arguments.names(model)
    checked_epochs = arguments.epochs("epochs", epochs)
    checked_jobs = None if jobs is None else arguments.whole_in("jobs", jobs, 1, 256)
    day = arguments.day("today", today)
    grader_path = None if grader is None else str(grader)
    # the leader starts loading the tokenizer now, while this process imports the checks and the
    # report and loads the price tables
    with BlockRunner(file, jobs=checked_jobs, preload=("advisor.datasets.scan",)) as runner:
        from importlib import import_module

        from advisor.datasets.check import check_dataset as check
        from advisor.plugins import catalog_with_plugins, load_plugins
        from advisor.render.progress import scan_progress

        import_module("advisor.render.dataset")  # what shows the report next (to_json, show)
        catalog = catalog_with_plugins(arguments.files(pricing), day)
        with scan_progress(file) as progress:
            report = check(
                file,
                catalog,
                day,
                method=checked_method,
                models=models,
                epochs=checked_epochs,
                grader_path=grader_path,
                grader_checks=load_plugins().grader_checks if grader_path else None,
                jobs=checked_jobs,
                progress=progress,
                formats=load_plugins().dataset_formats,  # (the plugins' tokenizers are registered by then)
                runner=runner,
                provider=provider,
            )
    return DatasetCheck(report)
