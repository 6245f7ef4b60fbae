"""Filling a document's advisor blocks: render each from its scenario, compare with what the block holds,
say why it changed, and write the document back (atomically, only when something changed).

A block reads as `advisor recommend SCENARIO --format markdown` run in the document's folder, whatever
folder `advisor doc` runs from: the scenario's paths (prompt files, the training file, the commands of
the report's appendix) are relative to it, so the same document renders the same on a laptop and in CI.
Nothing here writes until write_document; plan_document and reproduce_document only read.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from advisor import __version__
from advisor.documents.blocks import Block, BlockSpec, Document, assemble, block_text, original, parse
from advisor.documents.provenance import (
    Provenance,
    read_provenance,
    row_notes,
    rows_used,
    table_notes,
    tables_used,
    why_changed,
)
from advisor.errors import UserError, file_location
from advisor.parsing.file_text import decode_utf8, read_bytes

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.recommend.recommendation import CommandPlace, Recommendation
    from advisor.recommend.scenario import LoadedScenario

MAX_DOCUMENT_BYTES = 16 * 2**20  # a proposal is tens of KiB; a device or a wrong file is refused at once


@dataclass(frozen=True)
class Pricing:
    """What every block of a run is priced with: the catalog (`--pricing` files included), the day a
    block without `today=` is priced on, and where the report's commands run (built in the document's
    folder, given the scenario file as the block names it)."""

    catalog: Catalog
    today: date
    place: Callable[[str], CommandPlace]


@dataclass(frozen=True)
class Chart:
    path: Path
    svg: str

    def stale(self) -> bool:
        """The file is missing or holds another chart."""
        try:
            return self.path.read_text(encoding="utf-8") != self.svg
        except (OSError, UnicodeDecodeError):
            return True


@dataclass(frozen=True)
class Rendered:
    body: str  # the section's Markdown, lines ending in \n
    provenance: Provenance
    chart: Chart | None
    stops: str | None  # `gpt-4.1 stops on 2027-01-14`: today's model ends within the horizon

    def block(self, block: Block) -> str:
        return block_text(block, self.provenance.words(), self.body)


Kind = Literal["current", "updated", "filled", "frozen", "frozen-differs"]


@dataclass(frozen=True)
class Outcome:
    """What an update does to one block. `rendered` is the block as advisor writes it now (for a frozen
    block: as it would read today, shown by check as information); `chart` is an SVG file to write."""

    block: Block
    index: int
    kind: Kind
    rendered: str
    reason: str | None = None
    chart: Chart | None = None

    @property
    def changes(self) -> bool:
        return self.kind in ("updated", "filled")

    @property
    def writes(self) -> str:
        """The block's text after an update."""
        return self.rendered if self.changes else original(self.block)

    def diff(self, path: object) -> str:
        return unified_diff(original(self.block), self.rendered, f"{file_location(path, self.block.line)}", "advisor")


@dataclass(frozen=True)
class Plan:
    """A document read and every block rendered: what an update would write."""

    path: Path
    data: bytes  # the file as read
    text: str
    document: Document
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def new_text(self) -> str:
        return assemble(self.document, {o.index: o.writes for o in self.outcomes if o.changes})

    @property
    def charts(self) -> list[Chart]:
        """SVG files an update writes: those of blocks it renders, when they differ from the file."""
        return [o.chart for o in self.outcomes if o.changes and o.chart is not None and o.chart.stale()]


def read_document(path: Path) -> tuple[bytes, str]:
    """The document's bytes and text (a UTF-8 byte-order mark kept, so that it is written back)."""
    data = read_bytes(path, "a document", limit=MAX_DOCUMENT_BYTES)
    text = decode_utf8(data, path)
    return data, ("\ufeff" + text if data.startswith(b"\xef\xbb\xbf") else text)


class Renderer:
    """Renders blocks of one run, each recommendation computed once per scenario and day."""

    def __init__(self, pricing: Pricing) -> None:
        self.pricing = pricing
        # by the document's folder, the scenario as the block names it, and the day: the report's commands
        # are written relative to the document's folder
        self._made: dict[tuple[Path, str, date], tuple[Recommendation, str]] = {}

    def render(self, document: Path, block: Block, day: date) -> Rendered:
        from advisor.render.recommendation import chart_svg, section_markdown

        spec = block.spec
        folder = document.resolve().parent
        rec, inputs = self.recommendation(document, block, folder, day)
        chart = None
        if spec.section == "chart":
            chart = Chart(folder / chart_name(document, spec, chart_day(block, day)), chart_svg(rec))
        body = section_markdown(rec, spec.section, chart.path.name if chart else None)
        catalog = self.pricing.catalog.on(day)
        genai = catalog.genai.label.rsplit(" ", 1)[-1] if catalog.genai is not None else None
        provenance = Provenance(
            advisor=__version__,
            priced=day,
            primary=rec.recommendation.primary,
            inputs=inputs,
            tables=tables_used(catalog, rec.providers),
            genai_prices=genai,
            rows=rows_used(catalog, cost_places(rec)),
        )
        return Rendered(body, provenance, chart, stops_words(rec))

    def recommendation(self, document: Path, block: Block, folder: Path, day: date) -> tuple[Recommendation, str]:
        """The scenario's recommendation on `day`, read and built in the document's folder (the process's
        working folder is that folder meanwhile: the CLI renders one block at a time), and the digest of
        its inputs."""
        from advisor.recommend.recommendation import recommend

        spec, where = block.spec, file_location(document, block.line)
        scenario = folder / spec.scenario
        key = (folder, spec.scenario, day)
        if key in self._made:
            return self._made[key]
        if not scenario.is_file():
            raise missing_scenario(document, block)
        try:
            with contextlib.chdir(folder):
                loaded, inputs = load_with_inputs(spec.scenario)
                made = recommend(loaded, self.pricing.catalog, day, self.pricing.place(spec.scenario)), inputs
        except UserError as error:
            raise UserError(f"scenario={spec.scenario}: {error}", where=where) from None
        self._made[key] = made
        return made


