"""Watching a job: poll with backoff until it finishes, recording every status in the ledger."""

from __future__ import annotations

import time
from collections.abc import Callable

from advisor.providers.base import FINISHED, Job, Provider
from advisor.providers.ledger import Ledger
from advisor.providers.sync import record_status

FIRST_DELAY = 2.0
LONGEST_DELAY = 30.0
GROWTH = 1.5


def watch(
    provider: Provider,
    ledger: Ledger,
    job_id: str,
    on_update: Callable[[Job], None],
    *,
    first_delay: float = FIRST_DELAY,
    longest_delay: float = LONGEST_DELAY,
    sleep: Callable[[float], None] = time.sleep,
) -> Job:
    """Poll until the job finishes. The delay grows while nothing changes and starts over when the status
    moves. Reads are retried by the provider; a Ctrl-C stops the watching, never the job."""
    delay = first_delay
    last_status = None
    while True:
        job = provider.get_job(job_id)
        run = ledger.get(job_id)
        if run is not None:
            record_status(ledger, run, job)
        on_update(job)
        if job.status in FINISHED:
            return job
        delay = first_delay if job.provider_status != last_status else min(longest_delay, delay * GROWTH)
        last_status = job.provider_status
        sleep(delay)
