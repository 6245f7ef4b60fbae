"""Reading a JSONL training file of any size: in blocks of whole lines, on every core, in flat memory.

The file is cut into blocks that end on a newline (advisor.tokens.workers: a pipe or other stream is
read block by block). Each block is parsed, checked and tokenized by a worker process, which sends
back only compact arrays (token counts and 64-bit digests per example) and its problems. Results are
merged in file order, so the outcome is the same for one worker or many, for any block size.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from hashlib import sha1
from typing import BinaryIO

from advisor.datasets.examples import FIRST_64_BITS, ExampleChecker, ExampleFacts, digest_bytes
from advisor.datasets.formats import DatasetFormat, RenamedLog, convert
from advisor.datasets.grader import GraderSpec
from advisor.datasets.personal_data import KINDS, find_in_block
from advisor.datasets.problems import ProblemLog
from advisor.datasets.rules import OPENAI_RULES, DataRules
from advisor.methods import Method
from advisor.parsing import json_text
from advisor.parsing.file_text import unreadable
from advisor.parsing.jsonl import Block
from advisor.tokens.long_text import UNCUT_LIMIT, hard_cuts
from advisor.tokens.tokenizer import TokenizerSpec, registered_tokenizers, set_plugin_tokenizers
from advisor.tokens.workers import BlockRunner, PreparedBlock, encoders

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ScanSettings:
    """What every worker needs (small, pickled once per chunk)."""

    path: str
    method: Method
    encodings: tuple[str, ...]
    grader: GraderSpec | None = None
    # plugins' tokenizers in force where the scan started: a spawned worker has loaded no plugin
    tokenizers: tuple[TokenizerSpec, ...] = field(default_factory=registered_tokenizers)
    # plugins' data formats that apply (advisor.datasets.formats.formats_for); their `to_chat` functions
    # are module-level, so a spawned worker receives them by reference
    formats: tuple[DatasetFormat, ...] = ()
    rules: DataRules = OPENAI_RULES  # the provider's rules (advisor.datasets.rules)


LABELS_TRACKED = 50  # more distinct short answers than this: not a label set
SYSTEMS_TRACKED = 1_000  # distinct system prompts followed one by one
SYSTEM_LINES_KEPT = 5


def _counts() -> array[int]:
    return array("I")


def _digests() -> array[int]:
    return array("Q")


@dataclass
class ScanResult:
    """What a block (or, merged, the whole file) holds: per valid example a few numbers, kept in
    compact arrays (about 44 bytes an example), plus bounded tallies and every problem."""

    encodings: tuple[str, ...]
    bytes: int = 0
    lines: int = 0
    examples: int = 0  # non-blank lines
    problems: ProblemLog = field(default_factory=ProblemLog)
    line_of: array[int] = field(default_factory=_counts)
    tokens: list[array[int]] = field(default_factory=list)  # per encoding
    assistant_tokens: array[int] = field(default_factory=_counts)
    line_digest: array[int] = field(default_factory=_digests)  # of the whole line as written (exact duplicates)
    input: array[int] = field(default_factory=_digests)  # of the messages before the answer, white space removed
    answer: array[int] = field(default_factory=_digests)  # of the answer, white space removed
    labels: Counter[str] = field(default_factory=Counter)  # short answers, while they look like a label set
    labelled: int = 0  # examples whose answer is short enough to be a label
    labels_overflow: bool = False
    systems: Counter[int] = field(default_factory=Counter)  # system prompt digest -> examples
    system_lines: dict[int, list[int]] = field(default_factory=dict)  # digest -> its first lines
    systems_overflow: bool = False
    missing_system: int = 0
    missing_user: int = 0
    formats: dict[str, int] = field(default_factory=dict)  # each format seen -> its first line

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = [_counts() for _ in self.encodings]

    @property
    def valid(self) -> int:
        return len(self.line_of)

    def add_rows(self, rows: list[tuple[int, int, ExampleFacts]]) -> None:
        """Append (line, line digest, facts) rows, column by column (faster than row by row)."""
        if not rows:
            return
        lines, digests, facts = zip(*rows, strict=True)
        tokens, assistant, inputs, answers, systems, labels, has_system, has_user = zip(*facts, strict=True)
        self.line_of.extend(lines)
        self.line_digest.extend(digests)
        for counts, more in zip(self.tokens, zip(*tokens, strict=True), strict=True):
            counts.extend(more)
        self.assistant_tokens.extend(assistant)
        self.input.extend(inputs)
        self.answer.extend(answers)
        self.missing_system += len(rows) - sum(has_system)
        self.missing_user += len(rows) - sum(has_user)
        short = Counter(labels)
        del short[None]
        self._tally_labels(short.total(), short, False)
        prompts = Counter(systems)
        del prompts[0]  # no system prompt
        self._tally_systems(prompts, _first_lines(lines, systems, prompts), False, shift=0)

    def _tally_labels(self, labelled: int, labels: Counter[str], overflow: bool) -> None:
        self.labelled += labelled
        self.labels_overflow = self.labels_overflow or overflow
        if not self.labels_overflow:
            self.labels.update(labels)
            if len(self.labels) > LABELS_TRACKED:
                self.labels_overflow = True
        if self.labels_overflow:
            self.labels.clear()

    def _tally_systems(
        self, systems: Counter[int], first_lines: dict[int, list[int]], overflow: bool, shift: int
    ) -> None:
        """Count system prompts and keep each one's first lines, until there are too many to follow."""
        self.systems_overflow = self.systems_overflow or overflow
        if not self.systems_overflow:
            self.systems.update(systems)
            for system, lines in first_lines.items():
                kept = self.system_lines.setdefault(system, [])
                kept.extend(line + shift for line in lines[: SYSTEM_LINES_KEPT - len(kept)])
            self.systems_overflow = len(self.systems) > SYSTEMS_TRACKED
        if self.systems_overflow:
            self.systems.clear()
            self.system_lines.clear()

    def merge(self, later: ScanResult) -> None:
        """Append the result of the range that follows this one."""
        self.problems.merge(later.problems, self.lines, self.examples)
        self.line_of.extend([line + self.lines for line in later.line_of])
        for counts, more in zip(self.tokens, later.tokens, strict=True):
            counts.extend(more)
        for name in ("assistant_tokens", "line_digest", "input", "answer"):
            getattr(self, name).extend(getattr(later, name))
        self._tally_labels(later.labelled, later.labels, later.labels_overflow)
        self._tally_systems(later.systems, later.system_lines, later.systems_overflow, shift=self.lines)
        self.missing_system += later.missing_system
        self.missing_user += later.missing_user
        for name, line in later.formats.items():
            self.formats.setdefault(name, line + self.lines)
        self.bytes += later.bytes
        self.lines += later.lines
        self.examples += later.examples


