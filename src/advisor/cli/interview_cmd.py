"""`advisor interview`: the scenario, asked question by question in a planning meeting (or from a
script on stdin), then the recommendation, and the answers saved as a scenario file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from advisor.cli.options import pricing_options, today_or


@click.command()
@click.option("--from", "start_from", metavar="FILE", help="Start from this scenario file; ask only what it lacks.")
@click.option("--save", metavar="FILE", help="Save the answers as a scenario file (asks before overwriting).")
@pricing_options
def interview(start_from: str | None, save: str | None, pricing_files: tuple[str, ...], today: date | None) -> None:
    """Ask, in plain language, what the recommendation needs to know, with a default for every
    question (Enter takes it); show the recommendation; save the answers. Answers can also be piped
    in, one per line."""
    from advisor.plugins import load_catalog
    from advisor.recommend.interview import from_raw, pending, record, to_raw
    from advisor.recommend.recommendation import recommend
    from advisor.recommend.scenario import (
        LoadedScenario,
        Scenario,
        defaults_used,
        load_scenario,
        parse_raw,
        read_text,
        scenario_toml,
    )
    from advisor.render.recommendation import print_report

    catalog = load_catalog(pricing_files)
    folder = Path(start_from).resolve().parent if start_from else Path.cwd()
    answers = from_raw({})
    if start_from:
        load_scenario(start_from)  # refuse a file with errors before asking anything
        answers = from_raw(parse_raw(read_text(start_from), start_from))
    asked: set[str] = set()
    while questions := pending(answers, asked):
        question = questions[0]
        asked.add(question.key)
        record(answers, question, _ask(question, answers, catalog), folder)
    raw = to_raw(answers)
    loaded = LoadedScenario(
        scenario=Scenario.model_validate(raw), source=str(folder / "interview"), defaults=defaults_used(raw)
    )
    click.echo("")
    print_report(recommend(loaded, catalog, today_or(today)))
    if save:
        _save(Path(save), scenario_toml(loaded.scenario))


def _ask(question: Any, answers: Any, catalog: Any) -> Any:
    """One question: its help line, its default (Enter), asked again until the answer parses."""
    from advisor.errors import UserError

    default = question.default(answers)
    click.echo(click.style(f"\n{question.ask}", bold=True))
    click.echo(click.style(f"  {question.help}", dim=True))

    def convert(text: str) -> Any:
        try:
            value = question.parse(text)
            if question.key in ("models.current", "models.fine_tune_base"):
                catalog.find(value, answers.get("models", {}).get("provider"))
            if question.key == "models.provider" and value not in catalog.providers:
                raise ValueError(f"no price table for {value!r}; known: {', '.join(catalog.providers)}")
        except (ValueError, UserError) as error:
            raise click.UsageError(str(error)) from None
        return value

    shown = _shown(default)
    return click.prompt(" ", default=shown, show_default=bool(shown), value_proc=convert, prompt_suffix="")


def _shown(default: Any) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return "yes" if default else "no"
    if isinstance(default, list):
        return ", ".join(default)
    return str(default)


def _save(path: Path, text: str) -> None:
    from advisor.errors import UserError

    if path.exists() and not click.confirm(f"{path} exists. Overwrite it?", default=False):
        click.echo(f"not saved: {path} is unchanged", err=True)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(path), hint="check the folder") from None
    click.echo(f"saved the answers to {path}", err=True)
