"""`estimate`: what `advisor estimate` does, as a function taking its flags as keyword arguments (the CLI
calls it), and its two results. Nothing heavy is imported until it runs: an estimate from figures alone
loads no tokenizer and no pydantic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from advisor.api import arguments
from advisor.api.arguments import Number

if TYPE_CHECKING:
    from advisor.costs.estimate import Estimate
    from advisor.costs.places import PlaceEstimate
    from advisor.methods import Method
    from advisor.pricing.catalog import Catalog


@dataclass(frozen=True)
class EstimateResult:
    """`advisor estimate` with one place: monthly costs, training, savings, payback, break-even."""

    estimate: Estimate

    def to_json(self) -> str:
        from advisor.render.estimate import to_json

        return to_json(self.estimate)

    def to_markdown(self) -> str:
        from advisor.render.estimate import to_markdown

        return to_markdown(self.estimate)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.estimate import print_table

        print_table(self.estimate, file=file, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class PlaceComparison:
    """`advisor estimate --provider all` (or several providers): the fine-tune at each place, best first;
    a place that could not be priced has no estimate and says why (`place.why_not`)."""

    places: tuple[PlaceEstimate, ...]

    @property
    def best(self) -> PlaceEstimate | None:
        """The place the comparison chooses (the first, when it is available)."""
        return self.places[0] if self.places and self.places[0].place.available else None

    def to_json(self) -> str:
        from advisor.render.estimate import places_json

        return places_json(self.places)

    def to_markdown(self) -> str:
        from advisor.render.estimate import places_markdown

        return places_markdown(self.places)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        """The terminal table; the estimate's warnings go to stderr, as the CLI's do."""
        from advisor.render.estimate import print_places

        print_places(self.places, file=file, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def estimate(
    *,
    model: str,
    requests: Number,
    ft_model: str | None = None,
    provider: str | Sequence[str] = "openai",
    ft_provider: str | None = None,
    prompt_tokens: Number | None = None,
    prompt_file: str | Path | None = None,
    cached_tokens: Number = 0,
    output_tokens: Number = 0,
    reasoning_tokens: Number | None = None,
    ft_prompt_tokens: Number | None = None,
    ft_prompt_file: str | Path | None = None,
    ft_cached_tokens: Number = 0,
    ft_output_tokens: Number | None = None,
    method: str = "sft",
    training_tokens: Number | None = None,
    examples: Number | None = None,
    training_file: str | Path | None = None,
    epochs: int | str = "auto",
    rft_hours: Number | None = None,
    training_cost: Number | None = None,
    setup_cost: Number = 0,
    batch: bool = False,
    data_sharing: bool = False,
    cache_hit_rate: Number = 1,
    retrain_every: Number | None = None,
    hosting_hours: Number = 730,
    horizon: int = 12,
    encoding: str | None = None,
    pricing: arguments.Files = (),
    today: date | str | None = None,
) -> EstimateResult | PlaceComparison:
    """`advisor estimate --model M --requests N ...`: each keyword is the flag of the same name (`--ft-model`
    is `ft_model`), with its default and its checks; docs/cost-model.md has every formula. One provider gives
    an EstimateResult; several, or `provider="all"`, a PlaceComparison of the places that can train it."""
    from dataclasses import replace

    from advisor.costs.estimate import estimate as run_estimate
    from advisor.costs.inputs import EstimateArgs, build_request, compared_providers, place_requests
    from advisor.plugins import catalog_with_plugins

    providers = arguments.names(provider)
    if not providers:
        raise arguments.refused("provider", "name a provider, several, or all")
    count, amount = arguments.count, arguments.amount
    some_count, some_amount = arguments.optional_count, arguments.optional_amount
    # every value checked, in the flags' order, before any price table is read
    args = EstimateArgs(
        model=model,
        ft_model=ft_model,
        provider=providers[0],
        ft_provider=ft_provider,
        requests=count("requests", requests),
        prompt_tokens=some_count("prompt_tokens", prompt_tokens, allow_zero=True),
        prompt_file=_path(prompt_file),
        cached_tokens=count("cached_tokens", cached_tokens, allow_zero=True),
        output_tokens=count("output_tokens", output_tokens, allow_zero=True),
        reasoning_tokens=some_count("reasoning_tokens", reasoning_tokens, allow_zero=True),
        ft_prompt_tokens=some_count("ft_prompt_tokens", ft_prompt_tokens, allow_zero=True),
        ft_prompt_file=_path(ft_prompt_file),
        ft_cached_tokens=count("ft_cached_tokens", ft_cached_tokens, allow_zero=True),
        ft_output_tokens=some_count("ft_output_tokens", ft_output_tokens, allow_zero=True),
        method=arguments.method("method", method),
        training_tokens=some_count("training_tokens", training_tokens),
        examples=some_count("examples", examples),
        training_file=_path(training_file),
        epochs=arguments.epochs("epochs", epochs),
        rft_hours=some_amount("rft_hours", rft_hours, positive=True),
        training_cost=some_amount("training_cost", training_cost),
        setup_cost=amount("setup_cost", setup_cost),
        batch=batch,
        data_sharing=data_sharing,
        cache_hit_rate=amount("cache_hit_rate", cache_hit_rate),
        retrain_every=some_amount("retrain_every", retrain_every, positive=True),
        hosting_hours=amount("hosting_hours", hosting_hours),
        horizon=arguments.whole_in("horizon", horizon, 1, 120),
        encoding=encoding,
        today=arguments.day("today", today),
    )
    catalog = catalog_with_plugins(arguments.files(pricing), args.today)
    if ft_model is not None and ft_provider is not None:
        args = replace(args, ft_model=_sized(ft_model, ft_provider, catalog))
    compared = compared_providers(providers, catalog, model)
    if compared is None:
        return EstimateResult(run_estimate(build_request(args, catalog, _count), catalog))
    from advisor.costs.places import estimate_places

    args = replace(args, provider=compared.today)
    request = build_request(args, catalog, _count)
    # each place's files counted as its row counts
    request_for = place_requests(args, catalog, request, _count)
    return PlaceComparison(tuple(estimate_places(request, catalog, compared.places, request_for)))


def _path(value: str | Path | None) -> str | None:
    return None if value is None else str(value)


def _sized(ft_model: str, ft_provider: str, catalog: Catalog) -> str:
    """The row `ft_model` is priced as: its own, or, for a provider that prices models by their size
    (own GPUs: `SizesModels`) and a model its table does not list, the size bracket, said on stderr."""
    if catalog.find_optional(ft_model, ft_provider) is not None:
        return ft_model
    from advisor.errors import UserError
    from advisor.plugins import load_plugins
    from advisor.providers.base import SizesModels
    from advisor.render.console import line

    found = load_plugins().providers.get(ft_provider)
    if found is None or not isinstance(found[0], SizesModels):
        return ft_model  # the estimate says it is unknown, with its hint
    try:
        row, why = found[0].size_bracket(ft_model, {})
    except UserError as exc:
        # the estimate takes no --set: it names the row itself
        exc.hint = f"price it as a row of its size: --ft-model ROW (`advisor pricing list` lists {ft_provider}'s)"
        raise
    line(f"note: {ft_model} is priced as {ft_provider}:{row} ({why})", err=True)
    return row


def _count(path: str, method: Method, counting: str) -> Sequence[int]:
    """`--training-file`, counted by the dataset scan (loaded only when a file is given)."""
    from advisor.datasets.training_file import counted_examples

    return counted_examples(path, method, counting)
