"""The job ledger: a SQLite file in the user's data folder that records every launch.

The intent is written before any request is sent, then each file id and the job id as they arrive, so
that a launch cut short (a timeout, a dropped connection, a killed process) can always be found again by
its run id instead of being launched twice. `advisor jobs list` reads it when the network is down.
Nothing secret is ever written here: requests are stored without credentials.

Each run also keeps `details`, a JSON object of facts the provider reports about where and how the job
runs (for a job on the team's own GPUs: host, pid, output and log folders, the command, GPU-hours so
far). The column was added after the first ledgers were written: opening an older file adds it.

Faults get one clear error that says what to do, never a traceback or an endless wait: a file that is
not a ledger (corrupt, or another file) is named with the command that moves it aside; a read-only
file can still be read (`advisor jobs list --offline`); a row whose stored JSON is broken is shown
with what is wrong instead of stopping the listing; while another process holds the database lock,
advisor says what it waits for and gives up after LOCK_WAIT_SECONDS (`$ADVISOR_LEDGER_WAIT`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from advisor.errors import UserError
from advisor.parsing.environment import seconds_from_env
from advisor.safe_text import shell_command, visible

T = TypeVar("T")
LOCK_WAIT_SECONDS = 15.0  # how long to wait for another process's write to the ledger
MOST_LOCK_WAIT_SECONDS = 3600.0
_SQLITE_HEADER = b"SQLite format 3\x00"

State = str  # intent | uploading | uploaded | creating | created | create-unknown | failed

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    method TEXT NOT NULL,
    model TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    request TEXT NOT NULL,
    estimate_usd TEXT,
    state TEXT NOT NULL,
    training_file_id TEXT,
    validation_file_id TEXT,
    job_id TEXT UNIQUE,
    status TEXT,
    provider_status TEXT,
    fine_tuned_model TEXT,
    trained_tokens INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    details TEXT
);
CREATE INDEX IF NOT EXISTS runs_fingerprint ON runs (fingerprint);
CREATE TABLE IF NOT EXISTS history (
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    what TEXT NOT NULL
);
"""


def ledger_path() -> Path:
    """$ADVISOR_DATA_DIR/ledger.sqlite3, or the platform's user data folder."""
    root = os.environ.get("ADVISOR_DATA_DIR")
    if not root:
        from platformdirs import user_data_dir

        root = user_data_dir("advisor", appauthor=False)
    return Path(root) / "ledger.sqlite3"


def new_run_id() -> str:
    return f"adv-{uuid.uuid4().hex[:16]}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Run:
    run_id: str
    provider: str
    method: str
    model: str
    fingerprint: str
    request: dict[str, Any]
    estimate_usd: str | None
    state: State
    training_file_id: str | None
    validation_file_id: str | None
    job_id: str | None
    status: str | None
    provider_status: str | None
    fine_tuned_model: str | None
    trained_tokens: int | None
    error: str | None
    created_at: str
    updated_at: str
    details: dict[str, Any] = field(default_factory=dict)  # what the provider reports beyond the job itself
    damaged: str | None = None  # what of the stored row could not be read (broken JSON), shown to the user


def _lock_wait() -> float:
    """$ADVISOR_LEDGER_WAIT: 0 to MOST_LOCK_WAIT_SECONDS (`inf` or `nan` would wait for ever: refused)."""
    return seconds_from_env("ADVISOR_LEDGER_WAIT", LOCK_WAIT_SECONDS, most=MOST_LOCK_WAIT_SECONDS)


def _say(text: str) -> None:
    print(f"advisor: {visible(text)}", file=sys.stderr, flush=True)


