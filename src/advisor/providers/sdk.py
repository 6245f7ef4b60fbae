"""A base class for a provider that talks to its service through the service's own Python SDK (the openai and
together SDKs, and any SDK generated the same way, with `with_options(max_retries=...)` and the error classes
RateLimitError, AuthenticationError, APIStatusError ...).

What every such provider must do the same way lives here, once: the client built from the environment (the
key, a timeout from ADVISOR_<SERVICE>_TIMEOUT, the SDK's own retries of reads), sending a request that must
not be carried out twice (retries off; only a 429, which says nothing was done, is sent again), an upload or
a job whose answer was lost recovered by its name or run id rather than sent a second time (so the ledger
never gets two jobs for one launch), SDK errors turned into one-line ProviderErrors a person can act on with
the key redacted, and the service's statuses mapped onto advisor's. A subclass names its service in class
attributes, builds its client, and writes the requests; the hooks marked "a subclass may override" are
where services differ (the OpenAI, Azure OpenAI and Together plugins show each).
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from advisor.errors import JobCreateUnknown, ProviderError, UserError
from advisor.methods import Method
from advisor.parsing.environment import seconds_from_env
from advisor.providers.base import Credential, Status, Upload
from advisor.providers.retry import send_once

READ_RETRIES = 4  # the SDK's own retries of a read (429 honouring Retry-After, 5xx, connection errors)
LIST_RETRIES = 2  # a model list (advisor pricing refresh): a refresh that fails changes nothing
DEFAULT_TIMEOUT = 60.0  # seconds for one request, unless the service's timeout variable says otherwise
LONGEST_TIMEOUT = 3600.0
T = TypeVar("T")


@cache
def _client_for(kind: type[SDKProvider], settings: tuple[Hashable, ...]) -> Any:
    """One SDK client per provider class and settings (key, endpoint, timeout ...), made on first use."""
    return kind.new_client(*settings)


def typed(data: Mapping[str, Any], name: str, kind: type[T]) -> T | None:
    """`data[name]` when it is a `kind` (a bool is not an int), else None: a field of an unexpected type in a
    service's answer counts as missing rather than failing the command."""
    value = data.get(name)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


