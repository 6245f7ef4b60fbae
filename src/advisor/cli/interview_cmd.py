"""`advisor interview`: the scenario, asked question by question in a planning meeting (or from a
script on stdin), then the recommendation, and the answers saved as a scenario file.

Nothing typed is lost: a bad answer is asked again, `back` returns to the previous question with the
answer given there as its default, and Ctrl-C, the end of input or a failure saves the answers so far to
a file that `advisor interview --resume FILE` continues (and finishes the scenario file it was started
to write). That file is written atomically (a temporary file renamed), never over another interview's
(at a terminal the interview offers to continue that one, else a taken name gets a number:
`advisor-interview-2.partial.toml`; piped, it is refused unless --force), and once every question is
answered, before the recommendation is computed, so that nothing after the last answer can lose them.
Nothing is overwritten unasked: a piped interview whose --save file exists is refused before it asks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from advisor.cli.options import pricing_options, today_or
from advisor.safe_text import shell_command

SAVE_FORMATS = (".toml", ".json")
PARTIAL = "advisor-interview.partial.toml"  # where unfinished answers go when --save names no file
PARTIAL_MARK = "# advisor interview"  # the first line of a file of saved answers
MAX_PARTIAL_NUMBER = 1000  # advisor-interview-2.partial.toml ... when the names before are taken


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
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite --save FILE without asking, and start even when another interview's answers are waiting "
    "(they stay; this one's are kept beside them). Needed for those when the answers are piped in.",
)
@pricing_options
def interview(
    start_from: str | None,
    resume: str | None,
    save: str | None,
    pricing_files: tuple[Path, ...],
    today: date | None,
    force: bool = False,
) -> None:
    """Ask, in plain language, what the recommendation needs to know, with a default for every
    question (Enter takes it; `back` returns to the previous one); show the recommendation; save the
    answers. Answers can also be piped in, one per line."""
    import sys

    from advisor.errors import UserError
    from advisor.plugins import catalog_with_plugins
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
    if sys.stdin is None or sys.stdin.closed:
        raise UserError(
            "standard input is closed, and the interview reads its answers from it",
            hint="run it in a terminal, or pipe the answers in, one a line",
        )
    catalog = catalog_with_plugins(pricing_files, today_or(today))
    begun = start_from or resume
    folder = Path(begun).resolve().parent if begun else Path.cwd()
    answers = from_raw({})
    own = None
    if start_from:
        from advisor.recommend.scenario import parse_raw, parse_scenario, read_text, without_retired

        text = read_text(start_from)  # read once: it may be a pipe
        for notice in parse_scenario(text, start_from).notices:  # refuse a file with errors before asking
            click.echo(f"warning: {notice} (the scenario written leaves it out)", err=True)
        answers = from_raw(without_retired(parse_raw(text, start_from), text, start_from)[0])
    interactive = _interactive()
    if not (start_from or resume) and os.path.lexists(taken := _partial_path(target)) and not force:
        resume = _taken(taken, interactive)  # continue the other interview, or refuse, or (None) keep it apart
    if resume:
        folder = Path(resume).resolve().parent
        answers, own, planned = _resumed(resume)
        if target is None and planned is not None:
            target = planned  # the scenario file the interview was started to write: it finishes it
        click.echo(
            f"continuing the interview saved in {resume}" + (f"; the answers go to {target}" if target else ""),
            err=True,
        )
    _refuse_unasked_overwrite(target, force, interactive)
    keeper = _Keeper(_partial_path(target), own, target)
    keeper.say_if_taken()
    progress = _Progress(answers)
    try:
        answers = _ask_all(progress, folder, catalog)
    except _Stopped as stop:
        keeper.stopped(relocated(progress.answers, folder, keeper.folder), stop.question)
        raise click.exceptions.Exit(130 if stop.interrupted else 1) from None
    except BaseException:  # a failure while asking: what was answered is kept, then the error is said
        keeper.failed(relocated(progress.answers, folder, keeper.folder), progress.question)
        raise
    keeper.keep(relocated(answers, folder, keeper.folder), None, quiet=True)  # before anything that can fail
    try:
        saved = _finish(answers, folder, target, catalog, today, force)
    except BaseException:
        keeper.say_kept()
        raise
    keeper.done(saved, target)


@dataclass
class _Progress:
    """The answers so far and the question being asked, as the loop leaves them: a failure anywhere in it
    keeps what was answered."""

    answers: Any
    question: Any = None


def _interactive() -> bool:
    """Whether a person answers at a terminal (a piped run cannot be asked whether to overwrite: a line
    meant for another question would answer it)."""
    import sys

    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _taken(partial: Path, interactive: bool) -> str | None:
    """Another interview's answers wait in `partial`: at a terminal, ask whether to continue it (its path)
    or start anew beside it (None); piped, refuse, saying what to do."""
    from advisor.errors import UserError

    resume = shell_command("advisor", "interview", "--resume", partial)
    if not interactive:
        raise UserError(
            "holds another interview's answers, and a piped interview does not write over or beside them unasked",
            where=str(partial),
            hint=f"continue it with `{resume}`, start anew with --force (its answers stay; this one's are kept "
            "beside them), or --save another name",
        )
    if click.confirm(f"{partial} holds another interview's answers. Continue that interview?", default=True):
        return str(partial)
    return None


def _refuse_unasked_overwrite(target: Path | None, force: bool, interactive: bool) -> None:
    """A piped interview does not end by writing over a file that is there: refused before the first
    question, unless --force (at a terminal the interview asks when it saves)."""
    from advisor.errors import UserError

    if target is not None and target.exists() and not force and not interactive:
        raise UserError(
            "exists, and a piped interview cannot be asked whether to overwrite it",
            where=str(target),
            hint="--force overwrites it, or --save another name",
        )


def _finish(
    answers: Any, folder: Path, target: Path | None, catalog: Any, today: date | None, force: bool = False
) -> bool:
    """Show the recommendation and save the answers to `target`; whether they were saved there."""
    from pydantic import ValidationError

    from advisor.api.recommending import command_place
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
    # the report's commands run from here; `advisor recommend` reads the file the answers are saved to
    place = command_place(str(target) if target is not None else None)
    print_report(recommend(loaded, catalog, today_or(today), place))
    if target is None:
        return False
    saved = Scenario.model_validate(to_raw(without_notes(relocated(answers, folder, target.parent))))
    text = scenario_json(saved) if target.suffix.lower() == ".json" else scenario_toml(saved)
    return _save(target, text, force)


def _ask_all(progress: _Progress, folder: Path, catalog: Any) -> Any:
    """Every pending question in turn; `back` undoes the last answer. Returns the answers; raises _Stopped
    (with the question that was being asked) when the user stops, Ctrl-C while a file is counted too.
    `progress` holds the answers after each one is recorded."""
    import copy

    from advisor.recommend.interview import pending, record

    answers = progress.answers
    asked: set[str] = set()
    history: list[tuple[Any, set[str]]] = []
    given: dict[str, str] = {}  # each question's answer as typed (Enter: the default it took)
    while questions := pending(answers, asked):
        question = progress.question = questions[0]
        try:
            earlier = given.get(question.key)  # `back` asks again with the answer given, not the default
            value = _ask(question, answers, catalog, folder, can_go_back=bool(history), earlier=earlier, given=given)
            if value is _BACK:
                answers, asked = history.pop()
                progress.answers = answers
                continue
            if earlier is not None and value == [] and question.parse(earlier) != []:
                click.echo(f"note: {question.key} was {earlier!r}; now nothing", err=True)
            history.append((copy.deepcopy(answers), set(asked)))
            asked.add(question.key)
            record(answers, question, value, folder)
            if question.key == "traffic.prompt_tokens" and isinstance(value, str):
                _note_prompt_tokens(answers, folder, value, catalog)
        except KeyboardInterrupt:  # while a prompt file is counted: the answer given stays recorded
            click.echo("")
            stop = _Stopped(interrupted=True)
            following = pending(answers, asked)  # the question the next run asks first
            stop.question, stop.answers = following[0] if following else question, answers
            raise stop from None
        except _Stopped as stop:
            stop.question, stop.answers = question, answers
            raise
    return answers


_BACK = object()


def _ask(
    question: Any, answers: Any, catalog: Any, folder: Path, *, can_go_back: bool, earlier: str | None = None,
    given: dict[str, str] | None = None,
) -> Any:  # fmt: skip
    """One question: its help line, its default (Enter), asked again until the answer parses. Asked again
    after `back`, the default is the `earlier` answer, so that Enter keeps it; `given` records the answer
    as typed (or the default Enter took)."""
    if earlier is not None:
        default: Any = None
    else:
        default = question.default(answers)
    if question.key == "models.fine_tune_base" and default is not None:
        from advisor.recommend.scenario import untunable

        if untunable(catalog, default, answers.get("models", {}).get("provider", "openai")) is not None:
            default = None  # today's model cannot be tuned: Enter leaves the base to advisor
    click.echo(click.style(f"\n{question.ask}", bold=True))
    notes = ("  (Enter keeps your answer)" if earlier is not None else "") + (
        "  (`back`: the previous question)" if can_go_back else ""
    )
    click.echo(click.style(f"  {question.help}{notes}", dim=True))
    shown = earlier if earlier is not None else _shown(default)
    return _answer(question, answers, catalog, folder, shown, can_go_back, given)


def _answer(
    question: Any, answers: Any, catalog: Any, folder: Path, shown: str, can_go_back: bool,
    given: dict[str, str] | None,
) -> Any:  # fmt: skip
    """Read until the answer parses (Enter: `shown`); the value, or _BACK."""
    from advisor.errors import UserError
    from advisor.recommend.interview import checked_prompt_file, prompt_size

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
            if question.key == "models.current":
                catalog.find(value, answers.get("models", {}).get("provider"))
            if question.key == "models.fine_tune_base" and value is not None:
                from advisor.recommend.scenario import untunable

                if problem := untunable(catalog, value, answers.get("models", {}).get("provider", "openai")):
                    raise ValueError(f"{problem.message}; {problem.hint}")
            if question.key == "models.provider" and value not in catalog.providers:
                raise ValueError(f"no price table for {value!r}; known: {', '.join(catalog.providers)}")
            if question.key == "models.providers":
                unknown = [name for name in value if name not in catalog.providers]
                if unknown:
                    raise ValueError(f"no price table for {unknown[0]!r}; known: {', '.join(catalog.providers)}")
            if question.key == "traffic.prompt_tokens" and isinstance(value, str):
                checked_prompt_file(folder, value)
            if question.key == "traffic.cached_prompt_tokens" and value > prompt_size(answers):
                raise ValueError(
                    f"the fixed start ({value:,} tokens) cannot be longer than the prompt "
                    f"({prompt_size(answers):,} tokens); give at most that, or `back` to change the prompt"
                )
        except (ValueError, UserError) as error:
            click.echo(f"Error: {error}")
            continue
        if given is not None:
            given[question.key] = text.strip()
        return value


def _read(prompt: str) -> str:
    """One line of input; Ctrl-C, the end of input and an input that cannot be read (closed, lost) stop
    the interview (its answers are saved)."""
    click.echo(prompt, nl=False)
    try:
        return input()
    except KeyboardInterrupt:
        click.echo("")
        raise _Stopped(interrupted=True) from None
    except (EOFError, RuntimeError, ValueError, OSError):  # RuntimeError: input() lost sys.stdin
        click.echo("")
        raise _Stopped(interrupted=False) from None


def _note_prompt_tokens(answers: Any, folder: Path, answer: str, catalog: Any) -> None:
    """Count a prompt file as soon as it is named, so that a cached prefix longer than it is refused at its
    own question, not after every other answer. An unreadable file is asked about again at the end."""
    from advisor.costs.inputs import prompt_tokens_from_file
    from advisor.errors import UserError
    from advisor.recommend.interview import checked_prompt_file, get, put

    try:
        tokens, _ = prompt_tokens_from_file(
            str(checked_prompt_file(folder, answer)), get(answers, "models.current", "gpt-4.1"), catalog
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


@dataclass
class _Keeper:
    """Where this interview keeps its answers: the file it was resumed from (`own`, whose answers it
    holds), else a new file at `preferred` or, when another interview's answers are there, beside it
    under the first free number. It never writes over another interview's file."""

    preferred: Path
    own: Path | None
    target: Path | None = None  # the scenario file the answers are for (--save), said in the kept file
    written: Path | None = None
    complete: bool = field(default=False)

    @property
    def folder(self) -> Path:
        return (self.own or self.preferred).parent

    def say_if_taken(self) -> None:
        if self.own is None and os.path.lexists(self.preferred):
            click.echo(
                f"note: {self.preferred} holds another interview's answers (`advisor interview --resume "
                f"{self.preferred}` continues it); it is left as it is, and this interview's go beside it",
                err=True,
            )

    def keep(self, answers: Any, question: Any, *, quiet: bool = False) -> Path | None:
        """Write the answers (`question`: the one not answered; None when all were); the file, or None
        when there is nothing to keep or it could not be written (said on stderr unless `quiet`: a folder
        that cannot be written must not spoil a run that needs no file)."""
        from advisor.recommend.interview import to_raw, without_notes

        raw = to_raw(without_notes(answers))
        if not any(raw.values()) and self.written is None:
            return None
        self.complete = question is None
        try:
            if self.written is not None or self.own is not None:
                self.written = self.written or self.own
                assert self.written is not None
                _replace(self.written, _partial_text(self.written, raw, question, self.target))
            else:
                self.written = _create_numbered(self.preferred, raw, question, self.target)
        except OSError as exc:
            if not quiet:
                where = self.written or self.preferred
                click.echo(f"advisor: the answers so far could not be saved to {where} ({exc.strerror})", err=True)
            return None
        return self.written

    def stopped(self, answers: Any, question: Any) -> None:
        """The user stopped at `question`: keep the answers and say how to continue."""
        from advisor.recommend.interview import to_raw, without_notes

        raw = to_raw(without_notes(answers))
        key = question.key.lstrip(".")
        if not any(raw.values()) and self.written is None and self.own is None:
            click.echo(f"advisor: stopped at {key!r} ({question.ask}) before any answer: nothing to save", err=True)
            return
        path = self.keep(answers, question)
        if path is None:
            return
        answered = sum(len(values) for values in raw.values() if isinstance(values, dict)) + sum(
            1 for value in raw.values() if not isinstance(value, dict)
        )
        click.echo(
            f"advisor: stopped at {key!r} ({question.ask}); {answered} answer(s) saved to {path}: "
            f"continue with `{shell_command('advisor', 'interview', '--resume', path)}`",
            err=True,
        )

    def failed(self, answers: Any, question: Any) -> None:
        if question is not None and self.keep(answers, question) is not None:
            self.say_kept()

    def say_kept(self) -> None:
        if self.written is not None:
            what = "every answer is" if self.complete else "the answers so far are"
            click.echo(
                f"note: {what} saved in {self.written}: "
                f"`{shell_command('advisor', 'interview', '--resume', self.written)}` continues",
                err=True,
            )

    def done(self, saved: bool, target: Path | None) -> None:
        """The recommendation was shown: the kept answers are removed once they are saved to `target`, or
        when they were only this run's (no --save); they stay when the user declined to overwrite."""
        if self.written is None:
            return
        if saved or (target is None and self.written != self.own):
            self.written.unlink(missing_ok=True)
        elif target is not None:
            self.say_kept()


