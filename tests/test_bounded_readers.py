"""Issue 22, every reader bounded: the price folder that every command reads, `--pricing` files, scenarios,
prompt and grader files, FIFOs, devices and settings. Each case runs the installed `advisor` in a process
of its own with a timeout (a hang fails the test, it cannot hang the suite) and a memory limit (reading
`/dev/zero` whole fails the test, it cannot take the machine); each ends in one clear line and a status,
never a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from advisor.datasets.grader import MAX_GRADER_BYTES
from advisor.parsing.file_text import size_words
from advisor.pricing.price_files import MAX_PRICE_FILE_BYTES
from advisor.recommend.scenario import MAX_SCENARIO_BYTES

from .conftest import EXAMPLES, ROOT

ADVISOR = str(Path(sys.executable).with_name("advisor"))
SCENARIO = str(EXAMPLES / "invoice-extraction" / "scenario.toml")
ESTIMATE = ["estimate", "--model", "gpt-4.1", "--requests", "1000", "--prompt-tokens", "100", "--training-tokens"]
ESTIMATE += ["1000", "--examples", "10", "--today", "2026-12-01"]
# every kind of command reads the price folder: a fault there must stop none of them
EVERY_COMMAND = [["pricing", "list"], ESTIMATE, ["recommend", SCENARIO, "--today", "2026-12-01"]]
TABLE = """\
provider = "acme"
currency = "USD"
as_of = 2026-06-30
source = "https://example.com/acme"