class SDKProvider(ABC):
    """The shared plumbing of a provider built on its service's SDK (see the module's docstring)."""

    name: str
    methods: tuple[Method, ...]
    credentials: tuple[Credential, ...] = ()
    label: ClassVar[str]  # the service, as messages name it: "OpenAI"
    key_variable: ClassVar[str]  # the API key's environment variable, redacted from every text
    timeout_variable: ClassVar[str]  # seconds for one request, more than 0, at most an hour
    statuses: ClassVar[Mapping[str, Status]]  # the service's statuses on advisor's; others are "unknown"
    key_refused_because: ClassVar[str]  # why a 401 or 403 may happen, as the service documents it
    key_check: ClassVar[str]  # what to check besides the key: "the project's permissions"
    # errors already in words, returned as they are (of ProviderError and UserError)
    passed_through: ClassVar[tuple[type[Exception], ...]] = (UserError,)
    one_line: ClassVar[bool] = False  # texts from the service are put on one line when redacted

    # --- what a subclass supplies -----------------------------------------------------------------

    @abstractmethod
    def sdk(self) -> ModuleType:
        """The SDK's module, imported when first needed (never at start-up): `import openai; return openai`."""

    @classmethod
    @abstractmethod
    def new_client(cls, *settings: Any) -> Any:
        """A new SDK client for `client_settings()`, with READ_RETRIES retries of reads and the timeout."""

    @abstractmethod
    def client_settings(self) -> tuple[Hashable, ...]:
        """What the client is made from, read from the environment now (a missing key is a ProviderError)."""

    # --- the environment --------------------------------------------------------------------------

    def api_key(self) -> str:
        key = os.environ.get(self.key_variable, "")
        if not key:
            raise ProviderError(
                f"no {self.label} API key: set {self.key_variable}",
                final=True,
                hint="--dry-run shows the requests without a key",
            )
        return key

    def timeout(self) -> float:
        """Seconds for one request; a bad value is a UserError before anything is sent."""
        return seconds_from_env(self.timeout_variable, DEFAULT_TIMEOUT, most=LONGEST_TIMEOUT, positive=True)

    def check_environment(self) -> None:
        """Read the numbers this provider takes from the environment, so a bad one stops a launch before any
        request (a subclass with more extends it)."""
        self.timeout()

    @property
    def _client(self) -> Any:
        """The SDK client for the current environment."""
        return _client_for(type(self), self.client_settings())

    # --- sending ----------------------------------------------------------------------------------

    def _once(self, send: Callable[[Any], T]) -> T:
        """Send a request that must not be carried out twice: the SDK's retries are off, and only a 429 (which
        says nothing was done) is sent again, after the wait the server asks for."""
        client = self._client.with_options(max_retries=0)
        return send_once(lambda: send(client), self.sdk().RateLimitError, self._waiting_cannot_help)

    def _waiting_cannot_help(self, exc: Exception) -> bool:
        """Whether a 429 is final (a used-up quota) rather than a wait. A subclass may override."""
        return False

    def _read(self, doing: str, send: Callable[[Any], T], *, retries: int | None = None) -> T:
        """A read, retried by the SDK (`retries` times instead of its usual number, when given); its error in
        words."""
        try:
            client = self._client
            return send(client if retries is None else client.with_options(max_retries=retries))
        except Exception as exc:
            raise self._error(exc, doing) from None

    def _upload_or_find(self, upload: Upload, send: Callable[[], str]) -> str:
        """Upload with `send` (which returns the file's id); when the answer may have been lost, look for the
        file under its run-unique name before sending it once more, so a file is never uploaded twice."""
        for attempt in (1, 2):
            try:
                return send()
            except Exception as exc:
                if not self._unsure(exc):
                    raise self._error(exc, f"upload {upload.path}") from None
                found = self.find_upload(upload)
                if found:
                    return found
                if attempt == 2:
                    raise self._error(exc, f"upload {upload.path}") from None
        raise AssertionError("unreachable")

    @abstractmethod
    def find_upload(self, upload: Upload) -> str | None:
        """The id of a file uploaded earlier under `upload.name` (the Provider interface)."""

    def _create_once(self, send: Callable[[Any], T]) -> T:
        """Send the create request once (`_once`). An answer that was lost when the job may exist is
        JobCreateUnknown: advisor then finds the job by its run id (the ledger keeps the launch) instead of
        creating a second one. Anything else is the error in words."""
        try:
            return self._once(send)
        except Exception as exc:
            if self._unsure(exc):
                raise JobCreateUnknown(self._redact(f"{type(exc).__name__}: {self._unsure_text(exc)}")) from None
            raise self._error(exc, "create the fine-tuning job") from None

    def _unsure(self, exc: Exception) -> bool:
        """May the request have reached the service and been carried out? A subclass may extend it."""
        sdk = self.sdk()
        return isinstance(
            exc,
            sdk.APIConnectionError | sdk.InternalServerError | sdk.APIResponseValidationError | json.JSONDecodeError,
        ) or (isinstance(exc, sdk.APIStatusError) and exc.status_code >= 500)

    def _unsure_text(self, exc: Exception) -> str:
        """What a lost answer's exception says (redacted afterwards). A subclass may override."""
        return str(exc)

    # --- errors in words --------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        """The text without the API key (and on one line, for a service whose texts span lines)."""
        key = os.environ.get(self.key_variable, "")
        if self.one_line:
            text = " ".join(text.split())
        return text.replace(key, "[API key]") if key else text

    def _error_text(self, exc: Exception) -> str:
        """What an exception says, redacted. A subclass may override (the service's own message)."""
        return self._redact(str(exc))

    def _error(self, exc: Exception, doing: str) -> ProviderError | UserError:
        """A provider error a person can act on, without the key in it: the service's own refusals first,
        then a refused key or request, a rate limit, a failing service, else the network."""
        if isinstance(exc, ProviderError | UserError) and isinstance(exc, self.passed_through):
            return exc
        message = self._error_text(exc)
        for special in (self._service_error, self._refused):
            found = special(exc, doing, message)
            if found is not None:
                return found
        if isinstance(exc, self.sdk().RateLimitError):
            return ProviderError(f"{self.label} is rate limiting (429) while trying to {doing}", hint="try again later")
        failed = self._failed(exc, doing, message)
        if failed is not None:
            return failed
        return ProviderError(f"could not {doing}: {message}", hint="check the network and try again")

    def _service_error(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """The service's own refusals (a used-up quota, an account that may not train), else None. A subclass
        may override."""
        return None

    def _refused(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """A refused key (401, 403) or request (`_rejects`), else None. A subclass may override."""
        sdk = self.sdk()
        if isinstance(exc, sdk.AuthenticationError | sdk.PermissionDeniedError):
            status = exc.status_code
            return ProviderError(
                f"{self.label} refused the API key while trying to {doing} ({status}): {self.key_refused_because}",
                final=True,
                hint=f"check {self.key_variable} and {self.key_check} (the key is not shown)",
                code=str(status),
            )
        if self._rejects(exc):
            return self._rejected(exc, doing, message)
        return None

    def _rejects(self, exc: Exception) -> bool:
        """Whether the service refused the request itself (400, 404, 422), which retrying cannot change. A
        subclass may override."""
        sdk = self.sdk()
        return isinstance(exc, sdk.BadRequestError | sdk.NotFoundError | sdk.UnprocessableEntityError)

    def _rejected(self, exc: Any, doing: str, message: str) -> ProviderError:
        return ProviderError(
            f"{self.label} rejected the request to {doing}: {message}", final=True, code=str(exc.status_code)
        )

    def _failed(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """A failing service or network, when there is more to say than "could not": None here. A subclass may
        override."""
        return None

    # --- statuses ---------------------------------------------------------------------------------

    def map_status(self, provider_status: str) -> Status:
        return self.statuses.get(provider_status, "unknown")
