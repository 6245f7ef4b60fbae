"""What the server knows between requests: the scenario files it was given, the folders it may read, and
the price tables per date (loaded once a date: a what-if recompute then costs a recommendation, not a
catalog). Every figure comes from advisor.recommend.recommendation.recommend, as `advisor recommend`
computes it; a column's what-if values are applied by advisor.recommend.what_if, nothing else."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from advisor.errors import UserError
from advisor.pricing.catalog import Catalog
from advisor.recommend.interview import FILE_KEYS, get
from advisor.recommend.recommendation import CommandPlace, Recommendation, recommend
from advisor.recommend.scenario import (
    LoadedScenario,
    Tokens,
    count_tokens,
    parse_scenario,
    prompt_path,
    read_text,
)
from advisor.recommend.what_if import Setting, parse_setting, with_settings
from advisor.web.state import CONTROLS, NEW, Column

MAX_DATES = 16  # catalogs kept (one per date asked for): each is a few MB
MAX_COUNTS = 256  # token figures kept (Session.counted), each a few numbers


class Refused(Exception):
    """A request for something the server will not do (a file outside the scenarios' folders): 403."""


@dataclass
class Outcome:
    """A column computed: its scenario and recommendation, or what is wrong, by the field it came from."""

    column: Column
    loaded: LoadedScenario | None = None
    rec: Recommendation | None = None
    errors: dict[str, str] = field(default_factory=dict)  # "r" (a control), "s" (settings), "scenario"


def plugin_catalog(pricing_files: Sequence[Path], today: date) -> Catalog:
    """The price tables for a date as the CLI loads them (bundled, plugins', the user's, --pricing)."""
    from advisor.plugins import catalog_with_plugins

    return catalog_with_plugins(pricing_files, today)


class Session:
    """The files given to `advisor serve` (read once, at start: a mistake in one stops the server before it
    serves), the folders they lie in, the price tables, and where the report's commands run."""

    def __init__(
        self,
        files: Sequence[str],
        pricing_files: Sequence[Path],
        place: CommandPlace,
        today: date,
        load_catalog: Callable[[Sequence[Path], date], Catalog] = plugin_catalog,
    ) -> None:
        self.scenarios = [parse_scenario(read_text(name), name) for name in files]
        self.folders = sorted({Path(name).resolve().parent for name in files})
        self.pricing_files = tuple(pricing_files)
        self.place = place
        self.today = today
        self._load_catalog = load_catalog
        self._catalogs: dict[date, Catalog] = {}
        self._tokens: dict[tuple[object, ...], Tokens] = {}
        self._lock = threading.Lock()
        for loaded in self.scenarios:
            try:
                self.check_files(loaded)
            except Refused as refused:
                raise UserError(str(refused), where=loaded.source, hint="keep its files beside it") from None

    def catalog(self, today: date) -> Catalog:
        """The price tables in force on `today`, loaded once a date (the oldest dropped past MAX_DATES)."""
        with self._lock:
            found = self._catalogs.get(today)
            if found is None:
                found = self._load_catalog(self.pricing_files, today)
                if len(self._catalogs) >= MAX_DATES:
                    self._catalogs.pop(next(iter(self._catalogs)))
                self._catalogs[today] = found
            return found

    def base(self, name: str) -> LoadedScenario:
        if name == NEW:
            return parse_scenario("", "-")
        return self.scenarios[int(name)]

    def check_files(self, loaded: LoadedScenario) -> None:
        """Refuse a scenario that names a file (prompt, fine-tuned prompt, training data) outside the folders
        of the scenarios given: the server reads nothing else."""
        raw = loaded.scenario.model_dump()
        for key in FILE_KEYS:
            name = get({section: values for section, values in raw.items() if isinstance(values, dict)}, key)
            if not isinstance(name, str):
                continue
            try:
                path = prompt_path(loaded.folder, name).resolve()
            except UserError as error:
                raise Refused(f"{key} {name!r}: {error.message}") from None
            if not any(path.is_relative_to(folder) for folder in self.folders):
                raise Refused(
                    f"{key} {name!r} is outside the folders of the scenarios given to advisor serve; "
                    "serve a scenario in that folder to read it"
                )

    def scenario(self, column: Column) -> tuple[LoadedScenario | None, dict[str, str]]:
        """The column's scenario with its settings and controls applied, or the problems by field."""
        errors: dict[str, str] = {}
        settings: list[Setting] = []
        for text in column.settings:
            try:
                settings.append(parse_setting(text, option="setting"))
            except UserError as error:
                errors.setdefault("s", _said(error))
        for name, value in column.controls.items():
            key = CONTROLS[name][0]
            try:
                settings.append(parse_setting(f"{key}={value}", option=name))
            except UserError as error:
                errors[name] = _said(error)
        if errors:
            return None, errors
        loaded = self.base(column.base)
        try:
            loaded = with_settings(loaded, settings, option="setting")
        except UserError as error:
            return None, {_field_of(error, column): _said(error)}
        try:
            self.check_files(loaded)
        except Refused as refused:
            return None, {"s": str(refused)}
        return loaded, {}

    def counted(self, loaded: LoadedScenario, today: date) -> LoadedScenario:
        """The scenario with its token figures, as recommend() would count them, counted once for what the
        count depends on: moving requests, output or reasoning tokens (which count_tokens copies into the
        figures unchanged) reuses the prompt files' counts; a file that changed on disk is counted again."""
        scenario, catalog = loaded.scenario, self.catalog(today)
        traffic = scenario.traffic
        files = (traffic.prompt_file, scenario.models.ft_prompt_file, scenario.data.training_file)
        try:
            stats = tuple(_stat(prompt_path(loaded.folder, name)) if name else None for name in files)
        except (UserError, OSError):
            return count_tokens(loaded, catalog)  # count_tokens says what is wrong with the file
        kept = traffic.model_dump_json(exclude={"requests_per_month", "output_tokens", "reasoning_tokens"})
        key = (today, str(loaded.folder), kept, scenario.models.model_dump_json(), stats)
        with self._lock:
            tokens = self._tokens.get(key)
        if tokens is None:
            counted = count_tokens(loaded, catalog).tokens
            assert counted is not None
            tokens = counted
            with self._lock:
                if len(self._tokens) >= MAX_COUNTS:
                    self._tokens.pop(next(iter(self._tokens)))
                self._tokens[key] = tokens
        reasoning = None if traffic.reasoning_tokens is None else Decimal(traffic.reasoning_tokens)
        update = {"requests": traffic.requests_per_month, "output": Decimal(traffic.output_tokens)}
        update["reasoning"] = reasoning
        return loaded.model_copy(update={"tokens": tokens.model_copy(update=update)})

    def outcome(self, column: Column, today: date) -> Outcome:
        loaded, errors = self.scenario(column)
        if loaded is None:
            return Outcome(column, errors=errors)
        try:
            loaded = self.counted(loaded, today)
            rec = recommend(loaded, self.catalog(today), today, self.place)
        except UserError as error:
            return Outcome(column, loaded, errors={_field_of(error, column): _said(error)})
        return Outcome(column, loaded, rec)

    def recommend_text(self, text: str, source: str, today: date) -> Recommendation:
        """A posted scenario's recommendation, as `advisor recommend FILE` gives it for a file of that text
        (UserError for bad input, Refused for a file it may not read)."""
        loaded = parse_scenario(text, source)
        self.check_files(loaded)
        return recommend(loaded, self.catalog(today), today, self.place)

    def allowed_source(self, name: str) -> str:
        """A name to read a posted scenario as (its folder is where its prompt files are looked for): one
        of the files given, or a file in their folders."""
        if name == "-":  # no file: the files it names are checked against the folders (check_files)
            return name
        path = Path(name).resolve()
        if not any(path.is_relative_to(folder) for folder in self.folders):
            raise Refused(f"{name!r} is outside the folders of the scenarios given to advisor serve")
        return name


def _stat(path: Path) -> tuple[int, int]:
    """What tells a file that changed: its modification time and size."""
    found = path.stat()
    return found.st_mtime_ns, found.st_size


def _said(error: UserError) -> str:
    """An error as the page shows it: what is wrong and what to do, without the option's internal name."""
    return f"{error.message}; {error.hint}" if error.hint else error.message


def _field_of(error: UserError, column: Column) -> str:
    """The control a with_settings error names (`setting traffic.requests_per_month=0`), else the settings."""
    where = error.where or ""
    for name, value in column.controls.items():
        if where.endswith(f"{CONTROLS[name][0]}={value}") or error.message.startswith(CONTROLS[name][0]):
            return name
    return "s" if column.settings and where.startswith("setting") else "scenario"