class Ledger:
    """One ledger file; every write is its own transaction, committed before the next request is sent.

    `read_only` opens an existing file without writing to it (no schema, no migration): reading works on
    a file the user may not write, and a missing file is an error rather than a new ledger."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False, say: Callable[[str], None] = _say):
        self.path = path or ledger_path()
        self.read_only = read_only
        self._say = say
        self._told_wait = False
        _check_header(self.path)
        try:
            if read_only:
                self._db = _connect_read_only(self.path)
            else:
                if self.path.exists() and not os.access(self.path, os.W_OK):
                    raise _read_only_error(self.path)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=0.1, isolation_level=None)
                self._locked(lambda: self._db.execute("PRAGMA journal_mode=WAL"), "open")
                self._locked(lambda: self._db.executescript(SCHEMA), "open")
                self._migrate()
        except UserError:
            raise
        except (OSError, sqlite3.Error) as exc:
            raise _open_error(self.path, exc) from None
        self._db.row_factory = sqlite3.Row

    @classmethod
    def existing(cls, path: Path | None = None, *, read_only: bool = False) -> Ledger | None:
        """The ledger if its file exists, else None (listing jobs never creates a ledger)."""
        path = path or ledger_path()
        return cls(path, read_only=read_only) if path.exists() else None

    def close(self) -> None:
        self._db.close()

    def _locked(self, operation: Callable[[], T], what: str = "read") -> T:
        """Run `operation`; while another process holds the database lock, say what is waited for, retry
        for at most $ADVISOR_LEDGER_WAIT seconds, then give up with what to do."""
        wait = _lock_wait()
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            try:
                return operation()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise UserError(
                        f"the job ledger is locked by another process (waited {wait:g} s to {what} it)",
                        where=str(self.path),
                        hint="let the other advisor (a launch, `jobs watch`) finish and run this again; "
                        "ADVISOR_LEDGER_WAIT=SECONDS waits longer",
                    ) from None
                if not self._told_wait:
                    self._told_wait = True
                    self._say(
                        f"waiting up to {wait:g} s for the job ledger {self.path}, which another process "
                        "is writing (Ctrl-C stops)"
                    )
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 1.0)

    def _rows(self, query: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self._locked(lambda: self._db.execute(query, parameters).fetchall())
        except sqlite3.OperationalError as exc:
            if self.read_only and "no such table" in str(exc):
                return []  # an empty (zero-length) ledger read without writing: no runs yet
            raise _open_error(self.path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise _open_error(self.path, exc) from None

    def _migrate(self) -> None:
        """Bring a ledger written by an older advisor up to this schema (`CREATE TABLE IF NOT EXISTS` leaves
        an existing table as it was). Inside one immediate transaction, so two processes opening the same
        old file do not both add the column. A ledger already up to date is not locked at all."""
        columns = {row[1] for row in self._locked(lambda: self._db.execute("PRAGMA table_info(runs)").fetchall())}
        if "details" in columns:
            return
        with self._transaction() as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
            if "details" not in columns:
                db.execute("ALTER TABLE runs ADD COLUMN details TEXT")

    @contextmanager
    def launching(self, fingerprint: str) -> Iterator[None]:
        """Hold this launch's lock, so two advisor processes cannot make the same launch at once. The
        operating system releases it when the process ends, even when it is killed."""
        folder = self.path.parent / "locks"
        folder.mkdir(exist_ok=True)
        with (folder / f"{fingerprint[:32]}.lock").open("a+b") as handle:
            if not _try_lock(handle.fileno()):
                raise UserError(
                    "the same launch is being made by another advisor process right now",
                    hint="wait for it to finish, then see `advisor jobs list`",
                )
            yield

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise _read_only_error(self.path)
        try:
            self._locked(lambda: self._db.execute("BEGIN IMMEDIATE"), "write")
        except sqlite3.DatabaseError as exc:
            raise _open_error(self.path, exc) from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._db.execute("ROLLBACK")
            raise _open_error(self.path, exc) from None

    def record_intent(
        self,
        run_id: str,
        provider: str,
        method: str,
        model: str,
        fingerprint: str,
        request: dict[str, Any],
        estimate_usd: str | None,
    ) -> None:
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, provider, method, model, fingerprint, request, estimate_usd, state, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'intent', ?, ?)",
                (
                    run_id,
                    provider,
                    method,
                    model,
                    fingerprint,
                    json.dumps(request, sort_keys=True),
                    estimate_usd,
                    now,
                    now,
                ),
            )
            db.execute("INSERT INTO history VALUES (?, ?, ?)", (run_id, now, "intent recorded"))

    def update(self, run_id: str, what: str, **fields: Any) -> None:
        """Set fields of a run and note what happened."""
        if not fields:
            return
        now = _now()
        columns = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction() as db:
            db.execute(f"UPDATE runs SET {columns}, updated_at = ? WHERE run_id = ?", (*fields.values(), now, run_id))
            db.execute("INSERT INTO history VALUES (?, ?, ?)", (run_id, now, what))

    def merge_details(self, run_id: str, details: dict[str, Any]) -> bool:
        """Merge what the provider reports about a run (host, pid, folders, command ...) into its details;
        a key given again replaces its value. Returns whether anything changed. No history line: details
        such as GPU-hours so far change on every read, while the history notes what happened."""
        if not details:
            return False
        with self._transaction() as db:
            row = db.execute("SELECT details FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                return False
            try:
                current = json.loads(row[0]) if row[0] else {}
            except ValueError:
                current = {}  # a broken stored value is replaced by what the provider reports now
            merged = {**current, **details}
            if merged == current:
                return False
            db.execute(
                "UPDATE runs SET details = ?, updated_at = ? WHERE run_id = ?",
                (json.dumps(merged, sort_keys=True, default=str), _now(), run_id),
            )
        return True

    def get(self, key: str) -> Run | None:
        """A run by run id or job id."""
        rows = self._rows("SELECT * FROM runs WHERE run_id = ? OR job_id = ?", (key, key))
        return _run(rows[0]) if rows else None

    def by_fingerprint(self, fingerprint: str) -> list[Run]:
        rows = self._rows("SELECT * FROM runs WHERE fingerprint = ? ORDER BY created_at", (fingerprint,))
        return [_run(row) for row in rows]

    def runs(self, provider: str | None = None) -> list[Run]:
        query = "SELECT * FROM runs" + (" WHERE provider = ?" if provider else "") + " ORDER BY created_at DESC"
        return [_run(row) for row in self._rows(query, (provider,) if provider else ())]

    def unresolved(self) -> list[Run]:
        """Runs whose create request may have reached the provider without a job id being recorded."""
        rows = self._rows("SELECT * FROM runs WHERE job_id IS NULL AND state IN ('creating', 'create-unknown')")
        return [_run(row) for row in rows]

    def history(self, run_id: str) -> list[tuple[str, str]]:
        rows = self._rows("SELECT at, what FROM history WHERE run_id = ? ORDER BY rowid", (run_id,))
        return [(row["at"], row["what"]) for row in rows]

    def forget(self, run_id: str) -> bool:
        """Remove a run and its history from the ledger (the provider's job, if any, is not touched)."""
        with self._transaction() as db:
            gone = db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,)).rowcount
            db.execute("DELETE FROM history WHERE run_id = ?", (run_id,))
        return bool(gone)


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False if another process holds it."""
    try:
        if sys.platform == "win32":  # as os.name == "nt", in a form mypy follows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _run(row: sqlite3.Row) -> Run:
    """A row as a Run; stored JSON that does not read back (a hand edit, a damaged file) becomes `{}` and
    is named in `damaged`, so one broken row never stops the others from being listed."""
    values = dict(row)
    damaged = []
    for column in ("request", "details"):
        try:
            parsed = json.loads(values[column]) if values.get(column) else {}
        except (ValueError, TypeError):
            parsed = None
        if not isinstance(parsed, dict):
            damaged.append(column)
            parsed = {}
        values[column] = parsed
    if damaged:
        values["damaged"] = (
            f"its stored {' and '.join(damaged)} {'is' if len(damaged) == 1 else 'are'} not valid JSON; "
            f"`{shell_command('advisor', 'jobs', 'forget', values['run_id'])}` removes it"
        )
    return Run(**values)


def _check_header(path: Path) -> None:
    """A file that exists, is not empty and does not start as SQLite files do is not a ledger."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise UserError(
            "the job ledger's path is a folder", where=str(path), hint="move it aside, or set ADVISOR_DATA_DIR"
        ) from None
    except OSError as exc:
        raise _open_error(path, exc) from None
    if head and head != _SQLITE_HEADER:
        raise _not_a_ledger(path)


