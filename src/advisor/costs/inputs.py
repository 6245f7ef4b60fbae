"""From what a user gives (flags, or the same keys in Python) to an EstimateRequest: checks the
combinations, counts tokens in real files and notes how each figure was counted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from advisor.costs.estimate import HOURS_PER_MONTH, Assumption, EstimateRequest
from advisor.costs.figures import tokens
from advisor.costs.training import billed_tokens_per_epoch
from advisor.errors import UserError
from advisor.methods import Method
from advisor.parsing.constraints import OutOfRange
from advisor.pricing.catalog import Catalog, ModelMatch

if TYPE_CHECKING:
    from advisor.pricing.row_counting import RowCounting

# the tokens of each valid example of a training file (path, method, counting name), counted as `advisor dataset
# check` counts them and refusing a file with errors: advisor.datasets.training_file.counted_examples, which
# the command line passes in (datasets sit above costs: costs never import them)
ExampleCounter = Callable[[str, Method, str], Sequence[int]]

# EstimateRequest fields whose option has another name
_FLAGS = {
    "requests_per_month": "requests",
    "horizon_months": "horizon",
    "retrain_every_months": "retrain_every",
    "hosting_hours_per_month": "hosting_hours",
    "quoted_training_usd": "training_cost",
    "setup_usd": "setup_cost",
}


@dataclass(kw_only=True)
class EstimateArgs:
    """The `advisor estimate` options, by name, as the command line typed them; files are paths,
    counted by build_request."""

    model: str
    ft_model: str | None = None
    provider: str = "openai"
    ft_provider: str | None = None
    requests: int
    prompt_tokens: int | None = None
    prompt_file: str | None = None
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int | None = None
    ft_prompt_tokens: int | None = None
    ft_prompt_file: str | None = None
    ft_cached_tokens: int = 0
    ft_output_tokens: int | None = None
    method: Method = "sft"
    training_tokens: int | None = None
    examples: int | None = None
    training_file: str | None = None
    epochs: int | Literal["auto"] = "auto"
    rft_hours: Decimal | None = None
    training_cost: Decimal | None = None
    setup_cost: Decimal = Decimal(0)
    batch: bool = False
    data_sharing: bool = False
    cache_hit_rate: Decimal = Decimal(1)
    retrain_every: Decimal | None = None
    hosting_hours: Decimal = HOURS_PER_MONTH
    horizon: int = 12
    encoding: str | None = None  # a counting name (advisor.tokens.chat_format), for models no row names
    today: date


def _exclusive(args: EstimateArgs, *names: str) -> None:
    given = [name for name in names if getattr(args, name) is not None]
    if len(given) > 1:
        flags = " and ".join("--" + name.replace("_", "-") for name in given)
        raise UserError(f"{flags} cannot be used together", hint="give one of them")


@dataclass(frozen=True)
class Compared:
    """Where today's model is priced, and the places its fine-tune is compared at."""

    today: str
    places: tuple[str, ...]


def compared_providers(given: Sequence[str], catalog: Catalog, model: str) -> Compared | None:
    """None for one provider (a plain estimate); else the places to compare: every table for `all`.
    Today's model is priced at the first of them that prices it (openai first when it is among them)."""
    unknown = [name for name in given if name != "all" and name not in catalog.providers]  # beside `all` too
    if unknown:
        raise UserError(
            f"no price table for provider {unknown[0]!r}",
            hint=f"known providers: {', '.join(catalog.providers)}, or all",
        )
    if len(given) == 1 and given[0] != "all":
        return None
    places = tuple(catalog.providers) if "all" in given else tuple(dict.fromkeys(given))
    order = sorted(places, key=lambda name: name != "openai")
    today_provider = next((name for name in order if catalog.find_optional(model, name)), order[0])
    return Compared(today_provider, places)


