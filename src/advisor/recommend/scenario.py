"""Scenario files: what a product team knows about its feature, as TOML (or JSON with the same keys).

Every key has a stated default; the keys left out are listed so that a report can say what it
assumed. Unknown keys, wrong types and values outside the vocabulary are refused with the file, line,
key and the allowed values: a number written as text (`"2.00"`) or a boolean written as a number
(`has_eval_set = 1`) too, and numbers beyond the ceilings of parsing/quantities.py (10^12). Fractional
numbers are read as Decimal (TOML and JSON alike), so money stays exact. The prompt files a scenario
names are read and counted when it is loaded (`count_tokens`), so that costing it reads no file.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, model_validator

from advisor.costs.estimate import Assumption
from advisor.errors import UserError, file_location
from advisor.parsing.file_text import expand_user, read_utf8
from advisor.parsing.quantities import MAX_AMOUNT, MAX_COUNT, written_as_number
from advisor.parsing.toml_locate import locate

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.pricing.row_counting import RowCounting
    from advisor.pricing.tables import ModelRow

TaskKind = Literal[
    "classification",
    "extraction",
    "structured-output",
    "support",
    "writing",
    "qa",
    "code",
    "math",
    "reasoning",
    "translation",
    "summarization",
    "other",
]
Failure = Literal[
    "knowledge", "format-syntax", "format", "consistency", "tone", "reasoning", "context-use", "cost", "latency"
]
Volatility = Literal["static", "yearly", "quarterly", "monthly", "weekly", "daily", "realtime"]
Grader = Literal["none", "exact", "fuzzy", "tests", "model"]
OpenWeights = Literal["allowed", "required", "no"]
Stage = Literal["prototype", "production"]


Number = BeforeValidator(written_as_number)
Score = Annotated[float, Number, Field(ge=0, le=1)]
Count = Annotated[int, Number, Field(ge=0, le=MAX_COUNT)]
Usd = Annotated[Decimal, Number, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Flag = StrictBool  # `has_eval_set = 1` is refused: a yes/no is true or false


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("is empty: name a model, or leave the key out for its default")
    return value


ModelName = Annotated[str, BeforeValidator(_not_blank)]

DEFAULT_PROMPT_TOKENS = 1000
# advisor's cap on a scenario file, read whole: the examples are under 2 KiB; a MiB is hundreds of times any
# real scenario, and a device or a wrong file named by mistake (`/dev/zero`) is refused at once
MAX_SCENARIO_BYTES = 2**20

# months between changes of the knowledge: how often a fine-tune carrying it would be retrained, and
# how often a RAG index is rebuilt (daily and realtime: every day)
VOLATILITY_MONTHS: dict[str, Decimal | None] = {
    "static": None,
    "yearly": Decimal(12),
    "quarterly": Decimal(3),
    "monthly": Decimal(1),
    "weekly": Decimal(7) * 24 / 730,
    "daily": Decimal(24) / 730,
    "realtime": Decimal(24) / 730,
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Task(_Section):
    kind: TaskKind = "other"
    failures: list[Failure] = Field(default_factory=list, description="what still fails after a solid prompt")
    has_eval_set: Flag = False
    baseline_score: Score | None = None
    target_score: Score | None = None


class Knowledge(_Section):
    volatility: Volatility = "static"
    corpus_tokens: Count = 0
    citations_required: Flag = False
    rag_in_place: Flag = False
    retrieved_tokens: Count = 2000


class Data(_Section):
    training_file: str | None = None  # the demonstrations as a JSONL file (named in the launch command)
    demonstrations: Count = 0
    preference_pairs: Count = 0
    graded_prompts: Count = 0
    grader: Grader = "none"
    experts_agree: Flag = False
    answers_guessable: Flag = False


class TrafficSection(_Section):
    """The scenario's [traffic] section: volumes and token sizes as the team states them (the figures
    costing works from are advisor.costs.estimate.Traffic)."""

    requests_per_month: Annotated[int, Number, Field(gt=0, le=MAX_COUNT)] = 10_000
    prompt_tokens: Count | None = None
    prompt_file: str | None = None
    cached_prompt_tokens: Count = 0
    output_tokens: Count = 200
    # reasoning tokens a request bills as output on a model that reasons by default (measured on the eval
    # set: usage.completion_tokens_details.reasoning_tokens); unknown: assumed as many as the answer's
    reasoning_tokens: Count | None = None

    @model_validator(mode="after")
    def _one_prompt_source(self) -> TrafficSection:
        if self.prompt_tokens is not None and self.prompt_file is not None:
            raise ValueError("give prompt_tokens or prompt_file, not both")
        return self


class Models(_Section):
    current: ModelName = "gpt-4.1"
    fine_tune_base: ModelName | None = None
    provider: str = "openai"  # where today's model runs, and the place preferred for training
    providers: list[str] = Field(default_factory=list, description="train only at these (empty: anywhere)")
    open_weights: OpenWeights = "allowed"  # required: weights the team can keep; no: vendor models only
    ft_prompt_tokens: Count | None = None
    ft_prompt_file: str | None = None

    @model_validator(mode="after")
    def _one_prompt_source(self) -> Models:
        if self.ft_prompt_tokens is not None and self.ft_prompt_file is not None:
            raise ValueError("give ft_prompt_tokens or ft_prompt_file, not both")
        return self


class Costs(_Section):
    setup_usd: Usd = Decimal(0)
    rag_infra_usd_per_month: Usd = Decimal(0)
    rft_hours: Annotated[Decimal, Number, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)] = Decimal(4)
    horizon_months: Annotated[int, Number, Field(gt=0, le=120)] = 12


class Scenario(_Section):
    name: str = "Unnamed feature"
    stage: Stage = "production"
    task: Task = Task()
    knowledge: Knowledge = Knowledge()
    data: Data = Data()
    traffic: TrafficSection = TrafficSection()
    models: Models = Models()
    costs: Costs = Costs()


SECTIONS: dict[str, type[_Section]] = {
    "task": Task,
    "knowledge": Knowledge,
    "data": Data,
    "traffic": TrafficSection,
    "models": Models,
    "costs": Costs,
}
# Keys older scenario files hold that no longer mean anything, and why. A file that loaded before still
# loads: the key is dropped before validation and the command warns (file, line, what to do), so the
# file can be fixed without a report failing; docs/recommendations.md lists them.
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("traffic", "latency_p95_ms"): 'no rule reads it (a latency problem is `task.failures = ["latency"]`)',
}
# what a default means when it is not obvious from the value
DEFAULT_MEANINGS = {
    "traffic.prompt_tokens": f"{DEFAULT_PROMPT_TOKENS:,} (no prompt_tokens or prompt_file given)",
    "models.fine_tune_base": "the current model where it can be tuned; otherwise the best base at each provider",
    "models.ft_prompt_tokens": "today's prompt without its cached static prefix",
}


class Tokens(BaseModel):
    """The token figures every strategy is costed from; `notes` say how those read from files were counted.

    `ft_prompt` is counted as `counted_with` counts (a counting name, advisor.tokens.chat_format; None when
    the scenario gives numbers). A place whose row counts another way (advisor.pricing.row_counting) has the
    fine-tuned prompt counted again its way in `recounted` (or why it could not be, in `recount_errors`)."""

    model_config = ConfigDict(frozen=True)

    requests: int
    prompt: Decimal
    cached: Decimal
    output: Decimal
    ft_prompt: Decimal
    notes: list[Assumption]
    reasoning: Decimal | None = None  # billed as output on a model that reasons by default (None: not measured)
    counted_with: str | None = None
    recounted: dict[str, Decimal] = Field(default_factory=dict)  # by counting name
    recount_notes: dict[str, Assumption] = Field(default_factory=dict)  # by row, `provider:model`
    recount_errors: dict[str, str] = Field(default_factory=dict)  # by counting name

    def fine_tuned(self, row: ModelRow, label: str) -> tuple[Decimal, int, list[Assumption]]:
        """The fine-tuned prompt as `row`'s model (`provider:model`) counts it, the tokens an answer adds
        to it besides its text in the model's chat format, and the note on a count made for this row."""
        from advisor.pricing.row_counting import row_counting
        from advisor.tokens.chat_format import answer_tokens

        counting = row_counting(row)
        name = counting.name if counting else self.counted_with
        if name in self.recount_errors:
            raise UserError(self.recount_errors[name], hint="install the plugin that ships the tokenizer")
        overhead = answer_tokens(name)
        if name in self.recounted:
            notes = [self.recount_notes[label]] if label in self.recount_notes else []
            return self.recounted[name], overhead, notes
        return self.ft_prompt, overhead, []


