"""Launching safely (issue 22): what is checked is what is sent, and every launch or jobs setting that used to
crash or hang is one clear line and a non-zero exit.

The launches run the real CLI and the real provider SDKs against the loopback fakes; a pipe, a FIFO and a
bash process substitution (`<(cat train.jsonl)`) are real ones. The fake server keeps the bytes it
received, and the test compares their sha256 with the one the summary printed and the ledger kept.
Anything that could hang runs in a subprocess with a timeout.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import select
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from advisor.providers import checked_copy
from advisor.providers import launch as launching
from advisor.providers.checked_copy import CheckedCopies

from .conftest import EXAMPLES
from .helpers import kill_run_processes, ledger_runs, write_jsonl

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
TRAIN_BYTES = TRAIN.read_bytes()
TRAIN_SHA = hashlib.sha256(TRAIN_BYTES).hexdigest()
TODAY = "2026-11-22"
FIVE_THOUSAND = "9" * 5000
TIMEOUT = 120  # seconds a subprocess may take before the test calls it a hang


@pytest.fixture(autouse=True)
def quick_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launching, "LOOKUP_DELAYS", (0.05, 0.05))


def openai_sft(training: str, *extra: str) -> list[str]:
    return [
        "launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini",
        "--training-file", training, "--today", TODAY, *extra,
    ]  # fmt: skip


def run_cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, **options):
    """The installed CLI in a subprocess (`python -m advisor`), killed as a hang after TIMEOUT seconds."""
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
        **options,
    )


def one_line(err: str | bytes) -> str:
    """The one error line: no traceback, nothing else (warnings and notes aside)."""
    text = err.decode() if isinstance(err, bytes) else err
    assert "Traceback" not in text, text
    skipped = ("warning:", "note:", "Not launched:")  # (the heading of a launch's problems, one a line)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(skipped)]
    assert len(lines) == 1, text
    return lines[0]


def data_dir() -> Path:
    return Path(os.environ["ADVISOR_DATA_DIR"])


def nothing_left(folder: Path) -> None:
    """No checked copy outlives its command."""
    assert not (folder / "checked").exists() or not any((folder / "checked").iterdir())


def uploaded_digests(api) -> list[str]:
    return [hashlib.sha256(data).hexdigest() for data in api.contents.values()]


def summary_digest(out: str) -> tuple[int, str]:
    """The size and sha256 the launch summary printed under the training file."""
    match = re.search(r"([\d,]+) bytes, sha256 ([0-9a-f]{64}) \(checked, and sent as checked\)", out)
    assert match, out
    return int(match.group(1).replace(",", "")), match.group(2)


@contextmanager
def fifo_writer(fifo: Path, data: bytes) -> Iterator[None]:
    """A writer that opens the FIFO (waiting for a reader), writes `data` and closes it; then, until the block
    ends, anyone who opens the FIFO again gets an end of file at once rather than a wait for ever (a second
    read, as advisor made before, would otherwise hang the test instead of failing it)."""
    stop = threading.Event()

    def write() -> None:
        with contextlib.suppress(OSError), fifo.open("wb") as handle:  # a reader that stops early: EPIPE
            handle.write(data)
        while not stop.wait(0.1):
            with contextlib.suppress(OSError):  # ENXIO: nobody is reading
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


# --- what is checked is what is sent -------------------------------------------------------------------


class TestWhatIsCheckedIsWhatIsSent:
    def test_a_pipe_on_stdin_uploads_exactly_the_bytes_it_checked(self, openai_api) -> None:
        result = run_cli(*openai_sft("/dev/stdin", "--yes"), stdin=TRAIN_BYTES)
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode()
        assert "training file   /dev/stdin (400 valid examples, 0 errors, 0 warnings)" in out
        assert summary_digest(out) == (len(TRAIN_BYTES), TRAIN_SHA)
        assert uploaded_digests(openai_api) == [TRAIN_SHA]  # not "/dev/stdin (0 bytes)"
        assert f"uploading the checked copy of /dev/stdin ({len(TRAIN_BYTES):,} bytes, sha256 {TRAIN_SHA})" in (
            result.stderr.decode()
        )
        (run,) = ledger_runs()
        assert run.request["files"] == {
            "training": {"source": "/dev/stdin", "bytes": len(TRAIN_BYTES), "sha256": TRAIN_SHA}
        }
        nothing_left(data_dir())

    def test_a_process_substitution_uploads_exactly_the_bytes_it_checked(self, openai_api, tmp_path: Path) -> None:
        """`--training-file <(cat train.jsonl)`, as bash runs it: a pipe named /dev/fd/63."""
        command = '"$1" -m advisor launch --provider openai --method sft --model gpt-4.1-mini ' + (
            f'--training-file <(cat "$2") --today {TODAY} --yes'
        )
        result = subprocess.run(
            ["bash", "-c", command, "bash", sys.executable, str(TRAIN)], capture_output=True, timeout=TIMEOUT
        )
        assert result.returncode == 0, result.stderr.decode()
        assert re.search(r"training file   /dev/fd/\d+ \(400 valid examples", result.stdout.decode())
        assert summary_digest(result.stdout.decode())[1] == TRAIN_SHA
        assert uploaded_digests(openai_api) == [TRAIN_SHA]

    def test_a_fifo_uploads_exactly_the_bytes_it_checked(self, advisor, openai_api, tmp_path: Path) -> None:
        fifo = tmp_path / "train.fifo"
        os.mkfifo(fifo)
        with fifo_writer(fifo, TRAIN_BYTES):
            result = advisor(*openai_sft(str(fifo), "--yes"))
        assert result.code == 0, result.err
        assert summary_digest(result.out) == (len(TRAIN_BYTES), TRAIN_SHA)
        assert uploaded_digests(openai_api) == [TRAIN_SHA]
        (run,) = ledger_runs()
        assert run.request["files"]["training"]["sha256"] == TRAIN_SHA

    def test_a_file_changed_after_the_check_is_sent_as_it_was_checked(self, openai_api, tmp_path: Path) -> None:
        """The file is rewritten while the launch waits at its confirmation: the checked bytes are sent."""
        training = tmp_path / "train.jsonl"
        training.write_bytes(TRAIN_BYTES)
        process = subprocess.Popen(
            [sys.executable, "-m", "advisor", *openai_sft(str(training))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            shown = read_until(process, b"[y/N]")
            training.write_bytes(b"".join(TRAIN_BYTES.splitlines(keepends=True)[:20]))  # another valid file
            _, err = process.communicate(b"y\n", timeout=TIMEOUT)
        finally:
            process.kill()
        assert process.returncode == 0, err.decode()
        assert summary_digest(shown.decode())[1] == TRAIN_SHA
        assert uploaded_digests(openai_api) == [TRAIN_SHA]  # not the 20-line file now at that path

    def test_together_receives_exactly_the_bytes_it_checked(self, together_api) -> None:
        args = ["launch", "--provider", "together", "--method", "sft", "--model", "llama-3.1-8b-instruct",
                "--training-file", "/dev/stdin", "--epochs", "3", "--today", "2026-12-01", "--yes"]  # fmt: skip
        result = run_cli(*args, stdin=TRAIN_BYTES)
        assert result.returncode == 0, result.stderr.decode()
        assert summary_digest(result.stdout.decode())[1] == TRAIN_SHA
        assert uploaded_digests(together_api) == [TRAIN_SHA]

    def test_a_providers_refusal_names_the_file_as_given(self, advisor, together_api) -> None:
        together_api.reject_files = "Line 12: the example matches no supported format"
        result = advisor(*TOGETHER)
        assert result.code == 1 and f"Together's file check refused {TRAIN} (" in result.err
        assert "checked" not in result.err.replace("checked copy of", "")  # never the private copy's path

    def test_jobs_show_names_the_digest_that_was_sent(self, advisor, openai_api) -> None:
        assert run_cli(*openai_sft("/dev/stdin", "--yes"), stdin=TRAIN_BYTES).returncode == 0
        (job_id,) = openai_api.jobs
        shown = advisor("jobs", "show", job_id)
        assert shown.code == 0, shown.err
        assert f"training file   /dev/stdin ({len(TRAIN_BYTES):,} bytes, sha256 {TRAIN_SHA}" in shown.out
        as_json = json.loads(advisor("jobs", "show", job_id, "--format", "json").out)
        assert as_json["run"]["request"]["files"]["training"]["sha256"] == TRAIN_SHA
        assert f"sha256 {TRAIN_SHA}" in " ".join(entry["what"] for entry in as_json["history"])

    def test_the_same_bytes_from_a_pipe_are_the_same_launch(self, openai_api, tmp_path: Path) -> None:
        """The digest of the copy is the launch's fingerprint: a file and a pipe of the same bytes are one launch."""
        training = tmp_path / "train.jsonl"
        training.write_bytes(TRAIN_BYTES)
        assert run_cli(*openai_sft(str(training), "--yes")).returncode == 0
        again = run_cli(*openai_sft("/dev/stdin", "--yes"), stdin=TRAIN_BYTES)
        assert again.returncode == 2 and "this launch was already made" in one_line(again.stderr)
        assert len(openai_api.jobs) == 1


