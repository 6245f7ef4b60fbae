"""From a scenario to a Recommendation: the strategy, the rules that chose it, what each option costs."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from advisor.costs.estimate import Assumption
from advisor.costs.figures import payback_words
from advisor.costs.money import format_usd
from advisor.costs.schedule import Stretch
from advisor.costs.succession import Succession
from advisor.costs.training import auto_epochs
from advisor.costs.where import Place, chosen
from advisor.pricing.catalog import Catalog, dedupe, row_status, serving_end
from advisor.recommend.costing import Coster, Costing, StrategyCost, cost_strategies
from advisor.recommend.rules import (
    MIN_DEMONSTRATIONS,
    MIN_GRADED_PROMPTS,
    MIN_PREFERENCE_PAIRS,
    REVIEW_STAGES,
    STRATEGY_STAGES,
    Context,
    Decision,
    Facts,
    Reason,
    compose,
    facts_of,
    run,
)
from advisor.recommend.scenario import LoadedScenario, Scenario, count_tokens
from advisor.recommend.strategies import BY_NAME, STRATEGIES, TRAINING
from advisor.safe_text import shell_command, visible


class NotRecommended(BaseModel):
    strategy: str
    why: str


class Choice(BaseModel):
    primary: str
    plan: list[str]
    alternatives: list[str]
    not_recommended: list[NotRecommended]
    summary: str
    # every costed option that costs less over the horizon than the recommended one, and why it is not chosen
    cheaper: list[NotRecommended] = []


class Migration(BaseModel):
    """Today's model is a fine-tune: when it stops serving, and what it was tuned from."""

    current: str
    provider: str
    base: str
    serving_until: date | None
    days_left: int | None


class Recommendation(BaseModel):
    """The recommendation section of a proposal, as data (the JSON contract)."""

    name: str
    source: str
    as_of: date
    recommendation: Choice
    where: Place | None  # where the recommended training runs (null for prompting and RAG plans)
    where_options: list[Place]  # every place the recommended training could run, best first, with why not
    migration: Migration | None  # set when today's model is a fine-tune that has to move
    reasons: list[Reason]
    caveats: list[str]
    next_steps: list[str]  # in words, never empty
    commands: list[str]  # the advisor commands behind the next steps, in order (a report's appendix), shell-quoted
    costs: dict[str, StrategyCost]
    payback_months: Decimal | None
    horizon_months: int
    today_monthly_usd: Decimal  # what today's setup costs this month
    today_ends: Succession  # when today's model stops inside the horizon, and what replaces it
    today_stretches: list[Stretch]  # today's setup month by month: today's model, then its successor
    assumptions: list[Assumption]
    warnings: list[str]
    providers: dict[str, str]  # every provider named in the report -> the name it writes for itself


def strategies_to_cost(facts: Facts, d: Decision) -> list[str]:
    """Today, the plan, the alternatives, every strategy the team's data would allow, and a current model
    that cannot be fine-tuned (costed only when it is cheaper, or today's model stops serving)."""
    scenario, data = facts.scenario, facts.scenario.data
    wanted = {"prompt", "switch", d.primary, *d.alternatives}
    if facts.knowledge_gap or scenario.knowledge.corpus_tokens or scenario.knowledge.rag_in_place:
        wanted.add("rag")
    if data.demonstrations >= MIN_DEMONSTRATIONS or d.method == "sft":
        wanted.add("sft")
    if data.preference_pairs >= MIN_PREFERENCE_PAIRS:
        wanted.add("dpo")
    if data.graded_prompts >= MIN_GRADED_PROMPTS and data.grader != "none":
        wanted.add("rft")
    if "rag" in wanted and "sft" in wanted and facts.knowledge_gap:
        wanted.add("rag+sft")
    return [strategy.name for strategy in STRATEGIES if strategy.name in wanted]


