"""Errors a user can act on. The CLI prints them on one line and exits with status 2."""

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


def file_location(path: object, line: int | None = None) -> str:
    """`path` or `path:line`, the prefix every file error starts with."""
    return f"{path}:{line}" if line is not None else str(path)
