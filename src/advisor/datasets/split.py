"""A deterministic train/validation split of a JSONL file, streamed, written beside it.

Both outputs or neither: each is written to a temporary file beside its target, and only when both are
complete are they moved into place, the validation file first; if moving the train file then fails, the
validation file that was there before is put back. The outputs get the mode the umask gives (as any
file the user writes), not a temporary file's 0600.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from advisor.datasets.check import detect_file_method
from advisor.datasets.scan import BOM
from advisor.errors import UserError
from advisor.parsing.jsonl import is_stream

RFT_MAX_VALIDATION = 1_000


@dataclass
class SplitResult:
    train: int
    validation: int
    train_path: Path
    validation_path: Path
    warnings: list[str] = field(default_factory=list)


def validation_size(spec: str, examples: int) -> int:
    """`0.2` is a share of the examples, `500` a number of them; both leave at least one of each side."""
    shown = spec if len(spec) <= 40 else f"{spec[:20]}... ({len(spec):,} characters)"
    try:
        value = Decimal(spec.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():  # NaN, sNaN and Infinity cannot be compared, let alone split by
        raise UserError(
            f"--validation {shown!r} is neither a share (0.2) nor a count (500)",
            hint="give a share between 0 and 1, or a whole number",
        )
    if examples < 2:
        raise UserError(f"{examples} example(s): nothing to split", hint="a split needs at least two examples")
    if 0 < value < 1:  # a share always leaves at least one example on each side
        return min(examples - 1, max(1, int((value * examples).to_integral_value())))
    if value < 1 or value != value.to_integral_value():
        raise UserError(
            f"--validation {shown} must be a share between 0 and 1 or a whole number of examples",
            hint="e.g. --validation 0.2 or --validation 500",
        )
    if value >= examples:  # compared as a Decimal: 1e999999999 is never turned into an int
        raise UserError(
            f"--validation {shown} asks for more than the {examples:,} examples there are",
            hint="leave some for training",
        )
    return int(value)


def output_paths(path: Path) -> tuple[Path, Path]:
    stem = path.name.removesuffix(".jsonl") if path.name.endswith(".jsonl") else path.stem
    return path.with_name(f"{stem}.train.jsonl"), path.with_name(f"{stem}.validation.jsonl")


def _lines(path: Path) -> Iterator[bytes]:
    """Non-blank lines as bytes without their line ending (and without a leading BOM)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle):
            line = raw.rstrip(b"\r\n")
            if number == 0:
                line = line.removeprefix(BOM)
            if line.strip():
                yield line


def split_file(file: str, validation: str, *, seed: int = 0, force: bool = False) -> SplitResult:
    path = Path(file)
    if is_stream(file):
        raise UserError(
            "is a pipe or a device, not a file: a split reads the file twice and writes beside it",
            where=file,
            hint="save it to a file first",
        )
    method, _ = detect_file_method(file)  # also: a clear error for a missing file or a folder
    train_path, validation_path = output_paths(path)
    for target in (train_path, validation_path):
        if target.is_dir():
            raise UserError("is a folder, where the split would write a file", where=str(target), hint="move it aside")
    existing = [str(p) for p in (train_path, validation_path) if p.exists()]
    if existing and not force:
        raise UserError(f"{' and '.join(existing)} already exist(s)", hint="use --force to overwrite")
    examples = sum(1 for _ in _lines(path))
    size = validation_size(validation, examples)
    chosen = set(random.Random(seed).sample(range(examples), size))
    result = SplitResult(examples - size, size, train_path, validation_path)
    if method == "rft" and size > RFT_MAX_VALIDATION:
        result.warnings.append(
            f"RFT accepts at most {RFT_MAX_VALIDATION:,} validation examples; this split has "
            f"{size:,}: use --validation {RFT_MAX_VALIDATION}"
        )
    handles: dict[str, tuple[BinaryIO, Path, Path]] = {}
    try:
        try:
            for name, target in (("validation", validation_path), ("train", train_path)):
                descriptor, created = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
                handles[name] = (os.fdopen(descriptor, "wb"), Path(created), target)
            for index, line in enumerate(_lines(path)):
                handles["validation" if index in chosen else "train"][0].write(line + b"\n")
            mode = _umask_mode()
            for handle, temporary, _ in handles.values():
                handle.close()
                os.chmod(temporary, mode)
        except OSError as exc:
            raise _unwritable(path.parent, exc) from None
        _move_both([(temporary, target) for _, temporary, target in handles.values()])
    finally:
        for handle, temporary, _ in handles.values():
            handle.close()
            temporary.unlink(missing_ok=True)
    return result


def _umask_mode() -> int:
    """The mode a new file gets under the process's umask (read without changing it for long)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _unwritable(folder: Path, exc: OSError) -> UserError:
    return UserError(
        f"cannot write the split beside the file ({exc.strerror or exc})",
        where=str(folder),
        hint="check the folder's permissions and free space; nothing was written",
    )


def _move_both(moves: list[tuple[Path, Path]]) -> None:
    """Move the finished temporary files onto their targets, all or none: a target already moved is put
    back as it was (from a hard link, or a copy where links are not possible) when a later move fails."""
    moved: list[tuple[Path, Path | None]] = []  # (target, its previous content or None), once replaced
    backups: list[Path] = []
    try:
        for temporary, target in moves:
            previous = None
            if target.exists():
                previous = target.with_name(f".{target.name}.{os.getpid()}.previous")
                previous.unlink(missing_ok=True)
                backups.append(previous)
                try:
                    os.link(target, previous)
                except OSError:
                    shutil.copy2(target, previous)
            os.replace(temporary, target)
            moved.append((target, previous))
    except OSError as exc:
        for target, previous in moved:
            if previous is not None:
                os.replace(previous, target)
            else:
                target.unlink(missing_ok=True)
        raise _unwritable(moves[0][1].parent, exc) from None
    finally:
        for previous in backups:
            previous.unlink(missing_ok=True)
