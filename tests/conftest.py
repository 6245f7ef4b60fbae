"""Shared fixtures. No test reaches the internet: any connection off the loopback is refused."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.pricing.catalog import Catalog, load_catalog

from .fake_azure import FakeAzure
from .fake_azure import serve as serve_azure
from .fake_openai import FakeOpenAI, serve
from .fake_together import FakeTogether
from .fake_together import serve as serve_together
from .fast_paths import FastPathTally

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 22)

_real_connect = socket.socket.connect


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="write tests/snapshots/ from this run's output instead of comparing with it (review the diff)",
    )


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"test tried to reach the network: {address!r}")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets an empty per-user config folder, so a developer's own tables never leak in."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets an empty cache folder (prompt-file token counts), so no count leaks between tests."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def isolated_jobs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own job ledger, no provider credentials, and plugins loaded afresh."""
    from advisor.plugins import load_plugins
    from advisor.pricing.model_ids import set_model_id_formats
    from advisor.tokens.tokenizer import set_plugin_tokenizers

    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(folder))
    for name in (
        "COLUMNS",  # piped output is 80 columns unless a test asks otherwise (wide_output)
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "ADVISOR_LOAD_PLUGINS",
        "ADVISOR_OPENAI_TIMEOUT",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_AD_TOKEN",
        "OPENAI_API_VERSION",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_RESOURCE_GROUP",
        "AZURE_OPENAI_RESOURCE",
        "ADVISOR_AZURE_TIMEOUT",
        "ADVISOR_AZURE_FILE_WAIT",
        "TOGETHER_API_KEY",
        "TOGETHER_BASE_URL",
        "TOGETHER_PROJECT_ID",
        "TOGETHER_CUSTOM_HEADERS",
        "ADVISOR_TOGETHER_TIMEOUT",
        "ADVISOR_TOGETHER_FILE_CHECK_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    load_plugins.cache_clear()
    set_plugin_tokenizers([])  # a tokenizer a plugin registered lives until plugins load again
    set_model_id_formats(None)  # so does a model-id format: back to advisor's own
    yield folder
    load_plugins.cache_clear()
    set_plugin_tokenizers([])
    set_model_id_formats(None)
    os.environ.pop("ADVISOR_QUIET", None)  # `advisor --quiet` in-process sets it for the rest of the process


@pytest.fixture
def fast_path() -> FastPathTally:
    """A count of the examples a fast path took, over a whole property test's run (so the test's settings
    suppress HealthCheck.function_scoped_fixture: the one tally is meant to span every generated input)."""
    return FastPathTally()


_FAST_PATH_COUNTS: list[tuple[str, FastPathTally]] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that passed with a `fast_path` tally fails when its fast path took too few examples."""
    result = yield  # re-raises the test's own failure, if any
    tally = getattr(item, "funcargs", {}).get("fast_path")
    if isinstance(tally, FastPathTally):
        _FAST_PATH_COUNTS.append((item.nodeid, tally))
        if (shortfall := tally.shortfall()) is not None:
            pytest.fail(f"the test proves too little: {shortfall}", pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many generated examples each fast-path test's path took (tests/fast_paths.py)."""
    if _FAST_PATH_COUNTS:
        terminalreporter.section("fast paths taken")
        for nodeid, tally in _FAST_PATH_COUNTS:
            terminalreporter.line(f"{nodeid}: {tally}")


@pytest.fixture
def wide_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped output 200 columns wide (`$COLUMNS`), for tests that read whole rows of a table; without it a
    pipe gets 80 columns and long cells fold (tests/test_terminal_width.py)."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def openai_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A loopback fake OpenAI server; the real SDK reaches it through OPENAI_BASE_URL."""
    key = f"sk-test-{uuid.uuid4().hex}"
    _, api = serve(key)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)
    yield api
    api.stop()


@pytest.fixture
def azure_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAzure]:
    """A loopback fake Azure OpenAI resource (both API shapes); the real SDK reaches it through
    AZURE_OPENAI_ENDPOINT, on the v1 paths unless a test sets OPENAI_API_VERSION to a dated version."""
    key = uuid.uuid4().hex + uuid.uuid4().hex  # Azure keys are 32 or more hex digits
    api = serve_azure(key)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", key)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", api.endpoint)
    yield api
    api.stop()


@pytest.fixture
def together_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTogether]:
    """A loopback fake Together server; the real together SDK reaches it through TOGETHER_BASE_URL."""
    key = f"tgp_v1_test-{uuid.uuid4().hex}"
    api = serve_together(key)
    monkeypatch.setenv("TOGETHER_API_KEY", key)
    monkeypatch.setenv("TOGETHER_BASE_URL", api.base_url)
    yield api
    api.stop()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(include_user=False)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def advisor(capsys: pytest.CaptureFixture[str]):
    """Run the real CLI entry point in-process: `advisor("estimate", "--model", ...)`."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# A user table with one model at $15 per 1M tokens for every kind (issue 2's worked case).
FLAT_15 = """\
provider = "acme"
currency = "USD"
as_of = 2026-11-01
source = "https://example.com/acme-prices"

[models.flat15]
input = 15
cached_input = 15
output = 15
batch_input = 15
batch_output = 15

[models.flat15.fine_tuning]
methods = ["sft", "dpo"]
training = 15
input = 15
cached_input = 15
output = 15
"""


@pytest.fixture
def flat15(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(FLAT_15)
    return path
