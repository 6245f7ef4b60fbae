"""What-if: a scenario with some of its values set otherwise (`recommend --set KEY=VALUE`, `--sweep`, the
web view's controls), without copying the file.

A setting names a key as the file does (`traffic.requests_per_month`, `name`) and a value as TOML writes
it (`300000`, `"gpt-4.1-mini"`, `true`, `["format", "tone"]`); a bare word is read as text, and a count
may be written as the CLI writes volumes (`300k`, `1.5M`). The scenario is validated again with the value
in place, so a setting is refused exactly as the same value in the file would be, and named as the setting
(`--set traffic.requests_per_month`), not as a line of the file it is not on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from advisor.costs.estimate import Assumption
from advisor.errors import UserError
from advisor.parsing.quantities import parse_count
from advisor.recommend.scenario import (
    SECTIONS,
    LoadedScenario,
    Scenario,
    defaults_used,
    plain_error,
)

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.recommend.recommendation import CommandPlace, Recommendation

    Build = Callable[[LoadedScenario, Catalog, date, CommandPlace], Recommendation]

_TOP_LEVEL = ("name", "stage")


@dataclass(frozen=True)
class Setting:
    """One value set otherwise: `key` dotted as in the file, `value` as TOML reads it."""

    key: str
    value: Any
    text: str  # as the user wrote it, for messages and the report's assumptions

    def __str__(self) -> str:
        return f"{self.key}={self.text}"


def parse_setting(text: str, *, option: str = "--set") -> Setting:
    """`KEY=VALUE` as a Setting; the key must be one a scenario has."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError(f"{text!r} is not KEY=VALUE", where=option, hint="for example traffic.requests_per_month=300k")
    check_key(key, option)
    return Setting(key, _value(key, value.strip()), value.strip())


def setting_of(key: str, value: Any, *, option: str = "settings") -> Setting:
    """A setting given as a key and a Python value (the Python API's `settings={...}`); text is read as
    `KEY=VALUE` reads it (`"300k"` is a count)."""
    check_key(key, option)
    if isinstance(value, str):
        return Setting(key, _value(key, value), value)
    return Setting(key, value, shown(value))


def check_key(key: str, option: str = "--set") -> None:
    """Refuse a key no scenario has, naming the keys it could be."""
    section, _, name = key.partition(".")
    if not name:
        if key in _TOP_LEVEL:
            return
        raise UserError(
            f"{key!r} is not a scenario key",
            where=option,
            hint=f"use {', '.join(_TOP_LEVEL)} or SECTION.KEY with SECTION one of {', '.join(SECTIONS)}",
        )
    model = SECTIONS.get(section)
    if model is None:
        raise UserError(
            f"{key!r}: there is no [{section}] section", where=option, hint=f"sections: {', '.join(SECTIONS)}"
        )
    if name not in model.model_fields:
        raise UserError(
            f"{key!r} is not a known key", where=option, hint=f"keys in [{section}]: {', '.join(model.model_fields)}"
        )


def _value(key: str, text: str) -> Any:
    """The value as TOML reads it; a bare word as text; `300k`/`1.5M` as a count where a number is expected."""
    try:
        return tomllib.loads(f"v = {text}", parse_float=Decimal)["v"]
    except tomllib.TOMLDecodeError:
        pass
    try:
        return parse_count(text, what=key, allow_zero=True)
    except ValueError:
        return text


def with_settings(loaded: LoadedScenario, settings: Iterable[Setting], *, option: str = "--set") -> LoadedScenario:
    """The scenario with each setting in place (later settings of the same key win), validated again; its
    `defaults` no longer list a key that was set. Prompt files are counted again by whoever costs it."""
    settings = list(settings)
    if not settings:
        return loaded
    # the keys as given (the file's, and any settings already in place): so settings chain, and a key the
    # file left out still counts as a default until it is set
    raw = loaded.scenario.model_dump(exclude_unset=True)
    for setting in settings:
        _put(raw, setting.key, setting.value)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _refused(exc, settings, option) from None
    return LoadedScenario(
        scenario=scenario, source=loaded.source, defaults=defaults_used(raw), text=loaded.text, notices=loaded.notices
    )


