"""What a provider plugin implements, and the values it exchanges with advisor.

A provider launches fine-tuning jobs on one service. advisor does the rest the same way for every
provider: the dataset check, the price-table and date checks, the cost estimate, the confirmation, the
ledger that never loses or duplicates a job, retries of reads, and never retrying a job creation blindly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from advisor.errors import JobCreateUnknown, ProviderError
from advisor.methods import Method

__all__ = [
    "FINISHED",
    "Credential",
    "DeclaresCredentials",
    "GpuPrice",
    "Job",
    "JobCreateUnknown",
    "JobEvent",
    "JobRequest",
    "PricesGpus",
    "Provider",
    "ProviderError",
    "Quote",
    "Quotes",
    "SizesModels",
    "Status",
    "TakesSettings",
    "Upload",
]

# advisor's statuses; a provider maps its own onto these (and keeps the original, since statuses are open-ended)
# The most GPUs per node and nodes a launch may ask for (`--gpus`, `--nodes`, or `--set`): a provider makes a
# config file and a command for every node, so an absurd count would hang the dry run. 16 GPUs is the most
# one server holds (NVIDIA DGX-2 and HGX-2: 16; HGX/DGX H100 and B200: 8); 1,024 nodes of 16 is 16,384 GPUs,
# beyond any fine-tuning run advisor prices. A policy, not a provider's figure.
MAX_GPUS_PER_NODE = 16
MAX_NODES = 1024

Status = Literal["validating", "queued", "running", "paused", "succeeded", "failed", "cancelled", "unknown"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True)
class Credential:
    """A setting a provider reads from the environment. advisor says whether it is set, never its value."""

    name: str  # the environment variable, e.g. "OPENAI_API_KEY"
    purpose: str
    required: bool = True
    secret: bool = True  # a non-secret setting (an endpoint, an API version) may be shown


@dataclass(frozen=True)
class Upload:
    """A file to upload: `name` is unique to the run, so a lost response can be recovered by it."""

    role: Literal["training", "validation"]
    path: Path
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class JobRequest:
    """Everything a provider needs to create the job (file ids are filled in after upload)."""

    run_id: str
    method: Method
    model: str
    training_file: str
    validation_file: str | None = None
    grader: dict[str, Any] | None = None
    suffix: str | None = None
    epochs: int | Literal["auto"] = "auto"
    seed: int | None = None
    # provider settings the user chose (training_type, tier, gpus, nodes, or `--set KEY=VALUE`); only
    # names the provider declares in its `settings` reach it
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """A job as a provider reports it."""

    id: str
    status: Status
    provider_status: str
    model: str
    run_id: str | None = None
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    created_at: int | None = None
    finished_at: int | None = None
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Quote:
    """The provider's own price estimate for a job, asked after the files are uploaded and before the user
    confirms (the `Quotes` capability). `allowed` False means the provider would refuse or cancel
    the job (insufficient credit, a file its check refused): advisor then creates nothing."""

    usd: Decimal | None  # None: the provider gave no price (say why in `note`)
    allowed: bool = True
    note: str | None = None  # what the figure covers, or why there is none / why the job may not proceed
    train_tokens: int | None = None  # billed training tokens the provider counted (all epochs)
    eval_tokens: int | None = None
    limit_usd: Decimal | None = None  # the account's credit limit, where the provider says


@dataclass(frozen=True)
class JobEvent:
    created_at: int
    level: str
    message: str


@runtime_checkable
class Provider(Protocol):
    """The interface of a provider plugin (docs/plugins.md walks through writing one). Optional features are
    capabilities of their own, each a Protocol a provider implements as well as this one and advisor asks
    for with `isinstance`: `DeclaresCredentials`, `TakesSettings`, `Quotes`, `ScoresRftItself` (here), `Downloads`
    (providers/download.py), `Deploys` (providers/deploy.py), `ReadsModelFacts` (providers/lifecycle.py).
    `SDKProvider` (providers/sdk.py) is a base class for a provider built on its service's SDK."""

    # read-only members (a class attribute `methods = ("sft", "dpo")` is one)
    @property
    def name(self) -> str:
        """The price-table provider whose prices, models and dates apply, e.g. "openai"."""

    @property
    def methods(self) -> tuple[Method, ...]:
        """What this plugin can launch; the models come from the price tables."""

    def request_preview(self, uploads: list[Upload], request: JobRequest) -> list[str]:
        """The exact requests a launch would send, for --dry-run (no credentials needed)."""

    def preflight(self, request: JobRequest, uploads: list[Upload]) -> list[str]:
        """The provider's own rules, beyond advisor's dataset check and cost estimate (file size, suffix
        length ...): the problems that must stop the launch, or []."""

    def upload(self, upload: Upload) -> str:
        """Upload a training or validation file; return the provider's file id."""

    def find_upload(self, upload: Upload) -> str | None:
        """The id of a file uploaded earlier under `upload.name`, if any (recovery after a lost response)."""

    def create_job(self, request: JobRequest) -> Job:
        """Create the job, tagged with `request.run_id`. Never retries: raise JobCreateUnknown when unsure."""

    def find_job(self, run_id: str) -> Job | None:
        """The job tagged with `run_id`, if the provider has one."""

    def get_job(self, job_id: str) -> Job:
        """The job's current state (reads may be retried)."""

    def list_events(self, job_id: str) -> list[JobEvent]:
        """The job's events, oldest first."""

    def cancel_job(self, job_id: str) -> Job:
        """Cancel the job."""

    def map_status(self, provider_status: str) -> Status:
        """advisor's status for one of the provider's (unknown ones map to "unknown")."""