def recommend(
    loaded: LoadedScenario, catalog: Catalog, today: date, place: CommandPlace | None = None
) -> Recommendation:
    """The recommendation for a scenario; its prompt files are counted first unless already counted. `place`:
    where its commands will run (default: this folder, every provider printed as installed)."""
    catalog = catalog.on(today)
    loaded = count_tokens(loaded, catalog)
    assert loaded.tokens is not None
    facts = facts_of(loaded.scenario)
    labels = {table.provider: table.label for table in catalog.tables if table.label}
    ctx = Context(facts, Decision(), labels=labels)
    run(ctx, STRATEGY_STAGES)
    compose(ctx.decision, facts)
    coster = Coster(loaded.scenario, loaded.tokens, catalog, today)
    costing = cost_strategies(coster, strategies_to_cost(facts, ctx.decision), ctx.decision.context == "prompt")
    costs = costing.costs
    for strategy, why in costing.failed.items():
        ctx.decision.exclude(strategy, f"it cannot be priced: {why}")
    ctx.costs = dict(costs)
    ctx.availability = dict(costing.availability)
    ctx.today_stops = deadline(costing.today_ends)
    run(ctx, REVIEW_STAGES)
    d = ctx.decision
    d.alternatives = [s for s in d.alternatives if s != d.primary and s in costs]
    primary_cost = costs.get(d.primary)
    places = list(costing.places.get(d.primary, ()))
    migration = _migration(costing, today)
    if migration is not None:
        d.caveats.insert(0, _migration_caveat(migration, today, ctx.label(migration.provider)))
    d.caveats += _other_base(places)
    if (conflict := contradiction(loaded.scenario, catalog)) is not None:
        d.caveats.insert(0, conflict.caveat)
    steps, commands = _next_steps(facts, d, primary_cost, ctx, loaded, place)
    return Recommendation(
        name=loaded.scenario.name,
        source=loaded.source,
        as_of=today,
        recommendation=Choice(
            primary=d.primary,
            plan=d.plan,
            alternatives=list(d.alternatives),
            not_recommended=[NotRecommended(strategy=s, why=w) for s, w in d.not_recommended.items() if s != d.primary],
            summary=summary(facts, d, costs, costing, catalog),
            cheaper=cheaper_options(facts, d, costs),
        ),
        where=chosen(places) if primary_cost is not None else None,
        where_options=places,
        migration=migration,
        reasons=list(d.reasons),
        caveats=dedupe(d.caveats),
        next_steps=dedupe([*d.next_steps, *steps]) or [_KEEP_MEASURING],
        commands=commands,
        costs=costs,
        payback_months=primary_cost.payback_months if primary_cost else None,
        horizon_months=loaded.scenario.costs.horizon_months,
        today_monthly_usd=costing.today_monthly_usd,
        today_ends=costing.today_ends,
        today_stretches=list(costing.today_schedule.stretches),
        assumptions=_assumptions(loaded, costing, set(costs)),
        warnings=_warnings(costing, d.primary, catalog, today),
        providers=_named_providers(labels, costs, places, costing),
    )


def _named_providers(
    labels: dict[str, str], costs: dict[str, StrategyCost], places: list[Place], costing: Costing
) -> dict[str, str]:
    """The providers the report names, each with the name it writes for itself."""
    named = {costing.today_match.provider, *(c.provider for c in costs.values()), *(p.provider for p in places)}
    return {provider: labels.get(provider, provider) for provider in sorted(named)}


def _migration(costing: Costing, today: date) -> Migration | None:
    match = costing.today_match
    if not match.model_id.fine_tuned:
        return None
    end = serving_end(match)
    return Migration(
        current=match.requested,
        provider=match.provider,
        base=match.name,
        serving_until=end,
        days_left=max(0, (end - today).days) if end else None,
    )


def _migration_caveat(migration: Migration, today: date, label: str) -> str:
    where = f"a fine-tune of {label}'s {migration.base}"
    if migration.serving_until is None:
        return f"the current model is {where}; its table gives no end of service"
    if migration.days_left == 0:
        return f"the current model, {where}, stopped serving on {migration.serving_until}: move it now"
    return (
        f"the current model, {where}, stops serving on {migration.serving_until}, {migration.days_left} days "
        f"from {today}: retrain with the same training file where it can serve on (below), before then"
    )


def _other_base(places: list[Place]) -> list[str]:
    """A caveat when the chosen place trains another base than the one the scenario names, and why."""
    best = chosen(places)
    named = [p for p in places if p.named_base]
    if best is None or best.named_base or not named:
        return []
    reasons = next((p.why_not[0] for p in named if p.why_not), "")
    return [
        f"the fine-tune is trained on {best.model} at {best.label}, not on {named[0].model}"
        + (f" ({reasons})" if reasons else "")
        + ": compare its quality on the eval set before switching traffic"
    ]