def _not_a_ledger(path: Path) -> UserError:
    return UserError(
        "the job ledger is damaged or not a SQLite file",
        where=str(path),
        hint=f"move it aside (mv '{path}' '{path}.broken'); the next launch starts a new ledger, and the jobs in "
        "the old one stay at their providers (`advisor jobs show JOB --provider P`)",
    )


def _read_only_error(path: Path) -> UserError:
    return UserError(
        "the job ledger is read-only",
        where=str(path),
        hint=f"make it writable (chmod u+w '{path}'), or set ADVISOR_DATA_DIR to another folder; "
        "`advisor jobs list --offline` still reads it",
    )


def _open_error(path: Path, exc: BaseException) -> UserError:
    """The one error for a ledger that cannot be opened, read or written, saying what to do for each cause."""
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
    ):
        return _not_a_ledger(path)
    if "readonly" in text or "read-only" in text:
        return _read_only_error(path)
    if isinstance(exc, PermissionError) or "unable to open" in text:
        return UserError(
            f"cannot open the job ledger ({getattr(exc, 'strerror', None) or text})",
            where=str(path),
            hint="check the permissions of the file and its folder, or set ADVISOR_DATA_DIR",
        )
    return UserError(
        f"cannot use the job ledger ({text})", where=str(path), hint="set ADVISOR_DATA_DIR to another folder to check"
    )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open without writing: `mode=ro`; a read-only file in WAL mode whose -shm file cannot be made is read
    as immutable (a snapshot: nobody can be writing a file no one may write)."""
    if not path.exists():
        raise UserError("there is no job ledger yet", where=str(path), hint="`advisor launch` starts one")
    uri = path.resolve().as_uri()
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=0.1, isolation_level=None)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=0.1, isolation_level=None)