def build_request(
    args: EstimateArgs, catalog: Catalog, count_examples: ExampleCounter | None = None
) -> EstimateRequest:
    """Check the combinations, count the files, and say how every token figure was reached. A training
    file is counted by `count_examples` (needed only with one)."""
    _exclusive(args, "prompt_tokens", "prompt_file")
    _exclusive(args, "ft_prompt_tokens", "ft_prompt_file")
    _exclusive(args, "training_tokens", "training_file")
    _exclusive(args, "examples", "training_file")
    if not 0 <= args.cache_hit_rate <= 1:
        raise UserError("--cache-hit-rate must be between 0 and 1", hint="e.g. 0.9 for 90%")
    ft_model = args.ft_model or args.model
    ft_provider = args.ft_provider or args.provider
    notes: list[Assumption] = []

    prompt: Decimal | int | None = args.prompt_tokens
    if args.prompt_file:
        prompt, note = prompt_tokens_from_file(args.prompt_file, args.model, catalog, args.encoding, args.provider)
        notes.append(note)
    if prompt is None:
        raise UserError("the prompt size is missing", hint="give --prompt-tokens N or --prompt-file FILE")
    ft_prompt: Decimal | int | None = args.ft_prompt_tokens
    if args.ft_prompt_file:
        ft_prompt, note = prompt_tokens_from_file(args.ft_prompt_file, ft_model, catalog, args.encoding, ft_provider)
        notes.append(note)
    if ft_prompt is None and args.prompt_file and _counts_differently(args, catalog, ft_model, ft_provider):
        ft_prompt, note = prompt_tokens_from_file(args.prompt_file, ft_model, catalog, args.encoding, ft_provider)
        notes.append(
            Assumption(topic="default", text=f"fine-tuned {note.text}: today's prompt (no --ft-prompt-file given)")
        )
    if ft_prompt is None:
        ft_prompt = prompt
        notes.append(
            Assumption(topic="default", text="fine-tuned prompt: same size as today's (no --ft-prompt-tokens given)")
        )
    if args.output_tokens == 0:
        notes.append(Assumption(topic="default", text="output tokens: 0 a request (no --output-tokens given)"))
    training_tokens, examples = args.training_tokens, args.examples
    if args.training_file:
        if count_examples is None:
            raise TypeError("a training file is counted by count_examples: pass it to build_request")
        training_tokens, examples, note = training_tokens_from_file(
            args.training_file, ft_model, catalog, args.method, ft_provider, args.encoding, counter=count_examples
        )
        notes.append(note)

    try:
        return _request(
            args, ft_model, ft_provider, Decimal(prompt), Decimal(ft_prompt), training_tokens, examples, notes
        )
    except OutOfRange as error:
        flag = "--" + _FLAGS.get(error.field, error.field).replace("_", "-")
        raise UserError(f"{flag}: {error.message}", hint="see `advisor estimate --help`") from None


def _counts_differently(args: EstimateArgs, catalog: Catalog, ft_model: str, ft_provider: str) -> bool:
    """Whether the fine-tuned side's row counts another way than today's (advisor.pricing.row_counting)."""
    from advisor.pricing.catalog import counting_for

    today_counting = counting_for(catalog, args.model, args.provider, args.encoding).name
    return counting_for(catalog, ft_model, ft_provider, args.encoding).name != today_counting


def place_requests(
    args: EstimateArgs, catalog: Catalog, request: EstimateRequest, count_examples: ExampleCounter | None = None
) -> Callable[[ModelMatch], EstimateRequest]:
    """For `advisor estimate` at several places: `request` for each place's row, its files counted again
    where the place's row counts another way (advisor.pricing.row_counting) than the row `request` was counted for."""
    from advisor.pricing.catalog import counting_for

    assert request.ft_model is not None and request.ft_provider is not None
    counted = counting_for(catalog, request.ft_model, request.ft_provider, args.encoding).name
    files = args.ft_prompt_file or args.training_file or args.prompt_file

    def request_for(match: ModelMatch) -> EstimateRequest:
        if files and counting_for(catalog, match.name, match.provider, args.encoding).name != counted:
            changed = replace(args, ft_model=match.name, ft_provider=match.provider)
            return build_request(changed, catalog, count_examples)
        return replace(request, ft_model=match.name, ft_provider=match.provider)

    return request_for


