"""A DatasetReport as a terminal report or JSON. The file's name, its fields and the problems quoted from
it are shown as written, on one line each (safe_text.visible; render.console)."""

from __future__ import annotations

from typing import IO

from advisor.costs.money import format_price, format_usd
from advisor.datasets.report import DatasetReport
from advisor.render.console import assembled, print_out, styled
from advisor.render.figures import dumps
from advisor.safe_text import visible
from advisor.tokens.chat_format import counted_as

SHOWN_PER_SEVERITY = 30


def to_json(report: DatasetReport) -> str:
    return dumps(report)


def print_report(report: DatasetReport, file: IO[str] | None = None, width: int | None = None) -> None:
    from rich import box
    from rich.table import Table

    header = assembled(
        (visible(report.file), "bold"),
        f": {report.method.upper()} data ({visible(report.method_source)}); ",
        (f"{report.errors:,} errors", "red") if report.errors else ("no errors", "green"),
        *((", ", (f"{report.warnings:,} warnings", "yellow")) if report.warnings else (", no warnings",)),
    )

    facts = Table(box=None, show_header=False, pad_edge=False)
    facts.add_column(style="dim")
    facts.add_column()
    facts.add_row("examples", f"{report.examples:,} ({report.valid_examples:,} valid) on {report.lines:,} lines")
    if report.tokens:
        t = report.tokens
        facts.add_row(
            "tokens per example",
            f"min {t.min:,} · p10 {t.p10:,} · median {t.median:,} · p90 {t.p90:,} · max {t.max:,} "
            f"(mean {t.mean:,.1f}; total {t.total:,})",
        )
        facts.add_row(
            "", styled(visible(f"{counted_as(t.encoding)}, tools included; percentiles by nearest rank"), "dim")
        )
        facts.add_row("assistant tokens", f"{report.assistant_tokens:,} (the answers the model is trained on)")
    facts.add_row("missing system / user", f"{report.missing_system:,} / {report.missing_user:,} examples")
    for over in report.over_limit:
        facts.add_row(
            "over the limit",
            visible(
                f"{over.examples:,} longer than {over.provider}:{over.model}'s {over.limit:,} "
                "tokens (truncated in training)"
            ),
        )
    facts.add_row("recommended size", visible(report.recommended_size))

    renderables: list[object] = [header, facts]
    for severity, style in (("error", "red"), ("warning", "yellow")):
        entries = [p for p in report.problems if p.severity == severity]
        if not entries:
            continue
        table = Table(box=box.SIMPLE_HEAD, title=styled(f"{severity.capitalize()}s", style), title_justify="left")
        for column in ("Line", "Ex.", "Field", "Problem", "What to do"):
            table.add_column(
                column,
                justify="right" if column in ("Line", "Ex.") else "left",
                max_width=60 if column in ("Problem", "What to do") else None,
            )
        for problem in entries[:SHOWN_PER_SEVERITY]:
            table.add_row(
                str(problem.line or ""),
                str(problem.example or ""),
                visible(problem.field or ""),
                assembled((visible(problem.code), style), " " + visible(problem.message)),
                visible(problem.hint),
            )
        renderables.append(table)
        more = (
            len(entries)
            - SHOWN_PER_SEVERITY
            + sum(count for code, count in report.omitted.items() if any(p.code == code for p in entries))
        )
        if more > 0:
            renderables.append(
                styled(f"... and {more:,} more {severity}s (--format json lists the first 100 of each kind)", "dim")
            )

    if report.costs:
        costs = Table(
            box=box.SIMPLE_HEAD,
            title="Training cost",
            title_justify="left",
            caption=visible(report.epochs_rule) if report.epochs_rule else None,  # a rule whenever costs are
            caption_justify="left",
        )
        for column in ("Model", "Billed tokens", "Price", "Cost"):
            costs.add_column(column, justify="right" if column in ("Billed tokens", "Price", "Cost") else "left")
        sources = []  # the price row of each line, under the table: a row id does not fit a column at 80
        for q in report.costs:
            model = f"{q.provider}:{q.model}"
            if q.basis == "hours":
                cells = (model, "-", f"{format_price(q.price)}/hour", "-")
                sources.append(f"  {q.row} (as_of {q.as_of})")
            elif q.usd is None:
                cells = (model, "-", "-", "-")
                sources.append(f"  {model}: {q.note or ''}")
            else:
                cells = (model, f"{q.billed_tokens:,}", f"{format_price(q.price)}/1M", format_usd(q.usd))
                sources.append(f"  {q.row} (as_of {q.as_of})")
            costs.add_row(*map(visible, cells))
        renderables.append(costs)
        renderables += [styled("Price rows", "bold"), *(visible(source) for source in sources)]
        renderables += [styled(visible(note), "dim") for note in dict.fromkeys(q.note for q in report.costs if q.note)]
        renderables += [
            styled(visible(f"{q.provider}:{q.model} tokens are approximate: {q.tokens_note}"), "dim")
            for q in report.costs
            if not q.tokens_exact
        ]
    renderables += [visible(f"note: {note}") for note in report.notes]
    print_out(*renderables, file=file, width=width)
