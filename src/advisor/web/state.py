"""A view as a URL: the date, and two to four columns, each a scenario with its what-if values.

Everything the page shows follows from its query string, so a view can be bookmarked and shared:

    ?today=2026-12-07&c=0&r0=300k&c=0&h1=24&w1=together

`c` is repeated once a column, naming its scenario (the index of a file given to `advisor serve`, or `new`
for the interview's defaults); `rN`, `pN`, `oN`, `hN` are column N's requests a month, prompt and output
tokens and horizon (blank: as the scenario says); `sN` (repeated) any other setting as `KEY=VALUE`, and
`wN` the where-to-train filter. Each control becomes a what-if Setting (advisor.recommend.what_if).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

MAX_COLUMNS = 4
MAX_SETTINGS = 64  # settings a column may carry: an interview sets about thirty
MAX_VALUE = 200  # characters of one control's value
NEW = "new"  # a column of the interview's defaults, no file

# control -> (scenario key, label, what to write)
CONTROLS: dict[str, tuple[str, str, str]] = {
    "r": ("traffic.requests_per_month", "Requests a month", "300k, 3M"),
    "p": ("traffic.prompt_tokens", "Prompt tokens", "a count"),
    "o": ("traffic.output_tokens", "Output tokens", "a count"),
    "h": ("costs.horizon_months", "Horizon (months)", "1 to 120"),
}


@dataclass(frozen=True)
class Column:
    """One scenario column: its base (a file's index, or NEW), what-if values as typed, other settings."""

    base: str = "0"
    controls: Mapping[str, str] = field(default_factory=dict)  # "r" -> "300k"; blank values left out
    settings: tuple[str, ...] = ()  # KEY=VALUE
    places: str = ""  # where-to-train filter

    def setting_texts(self) -> list[str]:
        """Every value this column sets, as `KEY=VALUE` (the controls after the other settings: they win)."""
        return [*self.settings, *(f"{CONTROLS[name][0]}={value}" for name, value in self.controls.items())]


@dataclass(frozen=True)
class View:
    today: date
    columns: tuple[Column, ...]
    today_given: bool = False  # whether the URL named the date (else the server's)


@dataclass
class Problems:
    """What in the URL could not be used, by the field it came from (shown next to it)."""

    by_field: dict[str, str] = field(default_factory=dict)


def parse_view(query: Sequence[tuple[str, str]], default_today: date, files: int) -> tuple[View, Problems]:
    """The view a query string names; what it cannot use is left out and said in Problems, never raised."""
    problems = Problems()
    today, given = default_today, False
    columns: list[Column] = []
    values: dict[str, list[str]] = {}
    for key, value in query:
        values.setdefault(key, []).append(value)
    if "today" in values:
        text = values["today"][0].strip()
        try:
            today, given = date.fromisoformat(text), True
        except ValueError:
            problems.by_field["today"] = f"{text[:MAX_VALUE]!r} is not a date: write YYYY-MM-DD"
    bases = values.get("c") or ([str(i) for i in range(min(files, MAX_COLUMNS))] or [NEW])
    if len(bases) > MAX_COLUMNS:
        problems.by_field["c"] = f"at most {MAX_COLUMNS} columns; the first {MAX_COLUMNS} are shown"
    for index, base in enumerate(bases[:MAX_COLUMNS]):
        if base != NEW and not (base.isdigit() and int(base) < files):
            problems.by_field[f"c{index}"] = (
                f"no scenario {base!r}: there are {files} files"
                if files
                else ("no scenario files were given to advisor serve")
            )
            base = "0" if files else NEW
        controls = {}
        for name in CONTROLS:
            text = (values.get(f"{name}{index}") or [""])[0].strip()
            if len(text) > MAX_VALUE:
                problems.by_field[f"{name}{index}"] = f"longer than {MAX_VALUE} characters"
            elif text:
                controls[name] = text
        settings = tuple(s for s in values.get(f"s{index}", []) if s.strip())
        if len(settings) > MAX_SETTINGS:
            problems.by_field[f"s{index}"] = f"at most {MAX_SETTINGS} settings a column"
            settings = settings[:MAX_SETTINGS]
        places = (values.get(f"w{index}") or [""])[0][:MAX_VALUE]
        columns.append(Column(base, controls, settings, places))
    return View(today, tuple(columns), given), problems


def query_of(view: View) -> str:
    """The query string that names `view` (parse_view reads it back to the same view)."""
    pairs: list[tuple[str, str]] = []
    if view.today_given:
        pairs.append(("today", view.today.isoformat()))
    for index, column in enumerate(view.columns):
        pairs.append(("c", column.base))
        pairs += [(f"{name}{index}", column.controls[name]) for name in CONTROLS if name in column.controls]
        pairs += [(f"s{index}", setting) for setting in column.settings]
        if column.places:
            pairs.append((f"w{index}", column.places))
    return urlencode(pairs)


def with_column(view: View) -> View:
    """The view with one more column, a copy of the first (as many as MAX_COLUMNS)."""
    if len(view.columns) >= MAX_COLUMNS:
        return view
    return replace(view, columns=(*view.columns, view.columns[0]))


def without_column(view: View, index: int) -> View:
    """The view without column `index` (the last column stays)."""
    if len(view.columns) <= 1 or not 0 <= index < len(view.columns):
        return view
    return replace(view, columns=tuple(c for i, c in enumerate(view.columns) if i != index))


def only_column(view: View, index: int) -> View:
    """The view of column `index` alone (its exports are named by such a URL)."""
    return replace(view, columns=(view.columns[index],))


def with_new(view: View, settings: list[str]) -> View:
    """The view with a column of the interview's answers (in place of the last when it is full)."""
    column = Column(NEW, {}, tuple(settings))
    kept = view.columns if len(view.columns) < MAX_COLUMNS else view.columns[:-1]
    return replace(view, columns=(*kept, column))
