"""What each strategy costs, with the cost engine and the price tables for every figure.

prompt   today's model and prompt (plus the corpus, when it goes in the prompt)
rag      retrieved tokens on every request, embedding the corpus, re-embedding as often as it changes,
         retrieval infrastructure
sft      training on the demonstrations; fine-tuned prices; hosting; retraining as often as the
         knowledge changes (when no retrieval carries it)
dpo      SFT, then DPO on the preference pairs
rft      training hours on the RFT base model (o4-mini)
rag+sft  both, with the retrieved context inside the fine-tuned prompt and the training examples

Savings and payback are against today. A provider that cannot start the job today is replaced by the
first provider in the tables that can, and the figures say which. Costing reads no file and changes
nothing: each strategy's figures, the assumptions behind them and its availability are returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from advisor.costs.estimate import (
    Assumption,
    EstimateRequest,
    ServingOptions,
    Traffic,
    effective_horizon,
    estimate,
    payback_of,
    serving_cost,
)
from advisor.costs.money import every, format_price, format_usd, per_million
from advisor.costs.training import auto_epochs, token_training_cost
from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.catalog import Catalog, ModelMatch, training_blockers
from advisor.recommend.scenario import VOLATILITY_MONTHS, Scenario, Tokens
from advisor.recommend.strategies import BY_NAME, Strategy

EMBEDDING_MODEL = "text-embedding-3-small"
EXAMPLE_OVERHEAD_TOKENS = 4  # the answer's message: 3 per message + its role


class StrategyCost(BaseModel):
    """One strategy's figures. Money in USD; payback and horizon in months."""

    strategy: str
    provider: str
    model: str
    monthly_usd: Decimal
    training_usd: Decimal
    upfront_usd: Decimal
    payback_months: Decimal | None
    payback_note: str
    horizon_months: Decimal
    horizon_note: str
    net_savings_usd: Decimal
    breakdown: dict[str, Decimal]
    notes: list[str]

    def cumulative(self, months: int) -> list[Decimal]:
        """Total spent after 0, 1, ... `months` months."""
        return [self.upfront_usd + self.monthly_usd * month for month in range(months + 1)]


@dataclass(frozen=True)
class Availability:
    """Why the scenario's provider cannot start a training job today, and which providers can."""

    method: Method
    blockers: tuple[str, ...]
    offered_by: tuple[str, ...]


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


@dataclass(frozen=True)
class Costing:
    """Every strategy asked for, costed against today."""

    today_match: ModelMatch
    today_monthly_usd: Decimal
    costs: dict[str, StrategyCost]
    failed: dict[str, str]  # strategy -> why it could not be priced
    assumptions: list[Assumption]  # token counts, today's prices, then each strategy's in order
    availability: dict[str, Availability]  # by training method


