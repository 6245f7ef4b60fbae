"""Find the line of a key in TOML text, so schema errors can say `file:line`.

tomllib reports positions only for syntax errors; a price table that parses but has a wrong or
missing field still deserves a line number. This scans table headers (`[a."b.c".d]`, `[[x]]`)
and `key = value` lines; it only locates, the parsing is tomllib's.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<path>[^\]]*?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>"[^"]*"|'[^']*'|[A-Za-z0-9_.\-" ']+?)\s*=""")
_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(?:\.|$)""")


def split_dotted(path: str) -> tuple[str, ...]:
    """`models."gpt-4.1".fine_tuning` -> ("models", "gpt-4.1", "fine_tuning")."""
    parts: list[str] = []
    position = 0
    while position < len(path):
        match = _PART.match(path, position)
        if not match or match.end() == position:
            return tuple(parts)
        parts.append(match.group(1).strip("\"'"))
        position = match.end()
    return tuple(parts)


def locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """1-based line that defines `path` (or the nearest enclosing table), None if not found.

    List indexes in `path` are skipped: they do not appear in the text.
    """
    wanted = tuple(str(part) for part in path if not isinstance(part, int))
    best_line: int | None = None
    best_depth = -1
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = split_dotted(header.group("path"))
            candidate = table
        elif key := _KEY.match(line):
            candidate = table + split_dotted(key.group("key"))
        else:
            continue
        depth = len(candidate)
        if candidate == wanted[:depth] and depth > best_depth:
            best_line, best_depth = number, depth
            if depth == len(wanted):
                break
    return best_line
