"""The interview as a form: the same questions, help lines, defaults and parsers as `advisor interview`
(advisor.recommend.interview.QUESTIONS), each answer checked as the interview checks it and then the whole
scenario validated as a scenario file is; a bad answer is said next to its field. Answers become what-if
settings (`KEY=VALUE`) of a new column, so the scenario lives in the URL like any other."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.errors import UserError
from advisor.recommend.interview import QUESTIONS, Answers, Question, put
from advisor.recommend.scenario import parse_scenario
from advisor.recommend.what_if import parse_setting, with_settings
from advisor.safe_text import html as e

PREFIX = "q."  # a question's field: q.traffic.requests_per_month


@dataclass
class Filled:
    """A form as submitted: each field's text, its problem, and the settings when all is well."""

    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    settings: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)  # questions that do not bear on these answers


def key_of(question: Question) -> str:
    return question.key.lstrip(".")


def shown(value: Any) -> str:
    """A default or an answer as a person types it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def toml_value(value: Any) -> str:
    """An answer as TOML writes it, for a what-if setting."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(str(item), ensure_ascii=False) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def check(submitted: Mapping[str, str]) -> Filled:
    """Each answer parsed in order (a default may follow from earlier answers, as in the interview); the
    questions that do not bear on the answers are skipped, as the interview skips them."""
    filled = Filled()
    answers: Answers = {}
    for question in QUESTIONS:
        key = key_of(question)
        text = submitted.get(PREFIX + key)
        if text is None:
            text = shown(question.default(answers))
        filled.texts[key] = text
        if not question.relevant(answers):
            filled.skipped.add(key)
            continue
        try:
            value = question.parse(text) if text.strip() or key != "traffic.prompt_tokens" else None
            if key == "traffic.prompt_tokens" and isinstance(value, str):
                raise ValueError("give a number of tokens: the web form reads no files (a scenario file can)")
        except (ValueError, UserError) as error:
            filled.errors[key] = error.message if isinstance(error, UserError) else str(error)
            continue
        if value is not None:
            put(answers, question.key, value)
            filled.settings.append(f"{key}={toml_value(value)}")
    if not filled.errors:
        try:
            with_settings(parse_scenario("", "-"), [parse_setting(s, option="answer") for s in filled.settings])
        except UserError as error:
            named = next((k for k in filled.texts if (error.where or "").startswith(f"answer {k}=")), None)
            named = named or next((k for k in filled.texts if error.message.startswith(k)), "name")
            filled.errors[named] = error.message + (f"; {error.hint}" if error.hint else "")
    return filled


def form(filled: Filled, view_query: str) -> str:
    """The form's HTML: one labelled field per question, its help line, its problem beside it."""
    rows = []
    for question in QUESTIONS:
        key = key_of(question)
        ident = "q-" + key.replace(".", "-")
        error = filled.errors.get(key, "")
        skipped = key in filled.skipped
        said = "(not asked for these answers, as in the interview: left out of the scenario)" if skipped else ""
        note = f' <span class="skipped" id="{ident}-skip">{said}</span>'
        rows.append(
            f'<div class="question"><label for="{ident}">{e(question.ask)}</label>{note}'
            f'<input id="{ident}" name="{e(PREFIX + key)}" value="{e(filled.texts.get(key, ""))}"'
            f' aria-describedby="{ident}-help {ident}-error"{" aria-invalid=true" if error else ""}>'
            f'<small id="{ident}-help" class="help">{e(question.help)}</small>'
            f'<span id="{ident}-error" class="error" role="alert">{e(error)}</span></div>'
        )
    idents = ["#q-" + key_of(question).replace(".", "-") for question in QUESTIONS]
    errors = ",".join(f"{ident}-error,{ident}-skip" for ident in idents)
    return (
        '<form class="interview" action="/new" method="get"'
        f' hx-get="/new" hx-trigger="change" hx-swap="none" hx-select-oob="{errors}">'
        f'<input type="hidden" name="view" value="{e(view_query)}">'
        + "".join(rows)
        + '<button type="submit" name="go" value="1">Add this scenario as a column</button></form>'
    )
