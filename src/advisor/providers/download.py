"""Downloading a fine-tune's weights or adapter without ever leaving a corrupt file.

A provider that can hand out weights implements the capability `Downloads`, `open_download(job_id,
checkpoint, offset)`: a context manager yielding a `Download` (the file's name and size as the server
states them, the byte its body starts at, an optional sha256, and the body in chunks). This module does
the rest the same way for every provider: the size is reported before the body is read, the bytes go to
a temporary file beside the target, a cut is resumed from where it stopped (a Range request; when the
server ignores the range, the file starts over cleanly), the size and any checksum are checked, and only
then is the file renamed into place, atomically. A download that cannot be completed removes its
temporary file: the target either is whole or does not exist.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from advisor.errors import UserError
from advisor.providers.base import Provider, ProviderError

ATTEMPTS = 5  # a cut, then up to four resumptions
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # seconds before each further attempt


class DownloadCut(Exception):
    """The body stopped before its end (a dropped connection, a timeout): what arrived is kept and the
    rest is asked for again. Providers raise it from their chunk iterator."""


@dataclass
class Download:
    """One answer to a download request, as `open_download` yields it."""

    name: str  # the file name the server suggests (no directories)
    total: int | None  # the whole file's size in bytes, when the server states it
    start: int  # the byte of the file the body starts at (0 when a Range was ignored)
    chunks: Iterator[bytes]
    sha256: str | None = None  # hex digest of the whole file, when the server gives one


@runtime_checkable
class Downloads(Protocol):
    """A provider that hands out a fine-tune's weights or adapter (docs/plugins.md, `advisor jobs download`)."""

    def open_download(self, job_id: str, checkpoint: str | None, offset: int) -> AbstractContextManager[Download]:
        """The job's weights (or the `checkpoint` the provider names) from byte `offset` (a Range request)."""


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    sha256: str
    checked: bool  # the server's checksum was compared (not only the size)
    resumed: int  # how many times a cut was resumed


def download(
    provider: Provider,
    job_id: str,
    output: Path,
    *,
    checkpoint: str | None = None,
    on_start: Callable[[str, int | None], None] = lambda name, size: None,
    on_progress: Callable[[int, int | None], None] = lambda done, total: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Download the job's weights (or the `checkpoint` the provider names) into the folder `output`."""
    if not isinstance(provider, Downloads):
        raise UserError(
            f"the {provider.name} provider cannot download weights",
            hint="its fine-tunes are served by the provider only; see docs/launching.md",
        )
    _writable_folder(output)
    target: Path | None = None
    partial: Path | None = None
    digest = hashlib.sha256()
    done = 0
    resumed = 0
    total: int | None = None
    expected_sha: str | None = None
    try:
        for attempt in range(ATTEMPTS):
            if attempt:
                sleep(RETRY_DELAYS[min(attempt - 1, len(RETRY_DELAYS) - 1)])
            try:
                with provider.open_download(job_id, checkpoint, done) as answer:
                    if target is None:
                        target = output / _safe_name(answer.name)
                        if target.exists():
                            raise UserError(
                                f"{target} already exists",
                                hint="remove it, or download into another folder with --output DIR",
                            )
                        partial = target.with_name(f".{target.name}.part")
                        total, expected_sha = answer.total, answer.sha256
                        on_start(target.name, total)
                    assert partial is not None
                    if answer.start != done:
                        if answer.start != 0:
                            raise ProviderError(f"the server sent bytes from {answer.start:,}, not {done:,}")
                        done, digest = 0, hashlib.sha256()  # the range was ignored: start over, cleanly
                    if total is not None and answer.total is not None and answer.total != total:
                        raise ProviderError(f"the file changed size on the server ({total:,} -> {answer.total:,})")
                    written = [done]  # how far the file got, kept even when the body is cut

                    def advance(n: int, size: int | None = total, written: list[int] = written) -> None:
                        written[0] = n
                        on_progress(n, size)

                    try:
                        _write(partial, answer.chunks, done, digest, advance)
                    finally:
                        done = written[0]
                if total is None or done >= total:
                    break
                raise DownloadCut(f"the answer ended at byte {done:,} of {total:,}")
            except (DownloadCut, ConnectionError, TimeoutError) as cut:
                if attempt == ATTEMPTS - 1:
                    raise ProviderError(
                        f"the download of {job_id} kept being cut ({cut}); nothing was kept",
                        hint="check the network and run the same command again",
                    ) from None
                resumed += 1
            except ProviderError as error:
                if error.final or attempt == ATTEMPTS - 1:
                    raise
                resumed += 1
            except OSError as exc:  # not the network (caught above): the disk
                raise UserError(f"cannot write {partial or output}: {exc.strerror or exc}") from None
        assert target is not None and partial is not None
        if total is not None and done != total:
            raise ProviderError(f"received {done:,} bytes, the server announced {total:,}; nothing was kept")
        actual = digest.hexdigest()
        if expected_sha is not None and actual != expected_sha.lower():
            raise ProviderError(
                f"the file's sha256 is {actual[:12]}..., the server's is {expected_sha[:12]}...; nothing was kept",
                hint="run the same command again",
            )
        try:
            os.replace(partial, target)  # atomic: the target is whole or absent
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
        partial = None
        return Downloaded(target, done, actual, expected_sha is not None, resumed)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def _writable_folder(output: Path) -> None:
    """Make `output` (and its parents) or refuse it before anything is asked of the provider: a folder that
    cannot be made (`/proc/x`) or written is one clear error."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot make the folder ({exc.strerror or exc})",
            where=str(output),
            hint="give --output a folder you can write",
        ) from None
    if not os.access(output, os.W_OK | os.X_OK):
        raise UserError("cannot write into this folder", where=str(output), hint="give --output a folder you can write")


def _write(path: Path, chunks: Iterator[bytes], at: int, digest: Any, progress: Callable[[int], None]) -> int:
    """Write the chunks at byte `at` of the temporary file (dropping anything after it), reporting each new
    end to `progress` as it is written (a cut body raises from `chunks`); return the end."""
    mode = "r+b" if at and path.exists() else "wb"
    with path.open(mode) as handle:
        handle.seek(at)
        handle.truncate()
        try:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                at += len(chunk)
                progress(at)
        finally:
            handle.flush()
            os.fsync(handle.fileno())
    return at


def _safe_name(name: str) -> str:
    """The server's file name without any directory part (a name must not write outside the folder)."""
    cleaned = Path(name.replace("\\", "/")).name.strip()
    if cleaned in ("", ".", ".."):
        raise ProviderError(f"the server suggested an unusable file name {name!r}")
    return cleaned
