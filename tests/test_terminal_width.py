"""Output that is not a terminal (a pipe, a file): `$COLUMNS` wide when set, else 80 columns; nothing is cut
short with `…`; shell commands are printed whole; and at 80 columns no table breaks a word, a number, a `$`
amount or an id across lines (columns are left out instead, and the table says which)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

import advisor.render.fit
from advisor.render.fit import share

from .conftest import EXAMPLES
from .fake_openai import FakeOpenAI
from .test_launch import sft

SCENARIO = str(EXAMPLES / "invoice-extraction" / "scenario.toml")
TRAIN = str(EXAMPLES / "invoice-extraction" / "train.jsonl")
ESTIMATE = shlex.split(
    "estimate --model gpt-4.1 --ft-model gpt-4.1-mini --provider all --requests 2M --prompt-tokens 1800 "
    "--ft-prompt-tokens 300 --training-tokens 150000 --examples 400 --today 2026-12-01"
)
TABLE_COMMANDS = {
    "recommend": ["recommend", SCENARIO, "--today", "2026-12-01"],
    "estimate": ESTIMATE,
    "estimate, one place": ESTIMATE[: ESTIMATE.index("--provider")] + ESTIMATE[ESTIMATE.index("--requests") :],
    "dataset check": ["dataset", "check", TRAIN, "--today", "2026-12-01"],
    "tokens": ["tokens", TRAIN, "--model", "gpt-4.1-mini"],
    "pricing list": ["pricing", "list", "--today", "2026-12-01"],
    "pricing show": ["pricing", "show", "gpt-4.1-mini", "--today", "2026-12-01"],
    "where to train": ["pricing", "list", "--method", "sft", "--today", "2026-12-01"],
    "providers": ["providers"],
}
COMMAND_LINE = re.compile(r"^\s*\$ advisor ")


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines() if not COMMAND_LINE.match(line)), default=0)


@pytest.mark.parametrize("args", TABLE_COMMANDS.values(), ids=TABLE_COMMANDS.keys())
def test_piped_output_is_80_columns_and_nothing_is_cut_short(advisor, args: list[str]) -> None:
    run = advisor(*args)
    assert run.code == 0, run.err
    assert 60 < widest(run.out) <= 80
    assert "…" not in run.out


@pytest.mark.parametrize("args", TABLE_COMMANDS.values(), ids=TABLE_COMMANDS.keys())
def test_columns_sets_the_width_of_piped_output(advisor, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    run = advisor(*args)
    assert run.code == 0, run.err
    assert widest(run.out) <= 100
    assert "…" not in run.out


def test_a_job_id_is_on_one_line_to_be_copied(advisor, openai_api: FakeOpenAI) -> None:
    assert advisor(*sft()).code == 0
    (job,) = openai_api.jobs
    run = advisor("jobs", "list", "--offline")
    assert run.code == 0, run.err
    assert widest(run.out) <= 80 and "…" not in run.out
    assert any(job in line.split() for line in run.out.splitlines()), "the job id whole, on one line"
    assert "left out to fit 80 columns" in " ".join(run.out.split()), "the columns that made room for it are named"


def test_the_commands_of_a_recommendation_are_printed_whole(advisor) -> None:
    run = advisor("recommend", SCENARIO, "--today", "2026-12-01")
    assert run.code == 0, run.err
    commands = [line.strip() for line in run.out.splitlines() if COMMAND_LINE.match(line)]
    assert commands, "the example recommends a launch"
    json_run = advisor("recommend", SCENARIO, "--today", "2026-12-01", "--format", "json")
    for command in commands:
        assert command.removeprefix("$ ") in json_run.out.replace("\\\\", "\\")


@dataclass(frozen=True)
class Broken:
    """A cell whose text does not come out of its column with the same tokens: a word, number or id split."""

    column: str
    cell: str
    shown: str

    def __str__(self) -> str:
        return f"column {self.column!r}: {self.cell!r} shows as {self.shown!r}"


def broken_cells(table: Table, console: Console) -> list[Broken]:
    """Every cell of `table`, laid out as rich lays it out on `console`, whose whitespace-separated tokens
    (words, numbers, `$` amounts, dates, ids) are not the cell's own: one was split across lines or cut.
    A no_wrap column (ids) must show each cell on one line. A token wider than the console less every other
    column at its narrowest (a URL beside a label) cannot be whole on any layout, and may fold."""
    widths = table._calculate_column_widths(console, console.options.update_width(console.width - table._extra_width))
    chrome = table._extra_width + sum(table._get_padding_width(i) for i in range(len(table.columns)))
    floors = [advisor.render.fit.floor(column) for column in table.columns]
    broken = []
    for index, (column, width) in enumerate(zip(table.columns, widths, strict=True)):
        room = width - table._get_padding_width(index)
        options = console.options.update(width=room, no_wrap=column.no_wrap, overflow=column.overflow, height=None)
        for cell in column.cells:
            text = cell.plain if isinstance(cell, Text) else cell
            assert isinstance(text, str), "every table cell advisor prints is text"
            lines = ["".join(s.text for s in line).rstrip() for line in console.render_lines(cell, options, pad=False)]
            could_have = console.width - chrome - (sum(floors) - floors[index])
            shown = " ".join(lines).split()
            if any(cell_len(token) > could_have for token in text.split()):  # only the others must be whole
                whole = all(token in shown for token in text.split() if cell_len(token) <= could_have)
            else:
                whole = shown == text.split() and not (column.no_wrap and len(lines) > 1)
            if not whole:
                broken.append(Broken(str(column.header), text, " / ".join(lines)))
    return broken


@pytest.fixture
def tables_printed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Table, Console]]]:
    """Every table printed, with the console it was printed on, as laid out (a spy: the real fitting runs)."""
    seen: list[tuple[Table, Console]] = []
    real = advisor.render.fit.fit_table

    def recorded(table: Table, console: Console) -> None:
        real(table, console)
        seen.append((table, console))

    monkeypatch.setattr(advisor.render.fit, "fit_table", recorded)
    yield seen


class TestNoTokenIsSplitAt80Columns:
    @pytest.mark.parametrize("args", TABLE_COMMANDS.values(), ids=TABLE_COMMANDS.keys())
    def test_every_table_command(self, advisor, tables_printed, args: list[str]) -> None:
        run = advisor(*args)
        assert run.code == 0, run.err
        assert tables_printed, "the command prints tables"
        for table, console in tables_printed:
            assert console.width == 80
            assert broken_cells(table, console) == [], table.title

    def test_jobs_list(self, advisor, tables_printed, openai_api: FakeOpenAI) -> None:
        assert advisor(*sft()).code == 0
        assert advisor(*sft("--suffix", "second")).code == 0
        run = advisor("jobs", "list", "--offline")
        assert run.code == 0, run.err
        ((table, console),) = tables_printed
        assert broken_cells(table, console) == []

    def test_no_column_prints_one_character_a_line(self, advisor) -> None:
        run = advisor("pricing", "list", "--today", "2026-12-01")
        assert run.code == 0, run.err
        assert len(run.out.splitlines()) < 200, "489 lines when the fine-tuning column was one character wide"
        assert "$8.00" not in run.out and "2.00/0.50/8.00" in run.out, "prices whole, as the table writes them"

    def test_the_checker_finds_a_word_split_across_lines(self) -> None:
        console = Console(width=80, file=None)
        table = Table()
        table.add_column("Model", width=8, overflow="fold")
        table.add_row("gpt-4.1-mini and $2,452.80")
        (found,) = broken_cells(table, console)
        assert found.column == "Model" and found.shown == "gpt-4.1- / mini and / $2,452.8 / 0"

    def test_the_checker_finds_an_id_folded_in_a_no_wrap_column(self) -> None:
        table = Table()
        table.add_column("Job", no_wrap=True, overflow="fold", width=10)
        table.add_row("ftjob-" + "a" * 24)
        assert broken_cells(table, Console(width=80)) != []


class TestProvidersLineUp:
    def test_each_trainable_model_has_its_own_row_with_its_new_jobs_today(self, advisor) -> None:
        run = advisor("providers")
        assert run.code == 0, run.err
        rows = [line for line in run.out.splitlines() if re.search(r"\b(sft|dpo|rft) \S+", line)]
        assert rows
        for line in rows:  # the answer for a model starts on the model's own line
            assert re.search(r"\b(yes|no:?)\b", line), line


class TestSharingTheWidth:
    @given(
        st.lists(st.tuples(st.integers(1, 40), st.integers(0, 60)), min_size=1, max_size=9),
        st.integers(0, 200),
    )
    def test_every_column_between_its_floor_and_ceiling_and_the_room_kept(
        self, columns: list[tuple[int, int]], room: int
    ) -> None:
        floors = [low for low, _ in columns]
        ceilings = [low + extra for low, extra in columns]
        assume(sum(floors) <= room)
        widths = share(room, floors, ceilings)
        assert all(low <= width <= top for low, width, top in zip(floors, widths, ceilings, strict=True))
        assert sum(widths) <= room
        assert sum(widths) == min(room, sum(ceilings)), "no room is left unused while a column wants it"

    def test_the_widest_column_gives_way_first(self) -> None:
        assert share(50, [5, 5, 5], [10, 10, 60]) == [10, 10, 30]