SAVES_TO = "# saves to: "  # the line of a kept file naming the scenario file it is for (JSON text)


def _partial_text(path: Path, raw: dict[str, Any], question: Any, target: Path | None = None) -> str:
    """The answers as TOML that --resume reads, headed by what was not answered, how to continue and the
    scenario file the answers are for (relative to the kept file), which --resume then writes."""
    import json

    import tomli_w

    if question is None:
        stopped = f"{PARTIAL_MARK}: every question answered, the recommendation not shown yet\n"
    else:
        stopped = f"{PARTIAL_MARK}, stopped at: {question.ask} ({question.key.lstrip('.')})\n"
    resume = shell_command("advisor", "interview", "--resume", path)  # one line, whatever the path holds
    saves = ""
    if target is not None:
        saves = SAVES_TO + json.dumps(os.path.relpath(target.resolve(), path.resolve().parent)) + "\n"
    return f"{stopped}# continue it: {resume}\n{saves}" + tomli_w.dumps(raw)


def _create_numbered(preferred: Path, raw: dict[str, Any], question: Any, target: Path | None = None) -> Path:
    """A new file at `preferred`, else at the first free `NAME-2.partial.toml` ... beside it."""
    stem = preferred.name.removesuffix(".partial.toml")
    for number in range(1, MAX_PARTIAL_NUMBER + 1):
        path = preferred if number == 1 else preferred.with_name(f"{stem}-{number}.partial.toml")
        try:
            _create(path, _partial_text(path, raw, question, target))
        except FileExistsError:
            continue
        return path
    raise OSError(17, f"{MAX_PARTIAL_NUMBER} files of saved answers are there already")


