"""`advisor interview`: the scenario, asked question by question in a planning meeting (or from a
script on stdin), then the recommendation, and the answers saved as a scenario file.

Nothing typed is lost: a bad answer is asked again, `back` returns to the previous question, and Ctrl-C
or the end of input saves the answers so far to a file that `advisor interview --resume FILE` continues.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from advisor.cli.options import pricing_options, today_or

SAVE_FORMATS = (".toml", ".json")
PARTIAL = "advisor-interview.partial.toml"  # where unfinished answers go when --save names no file


class _Stopped(Exception):
    """The user stopped answering: Ctrl-C (`interrupted`) or the end of the input."""

    def __init__(self, interrupted: bool) -> None:
        super().__init__()
        self.interrupted = interrupted
        self.question: Any = None  # the question that was not answered, set by the loop that asked it
        self.answers: Any = None  # the answers given so far, set by the same loop


@click.command()
@click.option("--from", "start_from", metavar="FILE", help="Start from this scenario file; ask only what it lacks.")
@click.option(
    "--resume",
    metavar="FILE",
    help="Continue an interview that was stopped (Ctrl-C or the end of input) from the answers it saved.",
)
@click.option(
    "--save",
    metavar="FILE",
    help="Save the answers as a scenario file, .toml or .json (asks before overwriting).",
)
@pricing_options
def interview(
    start_from: str | None, resume: str | None, save: str | None, pricing_files: tuple[str, ...], today: date | None
) -> None:
    """Ask, in plain language, what the recommendation needs to know, with a default for every
    question (Enter takes it; `back` returns to the previous one); show the recommendation; save the
    answers. Answers can also be piped in, one per line."""
    from advisor.errors import UserError
    from advisor.plugins import load_catalog
    from advisor.recommend.interview import from_raw, relocated

    if start_from and resume:
        raise UserError("--from and --resume cannot be used together", hint="give one of them")
    target = Path(save) if save else None
    if target is not None and target.suffix.lower() not in SAVE_FORMATS:
        raise UserError(
            f"cannot save as {target.suffix or 'a file without an extension'}",
            where=str(target),
            hint="name a .toml or a .json file",
        )
    catalog = load_catalog(pricing_files, today_or(today))
    begun = start_from or resume
    folder = Path(begun).resolve().parent if begun else Path.cwd()
    answers = from_raw({})
    if start_from:
        from advisor.recommend.scenario import load_scenario, parse_raw, read_text

        load_scenario(start_from)  # refuse a file with errors before asking anything
        answers = from_raw(parse_raw(read_text(start_from), start_from))
    elif resume:
        answers = _resumed(resume)
        click.echo(f"continuing the interview saved in {resume}", err=True)
    try:
        answers = _ask_all(answers, folder, catalog)
    except _Stopped as stop:
        partial = _partial_path(target)
        _save_partial(partial, relocated(stop.answers, folder, partial.parent), stop.question)
        raise click.exceptions.Exit(130 if stop.interrupted else 1) from None
    _finish(answers, folder, target, catalog, today)


def _finish(answers: Any, folder: Path, target: Path | None, catalog: Any, today: date | None) -> None:
    from pydantic import ValidationError

    from advisor.errors import UserError
    from advisor.recommend.interview import relocated, to_raw, without_notes
    from advisor.recommend.recommendation import recommend
    from advisor.recommend.scenario import LoadedScenario, Scenario, defaults_used, scenario_json, scenario_toml
    from advisor.render.recommendation import print_report

    raw = to_raw(without_notes(answers))
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in problem["loc"])
        raise UserError(f"the answers do not make a scenario: {key}: {problem['msg']}", hint="run it again") from None
    loaded = LoadedScenario(scenario=scenario, source=str(folder / "interview"), defaults=defaults_used(raw))
    click.echo("")
    print_report(recommend(loaded, catalog, today_or(today)))
    if target is not None:
        saved = Scenario.model_validate(to_raw(without_notes(relocated(answers, folder, target.parent))))
        text = scenario_json(saved) if target.suffix.lower() == ".json" else scenario_toml(saved)
        _save(target, text)


def _ask_all(answers: Any, folder: Path, catalog: Any) -> Any:
    """Every pending question in turn; `back` undoes the last answer. Returns the answers; raises _Stopped
    (with the question that was being asked) when the user stops."""
    import copy

    from advisor.recommend.interview import pending, record

    asked: set[str] = set()
    history: list[tuple[Any, set[str]]] = []
    while questions := pending(answers, asked):
        question = questions[0]
        try:
            value = _ask(question, answers, catalog, folder, can_go_back=bool(history))
        except _Stopped as stop:
            stop.question, stop.answers = question, answers
            raise
        if value is _BACK:
            answers, asked = history.pop()
            continue
        history.append((copy.deepcopy(answers), set(asked)))
        asked.add(question.key)
        record(answers, question, value, folder)
        if question.key == "traffic.prompt_tokens" and isinstance(value, str):
            _note_prompt_tokens(answers, folder, value, catalog)
    return answers


_BACK = object()


def _ask(question: Any, answers: Any, catalog: Any, folder: Path, *, can_go_back: bool) -> Any:
    """One question: its help line, its default (Enter), asked again until the answer parses."""
    from advisor.errors import UserError
    from advisor.recommend.interview import prompt_path, prompt_size

    default = question.default(answers)
    click.echo(click.style(f"\n{question.ask}", bold=True))
    click.echo(
        click.style(f"  {question.help}" + ("  (`back`: the previous question)" if can_go_back else ""), dim=True)
    )
    shown = _shown(default)
    while True:
        text = _read(f"  [{shown}]: " if shown else "  : ")
        if text.strip().lower() == "back":
            if can_go_back:
                return _BACK
            click.echo("Error: this is the first question")
            continue
        if not text.strip():
            text = shown
        try:
            value = question.parse(text)
            if question.key in ("models.current", "models.fine_tune_base"):
                catalog.find(value, answers.get("models", {}).get("provider"))
            if question.key == "models.provider" and value not in catalog.providers:
                raise ValueError(f"no price table for {value!r}; known: {', '.join(catalog.providers)}")
            if question.key == "models.providers":
                unknown = [name for name in value if name not in catalog.providers]
                if unknown:
                    raise ValueError(f"no price table for {unknown[0]!r}; known: {', '.join(catalog.providers)}")
            if question.key == "traffic.prompt_tokens" and isinstance(value, str):
                prompt_path(folder, value)
            if question.key == "traffic.cached_prompt_tokens" and value > prompt_size(answers):
                raise ValueError(
                    f"the fixed start ({value:,} tokens) cannot be longer than the prompt "
                    f"({prompt_size(answers):,} tokens); give at most that, or `back` to change the prompt"
                )
        except (ValueError, UserError) as error:
            click.echo(f"Error: {error}")
            continue
        return value


def _read(prompt: str) -> str:
    """One line of input; Ctrl-C and the end of input stop the interview (its answers are saved)."""
    click.echo(prompt, nl=False)
    try:
        return input()
    except KeyboardInterrupt:
        click.echo("")
        raise _Stopped(interrupted=True) from None
    except EOFError:
        click.echo("")
        raise _Stopped(interrupted=False) from None


def _note_prompt_tokens(answers: Any, folder: Path, answer: str, catalog: Any) -> None:
    """Count a prompt file as soon as it is named, so that a cached prefix longer than it is refused at its
    own question, not after every other answer. An unreadable file is asked about again at the end."""
    from advisor.costs.inputs import prompt_tokens_from_file
    from advisor.errors import UserError
    from advisor.recommend.interview import get, prompt_path, put

    try:
        tokens, _ = prompt_tokens_from_file(
            str(prompt_path(folder, answer)), get(answers, "models.current", "gpt-4.1"), catalog
        )
    except (UserError, ValueError) as error:
        click.echo(f"note: {error}")
        return
    put(answers, "traffic.prompt_file_tokens", int(tokens))


def _shown(default: Any) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return "yes" if default else "no"
    if isinstance(default, list):
        return ", ".join(default)
    return str(default)


def _partial_path(target: Path | None) -> Path:
    return target.with_name(f"{target.stem}.partial.toml") if target is not None else Path(PARTIAL)


def _save_partial(path: Path, answers: Any, question: Any) -> None:
    """The answers so far as TOML that --resume reads, with the question that was not answered."""
    import tomli_w

    from advisor.recommend.interview import to_raw, without_notes
    from advisor.safe_text import shell_command

    raw = to_raw(without_notes(answers))
    resume = shell_command("advisor", "interview", "--resume", path)  # one line, whatever the path holds
    stopped = f"{question.ask} ({question.key.lstrip('.')})"
    header = f"# advisor interview, stopped at: {stopped}\n# continue it: {resume}\n"
    answered = sum(len(values) for values in raw.values() if isinstance(values, dict)) + sum(
        1 for value in raw.values() if not isinstance(value, dict)
    )
    try:
        path.write_text(header + tomli_w.dumps(raw), encoding="utf-8")
    except OSError as exc:
        click.echo(f"advisor: the answers so far could not be saved to {path} ({exc.strerror})", err=True)
        return
    click.echo(
        f"advisor: stopped at {question.key.lstrip('.')!r} ({question.ask}); {answered} answer(s) saved to {path}: "
        f"continue with `{resume}`",
        err=True,
    )


def _resumed(path: str) -> Any:
    """The answers of a stopped interview (only what was answered: no defaults filled in)."""
    from advisor.errors import UserError
    from advisor.recommend.interview import from_raw
    from advisor.recommend.scenario import SECTIONS, parse_raw, read_text

    raw = parse_raw(read_text(path), path)
    for section, values in raw.items():
        if isinstance(values, dict) and section not in SECTIONS:
            raise UserError(f"[{section}] is not a section of a scenario", where=path, hint="is this the saved file?")
    return from_raw(raw)


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
