"""A deterministic train/validation split of a JSONL file, streamed, written beside it."""

from __future__ import annotations

import os
import random
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from advisor.datasets.check import detect_file_method
from advisor.datasets.scan import BOM
from advisor.errors import UserError

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
    try:
        value = Decimal(spec)
    except InvalidOperation:
        raise UserError(
            f"--validation {spec!r} is neither a share (0.2) nor a count (500)",
            hint="give a share between 0 and 1, or a whole number",
        ) from None
    if examples < 2:
        raise UserError(f"{examples} example(s): nothing to split", hint="a split needs at least two examples")
    if 0 < value < 1:  # a share always leaves at least one example on each side
        return min(examples - 1, max(1, int((value * examples).to_integral_value())))
    if value >= 1 and value == value.to_integral_value():
        size = int(value)
    else:
        raise UserError(
            f"--validation {spec} must be a share between 0 and 1 or a whole number of examples",
            hint="e.g. --validation 0.2 or --validation 500",
        )
    if size >= examples:
        raise UserError(
            f"--validation {spec} asks for {size:,} of {examples:,} examples", hint="leave some for training"
        )
    return size


def output_paths(path: Path) -> tuple[Path, Path]:
    stem = path.name.removesuffix(".jsonl") if path.name.endswith(".jsonl") else path.stem
    return path.with_name(f"{stem}.train.jsonl"), path.with_name(f"{stem}.validation.jsonl")


def _lines(path: Path):  # type: ignore[no-untyped-def]
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
    method, _ = detect_file_method(file)  # also: a clear error for a missing file or a folder
    train_path, validation_path = output_paths(path)
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
    handles = {}
    try:
        for name, target in (("train", train_path), ("validation", validation_path)):
            descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            handles[name] = (os.fdopen(descriptor, "wb"), Path(temporary), target)
        for index, line in enumerate(_lines(path)):
            handles["validation" if index in chosen else "train"][0].write(line + b"\n")
        for handle, temporary, target in handles.values():
            handle.close()
            os.replace(temporary, target)
    except BaseException:
        for handle, temporary, _ in handles.values():
            handle.close()
            temporary.unlink(missing_ok=True)
        raise
    return result
