"""Running a scheduler's client programs (`sbatch`, `squeue`, `sky`, ...) and saying what went wrong in one line.

advisor drives a scheduler the way a person does, through its command line: nothing of Slurm or SkyPilot is
imported (SkyPilot stays an optional extra, `advisor-local[skypilot]`, installed where jobs are launched).
Every fault is one line: the program missing from PATH, a non-zero exit (its stderr's last line), a program
that hangs (SCHEDULER_TIMEOUT seconds).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from advisor.plugin_api import JobCreateUnknown, ProviderError, seconds_from_env, shell_command

SCHEDULERS = ("slurm", "skypilot")
SCHEDULER_TIMEOUT = 120.0  # seconds a client program may take (`sky` talks to its API server): $ADVISOR_SCHEDULER_WAIT
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
INSTALL = {
    "slurm": "Slurm's client commands (sbatch, squeue, sacct, scancel) run on a login node of the cluster: run advisor "
    "there",
    "skypilot": 'pip install "advisor-local[skypilot]" (SkyPilot\'s `sky` command) and `sky check` a cloud',
}


@dataclass(frozen=True)
class Ran:
    """What a client program answered."""

    code: int
    out: str  # stdout, ANSI colours removed
    err: str

    def last_error(self) -> str:
        """The last non-empty line of stderr (else stdout): the scheduler's own reason, on one line."""
        for text in (self.err, self.out):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1][:300]
        return "no output"


def plain(text: str) -> str:
    return _ANSI.sub("", text)


def require(scheduler: str, program: str) -> None:
    """The program is on PATH, or one line saying it is not (asked before anything is written)."""
    if shutil.which(program) is None:
        raise ProviderError(
            f"{program} is not installed where advisor runs (no `{program}` on PATH): the {scheduler} "
            "scheduler cannot be asked",
            final=True,
            hint=f"{INSTALL[scheduler]}; --dry-run prints the files and the command without it",
            code="scheduler_missing",
        )


def run(scheduler: str, command: list[str], *, submits: bool = False) -> Ran:
    """Run one client program; raise a one-line ProviderError when it is missing or hangs (a non-zero exit is
    returned: what it means depends on the command). A submit that hangs may have reached the scheduler
    (`submits`): JobCreateUnknown, so the launch looks the job up by its name instead of submitting again."""
    require(scheduler, command[0])
    wait = seconds_from_env("ADVISOR_SCHEDULER_WAIT", SCHEDULER_TIMEOUT, most=3600.0)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=wait, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise (JobCreateUnknown if submits else ProviderError)(
            f"`{shell_command(*command)}` did not answer within {wait:g} s",
            hint="ADVISOR_SCHEDULER_WAIT sets how long to wait; nothing was recorded as done",
        ) from None
    except OSError as exc:
        raise ProviderError(f"could not run {command[0]} ({exc.strerror})", final=True) from None
    return Ran(done.returncode, plain(done.stdout), plain(done.stderr))


def refused(ran: Ran, command: list[str]) -> ProviderError:
    """A command that exited non-zero, as one line: what was run and the scheduler's reason."""
    return ProviderError(f"`{shell_command(*command)}` failed (exit {ran.code}): {ran.last_error()}", final=True)
