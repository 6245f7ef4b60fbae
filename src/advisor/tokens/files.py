"""Counting tokens in the user's files: plain text, a chat request (JSON) or chat JSONL.

`-` means standard input; pipes, FIFOs and `/dev/fd/N` are read as streams. Errors name the file and
line. A JSONL line is one chat example: SFT (`messages`, optional `tools`), DPO (`input.messages` +
`preferred_output` + `non_preferred_output`, all counted) or RFT (`messages`; grader fields are not
sent to the model). JSONL is read by the scanner `advisor dataset check` uses (advisor.tokens.workers):
in blocks on every core, keeping four numbers, so memory does not grow with the file. A text or chat
JSON file is read whole, up to advisor.parsing.jsonl.MAX_DOCUMENT_BYTES.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from advisor.errors import UserError, file_location
from advisor.parsing import json_text
from advisor.parsing.file_text import decode_utf8, unreadable
from advisor.parsing.jsonl import BLOCK_BYTES, Block, is_stream, open_stream, read_document, text_lines
from advisor.tokens.count import Encoder, count_answers, count_chat, count_text
from advisor.tokens.tokenizer import TokenizerSpec, registered_tokenizers, set_plugin_tokenizers

Kind = Literal["text", "chat", "jsonl"]
KINDS: tuple[str, ...] = ("auto", "text", "chat", "jsonl")


@dataclass(frozen=True)
class TokenTally:
    """Tokens in one source: `items` is 1 for text and chat, the example count for JSONL."""

    source: str
    kind: Kind
    encoding: str
    items: int
    tokens: int
    smallest: int
    largest: int

    @property
    def mean(self) -> Decimal:
        return Decimal(self.tokens) / self.items if self.items else Decimal(0)


def detect_kind(source: str, text: str, complete: bool = True) -> Kind:
    """What a file holds, by its extension, else by its text (its first block when not `complete`)."""
    suffix = Path(source).suffix.lower() if source != "-" else ""
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "chat"
    if suffix:
        return "text"
    lines = text_lines(text)
    if not complete and lines:
        lines.pop()  # cut short by the block's end
    stripped = text.strip()
    if stripped.startswith("{"):
        if complete:
            try:
                value = json_text.loads(stripped)
            except ValueError:
                pass
            else:
                return "chat" if isinstance(value, dict) else "text"
        return "jsonl" if all(line.strip().startswith("{") for line in lines if line.strip()) else "text"
    return "text"


def example_tokens(encoder: Encoder, example: Mapping[str, Any]) -> int:
    """Tokens of one training or prompt example (SFT, DPO or RFT shape)."""
    if "preferred_output" in example or "non_preferred_output" in example:
        source = example.get("input")
        tokens = count_chat(encoder, source) if isinstance(source, Mapping) else 0
        for key in ("preferred_output", "non_preferred_output"):
            answer = example.get(key)
            if isinstance(answer, list):
                tokens += count_answers(encoder, answer)
        return tokens
    return count_chat(encoder, example)


def _example(line: str | bytes) -> tuple[Any, tuple[str, str] | None]:
    """A JSONL line's example, or (what is wrong, what to do)."""
    try:
        value = json_text.loads_utf8(line) if isinstance(line, bytes) else json_text.loads(line)
    except UnicodeDecodeError as exc:
        return None, (f"not UTF-8 text (byte {exc.start + 1} of the line)", "save the file as UTF-8")
    except ValueError as exc:
        message = f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})"
        return None, (message, "fix or remove the line (`advisor dataset check` lists every problem)")
    if not isinstance(value, dict) or not ({"messages", "input"} & value.keys()):
        return None, ("expected a JSON object with `messages` (or `input` for DPO)", "fix or remove the line")
    return value, None


@dataclass(frozen=True)
class CountSettings:
    """What a worker needs to count a block of JSONL (pickled once per block)."""

    path: str
    encoding: str
    tokenizers: tuple[TokenizerSpec, ...] = field(default_factory=registered_tokenizers)


@dataclass
class BlockCount:
    """A block's lines, examples, tokens and spread, and its first bad line (line, what, what to do)."""

    lines: int = 0
    items: int = 0
    tokens: int = 0
    smallest: int = 0
    largest: int = 0
    error: tuple[int, str, str] | None = None


