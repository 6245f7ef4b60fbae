"""What each strategy costs, with the cost engine and the price tables for every figure.

prompt   today's model and prompt (plus the corpus, when it goes in the prompt)
rag      retrieved tokens on every request, embedding the corpus, re-embedding as often as it changes,
         retrieval infrastructure
sft      training on the demonstrations; fine-tuned prices; hosting; retraining as often as the
         knowledge changes (when no retrieval carries it)
dpo      SFT, then DPO on the preference pairs
rft      training hours (or GPU-hours) on a base that offers RFT
rag+sft  both, with the retrieved context inside the fine-tuned prompt and the training examples
switch   today's prompt on a current model that cannot be fine-tuned (cheaper, or today's stops serving)

Every option is a month-by-month schedule (costs/schedule.py). Today's setup, and every option that
keeps today's model (prompting, RAG, the corpus in the prompt), moves to what replaces today's model
from the day it stops (costs/succession.py); a fine-tune serves until its base stops, and the team falls
back to today's setup after it. Savings, payback and totals are against today's schedule. A training
strategy is costed at every place that offers its method (advisor.costs.where): the best place that can
start the job today is the strategy's figures, and every place is returned, available or not, with why.
Costing reads no file and changes nothing: each strategy's figures, the assumptions behind them and its
places are returned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from advisor.costs.comparison import PricedOption, compare
from advisor.costs.estimate import (
    Assumption,
    EstimateRequest,
    ServingCost,
    ServingOptions,
    Traffic,
    price_fine_tune,
    schedule_of,
    serving_cost,
    stretch_of,
    succeed,
)
from advisor.costs.figures import interval
from advisor.costs.money import format_price, format_usd, per_million
from advisor.costs.schedule import Schedule, Stretch
from advisor.costs.succession import Succession, horizon_end
from advisor.costs.training import TrainingWork, auto_epochs, billing_of, price_training
from advisor.costs.where import Availability, Place, PlaceFilter, availability, chosen, rank_places
from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.catalog import Catalog, ModelMatch, same_class
from advisor.recommend.scenario import VOLATILITY_MONTHS, Scenario, Tokens
from advisor.recommend.strategies import BY_NAME, TRAINING, Strategy

EMBEDDING_MODEL = "text-embedding-3-small"


class StrategyCost(BaseModel):
    """One strategy's figures. Money in USD; payback and horizon in months."""

    strategy: str
    label: str = ""  # how reports name this option ("Prompting", "Prompt gpt-5-mini", "Corpus in a cached prompt")
    provider: str
    model: str
    monthly_usd: Decimal
    training_usd: Decimal
    upfront_usd: Decimal
    payback_months: Decimal | None
    payback_note: str
    horizon_months: Decimal  # months its model serves within the horizon
    horizon_note: str
    net_savings_usd: Decimal  # today's setup minus this option over the horizon, up front included
    total_usd: Decimal  # this option over the horizon, up front included
    break_even_requests_per_month: int | None = None  # the fewest requests a month at which it keeps its cost
    breakdown: dict[str, Decimal]
    notes: list[str]
    stretches: list[Stretch]  # month by month: what serves the traffic and what it costs a month
    ends: str | None = None  # what changes inside the horizon, in words (None: nothing)

    @classmethod
    def of(
        cls, strategy: str, label: str, match: ModelMatch, priced: PricedOption, breakdown: dict[str, Decimal],
        notes: list[str],
    ) -> StrategyCost:  # fmt: skip
        """A strategy's figures as the JSON contract writes them."""
        return cls(
            strategy=strategy,
            label=label,
            provider=match.provider,
            model=match.name,
            monthly_usd=priced.monthly_usd,
            training_usd=priced.training_usd,
            upfront_usd=priced.upfront_usd,
            payback_months=priced.payback_months,
            payback_note=priced.payback_note,
            horizon_months=priced.horizon_months,
            horizon_note=priced.horizon_note,
            net_savings_usd=priced.net_savings_usd,
            total_usd=priced.total_usd,
            break_even_requests_per_month=priced.break_even_requests_per_month,
            breakdown=breakdown,
            notes=notes,
            stretches=list(priced.schedule.stretches),
            ends=_changes(priced.schedule),
        )

    @property
    def schedule(self) -> Schedule:
        return Schedule(tuple(self.stretches), self.upfront_usd)

    def cumulative(self, months: int) -> list[Decimal]:
        """Total spent after 0, 1, ... `months` months (the chart's points)."""
        return self.schedule.cumulative(months)