@dataclass(frozen=True)
class Contradiction:
    """Two keys of a scenario that cannot both hold: what the headline says, and the caveat with the fix."""

    says: str
    fix: str

    @property
    def caveat(self) -> str:
        return f"{self.says}; {self.fix}"


def contradiction(scenario: Scenario, catalog: Catalog) -> Contradiction | None:
    """`models.open_weights` that no provider `models.providers` allows can meet (open weights required,
    only closed providers allowed; or ruled out, only open-weights providers allowed): no fine-tune can be
    recommended, and the report says why rather than naming one."""
    models = scenario.models
    if models.open_weights == "allowed":
        return None
    wanted = models.open_weights == "required"

    def trains(provider: str) -> bool:
        return any(row.fine_tuning is not None and row.open_weights == wanted for _, row, _ in catalog.rows(provider))

    allowed = [p for p in models.providers or catalog.providers if p in catalog.providers]
    if any(trains(provider) for provider in allowed):
        return None
    kind = "open-weights" if wanted else "closed (vendor)"
    where = "the price tables"
    if models.providers:
        where = f"the providers allowed (models.providers: {', '.join(models.providers)})"
    others = [p for p in catalog.providers if p not in allowed and trains(p)]
    fix = (f"allow a provider that trains one ({', '.join(others)}), or " if others else "") + (
        'set models.open_weights = "allowed"'
    )
    return Contradiction(
        f'no fine-tune can be recommended: models.open_weights = "{models.open_weights}", but {where} train no '
        f"{kind} model",
        fix,
    )


def cheaper_options(facts: Facts, d: Decision, costs: dict[str, StrategyCost]) -> list[NotRecommended]:
    """Each option that costs less over the horizon than the recommended one, with the one line that says
    why it is not the recommendation (a reader comparing totals must not have to guess)."""
    chosen = costs.get(d.primary)
    if chosen is None:
        return []
    failing = ", ".join(sorted(facts.failures - {"cost", "latency"})) or "nothing listed"
    behaviour = ", ".join(facts.behaviour)
    found = []
    for name, cost in costs.items():
        if name == d.primary or cost.total_usd >= chosen.total_usd:
            continue
        if name in d.not_recommended:
            why = d.not_recommended[name]
        elif name == "prompt":
            why = f"prompting as today leaves what fails ({failing}) unfixed"
        elif name == "switch":
            why = (
                f"another model prompted as today: its quality on the eval set is not measured, and it is not "
                f"chosen to fix what fails ({failing}); measure it first"
            )
        elif name == "rag" and behaviour:
            why = f"retrieval alone leaves the behaviour failures ({behaviour}) unfixed"
        elif name in d.alternatives:
            why = f"an alternative: the rules above chose {BY_NAME[d.primary].label} for what fails ({failing})"
        else:
            why = f"the rules above chose {BY_NAME[d.primary].label} for what fails ({failing})"
        found.append(NotRecommended(strategy=name, why=why))
    return found


def place_label(provider: str, catalog: Catalog) -> str:
    """The provider as it writes its own name (its table's `label`)."""
    return next((table.label for table in catalog.tables if table.provider == provider and table.label), provider)


def deadline(ends: Succession) -> str | None:
    """`gpt-4o stops on 2027-01-14, in 38 days`: today's model's end, when it falls inside the horizon."""
    if not ends.stops:
        return None
    model = ends.model.split(":", 1)[1] if ends.model.count(":") == 1 else ends.model
    if ends.gone:
        return f"{model} stopped serving on {ends.ends}"
    return f"{model} stops on {ends.ends}, in {ends.days_left} days"