def _first_lines(lines: Sequence[int], systems: Sequence[int], prompts: Counter[int]) -> dict[int, list[int]]:
    """The first SYSTEM_LINES_KEPT lines of each system prompt, reading only as far as it takes."""
    first_lines: dict[int, list[int]] = {system: [] for system in prompts}
    wanted = sum(min(count, SYSTEM_LINES_KEPT) for count in prompts.values())
    for line, system in zip(lines, systems, strict=True):
        if not wanted:
            break
        if system:
            kept = first_lines[system]
            if len(kept) < SYSTEM_LINES_KEPT:
                kept.append(line)
                wanted -= 1
    return first_lines


_encoders = encoders  # the tokenizers a worker counts with, loaded once per process


def line_digest(raw: bytes) -> int:
    """64 bits of the line as written (BOM and line end removed): equal lines are exact duplicates."""
    return digest_bytes(raw) or 1


def scan_block(settings: ScanSettings, block: Block) -> ScanResult:
    """Check and measure the lines of one block (a worker's unit of work).

    The cyclic garbage collector is paused meanwhile: parsed JSON holds no cycles (reference counting
    frees it), and full collections would keep walking the tokenizer's 200,000-entry tables.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan_block(settings, block)
    finally:
        if collecting:
            gc.enable()


def _scan_block(settings: ScanSettings, block: Block) -> ScanResult:
    if settings.tokenizers and not registered_tokenizers():
        set_plugin_tokenizers(settings.tokenizers)
    start, end = block.start, block.end
    result = ScanResult(settings.encodings, bytes=end - start)
    checker = ExampleChecker(settings.method, _encoders(settings.encodings), settings.grader, settings.rules)
    one_format = settings.rules.one_format_per_file
    blank_lines = settings.rules.blank_lines
    seen_formats = result.formats
    log = result.problems
    data = block.data
    if data is None:
        with open(settings.path, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
    pieces = data.split(b"\n")
    ends_with_newline = pieces[-1] == b""
    if ends_with_newline:
        pieces.pop()
    result.lines = len(pieces)
    # worked out by the command's own process while the leader loaded its tokenizer, for the first blocks
    personal = block.prepared if isinstance(block, PreparedBlock) else _personal_data_by_line(data)
    rows: list[tuple[int, int, ExampleFacts]] = []
    loads, check, formats = json_text.loads_utf8, checker.check, settings.formats
    examples = 0  # non-blank lines so far (kept in a local: this loop runs once per line)
    for line, raw in enumerate(pieces, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if line == 1 and start == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            log.warning(
                "bom", "the file starts with a UTF-8 byte-order mark", "save the file as UTF-8 without BOM", line=1
            )
        if not raw.strip():
            if blank_lines:
                log.warning(
                    "blank-line",
                    "blank line (skipped)",
                    "remove it: strict JSONL readers reject blank lines",
                    line=line,
                )
            else:
                log.error(
                    "blank-line",
                    f"blank line: {settings.rules.provider} refuses blank lines",
                    "remove it",
                    line=line,
                )
            continue
        examples += 1
        try:
            example = loads(raw)
        except UnicodeDecodeError as exc:
            log.error(
                "not-utf8",
                f"not UTF-8 text (byte {exc.start + 1} of the line)",
                "save the file as UTF-8",
                line=line,
                example=examples,
            )
            continue
        except ValueError as exc:
            message = getattr(exc, "msg", str(exc))
            if line == len(pieces) and not ends_with_newline and block.last:
                log.error(
                    "truncated",
                    f"the last line is not complete JSON ({message}): the file looks cut short",
                    "write the file again, or remove the partial line",
                    line=line,
                    example=examples,
                )
            else:
                column = getattr(exc, "colno", None)
                at = f" at column {column}" if column else ""
                log.error(
                    "not-json",
                    f"not valid JSON ({message}{at})",
                    "fix the line or remove it",
                    line=line,
                    example=examples,
                )
            continue
        if not isinstance(example, dict):
            log.error(
                "not-object",
                f"each line must be a JSON object, this is {_kind(example)}",
                'write one {"messages": [...]} object per line',
                line=line,
                example=examples,
            )
            continue
        if personal:
            for kind in personal.get(line, ()):
                log.warning(
                    f"personal-data-{kind}",
                    f"looks like it contains {KINDS[kind]} (not shown)",
                    "remove or mask personal data and secrets before training",
                    line=line,
                    example=examples,
                )
        if one_format:
            name = next((f.name for f in formats if f.matches(example)), "messages")
            if name not in seen_formats:
                seen_formats[name] = line
        if formats:  # a plugin's format: checked as the chat example it converts to
            converted, fmt = convert(formats, example, log, {"line": line, "example": examples})
            if converted is None:
                continue
            if fmt is not None:
                facts = checker.check(converted, RenamedLog(log, fmt), line, examples)
                if facts is not None:
                    rows.append((line, line_digest(raw), facts))
                    if len(raw) > UNCUT_LIMIT:
                        _note_approximate(converted, log, line, examples)
                continue
        facts = check(example, log, line, examples)
        if facts is not None:
            rows.append((line, FIRST_64_BITS(sha1(raw, usedforsecurity=False).digest())[0] or 1, facts))  # line_digest
            if len(raw) > UNCUT_LIMIT:  # only a line this long can hold a string counted approximately
                _note_approximate(example, log, line, examples)
    result.examples = examples
    result.add_rows(rows)
    return result


def _note_approximate(example: object, log: ProblemLog, line: int, index: int) -> None:
    """Warn when a counted example holds a run that tokens/long_text.py had to cut where no safe point is."""
    cuts = _hard_cuts(example)
    if cuts:
        log.warning(
            "count-approximate",
            f"a run of millions of characters with no space or punctuation (a pasted blob?): its tokens "
            f"are counted in {cuts + 1:,} slices, so the count can be off by a few tokens at each cut",
            "remove the blob if it is not meant to be trained on",
            line=line,
            example=index,
        )


def _hard_cuts(value: object) -> int:
    """Cuts without a safe point (tokens/long_text.py) that counting the strings in `value` takes."""
    if isinstance(value, str):
        return hard_cuts(value) if len(value) > UNCUT_LIMIT else 0
    if isinstance(value, dict):
        return sum(_hard_cuts(item) for item in value.values())
    if isinstance(value, list):
        return sum(_hard_cuts(item) for item in value)
    return 0


def _personal_data_by_line(block: bytes) -> dict[int, list[str]]:
    """Line number (1-based within the block) -> kinds of personal data on it, in KINDS order."""
    found = find_in_block(block)
    if not found:
        return {}
    starts = [0]
    at = block.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = block.find(b"\n", at + 1)
    by_line: dict[int, set[str]] = {}
    for offset, kind in found:
        by_line.setdefault(bisect_right(starts, offset), set()).add(kind)
    return {line: [kind for kind in KINDS if kind in kinds] for line, kinds in by_line.items()}


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def scan_file(
    settings: ScanSettings,
    *,
    jobs: int | None = None,
    chunk_bytes: int | None = None,
    progress: Callable[[ScanResult], None] | None = None,
    runner: BlockRunner | None = None,
    handle: BinaryIO | None = None,
    head: bytes = b"",
) -> ScanResult:
    """Scan the whole file (or stream); `progress` is called with each block's result as it is merged.
    `runner` is one started early, before the caller's own set-up (otherwise one is made here); for a
    stream, `handle` is it opened and `head` what was already read from it."""
    total = ScanResult(settings.encodings)
    own = runner is None
    if runner is None:
        runner = BlockRunner(settings.path, jobs=jobs, encodings=settings.encodings)
    try:
        for part in runner.map(
            scan_block,
            settings,
            settings.encodings,
            handle=handle,
            head=head,
            block_bytes=chunk_bytes,
            prepare=_personal_data_by_line,
        ):
            total.merge(part)
            if progress:
                progress(part)
    except OSError as exc:
        raise unreadable(settings.path, exc, "a JSONL file") from None
    finally:
        if own:
            runner.close()
    return total