@dataclass(frozen=True)
class Costed:
    """One strategy costed: its figures or why it could not be priced, the assumptions behind them (those
    made before a failure included), and, when its training job cannot start at the scenario's
    provider today, who can run it."""

    strategy: str
    cost: StrategyCost | None
    failure: str | None
    assumptions: tuple[Assumption, ...]
    availability: Availability | None
    places: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Costing:
    """Every strategy asked for, costed against today."""

    today_match: ModelMatch
    today_monthly_usd: Decimal
    today_schedule: Schedule
    today_ends: Succession
    costs: dict[str, StrategyCost]
    failed: dict[str, str]  # strategy -> why it could not be priced
    assumptions: list[Assumption]  # token counts, today's prices, then each strategy's in order
    availability: dict[str, Availability]  # by training method
    places: dict[str, tuple[Place, ...]]  # by strategy: every place its training could run, best first


class Coster:
    """Prices the strategies of one scenario against today's cost."""

    def __init__(self, scenario: Scenario, tokens: Tokens, catalog: Catalog, today: date) -> None:
        self.scenario = scenario
        self.tokens = tokens
        self.catalog = catalog.on(today)
        self.today = today
        models = scenario.models
        self.today_match = self.catalog.find(models.current, models.provider)
        self.options = ServingOptions(tokens.requests)
        self.today_assumptions: list[Assumption] = list(tokens.notes)
        # today's setup already pays for its retrieval: an option that keeps it is not charged it twice, and
        # one that drops it saves it
        self.retrieval = self._rag_extras(self.today_assumptions)[1] if scenario.knowledge.rag_in_place else Decimal(0)
        self.today_schedule, self.today_ends = self._serve(
            self.today_match,
            Traffic(tokens.prompt, tokens.cached, tokens.output, reasoning=tokens.reasoning),
            self.today_assumptions,
            fixed=self.retrieval,
            fine_tuned=self.today_match.model_id.fine_tuned,  # today's model may be a fine-tune
        )

    # helpers ---------------------------------------------------------------------------------------

    @property
    def today_cost(self) -> Decimal:
        """What today's setup costs this month (once today's model has stopped: what replaced it)."""
        return self.today_schedule.first.monthly_usd

    def _serve(
        self,
        match: ModelMatch,
        traffic: Traffic,
        assumptions: list[Assumption],
        *,
        fixed: Decimal = Decimal(0),
        fine_tuned: bool = False,
    ) -> tuple[Schedule, Succession]:
        """The traffic served on `match` month by month, moved to what replaces it when it stops inside the
        horizon, with `fixed` dollars a month on top; the prices used are appended to `assumptions`."""
        side = "fine-tuned" if fine_tuned else "today"
        cost = serving_cost(side, match, fine_tuned, traffic, self.options, assumptions)
        horizon = Decimal(self.horizon)
        succession, after = succeed(match, traffic, self.options, self.catalog, self.today, horizon, assumptions)
        return schedule_of(cost, self.options.requests_per_month, horizon, succession, after, fixed), succession

    @property
    def horizon(self) -> int:
        return self.scenario.costs.horizon_months

    def _result(
        self,
        strategy: str,
        match: ModelMatch,
        schedule: Schedule,
        training: Decimal,
        breakdown: dict[str, Decimal],
        notes: list[str],
        label: str = "",
    ) -> StrategyCost:
        """A strategy that serves through the horizon, from its schedule, against today's."""
        priced = self._compare(strategy, schedule, training)
        return StrategyCost.of(strategy, label or BY_NAME[strategy].label, match, priced, breakdown, notes)

    def _compare(
        self,
        strategy: str,
        schedule: Schedule,
        training: Decimal,
        horizon: tuple[Decimal, str] | None = None,
        monthly: Decimal | None = None,
    ) -> PricedOption:
        """`schedule` against today's; `monthly` is what the option itself costs a month (by default what
        serves month 0), `horizon` the months it serves (by default the whole horizon)."""
        horizon_months, horizon_note = horizon or (Decimal(self.horizon), f"horizon: {self.horizon} months")
        what = "the fine-tuned option" if strategy in TRAINING else "this option"
        priced = compare(
            schedule,
            self.today_schedule,
            horizon=horizon_months,
            horizon_note=horizon_note,
            training_usd=training,
            monthly_usd=monthly,
            what=what,
        )
        if strategy == "prompt" and schedule.upfront_usd == 0:  # today's setup itself
            return replace(priced, payback_months=None, payback_note="nothing to pay back")
        return priced

    def place_filter(self, method: Method) -> PlaceFilter:
        """What the scenario allows for a `method` job: providers, open weights, the base it names."""
        models = self.scenario.models
        base = models.fine_tune_base or (models.current if method != "rft" else None)
        moving = self.today_match.model_id.fine_tuned  # today's fine-tune has to move
        return PlaceFilter(
            method,
            self.today,
            tuple(models.providers),
            models.open_weights,
            base,
            preferred=models.provider,
            must_serve=Decimal(self.horizon) if moving else None,
        )

    def cost(self, strategy: Strategy, corpus_in_prompt: bool) -> Costed:
        """One strategy's figures, or why it cannot be priced, with what they assume (and, for training,
        every place it could run)."""
        assumptions: list[Assumption] = []
        cost: StrategyCost | None
        try:
            if strategy.costing == "prompt":
                cost = self.prompt(corpus_in_prompt, assumptions)
            elif strategy.costing == "rag":
                cost = self.rag(assumptions)
            elif strategy.costing == "switch":
                cost = self.switch(assumptions)
                if cost is None:  # no current model is cheaper, and today's keeps serving: nothing to show
                    return Costed(strategy.name, None, None, (), None)
            else:
                return self._cost_training(strategy)
        except UserError as error:
            return Costed(strategy.name, None, str(error), tuple(assumptions), None)
        return Costed(strategy.name, cost, None, tuple(assumptions), None)

    def _cost_training(self, strategy: Strategy) -> Costed:
        """Cost the strategy at every place that offers its method; the figures are the chosen place's."""
        assert strategy.method is not None
        wanted = self.place_filter(strategy.method)
        costed: dict[tuple[str, str], tuple[StrategyCost, list[Assumption]]] = {}

        def cost_at(match: ModelMatch) -> PricedOption:
            assumptions: list[Assumption] = []
            figures, priced = self.fine_tune(strategy, match, assumptions)
            costed[match.provider, match.name] = (figures, assumptions)
            return priced

        places = tuple(rank_places(self.catalog, wanted, cost_at))
        offer = availability(wanted, places)
        best = chosen(places)
        if best is None:
            why = "; ".join(dict.fromkeys(w for p in places for w in p.why_not)) or "no price table offers it"
            failure = f"no provider in the price tables can start a {strategy.method} job today ({why})"
            return Costed(strategy.name, None, failure, (), offer, places)
        cost, assumptions = costed[best.provider, best.model]
        if best.provider != wanted.preferred:
            preferred = next((p for p in places if p.provider == wanted.preferred and p.why_not), None)
            if preferred is None:
                cost.notes.insert(0, f"trained at {best.label}: {wanted.preferred} does not offer {strategy.method}")
            else:
                reason = preferred.why_not[0].removeprefix(f"{preferred.label}: ")
                cost.notes.insert(0, f"trained at {best.label}, not at {preferred.label} ({reason})")
        return Costed(strategy.name, cost, None, tuple(assumptions), offer, places)

    # strategies ------------------------------------------------------------------------------------

    def prompt(self, with_corpus: bool, assumptions: list[Assumption]) -> StrategyCost:
        corpus = Decimal(self.scenario.knowledge.corpus_tokens) if with_corpus else Decimal(0)
        inputs = self.tokens
        schedule = self.today_schedule
        if corpus:
            traffic = Traffic(inputs.prompt + corpus, inputs.cached + corpus, inputs.output, reasoning=inputs.reasoning)
            schedule, _ = self._serve(self.today_match, traffic, assumptions, fixed=self.retrieval)
        notes = [f"the {corpus:,}-token corpus goes in the prompt as a cached prefix"] if corpus else []
        setup = self.scenario.costs.setup_usd if corpus else Decimal(0)
        label = "Corpus in a cached prompt" if corpus else ""
        schedule = Schedule(schedule.stretches, setup)
        breakdown = {"inference": schedule.first.monthly_usd - self.retrieval}
        return self._result("prompt", self.today_match, schedule, Decimal(0), breakdown, notes, label=label)

    def switch(self, assumptions: list[Assumption]) -> StrategyCost | None:
        """Today's prompt on a current model at today's provider that cannot be fine-tuned (so no training
        option shows it), of the same size class (mini, nano or full): the cheapest that serves through the
        horizon. Shown when it costs less than today, or when today's model stops serving within the horizon."""
        today, inputs = self.today_match, self.tokens
        traffic = Traffic(inputs.prompt, inputs.cached, inputs.output, reasoning=inputs.reasoning)
        best: tuple[Decimal, str, ModelMatch, list[Assumption], ServingCost] | None = None
        for match in same_class(self.catalog, today, horizon_end(self.today, self.horizon), tunable=False):
            used: list[Assumption] = []
            try:
                cost = serving_cost("today", match, False, traffic, self.options, used)
            except UserError:
                continue
            if best is None or (cost.monthly_usd, match.name) < best[:2]:
                best = (cost.monthly_usd, match.name, match, used, cost)
        if best is None or not (best[0] < self.today_cost or self.today_ends.stops):
            return None
        monthly, _, match, used, cost = best
        assumptions += used
        notes = [
            f"today's prompt ({inputs.prompt:,} tokens, {inputs.cached:,} cached) and answers on {match.name}, "
            f"which {match.table.label or match.provider} does not fine-tune; its quality is not measured: run the "
            "eval set on it first",
        ]
        if not match.row.reasoning:
            notes.append("output priced at today's answer length; a model that reasons bills its reasoning tokens too")
        if match.row.encoding != today.row.encoding:
            notes.append(f"tokens counted with {today.name}'s tokenizer ({today.row.encoding})")
        requests, horizon = self.options.requests_per_month, Decimal(self.horizon)
        schedule = Schedule((stretch_of(cost, requests, Decimal(0), horizon, f"{match.provider}:{match.name}"),))
        return self._result(
            "switch", match, schedule, Decimal(0), {"inference": monthly}, notes, label=f"Prompt {match.name}"
        )

    def _rag_extras(self, assumptions: list[Assumption]) -> tuple[Decimal, Decimal, dict[str, Decimal], list[str]]:
        """(one-off embedding, monthly re-embedding + infrastructure, breakdown, notes)."""
        knowledge, costs = self.scenario.knowledge, self.scenario.costs
        embedding = self.catalog.find_optional(EMBEDDING_MODEL, self.scenario.models.provider) or self.catalog.find(
            EMBEDDING_MODEL, "openai"
        )
        corpus = Decimal(knowledge.corpus_tokens)
        price = embedding.row.input
        if price is None:
            raise UserError(
                f"{embedding.label} has no input price", hint="add it with --pricing FILE (docs/pricing.md)"
            )
        embed_once = per_million(corpus, price)
        every = VOLATILITY_MONTHS[knowledge.volatility]
        reembed = embed_once / every if every else Decimal(0)
        monthly = reembed + costs.rag_infra_usd_per_month
        assumptions.append(
            Assumption(
                topic="price",
                row=f"{embedding.provider}:{embedding.name} input",
                usd_per_1m=price,
                as_of=embedding.table.as_of,
                source=embedding.table.source,
                text=f"{embedding.provider}:{embedding.name} input: {format_price(price)} per 1M tokens "
                f"(as_of {embedding.table.as_of})",
            )
        )
        notes = [f"embedding the {corpus:,}-token corpus: {format_usd(embed_once)}"]
        if every:
            notes.append(f"re-embedded as often as it changes ({knowledge.volatility}): {format_usd(reembed)} a month")
        if knowledge.volatility == "realtime":
            notes.append("realtime data is re-embedded daily here; live lookups would replace part of the index")
        breakdown = {"re-embedding": reembed, "retrieval infrastructure": costs.rag_infra_usd_per_month}
        return embed_once, monthly, breakdown, notes

    def rag(self, assumptions: list[Assumption]) -> StrategyCost:
        knowledge = self.scenario.knowledge
        inputs = self.tokens
        retrieved = Decimal(0 if knowledge.rag_in_place else knowledge.retrieved_tokens)
        embed_once, extra, breakdown, notes = self._rag_extras(assumptions)
        traffic = Traffic(inputs.prompt + retrieved, inputs.cached, inputs.output, reasoning=inputs.reasoning)
        schedule, _ = self._serve(self.today_match, traffic, assumptions, fixed=extra)
        if knowledge.rag_in_place:
            notes.insert(0, "RAG is in place: today's prompt already carries the retrieved text")
            embed_once = Decimal(0)
        else:
            notes.insert(0, f"{retrieved:,} retrieved tokens added to every request")
        schedule = Schedule(schedule.stretches, embed_once + self.scenario.costs.setup_usd)
        breakdown = {"inference": schedule.first.monthly_usd - extra, **breakdown}
        return self._result("rag", self.today_match, schedule, Decimal(0), breakdown, notes)

    def fine_tune(
        self, strategy: Strategy, match: ModelMatch, assumptions: list[Assumption]
    ) -> tuple[StrategyCost, PricedOption]:
        """sft, dpo (SFT then DPO), rft, or rag+sft, trained on `match`: its figures, and as the ranking reads them."""
        scenario, inputs = self.scenario, self.tokens
        data, costs = scenario.data, scenario.costs
        method, with_rag = strategy.method, strategy.retrieval
        assert method is not None
        retrieved = Decimal(
            scenario.knowledge.retrieved_tokens if with_rag and not scenario.knowledge.rag_in_place else 0
        )
        # counted as the place's model counts: its tokenizer and chat format (advisor.pricing.row_counting)
        counted, answer_overhead, counted_notes = inputs.fine_tuned(match.row, f"{match.provider}:{match.name}")
        assumptions += counted_notes
        ft_prompt = counted + retrieved
        notes: list[str] = []
        example_tokens = ft_prompt + inputs.output + answer_overhead
        examples = data.demonstrations or data.preference_pairs or 1000
        # what the training is sized by, in the unit its row bills (DPO's pairs are priced after its SFT)
        trained: Method = "rft" if method == "rft" else "sft"
        training_tokens: int | None = None
        rft_hours: Decimal | None = None
        fine_tuning = match.row.fine_tuning
        if method == "rft" and fine_tuning and billing_of(fine_tuning, method) == "gpu_hours":
            # own GPUs: GPU-hours for the prompts and the rollouts GRPO generates from them
            examples = data.graded_prompts or 1000
            training_tokens = int(ft_prompt * examples)
            notes.append(f"{examples:,} graded prompts of about {ft_prompt:,.0f} tokens, with GRPO rollouts")
        elif method == "rft":
            rft_hours = costs.rft_hours
            notes.append(
                f"{costs.rft_hours.normalize():f} billable training hours assumed (set the hours from a pilot run)"
            )
        else:
            if not (data.demonstrations or data.preference_pairs):
                notes.append(
                    f"no demonstrations given: {examples:,} generated from the current model's answers assumed"
                )
            training_tokens = int(example_tokens * examples)
            notes.append(
                f"{examples:,} training examples of about {example_tokens:,.0f} tokens (fine-tuned prompt + answer)"
            )
        retrain = None if with_rag else VOLATILITY_MONTHS[scenario.knowledge.volatility]
        request = EstimateRequest(
            model=scenario.models.current,
            provider=scenario.models.provider,
            ft_model=match.name,
            ft_provider=match.provider,
            requests_per_month=inputs.requests,
            prompt_tokens=inputs.prompt,
            cached_tokens=inputs.cached,
            output_tokens=inputs.output,
            ft_prompt_tokens=ft_prompt,
            setup_usd=costs.setup_usd,
            horizon_months=self.horizon,
            retrain_every_months=retrain,
            today=self.today,
            method=trained,
            training_tokens=training_tokens,
            examples=examples,
            rft_hours=rft_hours,
        )
        tuned = price_fine_tune(request, self.catalog, assumptions)
        assumptions.append(Assumption(topic="horizon", text=tuned.horizon_note))
        training = tuned.training.usd
        if method == "dpo":
            dpo = self._dpo_training(match, ft_prompt, answer_overhead)
            training += dpo
            notes.append(f"then DPO on {data.preference_pairs:,} pairs: {format_usd(dpo)}")
        if retrain:
            notes.append(f"retrained {interval(retrain)} as the knowledge changes ({scenario.knowledge.volatility})")
        option = tuned.serving
        breakdown = {
            "inference": option.inference_monthly_usd,
            "hosting": option.hosting_monthly_usd,
            "retraining": option.retraining_monthly_usd,
        }
        upfront = training + costs.setup_usd
        extra = Decimal(0)
        if with_rag:
            embed_once, extra, rag_breakdown, rag_notes = self._rag_extras(assumptions)
            if scenario.knowledge.rag_in_place:  # the index exists: nothing to embed up front
                embed_once = Decimal(0)
            upfront += embed_once
            breakdown.update(rag_breakdown)
            notes += rag_notes
            notes.insert(
                0,
                "the retrieved passages (distractors among them) in the fine-tuned prompt and in every training example"
                if scenario.knowledge.rag_in_place
                else f"{retrieved:,} retrieved tokens in the fine-tuned prompt and in every training example",
            )
        serving = tuned.schedule(self.options.requests_per_month, extra, f"{match.provider}:{match.name} fine-tuned")
        schedule = Schedule(serving.stretches, upfront).then(tuned.horizon_months, self.today_schedule)
        horizon = (tuned.horizon_months, tuned.horizon_note)
        priced = self._compare(strategy.name, schedule, training, horizon, monthly=serving.first.monthly_usd)
        return StrategyCost.of(strategy.name, strategy.label, match, priced, breakdown, notes), priced

    def _dpo_training(self, match: ModelMatch, ft_prompt: Decimal, answer_overhead: int) -> Decimal:
        """DPO after SFT: the preference pairs (prompt and both answers), at the row's training price."""
        pairs = self.scenario.data.preference_pairs
        assert match.row.fine_tuning is not None
        per_pair = int(ft_prompt + 2 * self.tokens.output + 2 * answer_overhead)
        work = TrainingWork(method="dpo", tokens_per_epoch=per_pair * pairs, epochs=auto_epochs(pairs))
        try:
            return price_training(work, match.row.fine_tuning, match.table.gpus).usd
        except ValueError as error:
            raise UserError(f"{match.provider}:{match.name}: {error}", hint="see `advisor pricing show`") from None


def _changes(schedule: Schedule) -> str | None:
    """What changes inside the horizon, in words: `stops 2027-01-14, then openai:gpt-6-luna`."""
    later = [s for s in schedule.stretches[1:] if s.months > 0]
    return "; ".join(f"from month {s.start:.2f}: {s.what}" for s in later) or None


def cost_strategies(coster: Coster, strategies: list[str], corpus_in_prompt: bool) -> Costing:
    """Cost each strategy, in the order given, against today."""
    costed = [coster.cost(BY_NAME[name], corpus_in_prompt) for name in strategies]
    return Costing(
        today_match=coster.today_match,
        today_monthly_usd=coster.today_cost,
        today_schedule=coster.today_schedule,
        today_ends=coster.today_ends,
        costs={c.strategy: c.cost for c in costed if c.cost is not None},
        failed={c.strategy: c.failure for c in costed if c.failure is not None},
        assumptions=[*coster.today_assumptions, *(a for c in costed for a in c.assumptions)],
        availability={c.availability.method: c.availability for c in costed if c.availability is not None},
        places={c.strategy: c.places for c in costed if c.places},
    )