[models.acme-small]
input = 1.0
output = 2.0
"""
HANG = 60  # seconds: far above any of these commands, far below a hung suite


def _one_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


def run(*args: str, env: dict[str, str] | None = None, stdin: int | None = subprocess.DEVNULL):
    result = subprocess.run(
        [ADVISOR, *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=HANG,
        preexec_fn=_one_gib,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def error_line(stderr: str) -> str:
    (line,) = [line for line in stderr.splitlines() if line.startswith("advisor: error:")]
    return line


@pytest.fixture
def folder(isolated_config: Path) -> Path:
    path = isolated_config / "pricing"
    path.mkdir()
    return path


class TestThePriceFolder:
    @pytest.mark.parametrize("command", EVERY_COMMAND, ids=["pricing-list", "estimate", "recommend"])
    def test_a_fifo_is_left_out_with_a_warning_naming_it_and_the_folder(self, folder: Path, command) -> None:
        os.mkfifo(folder / "prices.toml")
        started = time.monotonic()
        result = run(*command)
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < HANG / 2
        warning = f"warning: {folder / 'prices.toml'}: a FIFO, not a price table: left out (the price folder {folder}"
        assert warning in result.stderr

    @pytest.mark.parametrize(
        ("make", "kind"),
        [
            (lambda path: path.symlink_to("/dev/zero"), "a device"),
            (lambda path: path.symlink_to(path.with_name("nothing")), "a link to nothing"),
            (lambda path: path.mkdir(), "a folder"),
        ],
        ids=["dev-zero", "dangling-link", "folder"],
    )
    def test_what_is_not_a_regular_file_is_left_out(self, folder: Path, make, kind: str) -> None:
        make(folder / "odd.toml")
        result = run("pricing", "list")
        assert result.returncode == 0, result.stderr
        assert f"warning: {folder / 'odd.toml'}: {kind}, not a price table: left out" in result.stderr

    @pytest.mark.parametrize("command", EVERY_COMMAND, ids=["pricing-list", "estimate", "recommend"])
    def test_editor_lock_and_backup_files_are_not_tables(self, folder: Path, command) -> None:
        (folder / ".#openai.toml").symlink_to("me@host.4242:1700000000")  # Emacs: a link to nothing
        (folder / "~$openai.toml").write_bytes(b"\x00\x01 not toml")  # Microsoft Office
        (folder / "openai.toml~").write_text("[[[")  # a backup
        (folder / ".openai.toml.swp").write_bytes(b"b0VIM 9.0")  # Vim
        (folder / ".hidden.toml").write_text("[[[")
        result = run(*command)
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr and "--pricing" not in result.stderr

    def test_a_table_whose_name_is_not_utf8_is_read_and_shown_escaped(self, folder: Path) -> None:
        Path(os.fsdecode(os.fsencode(folder) + b"/acme-\xff.toml")).write_text(TABLE)
        result = run("pricing", "list", "--provider", "acme")
        assert result.returncode == 0, result.stderr
        assert "acme-small" in result.stdout and "acme-\\xff.toml" in result.stdout
        assert run(*ESTIMATE).returncode == 0  # and every other command still runs

    def test_a_broken_table_whose_name_is_not_utf8_is_named_escaped(self, folder: Path) -> None:
        broken = TABLE.replace("input = 1.0", 'input = "1.0"')
        Path(os.fsdecode(os.fsencode(folder) + b"/acme-\xff.toml")).write_text(broken)
        result = run("pricing", "list")
        assert result.returncode == 2
        line = error_line(result.stderr)
        assert f"{folder}/acme-\\xff.toml:7: models.\"acme-small\".input: expected a number" in line

    def test_a_file_there_that_cannot_be_read_names_the_folder_not_pricing(self, folder: Path) -> None:
        (folder / "big.toml").write_bytes(b"# " + b"x" * MAX_PRICE_FILE_BYTES)
        result = run("pricing", "list")
        line = error_line(result.stderr)
        assert result.returncode == 2 and f"{folder / 'big.toml'}: is larger than 4 MiB, the limit on a price" in line
        assert line.endswith(f"it is in your price folder {folder}") and "--pricing" not in line


class TestPricingFiles:
    def test_a_fifo_without_a_writer_is_waited_for_a_bounded_time(self, tmp_path: Path) -> None:
        fifo = tmp_path / "prices.toml"
        os.mkfifo(fifo)
        started = time.monotonic()
        result = run("pricing", "list", "--pricing", str(fifo), env={"ADVISOR_STREAM_WAIT": "1"})
        assert result.returncode == 2 and time.monotonic() - started < HANG / 2
        assert f"{fifo}: nothing was written to this FIFO within 1 s (no writer)" in error_line(result.stderr)

    def test_a_fifo_with_a_writer_is_read(self, tmp_path: Path) -> None:
        fifo = tmp_path / "prices.toml"
        os.mkfifo(fifo)
        writer = threading.Thread(target=lambda: fifo.write_text(TABLE))
        writer.start()
        result = run("pricing", "list", "--provider", "acme", "--pricing", str(fifo))
        writer.join(timeout=HANG)
        assert result.returncode == 0 and "acme-small" in result.stdout, result.stderr

    def test_dev_zero_is_read_up_to_the_cap_only(self) -> None:
        result = run("pricing", "list", "--pricing", "/dev/zero")
        assert result.returncode == 2 and "MemoryError" not in result.stderr
        assert "/dev/zero: gives more than 4 MiB (it is not a regular file), the limit on a price table" in (
            error_line(result.stderr)
        )


class TestScenariosPromptsAndGraders:
    def test_recommend_dev_zero_is_refused_in_bounded_memory(self) -> None:
        result = run("recommend", "/dev/zero")
        assert result.returncode == 2 and "MemoryError" not in result.stderr
        assert "/dev/zero: gives more than 1 MiB (it is not a regular file), the limit on a scenario" in (
            error_line(result.stderr)
        )

    def test_a_scenario_from_a_fifo_is_read_once(self, tmp_path: Path) -> None:
        fifo = tmp_path / "scenario.toml"
        os.mkfifo(fifo)
        writer = threading.Thread(target=lambda: fifo.write_text('name = "Piped"\n'))
        writer.start()
        result = run("recommend", str(fifo), "--today", "2026-12-01")
        writer.join(timeout=HANG)
        assert result.returncode == 0 and "Recommendation: Piped" in result.stdout, result.stderr

    def test_a_scenario_fifo_without_a_writer_is_an_error_in_bounded_time(self, tmp_path: Path) -> None:
        fifo = tmp_path / "scenario.toml"
        os.mkfifo(fifo)
        result = run("recommend", str(fifo), env={"ADVISOR_STREAM_WAIT": "0.5"})
        assert result.returncode == 2 and "nothing was written to this FIFO within 0.5 s" in result.stderr

    @pytest.mark.parametrize("value", ["abc", "nan", "inf", "-1", "1e400", "3601"])
    def test_a_stream_wait_that_is_no_number_of_seconds_is_one_line(self, tmp_path: Path, value: str) -> None:
        fifo = tmp_path / "prompt.txt"
        os.mkfifo(fifo)
        for command in (["tokens", "--model", "gpt-4.1", str(fifo)], ["pricing", "list", "--pricing", str(fifo)]):
            result = run(*command, env={"ADVISOR_STREAM_WAIT": value})
            line = error_line(result.stderr)
            assert result.returncode == 2, result.stderr
            assert f"ADVISOR_STREAM_WAIT={value!r} is not a number of seconds from 0 to 3,600" in line

    def test_the_interview_refuses_a_prompt_in_the_home_of_nobody_and_asks_again(self, tmp_path: Path) -> None:
        answers = "\n".join(["x", "production", "other", "no", "", "static", "10k", "~nosuchuser/p.txt", "100"]) + "\n"
        result = subprocess.run(
            [ADVISOR, "interview", "--today", "2026-12-01"],
            input=answers + "\n" * 20,
            capture_output=True,
            text=True,
            timeout=HANG,
            cwd=tmp_path,
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "Error: ~nosuchuser is no user's home folder on this machine: ~nosuchuser/p.txt" in result.stdout


class TestTheCapsAreDocumented:
    @pytest.mark.parametrize(
        ("cap", "doc", "what"),
        [
            (MAX_SCENARIO_BYTES, "recommendations.md", "scenario file"),
            (MAX_GRADER_BYTES, "datasets.md", "grader"),
            (MAX_PRICE_FILE_BYTES, "pricing.md", "price file"),
        ],
    )
    def test_each_cap_is_stated_where_its_files_are_described(self, cap: int, doc: str, what: str) -> None:
        text = " ".join((ROOT / "docs" / doc).read_text().split())
        assert f"{size_words(cap)}" in text and what in text
