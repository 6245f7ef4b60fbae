"""Errors the CLI turns into one line and an exit status: a user's bad input (2), a provider's refusal (1)."""

from __future__ import annotations


class UserError(Exception):
    """Bad input: says where (file, line, field), what was wrong and what to do."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}; {self.hint}" if self.hint else text


class ProviderError(Exception):
    """A provider said no, or could not be reached. `final` errors must never be retried."""

    def __init__(self, message: str, *, final: bool = False, hint: str | None = None, code: str | None = None):
        super().__init__(message)
        self.final = final
        self.hint = hint
        self.code = code


class JobCreateUnknown(ProviderError):
    """The create request may or may not have reached the provider (timeout, dropped connection, 5xx)."""


def file_location(path: object, line: int | None = None) -> str:
    """`path` or `path:line`, the prefix every file error starts with."""
    return f"{path}:{line}" if line is not None else str(path)