def _request(
    args: EstimateArgs,
    ft_model: str,
    ft_provider: str,
    prompt: Decimal,
    ft_prompt: Decimal,
    training_tokens: int | None,
    examples: int | None,
    notes: list[Assumption],
) -> EstimateRequest:
    return EstimateRequest(
        model=args.model,
        ft_model=ft_model,
        provider=args.provider,
        ft_provider=ft_provider,
        requests_per_month=args.requests,
        prompt_tokens=prompt,
        cached_tokens=Decimal(args.cached_tokens),
        output_tokens=Decimal(args.output_tokens),
        reasoning_tokens=None if args.reasoning_tokens is None else Decimal(args.reasoning_tokens),
        ft_prompt_tokens=ft_prompt,
        ft_cached_tokens=Decimal(args.ft_cached_tokens),
        ft_output_tokens=None if args.ft_output_tokens is None else Decimal(args.ft_output_tokens),
        method=args.method,
        training_tokens=training_tokens,
        examples=examples,
        epochs=args.epochs,
        rft_hours=args.rft_hours,
        quoted_training_usd=args.training_cost,
        setup_usd=args.setup_cost,
        batch=args.batch,
        data_sharing=args.data_sharing,
        cache_hit_rate=args.cache_hit_rate,
        horizon_months=args.horizon,
        retrain_every_months=args.retrain_every,
        hosting_hours_per_month=args.hosting_hours,
        today=args.today,
        notes=notes,
    )


def prompt_tokens_from_file(
    path: str, model: str, catalog: Catalog, encoding: str | None = None, provider: str | None = None
) -> tuple[Decimal, Assumption]:
    """Mean prompt tokens per request in a text, chat JSON or JSONL file of real prompts, counted as
    `model`'s row at `provider` counts (advisor.pricing.row_counting): its tokenizer and chat format."""
    from advisor.pricing.catalog import counting_for

    return prompt_tokens_counted(path, model, counting_for(catalog, model, provider, encoding))


def prompt_tokens_counted(path: str, model: str, counting: RowCounting) -> tuple[Decimal, Assumption]:
    """prompt_tokens_from_file with the counting chosen: the mean, and a note naming the tokenizer, the
    chat format and whether the count is exact."""
    from advisor.tokens.cache import cached_count  # only with a prompt file: it imports the counting code

    tally = cached_count(path, counting.name)  # a prompt counted before needs no tokenizer
    if tally.kind == "jsonl":
        how = f"mean of {tally.items:,} prompts in {path} ({tally.smallest:,} to {tally.largest:,} tokens)"
    elif tally.kind == "chat":
        how = f"the chat request in {path}"
    else:
        how = f"the text of {path}"
    note = Assumption(
        topic="tokenizer",
        text=f"prompt for {model}: {tokens(tally.mean)} tokens, {how}, counted with {counting.describe()}",
    )
    return tally.mean, note


def training_tokens_from_file(
    path: str,
    ft_model: str,
    catalog: Catalog,
    method: Method,
    provider: str,
    encoding: str | None = None,
    *,
    counter: ExampleCounter,
) -> tuple[int, int, Assumption]:
    """(billed tokens per epoch, examples, note) for a JSONL training file, counted by `counter`
    (the scan of `advisor dataset check`) as `ft_model`'s row at `provider` counts; a file the provider
    would reject is refused there."""
    from advisor.pricing.catalog import counting_for

    counting = counting_for(catalog, ft_model, provider, encoding)
    counts = counter(path, method, counting.name)
    fine_tuning = catalog.find(ft_model, provider).row.fine_tuning
    cap = fine_tuning.max_example_tokens if fine_tuning else None
    tokens, over = billed_tokens_per_epoch(counts, cap)
    text = f"training file {path}: {len(counts):,} examples, {sum(counts):,} tokens counted with {counting.describe()}"
    if method == "dpo":
        text += " (input + preferred + non-preferred per example)"
    if over:
        text += f"; {over:,} over the {cap:,}-token limit are truncated to it, so {tokens:,} are billed per epoch"
    return tokens, len(counts), Assumption(topic="tokenizer", text=text)