def read_until(process: subprocess.Popen, marker: bytes, timeout: float = TIMEOUT) -> bytes:
    """What the process wrote to stdout up to and including `marker` (a prompt has no newline)."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in {seen!r}"
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, f"the process ended before {marker!r}: {seen!r}"
            seen += chunk
    return seen


class TestRefusedSources:
    """Nothing is sent, no run is recorded, no copy is left."""

    def test_an_empty_pipe_is_refused(self, openai_api) -> None:
        result = run_cli(*openai_sft("/dev/stdin", "--yes"), stdin=b"")
        assert result.returncode == 2
        assert one_line(result.stderr).startswith("advisor: error: /dev/stdin: is empty (0 bytes read)")
        assert "can be read once only" in result.stderr.decode()
        assert openai_api.requests == [] and not (data_dir() / "ledger.sqlite3").exists()
        nothing_left(data_dir())

    def test_an_empty_process_substitution_is_refused(self, openai_api) -> None:
        command = '"$1" -m advisor launch --provider openai --method sft --model gpt-4.1-mini ' + (
            f"--training-file <(true) --today {TODAY} --yes"
        )
        result = subprocess.run(["bash", "-c", command, "bash", sys.executable], capture_output=True, timeout=TIMEOUT)
        assert result.returncode == 2 and "is empty (0 bytes read)" in one_line(result.stderr)
        assert openai_api.requests == []

    def test_dev_zero_is_refused_at_the_line_cap(self, openai_api) -> None:
        result = run_cli(*openai_sft("/dev/zero", "--yes"))
        assert result.returncode == 2
        assert "/dev/zero: no newline in the first 64 MiB of a line" in one_line(result.stderr)
        assert openai_api.requests == []
        nothing_left(data_dir())

    def test_a_stream_larger_than_the_cap_is_refused(self, advisor, openai_api, tmp_path, monkeypatch) -> None:
        monkeypatch.setattr(checked_copy, "MAX_STREAM_BYTES", 2**20)
        fifo = tmp_path / "big.fifo"
        os.mkfifo(fifo)
        with fifo_writer(fifo, TRAIN_BYTES * 3):  # 1.4 MB of valid JSONL
            result = advisor(*openai_sft(str(fifo), "--yes"))
        assert result.code == 2
        assert f"{fifo}: is larger than 1 MiB, the most advisor reads from a pipe, FIFO or device" in one_line(
            result.err
        )
        assert "save it to a file" in result.err
        assert openai_api.requests == [] and ledger_runs() == []

    def test_a_fifo_nobody_writes_is_refused_after_the_wait(self, openai_api, tmp_path: Path) -> None:
        fifo = tmp_path / "silent.fifo"
        os.mkfifo(fifo)
        result = run_cli(*openai_sft(str(fifo), "--yes"), env={"ADVISOR_STREAM_WAIT": "0.3"})
        assert result.returncode == 2 and "nothing was written to this FIFO within 0.3 s" in one_line(result.stderr)
        assert openai_api.requests == []

    def test_a_folder_and_a_missing_file_are_refused(self, advisor, openai_api, tmp_path: Path) -> None:
        for given, says in ((tmp_path, "is a folder, not a file"), (tmp_path / "none.jsonl", "no such file")):
            result = advisor(*openai_sft(str(given), "--yes"))
            assert result.code == 2 and says in one_line(result.err)
        assert openai_api.requests == []

    def test_an_empty_file_is_refused(self, advisor, openai_api, tmp_path: Path) -> None:
        (tmp_path / "empty.jsonl").write_bytes(b"")
        result = advisor(*openai_sft(str(tmp_path / "empty.jsonl"), "--yes"))
        assert result.code == 2 and "empty.jsonl: is empty (0 bytes read)" in one_line(result.err)
        assert openai_api.requests == []

    def test_dataset_errors_name_the_file_as_given_not_the_copy(self, advisor, openai_api, tmp_path: Path) -> None:
        lines = TRAIN_BYTES.decode().splitlines()
        lines[6] = '{"messages": [{"role": "user", "content": "no answer"}]}'
        fifo = tmp_path / "broken.fifo"
        os.mkfifo(fifo)
        with fifo_writer(fifo, ("\n".join(lines) + "\n").encode()):
            result = advisor(*openai_sft(str(fifo), "--yes"))
        assert result.code == 1 and f"{fifo}:7:" in result.err
        assert "checked" not in result.err  # the private copy's path is never shown
        assert openai_api.requests == []


class TestTheCopies:
    """The private copies themselves (advisor.providers.checked_copy)."""

    def test_a_copy_is_named_by_its_digest_and_readable_by_the_user_only(self, tmp_path: Path) -> None:
        with CheckedCopies(tmp_path / "checked") as copies:
            checked = copies.copy("training", str(TRAIN))
            assert checked.path.name == f"{TRAIN_SHA}.jsonl" and checked.path.read_bytes() == TRAIN_BYTES
            assert (checked.size, checked.sha256, checked.source) == (len(TRAIN_BYTES), TRAIN_SHA, str(TRAIN))
            assert stat.S_IMODE(checked.path.stat().st_mode) == 0o600
            assert stat.S_IMODE(checked.path.parent.stat().st_mode) == 0o700
        assert not checked.path.exists() and not (tmp_path / "checked").exists()

    def test_the_copies_are_removed_when_the_command_fails(self, tmp_path: Path) -> None:
        with pytest.raises(RuntimeError), CheckedCopies(tmp_path / "checked") as copies:
            checked = copies.copy("training", str(TRAIN))
            raise RuntimeError("the check failed")
        assert not checked.path.exists()

    def test_a_folder_a_killed_launch_left_is_removed_by_the_next(self, tmp_path: Path) -> None:
        root = tmp_path / "checked"
        left = root / "999999999-abandoned"  # above any pid_max: that process is not running
        left.mkdir(parents=True)
        (left / f"{TRAIN_SHA}.jsonl").write_bytes(TRAIN_BYTES)
        mine = root / f"{os.getpid()}-running"
        mine.mkdir()
        with CheckedCopies(root):
            assert not left.exists() and mine.exists()  # a running process's folder is kept

    def test_a_grader_is_read_once_too(self, tmp_path: Path) -> None:
        fifo = tmp_path / "grader.fifo"
        os.mkfifo(fifo)
        with fifo_writer(fifo, b'{"type": "string_check"}'), CheckedCopies(tmp_path / "checked") as copies:
            checked = copies.copy("grader", str(fifo))
            assert checked.path.suffix == ".json" and checked.path.read_bytes() == b'{"type": "string_check"}'


class TestLocalRunsGetTheCheckedBytes:
    """The local provider "uploads" into its run folder: the training data and an RFT grader from pipes."""

    @pytest.fixture(autouse=True)
    def local(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
        runs = tmp_path / "runs"
        monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(runs))
        monkeypatch.setenv("ADVISOR_LOCAL_TRAINER", f"{sys.executable} {Path(__file__).with_name('local_trainer.py')}")
        yield runs
        kill_run_processes(runs)

    def test_an_rft_launch_from_process_substitutions(self, local: Path, tmp_path: Path) -> None:
        rows = [
            {"messages": [{"role": "user", "content": f"What is {i} + {i}?"}], "answer": str(2 * i)} for i in range(15)
        ]
        train = write_jsonl(tmp_path / "train.jsonl", rows[:12])
        valid = write_jsonl(tmp_path / "valid.jsonl", rows[12:])
        grader = json.dumps({"type": "string_check", "name": "exact", "operation": "eq",
                             "input": "{{ sample.output_text }}", "reference": "{{ item.answer }}"})  # fmt: skip
        command = (
            '"$1" -m advisor launch --provider local --method rft --model llama-3.1-8b-instruct '
            '--training-file <(cat "$2") --validation-file <(cat "$3") --grader <(printf %s "$4") '
            "--set max_completion_length=64 --set batch_size=8 --today 2026-12-05 --yes"
        )
        result = subprocess.run(
            ["bash", "-c", command, "bash", sys.executable, str(train), str(valid), grader],
            capture_output=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 0, result.stderr.decode()
        (run,) = ledger_runs()
        folder = Path(run.details["run_dir"])
        assert (folder / "input" / "training.jsonl").read_bytes() == train.read_bytes()
        assert (folder / "input" / "validation.jsonl").read_bytes() == valid.read_bytes()
        assert json.loads((folder / "grader.json").read_text()) == json.loads(grader)
        files = run.request["files"]
        assert files["training"]["sha256"] == hashlib.sha256(train.read_bytes()).hexdigest()
        assert files["grader"]["sha256"] == hashlib.sha256(grader.encode()).hexdigest()
        assert re.fullmatch(r"/dev/fd/\d+", files["grader"]["source"])


# --- settings that crashed or hung ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    says: str  # a regex the one error line must match
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)


LOCAL = ["launch", "--provider", "local", "--method", "sft", "--model", "llama-3.1-8b-instruct",
         "--training-file", str(TRAIN), "--today", "2026-12-05", "--dry-run"]  # fmt: skip
TOGETHER = ["launch", "--provider", "together", "--method", "sft", "--model", "llama-3.1-8b-instruct",
            "--training-file", str(TRAIN), "--epochs", "3", "--today", "2026-12-01", "--yes"]  # fmt: skip
OPENAI = openai_sft(str(TRAIN), "--yes")
CKPT = f"ft:gpt-4.1-mini-2025-04-14:acme::abc:ckpt-step-{FIVE_THOUSAND}"
ESTIMATE = ["estimate", "--requests", "1M", "--prompt-tokens", "100", "--today", "2026-12-01"]
ESTIMATE_FT = [*ESTIMATE, "--training-tokens", "10000", "--examples", "100"]

CASES = [
    # local provider settings (a traceback from RunSettings(**values) before)
    Case(
        "local-set-unknown",
        [*LOCAL, "--set", "a=b"],
        r"local does not take the setting\(s\) a; it takes: training_type",
    ),
    Case("local-tier", [*LOCAL, "--tier", "bogus"], r"local does not take the setting\(s\) tier"),
    # counts that made a dry run loop a billion times
    Case("nodes-billion", [*LOCAL, "--nodes", "1000000000"], r"--nodes.*1000000000 is not in the range 1<=x<=1024"),
    Case("gpus-17", [*LOCAL, "--gpus", "17"], r"--gpus.*17 is not in the range 1<=x<=16"),
    Case(
        "set-nodes-billion",
        [*LOCAL, "--set", "nodes=1000000000", "--set", "main_process_ip=10.0.0.1"],
        r"nodes=1000000000: must be a whole number from 1 to 1,024",
    ),
    Case(
        "set-gpus-5000-digits",
        [*LOCAL, "--set", f"gpus={FIVE_THOUSAND}"],
        r"gpus=9{20}\.\.\.\(5,000 characters\): must",
    ),
    # numbers that are not numbers
    Case("local-rate-nan", [*LOCAL, "--set", "learning_rate=nan"], r"--set learning_rate=nan: must be a finite number"),
    Case("local-rate-inf", [*LOCAL, "--set", "learning_rate=-inf"], r"learning_rate=-inf: must be a finite number"),
    Case("local-rate-1e400", [*LOCAL, "--set", "learning_rate=1e400"], r"learning_rate=1e400: must be a finite"),
    Case("local-steps-5000-digits", [*LOCAL, "--set", f"max_steps={FIVE_THOUSAND}"], r"max_steps=9+\.\.\..*finite"),
    Case(
        "local-rate-negative",
        [*LOCAL, "--set", "learning_rate=-1"],
        r"learning_rate=-1: must be a finite number more than 0",
        code=1,
    ),
    Case(
        "local-port-huge",
        [*LOCAL, "--set", "main_process_port=70000"],
        r"main_process_port=70000: must be at most 65,535",
        code=1,
    ),
    # the model ids of the issue
    Case(
        "estimate-ft-gpt5",
        ["estimate", "--model", "ft:gpt-5:acme::abc", "--ft-model", "gpt-4.1-mini", *ESTIMATE_FT[1:]],
        r"'ft:gpt-5:acme::abc' names a fine-tune of openai:gpt-5, which cannot be fine-tuned",
    ),
    Case(
        "estimate-ckpt-5000",
        ["estimate", "--model", "gpt-4.1", "--ft-model", CKPT, *ESTIMATE_FT[1:]],
        r"checkpoint step in 'ft:gpt-4.1-mini.*has 5,000 digits, more than the 12",
    ),
    Case("estimate-model-ckpt-5000", ["estimate", "--model", CKPT, *ESTIMATE[1:]], r"has 5,000 digits"),
    Case("launch-ft-ckpt-5000", [*OPENAI[:6], CKPT, *OPENAI[7:], "--dry-run"], r"has 5,000 digits"),
    # jobs watch --every
    *(
        Case(
            f"watch-every-{value}",
            ["jobs", "watch", "ftjob-x", "--provider", "openai", "--every", value],
            r"--every.*must be a number of seconds from 0\.01 to 600",
        )
        for value in ("nan", "inf", "-1", "0", "abc", "1e400")
    ),
    # environment variables read as seconds
    *(
        Case(
            f"stream-wait-{value}",
            ["dataset", "check", "FIFO"],
            rf"ADVISOR_STREAM_WAIT='{re.escape(value)}' is not a number of seconds "
            "from 0 to 3,600",
            env={"ADVISOR_STREAM_WAIT": value},
        )
        for value in ("abc", "nan", "inf", "-1", "1e9")
    ),
    Case(
        "launch-stream-wait-nan",
        [*openai_sft("FIFO"), "--dry-run"],
        r"ADVISOR_STREAM_WAIT='nan'",
        env={"ADVISOR_STREAM_WAIT": "nan"},
    ),
    Case(
        "openai-timeout-nan",
        [*OPENAI, "--dry-run"],
        r"ADVISOR_OPENAI_TIMEOUT='nan' is not a number of seconds more than 0 "
        "to 3,600",
        env={"ADVISOR_OPENAI_TIMEOUT": "nan"},
    ),
    Case(
        "openai-timeout-zero",
        [*OPENAI, "--dry-run"],
        r"ADVISOR_OPENAI_TIMEOUT='0'",
        env={"ADVISOR_OPENAI_TIMEOUT": "0"},
    ),
    Case(
        "together-timeout-inf",
        [*TOGETHER, "--dry-run"],
        r"ADVISOR_TOGETHER_TIMEOUT='inf'",
        env={"ADVISOR_TOGETHER_TIMEOUT": "inf"},
    ),
    Case(
        "together-check-wait",
        [*TOGETHER, "--dry-run"],
        r"ADVISOR_TOGETHER_FILE_CHECK_SECONDS='-5'",
        env={"ADVISOR_TOGETHER_FILE_CHECK_SECONDS": "-5"},
    ),
    # an output folder that cannot be made
    Case(
        "download-proc",
        ["jobs", "download", "ft-x", "--provider", "together", "--output", "/proc/x"],
        r"/proc/x: cannot make the folder \(No such file or directory\); give --output a folder you can write",
    ),
    Case(
        "download-under-a-file",
        ["jobs", "download", "ft-x", "--provider", "together", "--output", str(TRAIN / "x")],
        r"train\.jsonl/x: cannot make the folder \(Not a directory\)",
    ),
]


def test_the_corpus_covers_every_case() -> None:
    assert len(CASES) >= 30 and len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_setting_is_one_clear_line(case: Case, tmp_path: Path) -> None:
    """Each case in a subprocess with a timeout: no traceback, no hang, one line, its exit status."""
    fifo = tmp_path / "silent.fifo"
    os.mkfifo(fifo)  # a FIFO nobody writes to: a wait that must be bounded
    args = [str(fifo) if arg == "FIFO" else arg for arg in case.args]
    result = run_cli(*args, env=case.env, cwd=tmp_path)
    assert result.returncode == case.code, (result.stdout.decode(), result.stderr.decode())
    line = one_line(result.stderr)
    assert re.search(case.says, line), line
    assert len(line) < 600  # a 5,000-digit value is not echoed whole
    if case.args[0] == "launch":
        assert not (data_dir() / "ledger.sqlite3").exists()  # nothing was launched


class TestNothingReachesTheProvider:
    """Bad numbers stop the launch before any request: the fakes saw nothing."""

    @pytest.mark.parametrize("rate", ["nan", "NaN", "inf", "-Infinity", "1e999"])
    def test_a_non_finite_learning_rate_never_reaches_together(self, advisor, together_api, rate) -> None:
        result = advisor(*TOGETHER, "--set", f"learning_rate={rate}")
        assert result.code == 2 and "must be a finite number" in one_line(result.err)
        assert together_api.requests == [] and together_api.create_bodies == []

    def test_a_negative_learning_rate_is_refused_by_together(self, advisor, together_api) -> None:
        result = advisor(*TOGETHER, "--set", "learning_rate=-0.1")
        assert result.code == 1 and "--set learning_rate=-0.1 must be a finite number above 0" in result.err
        assert together_api.requests == []

    def test_a_good_learning_rate_is_sent_as_a_json_number(self, advisor, together_api) -> None:
        result = advisor(*TOGETHER, "--set", "learning_rate=0.0002")
        assert result.code == 0, result.err
        (body,) = together_api.create_bodies
        assert body["learning_rate"] == 0.0002

    def test_a_bad_timeout_stops_the_launch_before_anything_is_sent(self, advisor, openai_api, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_OPENAI_TIMEOUT", "inf")
        result = advisor(*OPENAI)
        assert result.code == 2 and "ADVISOR_OPENAI_TIMEOUT='inf'" in one_line(result.err)
        assert openai_api.requests == [] and ledger_runs() == []

    def test_jobs_commands_say_a_bad_timeout_as_it_is(self, advisor, openai_api, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_OPENAI_TIMEOUT", "abc")
        result = advisor("jobs", "show", "ftjob-x", "--provider", "openai")
        assert result.code == 2 and one_line(result.err).startswith("advisor: error: ADVISOR_OPENAI_TIMEOUT='abc'")

    @pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc"])
    def test_a_bad_ledger_wait_is_refused(self, advisor, openai_api, monkeypatch, value) -> None:
        assert advisor(*OPENAI).code == 0  # a ledger to read
        monkeypatch.setenv("ADVISOR_LEDGER_WAIT", value)
        result = advisor("jobs", "list", "--offline")
        assert result.code == 2 and f"ADVISOR_LEDGER_WAIT='{value}' is not a number of seconds" in one_line(result.err)


class TestModelIds:
    def test_a_fine_tune_of_a_model_that_cannot_be_tuned_is_refused_at_launch(self, advisor, openai_api) -> None:
        result = advisor(*[*OPENAI[:6], "ft:gpt-5:acme::abc", *OPENAI[7:]])
        assert result.code == 2 and "openai:gpt-5, which cannot be fine-tuned" in result.err  # refused as bad input
        assert "Traceback" not in result.err and openai_api.requests == []

    @pytest.mark.parametrize("job", ["ft:gpt-5:acme::abc", CKPT])
    def test_jobs_show_of_such_an_id_is_one_line(self, advisor, openai_api, job) -> None:
        result = advisor("jobs", "show", job, "--provider", "openai")
        assert result.code != 0 and one_line(result.err).startswith("advisor: error: ")


class TestOutputThatCannotBeWritten:
    @pytest.mark.parametrize(
        "args",
        [
            ["pricing", "list"],
            ["estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", *ESTIMATE_FT[1:]],
            ["--help"],
            ["jobs", "list"],
            [
                "launch",
                "--provider",
                "local",
                "--method",
                "sft",
                "--model",
                "llama-3.1-8b-instruct",
                "--training-file",
                str(TRAIN),
                "--today",
                "2026-12-05",
                "--dry-run",
            ],
        ],
        ids=["pricing-list", "estimate", "help", "jobs-list", "launch-dry-run"],
    )
    def test_stdout_on_a_full_disk(self, args: list[str]) -> None:
        with open("/dev/full", "wb") as full:
            result = subprocess.run(
                [sys.executable, "-m", "advisor", *args], stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT
            )
        assert result.returncode == 1
        assert one_line(result.stderr) == "advisor: error: cannot write the output (No space left on device)"