# a prompt's length is given as a count or as a file to count, never both: setting one replaces the other
# (`--set traffic.prompt_tokens=1200` on a scenario that counts prompt.json prices 1,200 tokens instead)
REPLACES = {
    "traffic.prompt_tokens": "traffic.prompt_file",
    "traffic.prompt_file": "traffic.prompt_tokens",
    "models.ft_prompt_tokens": "models.ft_prompt_file",
    "models.ft_prompt_file": "models.ft_prompt_tokens",
}


def _put(raw: dict[str, Any], key: str, value: Any) -> None:
    section, _, name = key.partition(".")
    if not name:
        raw[section] = value
        return
    table = raw.get(section)
    kept = {**(table if isinstance(table, Mapping) else {}), name: value}
    if key in REPLACES:
        kept.pop(REPLACES[key].partition(".")[2], None)
    raw[section] = kept


def _refused(exc: ValidationError, settings: list[Setting], option: str) -> UserError:
    """The first error, named as the setting that caused it (or as the file when no setting did)."""
    error = exc.errors(include_url=False)[0]
    dotted = ".".join(str(part) for part in error["loc"] if isinstance(part, str))
    mine = [setting for setting in settings if dotted == setting.key or dotted.startswith(f"{setting.key}.")]
    if not mine:  # a rule across keys (prompt_tokens and prompt_file both given): name every setting of the section
        section = dotted.partition(".")[0]
        mine = [setting for setting in settings if setting.key.partition(".")[0] == section]
    where = f"{option} {mine[-1]}" if mine else option
    return UserError(f"{dotted or 'scenario'}: {plain_error(error)}", where=where, hint="see docs/recommendations.md")


def shown(value: Any) -> str:
    """A setting's value as a report writes it: `300,000`, `2500.50`, `'gpt-4.1-mini'`, `true`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return repr(value)


def file_value(loaded: LoadedScenario, key: str) -> Any:
    """What the scenario (file or defaults) has for `key`, before any setting."""
    section, _, name = key.partition(".")
    holder = loaded.scenario if not name else getattr(loaded.scenario, section)
    value = getattr(holder, name or section)
    return value.value if hasattr(value, "value") and not isinstance(value, int | str) else value


def setting_assumptions(loaded: LoadedScenario, settings: Iterable[Setting], option: str = "--set") -> list[Assumption]:
    """One assumption a key set (the last setting of it wins), saying what the file had: a pasted report
    says what was changed, `traffic.requests_per_month = 300,000 (set by --set
    traffic.requests_per_month=300k; scenario.toml has 3,000,000)`."""
    last = {setting.key: setting for setting in settings}
    items = []
    for key, setting in last.items():
        defaulted = any(item.split(" = ")[0] == key for item in loaded.defaults)
        where = loaded.source.rsplit("/", 1)[-1]
        other = REPLACES.get(key)
        if other is not None and file_value(loaded, other) is not None:  # the file's other prompt source
            before = f"instead of {where}'s {other} = {shown(file_value(loaded, other))}"
        else:
            before = f"not in {where}" if defaulted else f"{where} has {shown(file_value(loaded, key))}"
        text = f"{key} = {shown(setting.value)} (set by {option} {setting}; {before})"
        items.append(Assumption(topic="setting", text=text))
    return items


def building_with(build: Build, settings: Sequence[Setting], option: str = "--set") -> Build:
    """`build` for the scenario with `settings` in place, the report's assumptions saying first what was
    set and what the file had (`recommend --set`, the Python API's `settings=`, the web view)."""
    if not settings:
        return build

    def built(loaded: LoadedScenario, catalog: Catalog, today: date, place: CommandPlace) -> Recommendation:
        settings_given = (*place.settings, *(str(setting) for setting in settings))
        rec = build(
            with_settings(loaded, settings, option=option), catalog, today, replace(place, settings=settings_given)
        )
        return noted(rec, setting_assumptions(loaded, settings, option))

    return built


def noted(rec: Recommendation, assumptions: Sequence[Assumption]) -> Recommendation:
    """The recommendation with `assumptions` listed before its own."""
    return rec.model_copy(update={"assumptions": [*assumptions, *rec.assumptions]})