class LoadedScenario(BaseModel):
    """A scenario, where it came from, which keys took their default, and (once counted) its tokens."""

    scenario: Scenario
    source: str
    defaults: list[str]
    tokens: Tokens | None = None  # set by count_tokens
    notices: list[str] = Field(default_factory=list)  # keys read and ignored (RETIRED_KEYS), for a warning
    text: str | None = Field(None, repr=False)  # the file's text, to locate keys in errors found later

    @property
    def folder(self) -> Path:
        return Path(self.source).parent if self.source != "-" else Path.cwd()


def allowed_values(annotation: Any) -> list[str]:
    """The vocabulary of a Literal (or list of Literal) field."""
    for candidate in (annotation, *get_args(annotation)):
        if getattr(candidate, "__origin__", None) is Literal:
            return list(get_args(candidate))
        if get_args(candidate) and all(isinstance(arg, str) for arg in get_args(candidate)):
            return list(get_args(candidate))
    return []


def defaults_used(raw: dict[str, Any]) -> list[str]:
    """`section.key = value` for every key the file left out."""
    used = []
    for name in ("name", "stage"):
        if name not in raw:
            used.append(f"{name} = {Scenario.model_fields[name].default!r}")
    for section, model in SECTIONS.items():
        given = raw.get(section, {}) if isinstance(raw.get(section), dict) else {}
        for key, field in model.model_fields.items():
            if key in given or key in ("prompt_file", "ft_prompt_file"):
                continue
            if key in ("prompt_tokens", "ft_prompt_tokens") and (given.get(key.replace("tokens", "file")) is not None):
                continue
            dotted = f"{section}.{key}"
            value = field.get_default(call_default_factory=True)
            shown = DEFAULT_MEANINGS.get(dotted, _show(value))
            if value is None and dotted not in DEFAULT_MEANINGS:
                continue  # optional and unknown (a score not measured): nothing is assumed
            used.append(f"{dotted} = {shown}")
    return used


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f"{value:,}"
    return json.dumps(value) if isinstance(value, list) else repr(value)