@runtime_checkable
class DeclaresCredentials(Protocol):
    """A provider that names the environment variables it reads: `advisor providers` shows which required
    ones are not set (never their values), and a launch that fails before sending says which is missing."""

    @property
    def credentials(self) -> tuple[Credential, ...]: ...


@runtime_checkable
class TakesSettings(Protocol):
    """A provider that accepts launch settings (name -> what it does): training_type, tier, gpus, nodes,
    price_as, or its own given with `advisor launch --set NAME=VALUE`. Only declared names reach it."""

    @property
    def settings(self) -> Mapping[str, str]: ...


@runtime_checkable
class SizesModels(Protocol):
    """A provider whose cost depends on a model's size, not its name (own GPUs): a model its tables do not
    list is priced as the row of its size (the `price_as` setting, filled in), with why in the estimate."""

    def size_bracket(self, model: str, settings: Mapping[str, Any]) -> tuple[str, str]:
        """(the row to price `model` as, why: `the 8B bracket for a 8B model: 8B read from the id`); a
        UserError naming the setting that gives the size when it cannot be told."""
        ...


@dataclass(frozen=True)
class GpuPrice:
    """A GPU-hour price read where the job will run (a scheduler's own catalog), for one launch's estimate: it
    stands for the price table's [gpus] row `gpu`, and says where it was read and when."""

    gpu: str  # the [gpus] row it stands for, e.g. "H100" or "H100-spot"
    per_hour: Decimal
    source: str  # where it was read: the file or page, and what in it
    as_of: date  # when that source was written or fetched


@runtime_checkable
class PricesGpus(Protocol):
    """A provider that can read the GPU prices of where a job will run (own GPUs through SkyPilot: its catalog):
    the launch's estimate prices those rows with them, through the same cost path, and says so."""

    def gpu_prices(self, gpus: Sequence[str], settings: Mapping[str, Any]) -> list[GpuPrice]:
        """Prices for any of the [gpus] rows `gpus` the estimate uses (none: the table's stand), for a launch
        with these settings. Never raises for a price it cannot read: it returns fewer."""
        ...


@runtime_checkable
class Quotes(Protocol):
    """A provider that prices a job itself: its files are uploaded before the confirmation, which then shows
    its quote beside advisor's estimate; a quote that is not `allowed` stops the launch."""

    def quote_job(self, request: JobRequest) -> Quote:
        """The provider's own price estimate for the job (files uploaded, ids in the request)."""


@runtime_checkable
class ScoresRftItself(Protocol):
    """A provider whose RFT is scored by a resource of its own (Fireworks' evaluator), not by a grader file:
    an RFT launch there needs no --grader; `rft_scorer` is the launch setting that names the scorer, which
    the provider's own pre-flight checks."""

    @property
    def rft_scorer(self) -> str: ...


def settings_of(provider: Provider) -> dict[str, str]:
    """The launch settings a provider accepts (none unless it `TakesSettings`)."""
    return dict(provider.settings or {}) if isinstance(provider, TakesSettings) else {}


def quoter_of(provider: Provider) -> Callable[[JobRequest], Quote] | None:
    """The provider's `quote_job`, or None for a provider that cannot estimate a job's price itself (a class
    that sets `quote_job = None` opts out of a base class's)."""
    return provider.quote_job if isinstance(provider, Quotes) else None


def gpu_pricer_of(provider: Provider) -> Callable[[Sequence[str], Mapping[str, Any]], list[GpuPrice]] | None:
    """The provider's `gpu_prices`, or None for one that reads no GPU prices of its own."""
    return provider.gpu_prices if isinstance(provider, PricesGpus) else None


def credentials_of(provider: Provider) -> tuple[Credential, ...]:
    """The credentials a provider declares (none unless it `DeclaresCredentials`)."""
    return tuple(provider.credentials or ()) if isinstance(provider, DeclaresCredentials) else ()