def count_block(settings: CountSettings, block: Block) -> BlockCount:
    """Count the examples in one block of a JSONL file (a worker's unit of work); stops at a bad line."""
    from advisor.tokens.workers import encoders

    if settings.tokenizers and not registered_tokenizers():
        set_plugin_tokenizers(settings.tokenizers)
    (encoder,) = encoders((settings.encoding,))
    data = block.data
    if data is None:
        with open(settings.path, "rb") as handle:
            handle.seek(block.start)
            data = handle.read(block.end - block.start)
    if block.start == 0:
        data = data.removeprefix(b"\xef\xbb\xbf")
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    result = BlockCount(lines=len(pieces))
    counts = []
    for number, raw in enumerate(pieces, start=1):
        if not raw.strip():
            continue
        value, problem = _example(raw)
        if problem is not None:
            result.error = (number, *problem)
            break
        counts.append(example_tokens(encoder, value))
    if counts:
        result.items, result.tokens, result.smallest, result.largest = (
            len(counts),
            sum(counts),
            min(counts),
            max(counts),
        )
    return result


def count_jsonl(
    source: str, encoding: str, handle: Any = None, head: bytes = b"", jobs: int | None = None
) -> TokenTally:
    """Tokens in a JSONL file or stream, on every core, in flat memory; the first bad line is an error."""
    from advisor.tokens.workers import BlockRunner

    items = tokens = 0
    smallest, largest = None, 0
    lines_before = 0
    try:
        with BlockRunner(source, jobs=jobs, encodings=(encoding,)) as runner:
            for part in runner.map(count_block, CountSettings(source, encoding), (encoding,), handle=handle, head=head):
                if part.error is not None:
                    line, message, hint = part.error
                    raise UserError(message, where=file_location(source, lines_before + line), hint=hint)
                lines_before += part.lines
                if part.items:
                    items += part.items
                    tokens += part.tokens
                    smallest = part.smallest if smallest is None else min(smallest, part.smallest)
                    largest = max(largest, part.largest)
    except OSError as exc:
        raise unreadable(source, exc, "a file") from None
    if not items:
        raise UserError("has no examples (every line is blank)", where=source, hint="check the file")
    return TokenTally(source, "jsonl", encoding, items, tokens, smallest or 0, largest)


@cache
def _bounded(encoding: str) -> Encoder:
    from advisor.tokens.long_text import BoundedEncoder
    from advisor.tokens.tokenizer import get_encoding

    return BoundedEncoder(get_encoding(encoding), name=encoding)


def count_source(source: str, encoding: str | Encoder, kind: str = "auto", jobs: int | None = None) -> TokenTally:
    """Count the tokens in one file (or `-` for stdin). `encoding` is a name (the tokenizer is then
    loaded only if this process counts itself) or an Encoder."""
    name = encoding if isinstance(encoding, str) else encoding.name
    handle, head = None, b""
    resolved = kind
    if kind == "auto":
        suffix_kind = detect_kind(source, "") if source != "-" and Path(source).suffix else None
        if suffix_kind is not None:
            resolved = suffix_kind
        else:  # no extension: look at the first block
            try:
                if is_stream(source):
                    handle = open_stream(source)
                    head = handle.read(BLOCK_BYTES)
                else:
                    with open(source, "rb") as opened:
                        head = opened.read(BLOCK_BYTES)
            except OSError as exc:
                raise unreadable(source, exc, "a file") from None
            complete = len(head) < BLOCK_BYTES
            resolved = detect_kind(source, head.decode("utf-8", "ignore").removeprefix("\ufeff"), complete)
            if handle is None:
                head = b""
    if resolved == "jsonl":
        return count_jsonl(source, name, handle, head, jobs)
    if isinstance(encoding, str):
        encoder = _bounded(encoding)
    else:
        from advisor.tokens.long_text import BoundedEncoder

        encoder = BoundedEncoder(encoding, name=name)
    text = decode_utf8(read_document(source, handle, head), source)
    if resolved == "text":
        tokens = count_text(encoder, text)
        return TokenTally(source, "text", name, 1, tokens, tokens, tokens)
    chat = json_text.loads_file_text(text, source, 'give a chat request such as {"messages": [...]}, or --as text')
    if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
        raise UserError(
            "expected a JSON object with a `messages` list",
            where=source,
            hint='give a chat request such as {"messages": [...]}, or --as text',
        )
    tokens = count_chat(encoder, chat)
    return TokenTally(source, "chat", name, 1, tokens, tokens, tokens)
