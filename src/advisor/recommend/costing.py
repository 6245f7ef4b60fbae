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
first provider in the tables that can, and the figures say which.
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
from advisor.recommend.scenario import VOLATILITY_MONTHS, LoadedScenario

DEFAULT_PROMPT_TOKENS = 1000
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


@dataclass
class Inputs:
    """Token figures every strategy starts from, each with how it was reached."""

    requests: int
    prompt: Decimal
    cached: Decimal
    output: Decimal
    ft_prompt: Decimal
    notes: list[Assumption]


def inputs_of(loaded: LoadedScenario, catalog: Catalog) -> Inputs:
    from advisor.costs.inputs import prompt_tokens_from_file

    scenario = loaded.scenario
    traffic, models = scenario.traffic, scenario.models
    notes: list[Assumption] = []

    def count(path: str, model: str) -> Decimal:
        tokens, note = prompt_tokens_from_file(str(loaded.folder / path), model, catalog)
        notes.append(note)
        return tokens

    if traffic.prompt_file:
        prompt = count(traffic.prompt_file, models.current)
    else:
        prompt = Decimal(traffic.prompt_tokens if traffic.prompt_tokens is not None else DEFAULT_PROMPT_TOKENS)
    cached = Decimal(traffic.cached_prompt_tokens)
    if cached > prompt:
        raise UserError(
            f"traffic.cached_prompt_tokens ({cached:,}) is larger than the prompt ({prompt:,} tokens)",
            where=loaded.source,
            hint="the cached prefix is part of the prompt",
        )
    base = models.fine_tune_base or models.current
    if models.ft_prompt_file:
        ft_prompt = count(models.ft_prompt_file, base)
    elif models.ft_prompt_tokens is not None:
        ft_prompt = Decimal(models.ft_prompt_tokens)
    else:
        ft_prompt = max(Decimal(1), prompt - cached)
    return Inputs(traffic.requests_per_month, prompt, cached, Decimal(traffic.output_tokens), ft_prompt, notes)


class Coster:
    """Prices the strategies of one scenario against today's cost."""

    def __init__(self, loaded: LoadedScenario, catalog: Catalog, today: date) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.catalog = catalog
        self.today = today
        self.inputs = inputs_of(loaded, catalog)
        self.assumptions: list[Assumption] = list(self.inputs.notes)
        self.availability: dict[str, list[str]] = {}  # method -> why the scenario's provider cannot run it
        self.offered_by: dict[str, tuple[str, ...]] = {}
        models = self.scenario.models
        self.today_match = catalog.find(models.current, models.provider)
        self.options = ServingOptions(self.inputs.requests)
        self.today_cost = self._serve(self.today_match, self.inputs.prompt, self.inputs.cached, self.inputs.output)

    # helpers ---------------------------------------------------------------------------------------

    def _serve(
        self, match: ModelMatch, prompt: Decimal, cached: Decimal, output: Decimal, fine_tuned: bool = False
    ) -> Decimal:
        side = serving_cost(
            "fine-tuned" if fine_tuned else "today",
            match,
            fine_tuned,
            Traffic(prompt, cached, output),
            self.options,
            self.assumptions,
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

    def _trainable(self, method: Method, base: str) -> ModelMatch:
        """The row to train `base` with `method`: the scenario's provider, or the first that can today."""
        provider = self.scenario.models.provider
        match = self.catalog.find_optional(base, provider)
        blockers = training_blockers(match, method, self.today) if match else [f"{provider} does not price {base}"]
        if not blockers:
            assert match is not None
            return match
        self.availability[method] = blockers
        offering = tuple(p for p in self.catalog.providers_offering(method, base, self.today) if p != provider)
        self.offered_by[method] = offering
        if not offering:
            raise UserError(
                f"no provider in the price tables can start a {method} job on {base} today", hint="; ".join(blockers)
            )
        return self.catalog.find(base, offering[0])

    # strategies ------------------------------------------------------------------------------------

    def prompt(self, with_corpus: bool) -> StrategyCost:
        corpus = Decimal(self.scenario.knowledge.corpus_tokens) if with_corpus else Decimal(0)
        monthly = (
            self._serve(self.today_match, self.inputs.prompt + corpus, self.inputs.cached + corpus, self.inputs.output)
            if corpus
            else self.today_cost
        )
        notes = [f"the {corpus:,}-token corpus goes in the prompt as a cached prefix"] if corpus else []
        setup = self.scenario.costs.setup_usd if corpus else Decimal(0)
        return self._result("prompt", self.today_match, monthly, Decimal(0), setup, {"inference": monthly}, notes)

    def _rag_extras(self) -> tuple[Decimal, Decimal, dict[str, Decimal], list[str]]:
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
        self.assumptions.append(
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

    def rag(self) -> StrategyCost:
        knowledge = self.scenario.knowledge
        retrieved = Decimal(0 if knowledge.rag_in_place else knowledge.retrieved_tokens)
        inference = self._serve(
            self.today_match, self.inputs.prompt + retrieved, self.inputs.cached, self.inputs.output
        )
        embed_once, extra, breakdown, notes = self._rag_extras()
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

    def fine_tune(self, strategy: str, *, with_rag: bool = False) -> StrategyCost:
        """sft, dpo (SFT then DPO), rft, or rag+sft."""
        scenario, inputs = self.scenario, self.inputs
        data, costs = scenario.data, scenario.costs
        method: Method = "dpo" if strategy == "dpo" else "rft" if strategy == "rft" else "sft"
        base = self._rft_base() if method == "rft" else (scenario.models.fine_tune_base or scenario.models.current)
        match = self._trainable(method, base)
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
        self.assumptions += result.assumptions
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
            embed_once, extra, rag_breakdown, rag_notes = self._rag_extras()
            monthly += extra
            upfront += embed_once
            breakdown.update(rag_breakdown)
            notes += rag_notes
            notes.insert(0, f"{retrieved:,} retrieved tokens in the fine-tuned prompt and in every training example")
        horizon = effective_horizon(self.horizon, self.today, match)
        return self._result(strategy, match, monthly, training, upfront, breakdown, notes, horizon)

    def _dpo_training(self, match: ModelMatch, ft_prompt: Decimal) -> Decimal:
        pairs = self.scenario.data.preference_pairs
        assert match.row.fine_tuning is not None
        per_pair = int(ft_prompt + 2 * self.inputs.output + 2 * EXAMPLE_OVERHEAD_TOKENS)
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


def cost_strategies(
    coster: Coster, strategies: list[str], corpus_in_prompt: bool
) -> tuple[dict[str, StrategyCost], dict[str, str]]:
    """Cost each strategy; ({strategy: cost}, {strategy: why it could not be costed})."""
    costs: dict[str, StrategyCost] = {}
    failed: dict[str, str] = {}
    for strategy in strategies:
        try:
            if strategy == "prompt":
                costs[strategy] = coster.prompt(corpus_in_prompt)
            elif strategy == "rag":
                costs[strategy] = coster.rag()
            else:
                costs[strategy] = coster.fine_tune(strategy, with_rag=strategy == "rag+sft")
        except UserError as error:
            failed[strategy] = str(error)
    return costs, failed
