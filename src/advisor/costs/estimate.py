"""Monthly cost, training cost, savings, payback and break-even of moving a feature from today's
model and prompt to a fine-tuned model with a shorter prompt.

Honest where naive calculators are not: the baseline is priced with prompt caching, and from the day
today's model stops, on what the team must move to (costs/succession.py); fine-tuned traffic at
fine-tuned rates (1.5x to 3.6x its base), batch prices come from the table, hosting fees and forced
retraining count, and the fine-tune serves until its base model's shutdown, the team falling back to
today's setup after it. Both sides are month-by-month schedules (costs/schedule.py) that totals,
payback and break-even read. Every amount is an exact Decimal; docs/cost-model.md gives each formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from advisor.costs.comparison import PricedOption, compare
from advisor.costs.figures import interval as every_text
from advisor.costs.figures import months as months_text
from advisor.costs.money import format_price, format_usd, per_million
from advisor.costs.schedule import Schedule, Stretch
from advisor.costs.succession import Succession, effective_horizon, find_succession, months_until
from advisor.costs.training import (
    MissingFigure,
    Rate,
    Rollouts,
    TrainingCost,
    TrainingWork,
    auto_epochs,
    auto_epochs_rule,
    billing_of,
    price_training,
)
from advisor.errors import UserError
from advisor.methods import Method
from advisor.parsing.constraints import Check, check_fields
from advisor.pricing.catalog import Catalog, ModelMatch, dedupe, serving_end, stale_warnings, training_blockers
from advisor.pricing.tables import FineTuning, InferencePrices

CACHE_MIN_PROMPT_TOKENS = 1024
HOURS_PER_MONTH = Decimal(730)

Tier = Literal["standard", "batch", "data-sharing"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Assumption:
    """Where a figure came from: a price row and its date, a tokenizer, a rule, a default."""

    topic: str
    text: str
    row: str | None = None
    usd_per_1m: Decimal | None = None
    as_of: date | None = None
    source: str | None = None


# the shortest retraining interval: a day (24 of a month's 730 hours), as often as the data can change
# (scenario volatility `daily`); a shorter one would spread a training cost over minutes, multiplying it
# into sums no team could pay (1e-30 months: $10^30 a month)
MIN_RETRAIN_MONTHS = Decimal(24) / HOURS_PER_MONTH
A_DAY = "0.033 months (a day: 24 of a month's 730 hours)"

NonNegative = Annotated[Decimal, Check(ge=0)]  # tokens, dollars, hours


@dataclass(frozen=True, slots=True, kw_only=True)
class EstimateRequest:
    """Everything an estimate needs; token counts are already counted (see token_files). A figure out
    of the range its field declares (Check) raises OutOfRange (advisor.parsing.constraints)."""

    model: str
    ft_model: str | None = None
    provider: str = "openai"
    ft_provider: str | None = None
    requests_per_month: Annotated[int, Check(gt=0)]
    prompt_tokens: NonNegative
    cached_tokens: NonNegative = Decimal(0)
    output_tokens: NonNegative = Decimal(0)
    reasoning_tokens: NonNegative | None = None  # billed as output on models that reason by default
    ft_prompt_tokens: NonNegative
    ft_cached_tokens: NonNegative = Decimal(0)
    ft_output_tokens: NonNegative | None = None
    method: Method = "sft"
    training_type: str | None = None  # lora, qlora or full where the provider prices them apart
    training_tier: str | None = None  # e.g. Azure's global, standard or developer training
    training_tokens: Annotated[int, Check(ge=0)] | None = None  # billed tokens per epoch
    examples: Annotated[int, Check(gt=0)] | None = None
    epochs: int | Literal["auto"] = "auto"
    rft_hours: NonNegative | None = None
    quoted_training_usd: NonNegative | None = None
    setup_usd: NonNegative = Decimal(0)
    batch: bool = False
    data_sharing: bool = False
    cache_hit_rate: Annotated[Decimal, Check(ge=0, le=1)] = Decimal(1)
    horizon_months: Annotated[int, Check(gt=0, le=120)] = 12
    retrain_every_months: Annotated[Decimal, Check(ge=MIN_RETRAIN_MONTHS, shown=A_DAY)] | None = None
    hosting_hours_per_month: Annotated[Decimal, Check(ge=0, le=744)] = HOURS_PER_MONTH
    today: date
    notes: list[Assumption] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingCost:
    """What one side (today, or the fine-tune) costs to serve a month of traffic."""

    label: str
    row: str
    fine_tuned: bool
    tier: Tier
    uncached_prompt_tokens: Decimal
    cached_prompt_tokens: Decimal
    output_tokens: Decimal
    per_request_usd: Decimal
    inference_monthly_usd: Decimal
    hosting_monthly_usd: Decimal = Decimal(0)
    retraining_monthly_usd: Decimal = Decimal(0)
    monthly_usd: Decimal = field(init=False)  # the three above

    def __post_init__(self) -> None:
        total = self.inference_monthly_usd + self.hosting_monthly_usd + self.retraining_monthly_usd
        object.__setattr__(self, "monthly_usd", total)


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """The answer, with every assumption behind it."""

    requests_per_month: int
    baseline: ServingCost
    option: ServingCost
    baseline_after: ServingCost | None  # what today's traffic costs once today's model stops (today_ends)
    today_ends: Succession
    baseline_schedule: Schedule  # month by month: today's setup, then what replaces it
    option_schedule: Schedule  # the fine-tune while it serves, then today's setup
    baseline_monthly_usd: Decimal
    option_monthly_usd: Decimal
    monthly_savings_usd: Decimal
    training: TrainingCost
    training_usd: Decimal
    setup_usd: Decimal
    payback_months: Decimal | None
    payback_note: str
    break_even_requests_per_month: int | None
    horizon_months: int
    effective_horizon_months: Decimal
    horizon_note: str
    net_savings_usd: Decimal
    assumptions: list[Assumption]
    warnings: list[str]

    @property
    def priced(self) -> PricedOption:
        """The fine-tuned option's figures as every ranking and report reads them (the JSON keeps them flat)."""
        return PricedOption(
            training_usd=self.training_usd,
            upfront_usd=self.option_schedule.upfront_usd,
            monthly_usd=self.option_monthly_usd,
            today_monthly_usd=self.baseline_monthly_usd,
            payback_months=self.payback_months,
            payback_note=self.payback_note,
            horizon_months=self.effective_horizon_months,
            horizon_note=self.horizon_note,
            net_savings_usd=self.net_savings_usd,
            total_usd=self.option_schedule.total(),
            break_even_requests_per_month=self.break_even_requests_per_month,
            schedule=self.option_schedule,
        )