def check_scenarios(document: Path, parsed: Document) -> None:
    """Every block names a scenario file that is there (before any is rendered, so that a block further
    down is not found missing after minutes of work)."""
    folder = document.resolve().parent
    for block in parsed.blocks:
        if not (folder / block.spec.scenario).is_file():
            raise missing_scenario(document, block)


def missing_scenario(document: Path, block: Block) -> UserError:
    return UserError(
        f"scenario={block.spec.scenario}: no such file (read relative to the document's folder)",
        where=file_location(document, block.line),
        hint="fix the path in the advisor:begin marker",
    )


def load_with_inputs(path: str) -> tuple[LoadedScenario, str]:
    """A scenario and the digest of its inputs: its text and the prompt files it names (as read now). The
    scenario's own name is left out: the same file moved, or named from another folder, is the same input."""
    from advisor.documents.provenance import inputs_digest
    from advisor.recommend.scenario import load_scenario, prompt_path

    loaded = load_scenario(path)
    files = [("scenario", Path(path).read_bytes())]
    for name in (loaded.scenario.traffic.prompt_file, loaded.scenario.models.ft_prompt_file):
        if name is not None:
            with contextlib.suppress(OSError):  # a missing prompt file is counting's error, named there
                files.append((name, prompt_path(loaded.folder, name).read_bytes()))
    return loaded, inputs_digest(files)


def chart_name(document: Path, spec: BlockSpec, day: date | None = None) -> str:
    """`proposal.support-replies.payback.svg` beside `proposal.md`; a frozen block's chart carries its day
    (`proposal.support-replies.2026-11-07.payback.svg`), so that a live block's chart never replaces it."""
    dated = f".{day}" if day else ""
    return f"{document.stem}.{Path(spec.scenario).stem}{dated}.payback.svg"


def chart_day(block: Block, day: date) -> date | None:
    """The day a frozen block's chart is named by: its `today=`, else the day it was filled (its record's),
    else the day it is filled now; None for a live block."""
    if not block.spec.is_frozen:
        return None
    record = read_provenance(block.provenance)
    return block.spec.today or (record.priced if record and record.priced else day)


def cost_places(rec: Recommendation) -> list[tuple[str, str]]:
    """(provider, model) of each costed option, today's model first, and of the model today's setup moves to."""
    places = [(cost.provider, cost.model) for cost in rec.costs.values()]
    if rec.today_ends.successor and ":" in rec.today_ends.successor:
        provider, model = rec.today_ends.successor.split(":", 1)
        places.append((provider, model))
    return places


def stops_words(rec: Recommendation) -> str | None:
    ends = rec.today_ends
    if not ends.stops:
        return None
    model = ends.model.split(":", 1)[-1]
    return f"{model} {'stopped' if ends.gone else 'stops'} on {ends.ends}"


def same(text: str, rendered: str) -> bool:
    """Whether a block's body is the rendered one, whatever its line endings."""
    return text.replace("\r\n", "\n").replace("\r", "\n") == rendered


def plan_document(
    path: Path, pricing: Pricing, *, compare_frozen: bool = False, renderer: Renderer | None = None
) -> Plan:
    """Every block of the document rendered and compared: kept, updated, filled (an empty frozen block),
    or frozen (with `compare_frozen`: rendered on today's prices too, to say how it differs)."""
    data, text = read_document(path)
    document = parse(text, path)
    check_scenarios(path, document)
    renderer = renderer or Renderer(pricing)
    outcomes = [
        decide(path, block, index, renderer, pricing.today, compare_frozen)
        for index, block in enumerate(document.blocks)
    ]
    plan = Plan(path, data, text, document, outcomes)
    try:
        again = len(parse(plan.new_text, path).blocks)
    except UserError:
        again = -1
    if again != len(document.blocks):  # a quoted text that reads as a marker: never written (it cannot be)
        raise UserError("a rendered block would hold an advisor marker; nothing written", where=str(path))
    return plan