def summary(facts: Facts, d: Decision, costs: dict[str, StrategyCost], costing: Costing, catalog: Catalog) -> str:
    """The recommendation in one sentence; it names the recommended (starred) option and its own figures, and
    leads with today's model's end when that falls inside the horizon (never "stay with" a model that stops)."""
    scenario, ends = facts.scenario, costing.today_ends
    models = scenario.models
    today_monthly = costing.today_monthly_usd  # what today's setup costs a month
    cost = costs.get(d.primary)
    base = cost.model if cost else models.fine_tune_base or models.current
    lead = BY_NAME[d.primary].lead(facts, d.plan, base)
    after = costing.today_schedule.stretches[-1]
    successor = ends.successor.split(":", 1)[1] if ends.successor else None
    if d.primary == "prompt" and d.context == "prompt" and scenario.knowledge.corpus_tokens:
        on = f"on {models.current}"
        if ends.stops and successor:
            on = f"on {successor}" if ends.gone else f"on {models.current}, then on {successor} from {ends.ends}"
        lead = f"Put the whole {scenario.knowledge.corpus_tokens:,}-token knowledge base in a cached prompt {on}"
    first = f"{deadline(ends)}: " if deadline(ends) else ""
    conflict = contradiction(scenario, catalog) if d.primary in TRAINING and cost is None else None
    if ends.stops and d.primary == "prompt" and not (scenario.knowledge.corpus_tokens and d.context == "prompt"):
        measure = (
            "measure it on the eval set" if scenario.task.has_eval_set else "build an eval set first to measure it"
        )
        if successor is None:
            return f"{first}no model in the price tables replaces it: choose one, {measure}, and move before then."
        when = "now" if ends.gone else f"before {ends.ends}"
        costs_now = "" if ends.gone else f"{format_usd(today_monthly)} a month until then, "
        return (
            f"{first}move today's prompt to {successor} ({_why_short(ends)}) and {measure} {when}: "
            f"{costs_now}{format_usd(after.monthly_usd)} a month on {successor}."
        )
    if ends.gone:
        today_words = (
            f"{format_usd(today_monthly)} on {successor} now"
            if successor
            else f"{format_usd(today_monthly)} today (carried on, though it has stopped: no model in the price tables "
            "replaces it)"
        )
    else:
        today_words = f"{format_usd(today_monthly)} today"
    if ends.stops and not ends.gone and successor:
        today_words += f" ({format_usd(after.monthly_usd)} once moved to {successor})"
    if conflict is not None:
        says = conflict.says if first else conflict.says[0].upper() + conflict.says[1:]
        return f"{first}{says} ({conflict.fix}): it costs {today_words} a month."
    if cost is None:
        return f"{first}{lead}: it costs {today_words} a month."
    monthly, upfront = format_usd(cost.monthly_usd), format_usd(cost.upfront_usd)
    plus = f", plus {upfront} up front" if cost.upfront_usd else ""
    if d.primary == "prompt":
        if cost.monthly_usd == today_monthly and not cost.upfront_usd:
            return f"{first}{lead}: it costs {monthly} a month today."
        return f"{first}{lead}: {monthly} a month against {today_words}{plus}."
    saving = today_monthly - cost.monthly_usd
    moving = facts.current_fine_tuned and d.primary in TRAINING
    if moving:
        money = (
            f"{monthly} a month once moved (today's fine-tune costs {format_usd(today_monthly)} a month until it stops "
            f"serving){plus}"
        )
    elif cost.payback_months is not None:
        money = (
            f"{monthly} a month against {today_words}, paying back {upfront} up front "
            f"{payback_words(cost.payback_months)}"
        )
    elif saving > 0:
        money = (
            f"{monthly} a month against {today_words}; it does not earn back {upfront} up front within the "
            f"horizon ({cost.payback_note}): it is chosen for quality"
        )
    else:
        money = f"{monthly} a month against {today_words}{plus}: paid for by quality, not savings"
    where = f" at {place_label(cost.provider, catalog)}" if cost.provider != models.provider else ""
    stops = cost.stretches[0].end < scenario.costs.horizon_months and d.primary in TRAINING
    if stops and (end := serving_end(catalog.find(cost.model, cost.provider))) is not None:
        money += f"; the fine-tune stops serving on {end}, and today's setup carries the traffic after it"
    return f"{first}{lead}{where}: {money}."


def _why_short(ends: Succession) -> str:
    """Why this successor, in a few words."""
    if ends.named:
        return "the provider's named successor"
    return "the cheapest model of its size class that serves through the horizon, advisor's assumption"


_KEEP_MEASURING = (
    "Keep scoring the prompt on the eval set as traffic changes, and run this recommendation again when the "
    "volume, the failures or the prices change"
)