@dataclass(frozen=True)
class Traffic:
    """One side's tokens per request, and the option that declared its cached prefix."""

    prompt: Decimal
    cached: Decimal
    output: Decimal
    cached_flag: str = "--cached-tokens"
    reasoning: Decimal | None = None  # reasoning tokens a request on a reasoning model bills (None: unknown)


@dataclass(frozen=True)
class ServingOptions:
    """How traffic is served: volume, tier, cache hit rate, hours a fine-tune stays deployed."""

    requests_per_month: int
    batch: bool = False
    data_sharing: bool = False
    cache_hit_rate: Decimal = Decimal(1)
    hosting_hours_per_month: Decimal = HOURS_PER_MONTH

    @classmethod
    def of(cls, request: EstimateRequest) -> ServingOptions:
        return cls(
            request.requests_per_month,
            request.batch,
            request.data_sharing,
            request.cache_hit_rate,
            request.hosting_hours_per_month,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FineTune:
    """The fine-tuned side alone: its serving, its training, and the months it serves."""

    match: ModelMatch
    fine_tuning: FineTuning
    serving: ServingCost  # retraining included, when the knowledge forces it
    training: TrainingCost
    upfront_usd: Decimal  # training and set-up
    horizon_months: Decimal  # months it serves within the requested horizon
    horizon_note: str

    def schedule(self, requests: int, fixed: Decimal = Decimal(0), what: str | None = None) -> Schedule:
        """Month by month while it serves (with `fixed` dollars a month on top); the caller adds what follows."""
        first = stretch_of(self.serving, requests, Decimal(0), self.horizon_months, what, fixed)
        return Schedule((first,), self.upfront_usd)


def price_fine_tune(request: EstimateRequest, catalog: Catalog, assumptions: list[Assumption]) -> FineTune:
    """Serving and training the fine-tune `request` names, and how long it serves; the prices used are
    appended to `assumptions`. Today's side is not priced here."""
    catalog = catalog.on(request.today)
    match = catalog.find(request.ft_model or request.model, request.ft_provider or request.provider)
    fine_tuning = _fine_tuning_of(match, request.method, catalog, request.today)
    output = request.output_tokens if request.ft_output_tokens is None else request.ft_output_tokens
    traffic = Traffic(request.ft_prompt_tokens, request.ft_cached_tokens, output, "--ft-cached-tokens")
    serving = serving_cost("fine-tuned", match, True, traffic, ServingOptions.of(request), assumptions)
    training = _training_cost(request, match, fine_tuning, assumptions)
    if request.retrain_every_months is not None:
        serving = replace(serving, retraining_monthly_usd=_retraining(training, request, assumptions))
    horizon, horizon_note = effective_horizon(request.horizon_months, request.today, match)
    return FineTune(
        match=match,
        fine_tuning=fine_tuning,
        serving=serving,
        training=training,
        upfront_usd=training.usd + request.setup_usd,
        horizon_months=horizon,
        horizon_note=horizon_note,
    )


def estimate(request: EstimateRequest, catalog: Catalog) -> Estimate:
    """Price today's setup against the fine-tuned option; pure apart from reading `catalog`."""
    catalog = catalog.on(request.today)
    today_match = catalog.find(request.model, request.provider)
    assumptions = list(request.notes)
    today_traffic = Traffic(
        request.prompt_tokens, request.cached_tokens, request.output_tokens, "--cached-tokens", request.reasoning_tokens
    )
    serving = ServingOptions.of(request)
    baseline = serving_cost("today", today_match, today_match.model_id.fine_tuned, today_traffic, serving, assumptions)
    tuned = price_fine_tune(request, catalog, assumptions)
    ft_match, training = tuned.match, tuned.training

    requested = Decimal(request.horizon_months)
    succession, after = succeed(today_match, today_traffic, serving, catalog, request.today, requested, assumptions)
    baseline_schedule = schedule_of(baseline, serving.requests_per_month, requested, succession, after)
    option_schedule = tuned.schedule(serving.requests_per_month).then(tuned.horizon_months, baseline_schedule)
    priced = compare(
        option_schedule,
        baseline_schedule,
        horizon=tuned.horizon_months,
        horizon_note=tuned.horizon_note,
        training_usd=training.usd,
    )
    assumptions.append(Assumption(topic="horizon", text=tuned.horizon_note))
    warnings = [today_match.note, ft_match.note]
    warnings += _date_warnings(request, today_match, ft_match, tuned.fine_tuning, training, catalog)
    warnings += [*today_match.conflicts, *ft_match.conflicts]
    warnings += stale_warnings(today_match, request.today, ("input", "cached_input", "output"))
    warnings += stale_warnings(ft_match, request.today, _FINE_TUNED_FIELDS)
    return Estimate(
        requests_per_month=request.requests_per_month,
        baseline=baseline,
        option=tuned.serving,
        baseline_after=after,
        today_ends=succession,
        baseline_schedule=baseline_schedule,
        option_schedule=option_schedule,
        baseline_monthly_usd=priced.today_monthly_usd,
        option_monthly_usd=priced.monthly_usd,
        monthly_savings_usd=priced.monthly_savings_usd,
        training=training,
        training_usd=training.usd,
        setup_usd=request.setup_usd,
        payback_months=priced.payback_months,
        payback_note=priced.payback_note,
        break_even_requests_per_month=priced.break_even_requests_per_month,
        horizon_months=request.horizon_months,
        effective_horizon_months=priced.horizon_months,
        horizon_note=priced.horizon_note,
        net_savings_usd=priced.net_savings_usd,
        assumptions=_dedupe_assumptions(assumptions),
        warnings=dedupe(warnings),
    )


_FINE_TUNED_FIELDS = (
    "fine_tuning.input", "fine_tuning.cached_input", "fine_tuning.output", "fine_tuning.training",
    "fine_tuning.training_per_hour",
)  # fmt: skip


def stretch_of(
    cost: ServingCost,
    requests: int,
    start: Decimal,
    end: Decimal,
    what: str | None = None,
    fixed: Decimal = Decimal(0),
) -> Stretch:
    """Months [start, end) served as `cost` says, with `fixed` dollars a month on top."""
    return Stretch(
        start=start,
        end=end,
        per_request_usd=cost.per_request_usd,
        fixed_monthly_usd=cost.hosting_monthly_usd + cost.retraining_monthly_usd + fixed,
        requests=requests,
        what=what or cost.row,
    )


def schedule_of(
    cost: ServingCost,
    requests: int,
    horizon: Decimal,
    succession: Succession,
    after: ServingCost | None,
    fixed_usd: Decimal = Decimal(0),
) -> Schedule:
    """`cost` until its model stops within the horizon, then `after` (the successor's cost of the same
    traffic) to the horizon; `fixed_usd` a month is added throughout (retrieval infrastructure ...)."""
    first = stretch_of(cost, requests, Decimal(0), horizon, succession.model)
    first = replace(first, fixed_monthly_usd=first.fixed_monthly_usd + fixed_usd)
    if not succession.stops or after is None:
        return Schedule((first,))
    then = stretch_of(after, requests, succession.months, horizon, succession.successor)
    then = replace(then, fixed_monthly_usd=then.fixed_monthly_usd + fixed_usd)
    return Schedule((replace(first, end=succession.months), then))


def succeed(
    match: ModelMatch,
    traffic: Traffic,
    serving: ServingOptions,
    catalog: Catalog,
    today: date,
    horizon: Decimal,
    assumptions: list[Assumption],
    side: str = "today",
) -> tuple[Succession, ServingCost | None]:
    """When `match` stops inside the horizon, what replaces it and what the same traffic costs there
    (its prices and the choice added to `assumptions`)."""

    def monthly(candidate: ModelMatch) -> Decimal:
        return serving_cost(side, candidate, False, traffic, serving, []).monthly_usd

    succession, successor = find_succession(match, catalog, today, horizon, monthly)
    if not succession.stops:
        return succession, None
    if successor is None:
        assumptions.append(
            Assumption(
                topic="succession",
                text=f"{succession.model} stops on {succession.ends} and no model in the price tables replaces "
                "it: its cost is carried on after that date, which cannot happen; choose a model to move to",
            )
        )
        return succession, None
    after = serving_cost(f"{side} after {succession.ends}", successor, False, traffic, serving, assumptions)
    assumptions.append(
        Assumption(
            topic="succession",
            text=f"{succession.model} stops on {succession.ends}: from then on today's prompt runs on "
            f"{succession.successor} at {format_usd(after.monthly_usd)} a month ({succession.why})",
        )
    )
    return succession, after


def _fine_tuning_of(match: ModelMatch, method: Method, catalog: Catalog, today: date) -> FineTuning:
    if match.row.fine_tuning is not None:
        return match.row.fine_tuning
    tunable = [
        name for name, row, _ in catalog.rows(match.provider) if row.fine_tuning and method in row.fine_tuning.methods
    ]
    elsewhere = catalog.providers_offering(method, match.name, today)
    hint = f"{match.provider} fine-tunes with {method}: {', '.join(tunable) or 'none'}"
    if elsewhere:
        hint += f"; {match.name} can be tuned with {method} at {', '.join(elsewhere)}"
    raise UserError(
        f"{match.provider}:{match.name} cannot be fine-tuned (its table has no fine_tuning prices)",
        hint=f"choose --ft-model from {hint}",
    )


def _serving_prices(
    match: ModelMatch, fine_tuned: bool, batch: bool, data_sharing: bool
) -> tuple[InferencePrices, Tier]:
    """The per-token prices that apply to traffic on this model and tier."""
    tier: Tier = "data-sharing" if data_sharing else "batch" if batch else "standard"
    if match.row.kind != "chat":
        raise UserError(
            f"{match.provider}:{match.name} is an {match.row.kind} model, not a chat model",
            hint="give a chat model to --model / --ft-model",
        )
    if fine_tuned:
        if match.row.fine_tuning is None:  # `ft:gpt-5:...`: a fine-tune of a model its table says cannot be tuned
            raise UserError(
                f"{match.requested} names a fine-tune of {match.provider}:{match.name}, which its price table "
                "lists without fine-tuning (no fine-tuned prices to charge its traffic at)",
                hint="check the model id, or add the row's fine_tuning prices with --pricing FILE (docs/pricing.md)",
            )
        prices = match.row.fine_tuning.serving(batch=batch, data_sharing=data_sharing)
    else:
        prices = match.row.tier(batch=batch)
    if prices is None:
        what = "fine-tuned " if fine_tuned else ""
        option = "--data-sharing" if data_sharing else "--batch"
        raise UserError(
            f"{match.label} has no {what}{tier} prices",
            hint=f"drop {option}, or add them with --pricing FILE (docs/pricing.md)",
        )
    return prices, tier


def batch_cached_price(match: ModelMatch, fine_tuned: bool, prices: InferencePrices) -> tuple[Decimal, str] | None:
    """The cached-input price of a batch tier whose table publishes none: the row's own standard cache
    discount applied to its batch input price, and how it was derived. None when the batch tier has a
    published cached price, or the row has no cached price at all.

    Base and fine-tuned rows are treated alike: a published batch cached price wins, else this one. The
    tables publish batch cached prices for OpenAI's fine-tuned rows but not for their base rows; without
    this, --batch billed today's cached prefix at the full batch input price while the fine-tune kept its
    discount, overstating what fine-tuning saves."""
    if prices.cached_input is not None:
        return None
    standard = match.row.fine_tuning.tier() if fine_tuned and match.row.fine_tuning else match.row.tier()
    if standard is None or standard.cached_input is None or not standard.input:
        return None
    share = standard.cached_input / standard.input
    derived = prices.input * share
    how = (
        f"no batch cached-input price in the table: the standard tier's cache price "
        f"({format_price(standard.cached_input)} of {format_price(standard.input)}, {(share * 100).normalize():f}%) "
        f"applied to the batch input price {format_price(prices.input)} = {format_price(derived)} per 1M"
    )
    return derived, how


def _cached_tokens(
    side: str, row: str, traffic: Traffic, prices: InferencePrices, hit_rate: Decimal
) -> tuple[Decimal, Assumption | None]:
    """Prompt tokens billed at the cached price, and the assumption that says why."""
    if traffic.cached > traffic.prompt:
        raise UserError(
            f"{traffic.cached_flag} ({traffic.cached:,}) is larger than the prompt ({traffic.prompt:,} tokens)",
            hint="the cached prefix is part of the prompt",
        )
    if traffic.cached == 0:
        return Decimal(0), None
    if traffic.cached < CACHE_MIN_PROMPT_TOKENS:
        # a cache hit needs a matching prefix of at least 1,024 tokens: a shorter static prefix never hits,
        # however long the prompt after it
        why = (
            f"the static prefix ({traffic.cached:,} tokens) is under the {CACHE_MIN_PROMPT_TOKENS:,}-token minimum "
            "a cache hit needs"
        )
        return Decimal(0), Assumption(topic="caching", text=f"{side}: no prompt caching: {why}")
    if prices.cached_input is None:
        return Decimal(0), Assumption(
            topic="caching", text=f"{side}: no prompt caching: {row} has no cached-input price"
        )
    text = (
        f"{side}: {traffic.cached:,} of {traffic.prompt:,} prompt tokens are a static prefix; "
        f"{(hit_rate * 100).normalize():f}% of them hit the cache and are billed at "
        f"{format_price(prices.cached_input)} instead of {format_price(prices.input)} per 1M"
    )
    return traffic.cached * hit_rate, Assumption(topic="caching", text=text)


def serving_cost(
    side: str,
    match: ModelMatch,
    fine_tuned: bool,
    traffic: Traffic,
    serving: ServingOptions,
    assumptions: list[Assumption],
) -> ServingCost:
    """What one side costs a month: per-request inference, plus hosting when it is a deployed fine-tune.

    Every price it uses, and how caching applied, is appended to `assumptions`.
    """
    data_sharing = serving.data_sharing and side == "fine-tuned"
    prices, tier = _serving_prices(match, fine_tuned, serving.batch, data_sharing)
    row = f"{match.provider}:{match.name} {'fine-tuned ' if fine_tuned else ''}{tier}"
    derived = batch_cached_price(match, fine_tuned, prices) if tier == "batch" and traffic.cached else None
    if derived is not None:
        prices = replace(prices, cached_input=derived[0])
        assumptions.append(Assumption(topic="caching", text=f"{side}: {row} cached_input: {derived[1]}"))
    cached, caching = _cached_tokens(side, row, traffic, prices, serving.cache_hit_rate)
    if caching:
        assumptions.append(caching)
    used = {"input": prices.input}
    if cached and prices.cached_input is not None:
        used["cached_input"] = prices.cached_input
    used["output"] = prices.output or Decimal(0)
    # models with explicit cache breakpoints bill the prefix tokens that miss the cache as cache writes
    cache_write = match.row.cache_write
    written = traffic.cached - cached if cached and not fine_tuned and cache_write is not None else 0
    if written and cache_write is not None:
        used["cache_write"] = cache_write
    output = traffic.output + _reasoning_tokens(side, match, fine_tuned, traffic, assumptions)
    per_request = (
        per_million(traffic.prompt - cached - written, used["input"])
        + per_million(written, used.get("cache_write", Decimal(0)))
        + per_million(cached, used.get("cached_input", Decimal(0)))
        + per_million(output, used["output"])
    )
    prefix = "fine_tuning." if fine_tuned else ""
    tiered = {"input": "batch_input", "cached_input": "batch_cached_input", "output": "batch_output"}
    for name, price in used.items():
        source = match.source_of(prefix + (tiered.get(name, name) if tier == "batch" else name))
        assumptions.append(
            Assumption(
                topic="price",
                row=f"{row} {name}",
                usd_per_1m=price,
                as_of=source.as_of,
                source=source.url,
                text=f"{row} {name}: {format_price(price)} per 1M tokens ({source.words()})",
            )
        )
    return ServingCost(
        label=f"{'fine-tuned ' if fine_tuned else ''}{match.requested}",
        row=row,
        fine_tuned=fine_tuned,
        tier=tier,
        uncached_prompt_tokens=traffic.prompt - cached,
        cached_prompt_tokens=cached,
        output_tokens=output,
        per_request_usd=per_request,
        inference_monthly_usd=per_request * serving.requests_per_month,
        hosting_monthly_usd=_hosting(match, serving.hosting_hours_per_month, assumptions) if fine_tuned else Decimal(0),
    )


def _reasoning_tokens(
    side: str, match: ModelMatch, fine_tuned: bool, traffic: Traffic, assumptions: list[Assumption]
) -> Decimal:
    """Reasoning tokens a request bills as output on a model that reasons by default (0 on others)."""
    if not match.row.reasoning or fine_tuned:
        return Decimal(0)
    if traffic.reasoning is not None:
        tokens, how = traffic.reasoning, "as given"
    else:  # nothing measured: as many as the answer, said as an assumption to replace with a measurement
        tokens = traffic.output
        how = (
            "not measured: assumed as many as the answer's tokens; measure usage.completion_tokens_details."
            "reasoning_tokens on the eval set and give them (traffic.reasoning_tokens, --reasoning-tokens)"
        )
    assumptions.append(
        Assumption(
            topic="reasoning",
            text=f"{side}: {match.provider}:{match.name} reasons by default ({match.row.reasoning_note}): "
            f"{tokens.normalize():,f} reasoning tokens a request billed as output, {how}",
        )
    )
    return tokens


def _retraining(training: TrainingCost, request: EstimateRequest, assumptions: list[Assumption]) -> Decimal:
    """Training cost spread over the retraining interval the data's volatility forces."""
    every = request.retrain_every_months
    assert every is not None
    monthly = training.usd / every
    assumptions.append(
        Assumption(
            topic="retraining",
            text=(
                f"retrained {every_text(every)} as the data changes: {format_usd(training.usd)} / "
                f"{months_text(every)} = {format_usd(monthly)} a month added to the fine-tuned option"
            ),
        )
    )
    return monthly


def _hosting(match: ModelMatch, hours: Decimal, assumptions: list[Assumption]) -> Decimal:
    """A deployed fine-tune's fixed monthly fees: hosting by the hour (or minute), and storage."""
    fine_tuning = match.row.fine_tuning
    if fine_tuning is None:
        return Decimal(0)
    monthly = Decimal(0)
    row = f"{match.provider}:{match.name}"
    if hourly := fine_tuning.hosting_hourly(match.table.gpus):
        unit = "minute" if fine_tuning.hosting_per_minute else "gpu" if fine_tuning.hosting_gpu else "hour"
        hosting = hourly * hours
        monthly += hosting
        how = (
            f"{fine_tuning.hosting_gpus} x {fine_tuning.hosting_gpu} at "
            f"{format_price(match.table.gpus[fine_tuning.hosting_gpu].per_hour)} = "
            if fine_tuning.hosting_gpu and fine_tuning.hosting_gpus
            else ""
        )
        kind = {"dedicated": "a dedicated deployment of the fine-tune (tokens not billed)"}.get(
            fine_tuning.hosting or "", "hosting of a deployed fine-tune"
        )
        note = f" ({fine_tuning.hosting_note})" if fine_tuning.hosting_note else ""
        assumptions.append(
            Assumption(
                topic="hosting",
                row=f"{row} hosting_per_{unit}",
                as_of=match.table.as_of,
                source=match.table.source,
                text=(
                    f"{match.provider} bills {kind}: {how}{format_price(hourly)} "
                    f"an hour x {hours.normalize():f} hours a month = {format_usd(hosting)}{note}"
                ),
            )
        )
    if fine_tuning.storage_per_month:
        monthly += fine_tuning.storage_per_month
        assumptions.append(
            Assumption(
                topic="hosting",
                row=f"{row} storage_per_month",
                as_of=match.table.as_of,
                source=match.table.source,
                text=f"{match.provider} bills storage of a fine-tune: "
                f"{format_usd(fine_tuning.storage_per_month)} a month",
            )
        )
    return monthly


def _training_cost(
    request: EstimateRequest, match: ModelMatch, fine_tuning: FineTuning, assumptions: list[Assumption]
) -> TrainingCost:
    if request.quoted_training_usd is not None:
        assumptions.append(
            Assumption(
                topic="training",
                text=f"training cost quoted: {format_usd(request.quoted_training_usd)} (overrides the computed figure)",
            )
        )
        return TrainingCost(
            usd=request.quoted_training_usd, basis="quoted", method=request.method, explanation="quoted by the user"
        )
    work = TrainingWork(
        method=request.method,
        tokens_per_epoch=request.training_tokens,
        hours=request.rft_hours,
        training_type=request.training_type,
        tier=request.training_tier,
    )
    try:
        if billing_of(fine_tuning, request.method) != "hours" and request.training_tokens is not None:
            work = replace(work, epochs=_epochs(request, assumptions), rollouts=_rollouts(request, fine_tuning))
        cost = price_training(work, fine_tuning, match.table.gpus)
    except MissingFigure as missing:
        raise _missing(missing, request) from None
    except ValueError as exc:
        raise UserError(f"{match.provider}:{match.name}: {exc}", hint="see `advisor pricing show MODEL`") from None
    if cost.gpu_work:
        assumptions += gpu_assumptions(match, fine_tuning, cost, work.rollouts)
    elif cost.rate is not None:
        assumptions.append(_price_assumption(match, cost.rate))
    return cost


def _missing(missing: MissingFigure, request: EstimateRequest) -> UserError:
    """The flags that give the figure the billing unit needs."""
    if missing.needs == "hours":
        hint = "give --rft-hours H (or a quoted --training-cost USD)"
        return UserError("an RFT estimate needs the billable training hours", hint=hint)
    where = " on own GPUs" if missing.rate.basis == "gpu_hours" else ""
    return UserError(
        f"a {request.method} estimate{where} needs the size of the training data",
        hint="give --training-file F, or --training-tokens N with --examples N (or --training-cost USD)",
    )


def _rollouts(request: EstimateRequest, fine_tuning: FineTuning) -> Rollouts | None:
    """GRPO's rollouts for RFT on own GPUs: each prompt answered `rft_rollouts` times (8 by default)."""
    if request.method != "rft" or billing_of(fine_tuning, "rft") != "gpu_hours":
        return None
    if request.examples is None:
        raise UserError(
            "an RFT estimate on own GPUs needs the number of prompts (GRPO answers each several times)",
            hint="give --examples N (or --training-file F)",
        )
    output = request.ft_output_tokens if request.ft_output_tokens is not None else request.output_tokens
    generations = fine_tuning.rft_rollouts or Decimal(8)
    return Rollouts(prompts=request.examples, generations=generations, completion_tokens=output)


def _epochs(request: EstimateRequest, assumptions: list[Assumption]) -> int:
    if request.epochs != "auto":
        assumptions.append(Assumption(topic="epochs", text=f"epochs = {request.epochs} (given)"))
        return request.epochs
    if request.examples is None:
        raise UserError(
            "--epochs auto depends on the number of examples",
            hint="give --examples N, a --training-file, or --epochs N",
        )
    assumptions.append(Assumption(topic="epochs", text=auto_epochs_rule(request.examples)))
    return auto_epochs(request.examples)


def gpu_assumptions(
    match: ModelMatch, fine_tuning: FineTuning, cost: TrainingCost, rollouts: Rollouts | None
) -> list[Assumption]:
    """Each own-GPU figure of a training cost with its source: the GPU-hours of training and of GRPO's
    generation (apart), and the price of each GPU they run on."""
    where, table, found = f"{match.provider}:{match.name} fine_tuning", match.table, []  # sources say when read
    for work in cost.gpu_work:
        hours = f"{work.hours.quantize(Decimal('0.01'))} GPU-hours on {work.gpu}"
        speed = f"{work.per_second.normalize():,f} tokens a second per GPU"
        if work.work == "training":
            field = f"throughput.{work.training_type}"
            text = f"own-GPU training: {work.tokens:,} tokens / {speed} ({work.training_type}) = {hours}"
        else:
            assert rollouts is not None and cost.epochs is not None
            field = "generation_throughput"
            text = (
                f"RFT (GRPO) rollouts: {rollouts.prompts:,} prompts x {cost.epochs} epochs x "
                f"{rollouts.generations.normalize():f} generations x {rollouts.completion_tokens.normalize():,f} "
                f"completion tokens = {work.tokens:,} generated tokens / {speed} (generation) = {hours}, "
                "apart from the training GPU-hours"
            )
        if fine_tuning.unverified and field in fine_tuning.unverified:  # the row says this figure is unverified
            text += f" (unverified: {fine_tuning.unverified})"
        found.append(
            Assumption(topic="training", row=f"{where} {field}", source=fine_tuning.sources.get(field), text=text)
        )
    for name in dict.fromkeys(work.gpu for work in cost.gpu_work):
        gpu = table.gpus[name]
        unverified = f"; unverified: {gpu.unverified}" if gpu.unverified else ""
        found.append(
            Assumption(
                topic="price",
                row=f"{match.provider} gpus.{name}",
                as_of=gpu.as_of or table.as_of,
                source=gpu.source or table.source,
                text=f"{match.provider} gpus.{name}: {format_price(gpu.per_hour)} a GPU-hour "
                f"(as_of {gpu.as_of or table.as_of}{unverified})",
            )
        )
    return found


def _price_assumption(match: ModelMatch, rate: Rate) -> Assumption:
    field = rate.field.removeprefix("fine_tuning ")
    row = f"{match.provider}:{match.name} fine_tuning {field}"
    source = match.source_of(f"fine_tuning.{field.split('.')[0]}")
    return Assumption(
        topic="price",
        row=row,
        usd_per_1m=rate.price / rate.multiplier if rate.basis == "tokens" else None,
        as_of=source.as_of,
        source=source.url,
        text=f"{row}: {format_price(rate.price / rate.multiplier)} {rate.unit} ({source.words()})",
    )


def _date_warnings(
    request: EstimateRequest,
    today_match: ModelMatch,
    ft_match: ModelMatch,
    fine_tuning: FineTuning,
    training: TrainingCost,
    catalog: Catalog,
) -> list[str | None]:
    today = request.today
    warnings: list[str | None] = []
    same_row = (today_match.provider, today_match.name) == (ft_match.provider, ft_match.name)
    for match in [today_match] if same_row else [today_match, ft_match]:
        shutdown = match.row.shutdown
        end = serving_end(match) if match is ft_match and not same_row else shutdown
        if end != shutdown and end is not None:  # the fine-tune outlives its base (Azure's gpt-4.1 family)
            if months_until(end, today) < request.horizon_months:
                warnings.append(f"fine-tunes of {match.provider}:{match.name} stop serving on {end}")
        elif shutdown and today >= shutdown:
            warnings.append(f"{match.provider}:{match.name} was shut down on {shutdown}")
        elif shutdown and months_until(shutdown, today) < request.horizon_months:
            note = f" ({match.row.shutdown_note})" if match.row.shutdown_note else ""
            warnings.append(f"{match.provider}:{match.name} shuts down on {shutdown}{note}")
    blockers = [b for b in training_blockers(ft_match, request.method, today) if "shut down" not in b]
    if blockers:
        elsewhere = [
            p for p in catalog.providers_offering(request.method, ft_match.name, today) if p != ft_match.provider
        ]
        also = f"; still offered by {', '.join(elsewhere)}" if elsewhere else "; no table offers it today"
        warnings.extend(f"{blocker}{also}" for blocker in blockers)
    warnings += [notice.text for notice in ft_match.table.notices if notice.since <= today]
    until, every = fine_tuning.new_jobs_until, request.retrain_every_months
    horizon = Decimal(request.horizon_months)
    if every is not None and until and until >= today and every < horizon and months_until(until, today) < horizon:
        warnings.append(
            f"retraining {every_text(every)} needs new jobs after {until}, "
            f"when {ft_match.provider} stops creating fine-tuning jobs"
        )
    if fine_tuning.auto_pause_usd is not None and training.usd >= fine_tuning.auto_pause_usd:
        warnings.append(
            f"{ft_match.provider} pauses training jobs at {format_usd(fine_tuning.auto_pause_usd)}; "
            f"this job is estimated at {format_usd(training.usd)}"
        )
    return warnings


def _dedupe_assumptions(assumptions: list[Assumption]) -> list[Assumption]:
    seen: dict[str, Assumption] = {}
    for assumption in assumptions:
        seen.setdefault(assumption.text, assumption)
    return list(seen.values())
