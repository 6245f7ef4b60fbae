"""The `advisor` entry points of the installed distributions, found once and kept in the cache folder.

Finding them with importlib.metadata costs every command about 20 ms (the module and the email parser it
imports, then a scan of every distribution on sys.path): a fifth of a flags-only `advisor estimate`. The
kept list is sealed with sys.path and each of its folders' modification times: installing, upgrading or
removing a distribution adds or removes a folder (its `.dist-info`) in a sys.path folder, which changes
that folder's time, so the list is found again; anything else is read from the kept copy.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
from dataclasses import asdict, dataclass
from typing import Any

from advisor.cache_folder import cache_folder, read_sealed, write_sealed

FORMAT = "entry-points/1"
# an entry point's value, as the packaging specification writes it: `module.name[:attr.name] [extras]`
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


@dataclass(frozen=True)
class FoundEntry:
    """One entry point: its name and value, and the distribution that declares it."""

    name: str
    value: str
    distribution: str
    version: str

    def load(self) -> Any:
        """What the value names, imported (as importlib.metadata.EntryPoint.load does)."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not an entry point's value (module or module:attribute)")
        found: Any = importlib.import_module(match.group("module"))
        for part in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, part)
        return found


def entry_points(group: str) -> list[FoundEntry]:
    """The entry points of `group`, from the kept copy when sys.path is as it was when it was made."""
    key = _sys_path_key(group)
    entry = cache_folder("entry-points") / f"{key}.json"
    payload = read_sealed(entry, FORMAT, key)
    if payload is not None:
        try:
            return [FoundEntry(**item) for item in json.loads(payload)]
        except (ValueError, TypeError):
            pass  # a copy that does not read is found again
    found = _scan(group)
    write_sealed(entry, FORMAT, key, json.dumps([asdict(item) for item in found]).encode())
    return found


def _sys_path_key(group: str) -> str:
    """sys.path, each entry with its modification time (None where it does not exist), and the group."""
    stamps = []
    for folder in sys.path:
        try:
            stamps.append([folder, os.stat(folder or ".").st_mtime_ns])
        except OSError:
            stamps.append([folder, None])
    text = json.dumps([FORMAT, group, stamps])
    return hashlib.sha256(text.encode()).hexdigest()


def _scan(group: str) -> list[FoundEntry]:
    from importlib.metadata import entry_points as found

    return [
        FoundEntry(
            entry.name,
            entry.value,
            entry.dist.name if entry.dist else "?",
            entry.dist.version if entry.dist else "?",
        )
        for entry in found(group=group)
    ]