def is_json(text: str, source: str) -> bool:
    """A `.json` file, or any text that opens with `{` (TOML never does), is read as JSON."""
    return source.lower().endswith(".json") or text.lstrip().startswith("{")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique: the standard library would keep the last of two silently."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key!r} is given twice")
        self.key = key


def _json_int(digits: str) -> int | Decimal:
    """Whole numbers too long for int() (4,300 digits) stay Decimal, so the schema's ceiling refuses them."""
    return int(digits) if len(digits) < 4000 else Decimal(digits)


_LONG_NUMBER = re.compile(r"[0-9_]{4000,}")


def parse_raw(text: str, source: str) -> dict[str, Any]:
    """The keys of a TOML (or JSON, by extension or a text that opens with `{`) scenario, before
    validation. Fractional numbers are read as Decimal."""
    json_file = is_json(text, source)
    try:
        if json_file:
            raw = json.loads(text, parse_float=Decimal, parse_int=_json_int, object_pairs_hook=_json_object)
        else:
            raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        position = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        line = int(position.group(1)) if position else None
        message = str(exc)[: position.start()].strip() if position else str(exc)
        raise UserError(
            f"not valid TOML: {message}", where=file_location(source, line), hint="fix the syntax"
        ) from None
    except ValueError as exc:
        if not json_file:  # tomllib's int() of a number with more than 4,300 digits
            long = _LONG_NUMBER.search(text)
            line = text.count("\n", 0, long.start()) + 1 if long else None
            digits = f"{len(long.group()):,}" if long else "thousands of"
            raise UserError(
                f"a number has {digits} digits, beyond any value a scenario takes (at most {MAX_COUNT:,})",
                where=file_location(source, line),
                hint="fix the value",
            ) from None
        if isinstance(exc, _Duplicate):  # the line of its last mention: the second of the two
            mentions = list(re.finditer(rf'"{re.escape(exc.key)}"\s*:', text))
            line = text.count("\n", 0, mentions[-1].start()) + 1 if mentions else None
            raise UserError(str(exc), where=file_location(source, line), hint="keep one of them") from None
        line = getattr(exc, "lineno", None)
        raise UserError(
            f"not valid JSON ({getattr(exc, 'msg', exc)})", where=file_location(source, line), hint="fix the syntax"
        ) from None
    except RecursionError:
        raise UserError("nested too deeply to read", where=source, hint="fix the file") from None
    if not isinstance(raw, dict):
        raise UserError("a scenario is a table of keys", where=source, hint="see docs/recommendations.md")
    return raw


