"""advisor blocks inside a document (Markdown, HTML, reStructuredText, AsciiDoc): find them, and put a
document together again with new block bodies.

    <!-- advisor:begin scenario=PATH [section=NAME] [today=YYYY-MM-DD] [frozen] -->
    <!-- advisor:provenance ... -->          (written by advisor, right after the begin marker)
    ...what advisor rendered...
    <!-- advisor:end -->

A marker is a whole line: the comment, optionally after indentation and a reST (`.. `) or AsciiDoc (`// `)
comment start, and nothing after it but spaces. A marker quoted inside a sentence is prose. Everything
outside the blocks, the markers themselves included, is kept byte for byte, line endings too (CRLF, LF,
CR, none at the end): `assemble(parse(text), {})` is `text`. Every mistake is one UserError naming the
file and line: a begin inside a block, a begin never ended, an end with no begin, an unknown or repeated
attribute, an unknown section, a date that is not one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from advisor.errors import UserError, file_location

# the sections a block may name (advisor.render.recommendation.SECTION_NAMES, checked against it by a test;
# kept here so that parsing a document imports no renderer)
SECTIONS = (
    "headline",
    "reasons",
    "where",
    "not-recommended",
    "costs",
    "chart",
    "risks",
    "next-steps",
    "assumptions",
    "appendix",
    "full",
)
ATTRIBUTES = ("scenario", "section", "today", "frozen")
MARKER = re.compile(r"^(?P<lead>[ \t]*(?:\.\.[ \t]+|//[ \t]*)?)<!--[ \t]*advisor:(?P<kind>\S*)(?P<rest>.*?)-->[ \t]*$")
_ATTRIBUTE = re.compile(r'\s*(?P<key>[^\s=]+)(?:=(?:"(?P<quoted>[^"]*)"|(?P<plain>[^\s"]+)))?')
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass(frozen=True)
class BlockSpec:
    """What a begin marker asks for."""

    scenario: str  # as written: relative to the document's folder
    section: str = "full"
    today: date | None = None  # a block priced on this day (and so frozen)
    frozen: bool = False  # written once, then kept as it is

    @property
    def is_frozen(self) -> bool:
        return self.frozen or self.today is not None


@dataclass(frozen=True)
class Block:
    """A block as found: its markers and body as written (line endings included), where it stands."""

    spec: BlockSpec
    begin: str  # the begin marker's line, with its line ending
    provenance: str | None  # the provenance line right after it (advisor wrote it), or None
    body: str  # the lines between the provenance (or the begin marker) and the end marker
    end: str  # the end marker's line, with its line ending (if any)
    line: int  # the begin marker's line number, from 1
    lead: str  # what stands before the begin marker (indentation, `.. `, `// `): the provenance line's too

    @property
    def newline(self) -> str:
        """The begin marker's line ending: the one lines advisor writes into the block end with."""
        return self.begin[len(self.begin.rstrip("\r\n")) :]

    @property
    def empty(self) -> bool:
        """Never rendered: no provenance and nothing but blank lines."""
        return self.provenance is None and not self.body.strip()


@dataclass(frozen=True)
class Document:
    """A document as alternating text and blocks: `"".join` of texts and blocks' lines is the document."""

    parts: tuple[str | Block, ...]

    @property
    def blocks(self) -> list[Block]:
        return [part for part in self.parts if isinstance(part, Block)]


def lines_of(text: str) -> list[str]:
    """The lines of `text`, each with its own line ending (CRLF, LF or CR); the last may have none. Only
    these three end a line (str.splitlines would also split at form feeds and U+2028)."""
    return [line for line in _LINE.findall(text) if line]


def parse(text: str, source: object = "<document>") -> Document:
    """The document's text and blocks; a malformed marker or block is a UserError at `source:line`."""
    parts: list[str | Block] = []
    prose: list[str] = []
    open_block: tuple[int, str, str, BlockSpec] | None = None  # line, begin line, lead, spec
    inside: list[str] = []
    for number, line in enumerate(lines_of(text), start=1):
        found = MARKER.match(line.rstrip("\r\n"))
        if found is None:
            (inside if open_block else prose).append(line)
            continue
        kind, rest, where = found["kind"], found["rest"], file_location(source, number)
        if kind == "begin":
            if open_block is not None:
                raise UserError(
                    f"advisor:begin inside the block begun on line {open_block[0]}",
                    where=where,
                    hint="end that block with <!-- advisor:end --> first; blocks do not nest",
                )
            open_block = (number, line, found["lead"], spec_of(rest, where))
            inside = []
            parts.append("".join(prose))
            prose = []
        elif kind == "end":
            if rest.strip():
                raise UserError(f"advisor:end takes nothing, not {rest.strip()!r}", where=where, hint=_END)
            if open_block is None:
                raise UserError("advisor:end with no advisor:begin before it", where=where, hint=_BEGIN)
            first, begin, lead, spec = open_block
            provenance = inside.pop(0) if inside and _is_provenance(inside[0]) else None
            parts.append(Block(spec, begin, provenance, "".join(inside), line, first, lead))
            open_block = None
        elif kind == "provenance":
            if open_block is None:
                raise UserError("advisor:provenance outside a block", where=where, hint="delete the line")
            inside.append(line)
        else:
            raise UserError(f"unknown marker advisor:{kind}", where=where, hint="write advisor:begin or advisor:end")
    if open_block is not None:
        raise UserError(
            "advisor:begin is never ended",
            where=file_location(source, open_block[0]),
            hint="add <!-- advisor:end --> on a line of its own after the block",
        )
    parts.append("".join(prose))
    return Document(tuple(parts))