_SFT_MODEL = "the fine-tuned model `advisor jobs watch` reports for the SFT job"
# the placeholders a printed command may hold, and what to put in their place (said in the command's comment)
PLACEHOLDERS = {
    "TRAIN.jsonl": "your training file (the scenario names none: data.training_file)",
    "PAIRS.jsonl": "your preference pairs (JSONL)",
    "GRADER.json": "your RFT grader (JSON)",
    "SFT_MODEL": _SFT_MODEL,
    "TRAIN.train.jsonl": "what `advisor dataset split TRAIN.jsonl` writes",
    "TRAIN.validation.jsonl": "what `advisor dataset split TRAIN.jsonl` writes",
    "JOB": "the job id `advisor launch` printed",
}


@dataclass(frozen=True)
class CommandPlace:
    """Where the printed commands will be run, so that each runs as printed: the folder they are run from
    (paths are made relative to it, or absolute outside it), the provider plugins installed (name -> the
    settings each takes; None: not known, every provider printed as installed), the line that installs a
    provider that is not, and the scenario file `advisor recommend` reads again (None: the source, when it
    is a file). `relative`: a path outside `cwd` is written relative to it too (`../data/train.jsonl`), as
    a document kept in a repository needs (an absolute path differs from one machine to the next)."""

    cwd: Path
    installed: Mapping[str, frozenset[str]] | None = None
    install: Callable[[str], str] | None = None
    scenario_file: str | None = None
    relative: bool = False
    # `KEY=VALUE` set on the scenario (recommend --set): the report's own command repeats them
    settings: tuple[str, ...] = ()


def runnable_path(name: str, folder: Path, cwd: Path, relative: bool = False) -> str:
    """`name` (relative to a scenario's `folder`) as the folder `cwd` reaches it: relative when under
    `cwd`, else absolute (or, `relative`, relative with `..`), so that a command naming it runs from `cwd`
    as printed."""
    path = Path(name).expanduser()
    full = Path(os.path.normpath(os.path.abspath(path if path.is_absolute() else folder / path)))
    base = Path(os.path.normpath(os.path.abspath(cwd)))
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.relpath(full, base)).as_posix() if relative else str(full)


def _filled(*words: str, comment: str | None = None) -> str:
    """A command whose placeholders (PLACEHOLDERS) its comment names, with what to put in their place."""
    named = [f"{word}: {PLACEHOLDERS[word]}" for word in dict.fromkeys(words) if word in PLACEHOLDERS]
    said = "; ".join(part for part in (f"fill in {'; '.join(named)}" if named else "", comment or "") if part)
    return shell_command(*words, comment=said or None)