class Coster:
    """Prices the strategies of one scenario against today's cost."""

    def __init__(self, scenario: Scenario, tokens: Tokens, catalog: Catalog, today: date) -> None:
        self.scenario = scenario
        self.tokens = tokens
        self.catalog = catalog
        self.today = today
        models = scenario.models
        self.today_match = catalog.find(models.current, models.provider)
        self.options = ServingOptions(tokens.requests)
        self.today_assumptions: list[Assumption] = list(tokens.notes)
        self.today_cost = self._serve(
            self.today_match, tokens.prompt, tokens.cached, tokens.output, self.today_assumptions
        )

    # helpers ---------------------------------------------------------------------------------------

    def _serve(
        self,
        match: ModelMatch,
        prompt: Decimal,
        cached: Decimal,
        output: Decimal,
        assumptions: list[Assumption],
        fine_tuned: bool = False,
    ) -> Decimal:
        """Monthly inference cost; the prices used are appended to `assumptions`."""
        side = serving_cost(
            "fine-tuned" if fine_tuned else "today",
            match,
            fine_tuned,
            Traffic(prompt, cached, output),
            self.options,
            assumptions,
        )
        return side.monthly_usd

    @property
    def horizon(self) -> int:
        return self.scenario.costs.horizon_months

    def _result(
        self,
        strategy: str,
        match: ModelMatch,
        monthly: Decimal,
        training: Decimal,
        upfront: Decimal,
        breakdown: dict[str, Decimal],
        notes: list[str],
        horizon: tuple[Decimal, str] | None = None,
    ) -> StrategyCost:
        horizon_months, horizon_note = horizon or (Decimal(self.horizon), f"horizon: {self.horizon} months")
        savings = self.today_cost - monthly
        if strategy == "prompt" and upfront == 0:
            months, note = None, "nothing to pay back"
        else:
            months, note = payback_of(upfront, savings, horizon_months, horizon_note)
        return StrategyCost(
            strategy=strategy,
            provider=match.provider,
            model=match.name,
            monthly_usd=monthly,
            training_usd=training,
            upfront_usd=upfront,
            payback_months=months,
            payback_note=note,
            horizon_months=horizon_months,
            horizon_note=horizon_note,
            net_savings_usd=savings * horizon_months - upfront,
            breakdown=breakdown,
            notes=notes,
        )

    def availability(self, method: Method, base: str) -> Availability | None:
        """None when the scenario's provider can start a `method` job on `base` today; else why not, and
        which other providers in the tables can."""
        provider = self.scenario.models.provider
        match = self.catalog.find_optional(base, provider)
        blockers = training_blockers(match, method, self.today) if match else [f"{provider} does not price {base}"]
        if not blockers:
            return None
        offering = tuple(p for p in self.catalog.providers_offering(method, base, self.today) if p != provider)
        return Availability(method, tuple(blockers), offering)

    def _trainable(self, base: str, availability: Availability | None) -> ModelMatch:
        """The row to train `base` on: the scenario's provider, or the first that can today."""
        if availability is None:
            match = self.catalog.find_optional(base, self.scenario.models.provider)
            assert match is not None  # a provider that can start the job prices the model
            return match
        if not availability.offered_by:
            raise UserError(
                f"no provider in the price tables can start a {availability.method} job on {base} today",
                hint="; ".join(availability.blockers),
            )
        return self.catalog.find(base, availability.offered_by[0])

    def base_for(self, method: Method) -> str:
        """The model a `method` job trains."""
        models = self.scenario.models
        return self._rft_base() if method == "rft" else (models.fine_tune_base or models.current)

    def cost(self, strategy: Strategy, corpus_in_prompt: bool) -> Costed:
        """One strategy's figures, or why it cannot be priced, with what they assume."""
        assumptions: list[Assumption] = []
        availability = None
        try:
            if strategy.costing == "prompt":
                cost = self.prompt(corpus_in_prompt, assumptions)
            elif strategy.costing == "rag":
                cost = self.rag(assumptions)
            else:
                assert strategy.method is not None
                base = self.base_for(strategy.method)
                availability = self.availability(strategy.method, base)
                match = self._trainable(base, availability)
                cost = self.fine_tune(strategy, match, assumptions)
        except UserError as error:
            return Costed(strategy.name, None, str(error), tuple(assumptions), availability)
        return Costed(strategy.name, cost, None, tuple(assumptions), availability)

    # strategies ------------------------------------------------------------------------------------

    def prompt(self, with_corpus: bool, assumptions: list[Assumption]) -> StrategyCost:
        corpus = Decimal(self.scenario.knowledge.corpus_tokens) if with_corpus else Decimal(0)
        inputs = self.tokens
        monthly = (
            self._serve(self.today_match, inputs.prompt + corpus, inputs.cached + corpus, inputs.output, assumptions)
            if corpus
            else self.today_cost
        )
        notes = [f"the {corpus:,}-token corpus goes in the prompt as a cached prefix"] if corpus else []
        setup = self.scenario.costs.setup_usd if corpus else Decimal(0)
        return self._result("prompt", self.today_match, monthly, Decimal(0), setup, {"inference": monthly}, notes)

    def _rag_extras(self, assumptions: list[Assumption]) -> tuple[Decimal, Decimal, dict[str, Decimal], list[str]]:
        """(one-off embedding, monthly re-embedding + infrastructure, breakdown, notes)."""
        knowledge, costs = self.scenario.knowledge, self.scenario.costs
        embedding = self.catalog.find_optional(EMBEDDING_MODEL, self.scenario.models.provider) or self.catalog.find(
            EMBEDDING_MODEL, "openai"
        )
        corpus = Decimal(knowledge.corpus_tokens)
        embed_once = per_million(corpus, embedding.row.input)
        every = VOLATILITY_MONTHS[knowledge.volatility]
        reembed = embed_once / every if every else Decimal(0)
        monthly = reembed + costs.rag_infra_usd_per_month
        assumptions.append(
            Assumption(
                topic="price",
                row=f"{embedding.provider}:{embedding.name} input",
                usd_per_1m=embedding.row.input,
                as_of=embedding.table.as_of,
                source=embedding.table.source,
                text=f"{embedding.provider}:{embedding.name} input: {format_price(embedding.row.input)} per 1M tokens "
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
        retrieved = Decimal(0 if knowledge.rag_in_place else knowledge.retrieved_tokens)
        inference = self._serve(
            self.today_match, self.tokens.prompt + retrieved, self.tokens.cached, self.tokens.output, assumptions
        )
        embed_once, extra, breakdown, notes = self._rag_extras(assumptions)
        if knowledge.rag_in_place:
            notes.insert(0, "RAG is in place: today's prompt already carries the retrieved text")
            embed_once = Decimal(0)
        else:
            notes.insert(0, f"{retrieved:,} retrieved tokens added to every request")
        upfront = embed_once + self.scenario.costs.setup_usd
        return self._result(
            "rag",
            self.today_match,
            inference + extra,
            Decimal(0),
            upfront,
            {"inference": inference, **breakdown},
            notes,
        )

    def fine_tune(self, strategy: Strategy, match: ModelMatch, assumptions: list[Assumption]) -> StrategyCost:
        """sft, dpo (SFT then DPO), rft, or rag+sft, trained on `match`."""
        scenario, inputs = self.scenario, self.tokens
        data, costs = scenario.data, scenario.costs
        method, with_rag = strategy.method, strategy.retrieval
        retrieved = Decimal(
            scenario.knowledge.retrieved_tokens if with_rag and not scenario.knowledge.rag_in_place else 0
        )
        ft_prompt = inputs.ft_prompt + retrieved
        notes = []
        if match.provider != scenario.models.provider:
            notes.append(f"priced at {match.provider}: {scenario.models.provider} cannot start this job today")
        example_tokens = ft_prompt + inputs.output + EXAMPLE_OVERHEAD_TOKENS
        examples = data.demonstrations or data.preference_pairs or 1000
        if method == "rft":
            request_training: dict[str, object] = {"method": "rft", "rft_hours": costs.rft_hours}
            notes.append(
                f"{costs.rft_hours.normalize():f} billable training hours assumed (set costs.rft_hours from "
                "a pilot run)"
            )
        else:
            if not (data.demonstrations or data.preference_pairs):
                notes.append(
                    f"no demonstrations given: {examples:,} generated from the current model's answers assumed"
                )
            request_training = {"training_tokens": int(example_tokens * examples), "examples": examples}
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
            **request_training,  # type: ignore[arg-type]
        )
        result = estimate(request, self.catalog)
        training = result.training_usd
        if method == "dpo":
            dpo = self._dpo_training(match, ft_prompt)
            training += dpo
            notes.append(f"then DPO on {data.preference_pairs:,} pairs: {format_usd(dpo)}")
        assumptions += result.assumptions
        if retrain:
            notes.append(f"retrained {every(retrain)} as the knowledge changes ({scenario.knowledge.volatility})")
        monthly = result.option_monthly_usd
        breakdown = {
            "inference": result.option.inference_monthly_usd,
            "hosting": result.option.hosting_monthly_usd,
            "retraining": result.option.retraining_monthly_usd,
        }
        upfront = training + costs.setup_usd
        if with_rag:
            embed_once, extra, rag_breakdown, rag_notes = self._rag_extras(assumptions)
            monthly += extra
            upfront += embed_once
            breakdown.update(rag_breakdown)
            notes += rag_notes
            notes.insert(0, f"{retrieved:,} retrieved tokens in the fine-tuned prompt and in every training example")
        horizon = effective_horizon(self.horizon, self.today, match)
        return self._result(strategy.name, match, monthly, training, upfront, breakdown, notes, horizon)

    def _dpo_training(self, match: ModelMatch, ft_prompt: Decimal) -> Decimal:
        pairs = self.scenario.data.preference_pairs
        assert match.row.fine_tuning is not None
        per_pair = int(ft_prompt + 2 * self.tokens.output + 2 * EXAMPLE_OVERHEAD_TOKENS)
        cost = token_training_cost("dpo", per_pair * pairs, auto_epochs(pairs), match.row.fine_tuning)
        return cost.usd

    def _rft_base(self) -> str:
        wanted = self.scenario.models.fine_tune_base
        if wanted:
            match = self.catalog.find_optional(wanted, self.scenario.models.provider)
            if match and match.row.fine_tuning and "rft" in match.row.fine_tuning.methods:
                return wanted
        for provider in [self.scenario.models.provider, *self.catalog.providers]:
            for name, row, _ in self.catalog.rows(provider):
                if row.fine_tuning and "rft" in row.fine_tuning.methods:
                    return name
        raise UserError("no model in the price tables offers RFT", hint="add one with --pricing")


def cost_strategies(coster: Coster, strategies: list[str], corpus_in_prompt: bool) -> Costing:
    """Cost each strategy, in the order given, against today."""
    costed = [coster.cost(BY_NAME[name], corpus_in_prompt) for name in strategies]
    return Costing(
        today_match=coster.today_match,
        today_monthly_usd=coster.today_cost,
        costs={c.strategy: c.cost for c in costed if c.cost is not None},
        failed={c.strategy: c.failure for c in costed if c.failure is not None},
        assumptions=[*coster.today_assumptions, *(a for c in costed for a in c.assumptions)],
        availability={c.availability.method: c.availability for c in costed if c.availability is not None},
    )