def parse_scenario(text: str, source: str) -> LoadedScenario:
    """Parse TOML (or JSON) into a validated scenario, noting which keys took their default."""
    raw, notices = without_retired(parse_raw(text, source), text, source)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _located(exc, text, source, is_json(text, source)) from None
    return LoadedScenario(scenario=scenario, source=source, defaults=defaults_used(raw), text=text, notices=notices)


def without_retired(raw: dict[str, Any], text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    """The scenario's keys without the retired ones (RETIRED_KEYS), and a warning for each it held."""
    kept = dict(raw)
    notices = []
    for (section, key), why in RETIRED_KEYS.items():
        values = kept.get(section)
        if isinstance(values, dict) and key in values:
            kept[section] = {name: value for name, value in values.items() if name != key}
            line = (locate_json if is_json(text, source) else locate)(text, (section, key))
            notices.append(
                f"{file_location(source, line)}: {section}.{key} is ignored: {why}; remove it "
                "(a later release will refuse it)"
            )
    return kept, notices


def _located(exc: ValidationError, text: str, source: str, is_json: bool) -> UserError:
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    keys = [part for part in loc if isinstance(part, str)]
    dotted = ".".join(keys) + "".join(f"[{part}]" for part in loc if isinstance(part, int))
    find = locate_json if is_json else locate
    line = find(text, loc if error["type"] != "missing" else loc[:-1])
    section_model: type[BaseModel] = SECTIONS.get(keys[0], Scenario) if keys else Scenario
    if error["type"] == "extra_forbidden":
        parent = SECTIONS.get(keys[0]) if len(keys) > 1 else Scenario
        known = ", ".join(parent.model_fields) if parent else ""
        where = f"[{keys[0]}]" if len(keys) > 1 else "the top level"
        return UserError(
            f"{dotted} is not a known key", where=file_location(source, line), hint=f"keys in {where}: {known}"
        )
    field = (
        section_model.model_fields.get(keys[-1])
        if len(keys) > 1
        else Scenario.model_fields.get(keys[0])
        if keys
        else None
    )
    allowed = allowed_values(field.annotation) if field is not None else []
    if error["type"] in ("literal_error", "enum") and allowed:
        given = error.get("input")
        return UserError(
            f"{dotted}: {given!r} is not allowed",
            where=file_location(source, line),
            hint=f"use one of {', '.join(allowed)}",
        )
    message = plain_error(error)
    return UserError(
        f"{dotted or 'scenario'}: {message}",
        where=file_location(source, line),
        hint="see docs/recommendations.md for every key",
    )


def plain_error(error: Any) -> str:
    """pydantic's message in the scenario's words (bounds as numbers, booleans as true or false)."""
    ctx = error.get("ctx") or {}
    bounds = {
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
    }
    if error["type"] in bounds and bounds[error["type"]][1] in ctx:
        words, key = bounds[error["type"]]
        shown = _bound(ctx[key])
        return f"must be {words} {shown}, not {_given(error.get('input'))}"
    if error["type"] == "bool_type":
        return f"must be true or false, not {_given(error.get('input'))}"
    return str(error["msg"]).removeprefix("Value error, ")


def _bound(bound: Any) -> str:
    """A schema bound as a number with thousands separators (pydantic may hand a Decimal over as its repr)."""
    text = re.sub(r"Decimal\('([^']*)'\)", r"\1", str(bound))
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    return f"{int(number):,}" if number == number.to_integral_value() else f"{number:,}"


def _given(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"a number of {len(text):,} digits"


def locate_json(text: str, path: tuple[str | int, ...]) -> int | None:
    """Line of the last key of `path` in JSON text (keys are searched in order; list indexes skipped)."""
    position = 0
    found = None
    for part in path:
        if isinstance(part, int):
            continue
        match = re.compile(rf'"{re.escape(part)}"\s*:').search(text, position)
        if not match:
            break
        position = match.end()
        found = text.count("\n", 0, match.start()) + 1
    return found


def read_text(path: str) -> str:
    return read_utf8(path, "a scenario file", limit=MAX_SCENARIO_BYTES)


def load_scenario(path: str, catalog: Catalog | None = None) -> LoadedScenario:
    """The scenario in `path`; with a catalog, its prompt files are read and counted too."""
    loaded = parse_scenario(read_text(path), path)
    return count_tokens(loaded, catalog) if catalog is not None else loaded


def count_tokens(loaded: LoadedScenario, catalog: Catalog) -> LoadedScenario:
    """The scenario with its token figures: the prompt files it names (relative to it) read and counted
    with the tokenizer and chat format of the model each is for, and the fine-tuned prompt counted again
    for each other tokenizer the places that could train it count with. A scenario already counted is
    returned as it is."""
    if loaded.tokens is not None:
        return loaded
    from advisor.costs.inputs import prompt_tokens_counted
    from advisor.pricing.catalog import counting_for

    traffic, models = loaded.scenario.traffic, loaded.scenario.models
    notes: list[Assumption] = []
    check_models(loaded, catalog)
    check_training_file(loaded)

    def count(path: str, model: str, key: str, counting: RowCounting) -> tuple[Decimal, Assumption]:
        try:
            return prompt_tokens_counted(str(prompt_path(loaded.folder, path)), model, counting)
        except UserError as error:
            where = f" ({error.where})" if error.where and error.where != path else ""
            raise UserError(
                f"{key} {path!r}{where}: {error.message}",
                where=where_in(loaded, key),
                hint="name a prompt file; a relative path is relative to the scenario's folder",
            ) from None

    today_counting = counting_for(catalog, models.current, models.provider) if traffic.prompt_file else None
    if traffic.prompt_file and today_counting:
        prompt, note = count(traffic.prompt_file, models.current, "traffic.prompt_file", today_counting)
        notes.append(note)
    else:
        prompt = Decimal(traffic.prompt_tokens if traffic.prompt_tokens is not None else DEFAULT_PROMPT_TOKENS)
    cached = Decimal(traffic.cached_prompt_tokens)
    if cached > prompt:
        raise UserError(
            f"traffic.cached_prompt_tokens ({cached:,}) is larger than the prompt ({prompt:,} tokens)",
            where=where_in(loaded, "traffic.cached_prompt_tokens"),
            hint="the cached prefix is part of the prompt: give at most the prompt's tokens",
        )
    base = models.fine_tune_base or models.current
    counted_with = None
    if models.ft_prompt_file:
        base_counting = counting_for(catalog, base, models.provider)
        ft_prompt, note = count(models.ft_prompt_file, base, "models.ft_prompt_file", base_counting)
        notes.append(note)
        counted_with = base_counting.name
    elif models.ft_prompt_tokens is not None:
        ft_prompt = Decimal(models.ft_prompt_tokens)
    else:
        ft_prompt = max(Decimal(1), prompt - cached)
        counted_with = today_counting.name if today_counting else None
    recounted: dict[str, Decimal] = {}
    recount_notes: dict[str, Assumption] = {}
    errors: dict[str, str] = {}
    if counted_with is not None:
        for counting, rows in _place_countings(catalog, models.providers).items():
            if counting.name == counted_with or counting.name in errors:
                continue
            where = ", ".join(rows)
            try:
                if models.ft_prompt_file:
                    recount, note = count(models.ft_prompt_file, where, "models.ft_prompt_file", counting)
                else:
                    assert traffic.prompt_file
                    whole, note = count(traffic.prompt_file, where, "traffic.prompt_file", counting)
                    recount = max(Decimal(1), whole - cached)
                    note = Assumption(
                        topic="tokenizer",
                        text=f"fine-tuned {note.text}, less the {cached:,} cached tokens "
                        f"(traffic.cached_prompt_tokens): {recount:,}",
                    )
            except UserError as error:
                errors[counting.name] = error.message
                continue
            recounted[counting.name] = recount
            recount_notes.update((row, note) for row in rows)
    elif len({counting.name for counting in _place_countings(catalog, models.providers)}) > 1:
        if models.ft_prompt_tokens is not None:
            given = "as given (models.ft_prompt_tokens)"
        elif cached:
            given = "from traffic.prompt_tokens less traffic.cached_prompt_tokens"
        else:
            given = "as given (traffic.prompt_tokens)"
        notes.append(
            Assumption(
                topic="tokenizer",
                text=f"fine-tuned prompt: {ft_prompt:,} tokens {given}, the same for every tokenizer the places "
                "count with: given, not measured",
            )
        )
    tokens = Tokens(
        requests=traffic.requests_per_month,
        prompt=prompt,
        cached=cached,
        output=Decimal(traffic.output_tokens),
        ft_prompt=ft_prompt,
        notes=notes,
        reasoning=None if traffic.reasoning_tokens is None else Decimal(traffic.reasoning_tokens),
        counted_with=counted_with,
        recounted=recounted,
        recount_notes=recount_notes,
        recount_errors=errors,
    )
    return loaded.model_copy(update={"tokens": tokens})


def _place_countings(catalog: Catalog, providers: list[str]) -> dict[RowCounting, list[str]]:
    """How the rows that can be fine-tuned at the allowed providers (all when none are named) count,
    with the rows that count each way."""
    from advisor.pricing.row_counting import row_counting

    found: dict[RowCounting, list[str]] = {}
    for provider in providers or catalog.providers:
        for name, row, _ in catalog.rows(provider):
            counting = row_counting(row) if row.fine_tuning is not None else None
            if counting is not None:
                found.setdefault(counting, []).append(f"{provider}:{name}")
    return found


def prompt_path(folder: Path, path: str) -> Path:
    """A file named in a scenario: `~` is the home folder, a relative path is relative to the scenario."""
    expanded = expand_user(path)
    return expanded if expanded.is_absolute() else folder / expanded


def where_in(loaded: LoadedScenario, key: str) -> str:
    """`file:line` of a dotted key in the scenario's text (just the file when the line is unknown)."""
    if loaded.text is None:
        return loaded.source
    path = tuple(key.split("."))
    line = locate_json(loaded.text, path) if is_json(loaded.text, loaded.source) else locate(loaded.text, path)
    return file_location(loaded.source, line)


def check_models(loaded: LoadedScenario, catalog: Catalog) -> None:
    """The providers and today's model the scenario names are in the price tables; an error names the key."""
    models = loaded.scenario.models
    for key, provider in [("models.provider", models.provider)] + [("models.providers", p) for p in models.providers]:
        if provider not in catalog.providers:
            raise UserError(
                f"{key}: no price table for provider {provider!r}",
                where=where_in(loaded, key),
                hint=f"known providers: {', '.join(catalog.providers)}; add a table with --pricing FILE",
            )
    try:
        catalog.find(models.current, models.provider)
    except UserError as error:
        raise UserError(
            f"models.current: {error.message}", where=where_in(loaded, "models.current"), hint=error.hint
        ) from None
    if models.fine_tune_base is not None:
        problem = untunable(catalog, models.fine_tune_base, models.provider)
        if problem is not None:
            raise UserError(
                f"models.fine_tune_base: {problem.message}",
                where=where_in(loaded, "models.fine_tune_base"),
                hint=problem.hint,
            )


def untunable(catalog: Catalog, base: str, provider: str) -> UserError | None:
    """Why `base` cannot be the model to fine-tune (None when some price table lets it be tuned): no table
    knows it, or none that does has fine_tuning prices for it. A base the team names is never dropped without
    a word."""
    prefix, _, rest = base.partition("/")
    if rest and prefix in catalog.providers:  # `together/llama-3.1-8b-instruct` names its provider
        base, provider = rest, prefix
    found, unknown = [], None
    try:
        found.append(catalog.find(base, provider))
    except UserError as error:
        unknown = error
    found += [m for p in catalog.providers if p != provider and (m := catalog.find_optional(base, p)) is not None]
    if not found:
        return unknown
    if any(match.row.fine_tuning is not None for match in found):
        return None
    first = found[0]
    tunable = [name for name, row, _ in catalog.rows(first.provider) if row.fine_tuning is not None]
    return UserError(
        f"{base} cannot be fine-tuned: no price table has fine-tuning prices for it "
        f"({', '.join(f'{m.provider}:{m.name}' for m in found)})",
        hint=f"name a model that can be ({first.provider}: {', '.join(tunable) or 'none'}), or leave the key out: "
        "advisor then proposes a base at each provider",
    )


def check_training_file(loaded: LoadedScenario) -> None:
    """The training file a scenario names (`data.training_file`, for its launch command) is a JSONL file
    that can be read: refused with its key and line when it is missing, a folder, a link that loops, not
    a regular file, empty or binary."""
    from advisor.parsing.jsonl import jsonl_file_problem

    name = loaded.scenario.data.training_file
    if name is None:
        return
    try:
        problem = jsonl_file_problem(prompt_path(loaded.folder, name))
    except UserError as error:
        problem = error.message
    if problem is not None:
        raise UserError(
            f"data.training_file {name!r}: {problem}",
            where=where_in(loaded, "data.training_file"),
            hint="name the JSONL file of demonstrations; a relative path is relative to the scenario's folder",
        )


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as a TOML file, every key written (defaults included, so nothing is implicit)."""
    import tomli_w

    return tomli_w.dumps(_saved(scenario))


def scenario_json(scenario: Scenario) -> str:
    """The scenario as a JSON file, every key written; money is written exactly as its Decimal (read back
    with parse_float=Decimal, nothing is rounded through a float)."""
    marker = "\u0000decimal:"

    def exact(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{marker}{value}"
        if isinstance(value, dict):
            return {key: exact(item) for key, item in value.items()}
        return value

    text = json.dumps(exact(_saved(scenario)), indent=2, ensure_ascii=False)
    return re.sub(r'"\\u0000decimal:([^"]+)"', r"\1", text) + "\n"


def _saved(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json", exclude_none=True)
    for section in ("costs",):
        data[section] = {key: _number(value) for key, value in data[section].items()}
    return data


def _number(value: Any) -> Any:
    """Money dumped as text becomes a whole number or an exact Decimal again."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return int(number) if number == number.to_integral_value() else number
    return value


def with_horizon(loaded: LoadedScenario, months: int) -> LoadedScenario:
    """The scenario costed over `months` instead of its `costs.horizon_months` (the Python API's
    `horizon_months=`), checked as that key is in a file; its counted tokens are kept (they do not depend
    on the horizon)."""
    try:
        costs = Costs.model_validate({**loaded.scenario.costs.model_dump(), "horizon_months": months})
    except ValidationError as exc:
        raise UserError(
            f"horizon_months: {plain_error(exc.errors(include_url=False)[0])}",
            hint="give a whole number of months from 1 to 120 (a scenario's costs.horizon_months)",
        ) from None
    return loaded.model_copy(
        update={
            "scenario": loaded.scenario.model_copy(update={"costs": costs}),
            "defaults": [key for key in loaded.defaults if key != "costs.horizon_months"],
        }
    )
