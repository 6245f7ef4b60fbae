"""A progress bar for long scans: bytes done, examples a second, time left. Only on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from advisor.datasets.scan import ScanResult
from advisor.render.console import live


@contextmanager
def scan_progress(path: str) -> Iterator[Callable[[ScanResult], None] | None]:
    if not live(sys.stderr):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    try:
        size = os.path.getsize(path)
    except OSError:
        yield None
        return
    columns = (
        TextColumn("checking"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    # no refresh thread (auto_refresh=False): the scan may fork its workers, which is safe only
    # while this process has a single thread
    with Progress(*columns, console=Console(stderr=True), transient=True, auto_refresh=False) as bar:
        task = bar.add_task("check", total=size, rate="")
        examples = 0

        def advance(part: ScanResult) -> None:
            nonlocal examples
            examples += part.examples
            elapsed = bar.tasks[0].elapsed or 0
            rate = f"{examples / elapsed:,.0f} examples/s" if elapsed else ""
            bar.update(task, advance=part.bytes, rate=rate, refresh=True)

        yield advance