_BEGIN = "add <!-- advisor:begin scenario=PATH --> before the block, or delete the line"
_END = "write <!-- advisor:end --> alone"


def _is_provenance(line: str) -> bool:
    found = MARKER.match(line.rstrip("\r\n"))
    return found is not None and found["kind"] == "provenance"


def spec_of(rest: str, where: str) -> BlockSpec:
    """A begin marker's attributes: `scenario=PATH` (quoted when it holds spaces), `section=NAME`,
    `today=YYYY-MM-DD`, `frozen`."""
    given: dict[str, str | None] = {}
    position = 0
    text = rest.rstrip()
    while position < len(text):
        found = _ATTRIBUTE.match(text, position)
        if found is None or found.end() == position:
            raise UserError(f"cannot read the attributes {text.strip()!r}", where=where, hint=_FORM)
        position = found.end()
        if position < len(text) and not text[position].isspace():
            raise UserError(f"cannot read the attributes {text.strip()!r}", where=where, hint=_FORM)
        key = found["key"]
        value = found["quoted"] if found["quoted"] is not None else found["plain"]
        if key not in ATTRIBUTES:
            raise UserError(f"unknown attribute {key!r}", where=where, hint=f"use {', '.join(ATTRIBUTES)}")
        if key in given:
            raise UserError(f"attribute {key!r} is given twice", where=where, hint="give it once")
        if (key == "frozen") != (value is None):
            hint = "write frozen alone" if key == "frozen" else f"write {key}=VALUE"
            raise UserError(
                f"attribute {key!r} {'takes no value' if key == 'frozen' else 'needs a value'}", where=where, hint=hint
            )
        given[key] = value
    scenario = given.get("scenario")
    if not scenario:
        raise UserError(
            "advisor:begin names no scenario", where=where, hint="add scenario=PATH (relative to the document)"
        )
    section = given.get("section") or "full"
    if section not in SECTIONS:
        raise UserError(f"unknown section {section!r}", where=where, hint=f"use one of {', '.join(SECTIONS)}")
    today = None
    if (day := given.get("today")) is not None:
        try:
            today = date.fromisoformat(day) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else None
        except ValueError:
            today = None
        if today is None:
            raise UserError(
                f"today={day} is not a date", where=where, hint="write today=YYYY-MM-DD, e.g. today=2026-11-07"
            )
    return BlockSpec(scenario, section, today, "frozen" in given)


_FORM = "write <!-- advisor:begin scenario=PATH [section=NAME] [today=YYYY-MM-DD] [frozen] -->"


def block_text(block: Block, provenance: str | None, body: str) -> str:
    """The block's lines with a new provenance comment (its words, without the comment's marks) and body:
    the markers as written, the provenance written with the begin marker's lead and line ending."""
    newline = block.newline or "\n"
    line = f"{block.lead}<!-- advisor:provenance {provenance} -->{newline}" if provenance is not None else ""
    return block.begin + line + with_newline(body, newline) + block.end


def with_newline(body: str, newline: str) -> str:
    """`body` (lines ending in \\n) with each line ending `newline`."""
    return body.replace("\n", newline) if newline != "\n" else body


def assemble(document: Document, bodies: Mapping[int, str] | None = None) -> str:
    """The document again, each block whose index is in `bodies` replaced by that text (a whole block,
    markers included: block_text), every other byte as it was."""
    bodies = bodies or {}
    out: list[str] = []
    index = 0
    for part in document.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        out.append(bodies[index] if index in bodies else original(part))
        index += 1
    return "".join(out)


def original(block: Block) -> str:
    return block.begin + (block.provenance or "") + block.body + block.end


def outside(document: Document) -> Sequence[str]:
    """The text between blocks, in order (what an update keeps byte for byte)."""
    return [part for part in document.parts if isinstance(part, str)]
