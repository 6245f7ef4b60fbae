"""Problems found in a training file: where (line, example, field), what, and what to do.

Errors are what a provider rejects; warnings are what trains, but badly. Each code keeps its first
PROBLEMS_KEPT_PER_CODE occurrences in file order and counts the rest, so a file with a million bad
lines still gives a short report with exact totals, whatever the chunking.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Severity = Literal["error", "warning"]
PROBLEMS_KEPT_PER_CODE = 100


class Where(TypedDict):
    """Where an example is: its line in the file and its number among the examples."""

    line: int
    example: int


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    message: str
    hint: str
    line: int | None = None
    example: int | None = None
    field: str | None = None

    def shifted(self, lines: int, examples: int) -> Problem:
        """The same problem with chunk-relative line and example numbers made absolute."""
        return Problem(
            self.severity,
            self.code,
            self.message,
            self.hint,
            None if self.line is None else self.line + lines,
            None if self.example is None else self.example + examples,
            self.field,
        )


class Problems:
    """What the checks report problems to: a ProblemLog, or one seen through a dataset format
    (advisor.datasets.formats.RenamedLog). Each says how it keeps a problem (`add`) and how many of a
    severity it holds (`total`); reporting one is the same everywhere."""

    def add(self, problem: Problem) -> None:
        raise NotImplementedError

    def total(self, severity: Severity) -> int:
        raise NotImplementedError

    def error(
        self,
        code: str,
        message: str,
        hint: str,
        *,
        line: int | None = None,
        example: int | None = None,
        field: str | None = None,
    ) -> None:
        self.add(Problem("error", code, message, hint, line, example, field))

    def warning(
        self,
        code: str,
        message: str,
        hint: str,
        *,
        line: int | None = None,
        example: int | None = None,
        field: str | None = None,
    ) -> None:
        self.add(Problem("warning", code, message, hint, line, example, field))


@dataclass
class ProblemLog(Problems):
    """Problems in file order, at most PROBLEMS_KEPT_PER_CODE kept per code, all counted."""

    kept: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    severities: dict[str, Severity] = field(default_factory=dict)
    _kept_per_code: Counter[str] = field(default_factory=Counter)
    _totals: Counter[str] = field(default_factory=Counter)

    def add(self, problem: Problem) -> None:
        self.counts[problem.code] += 1
        self.severities[problem.code] = problem.severity
        self._totals[problem.severity] += 1
        self._keep(problem)

    def _keep(self, problem: Problem) -> None:
        if self._kept_per_code[problem.code] < PROBLEMS_KEPT_PER_CODE:
            self._kept_per_code[problem.code] += 1
            self.kept.append(problem)

    def merge(self, later: ProblemLog, lines: int, examples: int) -> None:
        """Append a later chunk's problems, shifting its numbering by the lines and examples before it.

        The chunk kept its own first occurrences of each code, so the merged log keeps the file's first
        occurrences, whatever the chunk size.
        """
        for problem in later.kept:
            self._keep(problem.shifted(lines, examples))
        self.counts.update(later.counts)
        self.severities.update(later.severities)
        self._totals.update(later._totals)

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def total(self, severity: Severity) -> int:
        return self._totals[severity]

    def omitted(self) -> dict[str, int]:
        """Codes with more occurrences than were kept, and how many were left out."""
        return {
            code: count - self._kept_per_code[code]
            for code, count in sorted(self.counts.items())
            if count > self._kept_per_code[code]
        }
