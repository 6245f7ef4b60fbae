"""The job ledger: a SQLite file in the user's data folder that records every launch.

The intent is written before any request is sent, then each file id and the job id as they arrive, so
that a launch cut short (a timeout, a dropped connection, a killed process) can always be found again by
its run id instead of being launched twice. `advisor jobs list` reads it when the network is down.
Nothing secret is ever written here: requests are stored without credentials.

Each run also keeps `details`, a JSON object of facts the provider reports about where and how the job
runs (for a job on the team's own GPUs: host, pid, output and log folders, the command, GPU-hours so
far). The column was added after the first ledgers were written: opening an older file adds it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.errors import UserError

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


class Ledger:
    """One ledger file; every write is its own transaction, committed before the next request is sent."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or ledger_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise UserError(
                f"cannot open the job ledger ({exc})",
                where=str(self.path),
                hint="check the folder's permissions, or set ADVISOR_DATA_DIR",
            ) from None
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        """Bring a ledger written by an older advisor up to this schema (`CREATE TABLE IF NOT EXISTS` leaves
        an existing table as it was). Inside one immediate transaction, so two processes opening the same
        old file do not both add the column."""
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
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

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
            current = json.loads(row[0]) if row[0] else {}
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
        row = self._db.execute("SELECT * FROM runs WHERE run_id = ? OR job_id = ?", (key, key)).fetchone()
        return _run(row) if row else None

    def by_fingerprint(self, fingerprint: str) -> list[Run]:
        rows = self._db.execute("SELECT * FROM runs WHERE fingerprint = ? ORDER BY created_at", (fingerprint,))
        return [_run(row) for row in rows]

    def runs(self, provider: str | None = None) -> list[Run]:
        query = "SELECT * FROM runs" + (" WHERE provider = ?" if provider else "") + " ORDER BY created_at DESC"
        return [_run(row) for row in self._db.execute(query, (provider,) if provider else ())]

    def unresolved(self) -> list[Run]:
        """Runs whose create request may have reached the provider without a job id being recorded."""
        rows = self._db.execute("SELECT * FROM runs WHERE job_id IS NULL AND state IN ('creating', 'create-unknown')")
        return [_run(row) for row in rows]

    def history(self, run_id: str) -> list[tuple[str, str]]:
        return [
            (row["at"], row["what"])
            for row in self._db.execute("SELECT at, what FROM history WHERE run_id = ? ORDER BY rowid", (run_id,))
        ]


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False if another process holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _run(row: sqlite3.Row) -> Run:
    values = dict(row)
    values["request"] = json.loads(values["request"])
    values["details"] = json.loads(values["details"]) if values.get("details") else {}
    return Run(**values)