def _next_steps(
    facts: Facts,
    d: Decision,
    cost: StrategyCost | None,
    ctx: Context,
    loaded: LoadedScenario,
    place: CommandPlace | None = None,
) -> tuple[list[str], list[str]]:
    """The next steps in words (a proposal reads them without the CLI), and the commands behind them: each
    built from its words and quoted (safe_text.shell_command), so a file name runs nothing of its own, and
    each runs as printed from `place.cwd`: paths relative to it, the epochs every provider takes, the
    settings a provider requires, a provider plugin that is not installed installed first, placeholders
    named in the comment."""
    from advisor.datasets.split import output_paths

    place = place or CommandPlace(Path.cwd())
    steps: list[str] = []
    commands: list[str] = []
    data = facts.scenario.data
    given = data.training_file
    training = runnable_path(given, loaded.folder, place.cwd, place.relative) if given is not None else "TRAIN.jsonl"
    trains = cost is not None and d.primary in TRAINING
    split_train, split_valid = (str(path) for path in output_paths(Path(training)))
    if trains:
        steps.append("Check the training file (format, duplicates, token counts) and split off a validation set")
        commands += [_filled("advisor", "dataset", action, training) for action in ("check", "split")]
    if "rft" in d.plan:
        steps.append("Validate the grader on a sample of graded prompts, then run a short RFT pilot")
    if cost is not None and trains:
        where, launch = ctx.label(cost.provider), ("advisor", "launch", "--provider", cost.provider)
        if place.installed is not None and cost.provider not in place.installed:
            install = place.install(cost.provider) if place.install else f"pip install advisor-{cost.provider}"
            commands.append(f"{install}  # {visible(f'the {cost.provider} provider plugin is not installed')}")
        takes = (place.installed or {}).get(cost.provider, frozenset())
        files = ("--training-file", split_train, "--validation-file", split_valid)
        if d.plan[-2:] == ["sft", "dpo"]:
            steps += [
                f"First train {cost.model} with SFT on the demonstrations at {where}",
                "Then train with DPO on the preference pairs, starting from the model the SFT job produced (not "
                "from the base model), at the same place",
            ]
            # the epochs the estimate assumed, given explicitly: some providers have no automatic count (Together)
            sft = ("--method", "sft", "--model", cost.model, *files, *_epochs(data.demonstrations))
            dpo = ("--method", "dpo", "--model", "SFT_MODEL", "--training-file", "PAIRS.jsonl")
            commands += [
                _filled(*launch, *sft, "--dry-run"),
                _filled(*launch, *dpo, *_epochs(data.preference_pairs), "--dry-run"),
            ]
        else:
            method = BY_NAME[d.primary].method
            assert method is not None
            steps.append(f"Launch the {method.upper()} job on {cost.model} at {where}, a dry run first")
            count = {"sft": data.demonstrations, "dpo": data.preference_pairs, "rft": data.graded_prompts}[method]
            extra: tuple[str, ...] = ()
            if method == "rft":
                extra = ("--grader", "GRADER.json")
                if "max_completion_length" in takes:  # own GPUs (GRPO): the rollouts' length prices them
                    extra += ("--set", f"max_completion_length={facts.scenario.traffic.output_tokens}")
            job = ("--method", method, "--model", cost.model, *files, *extra, *_epochs(count))
            commands.append(_filled(*launch, *job, "--dry-run"))
        watch = "each job, until it ends with its fine-tuned model and cost"
        commands.append(_filled("advisor", "jobs", "watch", "JOB", comment=watch))
    if d.primary != "prompt":
        steps.append("Measure the result on the eval set against the prompted baseline before switching traffic")
    if "switch" in d.alternatives and "switch" in ctx.costs:
        switch = ctx.costs["switch"]
        steps.append(
            f"Run the eval set on {switch.model} at {ctx.label(switch.provider)} to see whether prompting it is enough"
        )
    scenario_file = place.scenario_file or (loaded.source if Path(loaded.source).is_file() else None)
    if scenario_file is not None and (commands or d.primary != "prompt"):
        report = runnable_path(scenario_file, Path.cwd(), place.cwd, place.relative)
        settings = [part for setting in place.settings for part in ("--set", setting)]
        commands.append(
            shell_command("advisor", "recommend", report, *settings, "--format", "markdown", comment="this report")
        )
    return steps, commands


def _epochs(examples: int) -> tuple[str, str]:
    """`--epochs N`: the count the estimate assumed, given explicitly (Together has no automatic count)."""
    return "--epochs", str(auto_epochs(examples or 1000))


# defaults that matter only when a strategy that uses them is costed
_RETRIEVING = tuple(strategy.name for strategy in STRATEGIES if strategy.retrieval)
_DEFAULT_USED_BY = {
    "knowledge.retrieved_tokens": _RETRIEVING,
    "costs.rag_infra_usd_per_month": _RETRIEVING,
    "costs.rft_hours": tuple(strategy.name for strategy in STRATEGIES if strategy.method == "rft"),
}


def _assumptions(loaded: LoadedScenario, costing: Costing, costed: set[str]) -> list[Assumption]:
    items = [
        Assumption(topic="default", text=f"{key} (not in {loaded.source})")
        for key in loaded.defaults
        if costed & set(_DEFAULT_USED_BY.get(key.split(" = ")[0], costed))
    ]
    seen = set()
    for item in costing.assumptions:
        if item.text not in seen:
            seen.add(item.text)
            items.append(item)
    return items


def _warnings(costing: Costing, primary: str, catalog: Catalog, today: date) -> list[str]:
    warnings = row_status(costing.today_match, today, training=False)
    costs = costing.costs
    if primary in costs and primary in TRAINING:
        warnings += row_status(catalog.find(costs[primary].model, costs[primary].provider), today)
    return dedupe(warnings)