def decide(path: Path, block: Block, index: int, renderer: Renderer, today: date, compare_frozen: bool) -> Outcome:
    """A live block is rendered on `today` and rewritten only when its text differs (a new day alone
    changes nothing); a frozen one is filled once, on its own day, then kept."""
    spec = block.spec
    old = read_provenance(block.provenance)
    if spec.is_frozen and not block.empty:
        if not compare_frozen:
            return Outcome(block, index, "frozen", original(block))
        now = renderer.render(path, block, today)
        if same(block.body, now.body):
            return Outcome(block, index, "frozen", now.block(block))
        return Outcome(block, index, "frozen-differs", now.block(block), why_changed(old, now.provenance, now.stops))
    if spec.is_frozen:  # empty: filled once, on its own date
        made = renderer.render(path, block, spec.today or today)
        return Outcome(
            block,
            index,
            "filled",
            made.block(block),
            f"frozen block filled once, priced on {made.provenance.priced}",
            made.chart,
        )
    made = renderer.render(path, block, today)
    if block.provenance is not None and same(block.body, made.body):
        if made.chart is not None and made.chart.stale():
            return Outcome(
                block,
                index,
                "updated",
                original(block),
                f"chart file {made.chart.path.name} is missing or out of date",
                made.chart,
            )
        return Outcome(block, index, "current", original(block))
    if block.empty:
        return Outcome(block, index, "filled", made.block(block), "filled for the first time", made.chart)
    return Outcome(
        block, index, "updated", made.block(block), why_changed(old, made.provenance, made.stops), made.chart
    )


def write_document(plan: Plan) -> bool:
    """Write what the plan changes: each stale chart, then the document, each atomically (a temporary file
    in the same folder, then a rename), the document keeping its mode. Nothing is written when nothing
    changed, when the document is read-only, or when it changed since it was read."""
    new = plan.new_text
    charts = plan.charts
    if new == plan.text and not charts:
        return False
    target = plan.path.resolve()  # a link to the document: the file it names is written, the link kept
    if new != plan.text:
        refuse_read_only(target, plan.path)
        try:
            now: bytes | None = read_bytes(target, "a document", limit=MAX_DOCUMENT_BYTES)
        except UserError:
            now = None
        if now != plan.data:
            raise UserError(
                "changed while advisor was rendering it; nothing written", where=str(plan.path), hint="run again"
            )
    for chart in charts:
        write_atomically(chart.path, chart.svg.encode("utf-8"))
    if new != plan.text:
        write_atomically(target, new.encode("utf-8"))
    return True


def refuse_read_only(path: Path, shown: object) -> None:
    """A document without write permission is the author's choice: never replaced (a rename would). The
    owner's write bit decides, for root too (who may write anything)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UserError(f"cannot read its permissions ({exc.strerror})", where=str(shown)) from None
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise UserError(
            "is read-only; nothing written", where=str(shown), hint="make it writable (chmod u+w) to update it"
        )


def write_atomically(path: Path, data: bytes) -> None:
    """`data` in `path` all at once: a reader sees the old file or the new, never half of one."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(path)) from None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UserError(f"cannot write ({exc.strerror}); the file is unchanged", where=str(path)) from None


def unified_diff(old: str, new: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        old.replace("\r\n", "\n").splitlines(keepends=True),
        new.replace("\r\n", "\n").splitlines(keepends=True),
        before,
        after,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Reproduction:
    """A block rendered again on the date its provenance records, with the prices in force that day."""

    block: Block
    kind: Literal["reproduced", "differs", "not-rendered"]
    priced: date | None = None
    diff: str = ""
    notes: tuple[str, ...] = ()


def reproduce_document(path: Path, pricing: Pricing) -> list[Reproduction]:
    """Each block rendered on its recorded date: the same body, or a diff; notes say what the record shows
    has changed since (a price table, the inputs, advisor, genai-prices), so a figure may differ."""
    _, text = read_document(path)
    document = parse(text, path)
    check_scenarios(path, document)
    renderer = Renderer(pricing)
    found = []
    for block in document.blocks:
        record = read_provenance(block.provenance)
        if record is None or record.priced is None:
            found.append(Reproduction(block, "not-rendered"))
            continue
        made = renderer.render(path, block, record.priced)
        changed = [
            *row_notes(record.rows, made.provenance.rows, record.priced),
            *table_notes(record.tables, made.provenance.tables),
        ]
        notes = [f"{note}: a figure may legitimately differ" for note in changed]
        if record.inputs != made.provenance.inputs:
            notes.append("the scenario or its prompt files changed since the block was rendered")
        if record.genai_prices != made.provenance.genai_prices:
            notes.append(f"genai-prices {record.genai_prices} was used, {made.provenance.genai_prices} is installed")
        if record.advisor != made.provenance.advisor:
            notes.append(f"advisor {record.advisor} rendered it, this is advisor {made.provenance.advisor}")
        if same(block.body, made.body):
            found.append(Reproduction(block, "reproduced", record.priced, notes=tuple(notes)))
        else:
            rendered = made.block(block)
            diff = unified_diff(
                original(block), rendered, file_location(path, block.line), f"advisor on {record.priced}"
            )
            found.append(Reproduction(block, "differs", record.priced, diff, tuple(notes)))
    return found