def _temporary(path: Path, text: str) -> Path:
    """`text` in a new temporary file beside `path`, with the mode the umask gives a new file."""
    import secrets

    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _create(path: Path, text: str) -> None:
    """Write a new file atomically, or raise FileExistsError: a hard link of a complete temporary file
    never replaces a file that is there (on a file system without links, an exclusive create)."""
    temporary = _temporary(path, text)
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    finally:
        temporary.unlink(missing_ok=True)


def _replace(path: Path, text: str) -> None:
    """Write `path` atomically: a reader sees the old file or the new one, never half of one."""
    temporary = _temporary(path, text)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _resumed(path: str) -> tuple[Any, Path | None, Path | None]:
    """The answers of a stopped interview (only what was answered: no defaults filled in), the file
    itself when it is one an interview wrote (its answers are all in this one's: it may be written over),
    and the scenario file that interview was to save (None when it named none)."""
    from advisor.errors import UserError
    from advisor.recommend.interview import from_raw
    from advisor.recommend.scenario import SECTIONS, parse_raw, read_text

    text = read_text(path)
    raw = parse_raw(text, path)
    for section, values in raw.items():
        if isinstance(values, dict) and section not in SECTIONS:
            raise UserError(f"[{section}] is not a section of a scenario", where=path, hint="is this the saved file?")
    own = Path(path) if text.startswith(PARTIAL_MARK) and Path(path).is_file() else None
    return from_raw(raw), own, _planned(text, Path(path)) if own else None


def _planned(text: str, path: Path) -> Path | None:
    """The scenario file named on a kept file's `# saves to:` line, relative to the kept file's folder."""
    import json

    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(SAVES_TO):
            try:
                name = json.loads(line.removeprefix(SAVES_TO))
            except ValueError:
                return None
            planned = path.parent / name if isinstance(name, str) and name else None
            return Path(os.path.normpath(planned)) if planned else None
    return None


def _save(path: Path, text: str, force: bool = False) -> bool:
    """Write the scenario file atomically, asking before it replaces one (unless `force`); whether it was
    written."""
    from advisor.errors import UserError

    if path.exists() and not force and not click.confirm(f"{path} exists. Overwrite it?", default=False):
        click.echo(f"not saved: {path} is unchanged", err=True)
        return False
    try:
        _replace(path, text)
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(path), hint="check the folder") from None
    click.echo(f"saved the answers to {path}", err=True)
    return True
