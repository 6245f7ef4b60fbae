"""The public plugin API: `advisor.plugin_api` is the only advisor module a plugin imports, its names are all
there and documented, optional features are capabilities asked with isinstance, and a new provider (its
provider, price table and model-id format) needs no edit in advisor: it is found through the hooks alone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import advisor.plugin_api as api
from advisor.errors import UserError
from advisor.providers.base import (
    Credential,
    JobRequest,
    Quote,
    credentials_of,
    quoter_of,
    settings_of,
)
from advisor.providers.download import Download, Downloads, download

from .conftest import ROOT
from .test_architecture import Import, imports_in, within
from .test_plugins import install_fake_plugin

PLUGINS = ROOT / "plugins"
PLUGINS_DOC = (ROOT / "docs" / "plugins.md").read_text()


# --- only advisor.plugin_api ----------------------------------------------------------------------------


def plugin_module(path: Path) -> tuple[str, bool]:
    """The module name of a file under plugins/<distribution>/src/, and whether it is a package."""
    source_root = next(parent for parent in path.parents if parent.name == "src")
    parts = path.relative_to(source_root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path.name == "__init__.py"


def plugin_imports() -> list[Import]:
    found = []
    for path in sorted(PLUGINS.glob("*/src/**/*.py")):
        module, package = plugin_module(path)
        found += imports_in(path.read_text(encoding="utf-8"), module, path, package)
    return found


def outside_the_api(imports: list[Import]) -> list[str]:
    """Imports of an advisor module other than advisor.plugin_api (`from advisor.plugin_api import X` only)."""
    return [
        str(found)
        for found in imports
        if within(found.target, ("advisor",)) and not within(found.target, ("advisor.plugin_api",))
    ]


class TestPluginsImportOnlyThePluginApi:
    def test_every_plugin_module_imports_advisor_through_the_api_alone(self) -> None:
        imports = plugin_imports()
        assert len({found.path for found in imports}) >= 15, "the plugins' modules were not found"
        assert any(found.target == "advisor.plugin_api" for found in imports)
        found = outside_the_api(imports)
        assert not found, "plugins import advisor modules other than advisor.plugin_api:\n" + "\n".join(found)

    def test_an_import_of_another_advisor_module_is_seen_wherever_it_stands(self) -> None:
        bad = """
from typing import TYPE_CHECKING
from advisor.plugin_api import Job, hookimpl
if TYPE_CHECKING:
    from advisor.providers.base import Provider
def later():
    import advisor.errors
    from advisor import safe_text
    from advisor.plugin_api import Upload
"""
        path = PLUGINS / "advisor-acme" / "src" / "advisor_acme" / "provider.py"
        found = outside_the_api(imports_in(bad, "advisor_acme.provider", path))
        assert [line.split(" imports ")[1] for line in found] == [
            "advisor.providers.base",
            "advisor.providers.base.Provider",
            "advisor.errors",
            "advisor",
            "advisor.safe_text",
        ]


# --- what the API holds -----------------------------------------------------------------------------------


class TestTheApi:
    def test_every_name_resolves_to_the_object_advisor_uses(self) -> None:
        from advisor.hookspecs import hookimpl
        from advisor.providers.sdk import SDKProvider

        assert len(api.__all__) > 30
        for name in api.__all__:
            assert getattr(api, name) is not None, name
        assert api.hookimpl is hookimpl and api.SDKProvider is SDKProvider and api.Download is Download
        assert set(dir(api)) == set(api.__all__)

    def test_a_name_outside_the_api_is_an_attribute_error_that_points_to_the_docs(self) -> None:
        with pytest.raises(AttributeError, match=r"no attribute 'load_plugins' \(docs/plugins.md"):
            api.load_plugins  # noqa: B018

    def test_every_name_is_documented(self) -> None:
        table = PLUGINS_DOC.split("## 9. The plugin API, name by name")[1]
        named = set(re.findall(r"`(\w+)`", "\n".join(line.split(" | ")[0] for line in table.splitlines())))
        assert sorted(set(api.__all__) - named) == []
        assert sorted(named - set(api.__all__)) == []  # and nothing there that is not in it

    def test_importing_it_loads_none_of_what_it_names(self) -> None:
        """Plugins import it when an estimate loads them: it must cost pluggy's marker, not the providers."""
        script = (
            "import json, sys, advisor.plugin_api; print(json.dumps(sorted(m for m in sys.modules "
            "if m.startswith(('advisor.', 'pydantic', 'openai', 'tiktoken')))))"
        )
        loaded = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).stdout)
        # advisor.recommend is the engines' package alone (a docstring), loaded by `import advisor` so that the
        # name advisor.recommend stays the Python API's function (src/advisor/__init__.py)
        assert loaded == ["advisor.hookspecs", "advisor.plugin_api", "advisor.recommend"]


# --- capabilities, not getattr ----------------------------------------------------------------------------


class Bare:
    """A provider with the required members only."""

    name = "bare"
    methods = ("sft",)


class Capable(Bare):
    credentials = (Credential("BARE_KEY", "the key"),)
    settings = {"tier": "the tier"}  # noqa: RUF012

    def quote_job(self, request: JobRequest) -> Quote:
        return Quote(None, note=f"no price for {request.model}")

    def open_download(self, job_id: str, checkpoint: str | None, offset: int) -> AbstractContextManager[Download]:
        raise NotImplementedError


class OptedOut(Capable):
    quote_job = None  # type: ignore[assignment]
    open_download = None  # type: ignore[assignment]


class TestCapabilities:
    def test_a_provider_without_them_has_none(self, tmp_path: Path) -> None:
        bare = Bare()
        assert (credentials_of(bare), settings_of(bare), quoter_of(bare)) == ((), {}, None)  # type: ignore[arg-type]
        assert not isinstance(bare, Downloads)
        with pytest.raises(UserError, match="the bare provider cannot download weights"):
            download(bare, "job-1", tmp_path)  # type: ignore[arg-type]

    def test_a_provider_with_them_is_asked_through_them(self) -> None:
        capable = Capable()
        assert credentials_of(capable)[0].name == "BARE_KEY"  # type: ignore[arg-type]
        assert settings_of(capable) == {"tier": "the tier"}  # type: ignore[arg-type]
        quote = quoter_of(capable)  # type: ignore[arg-type]
        assert quote is not None and quote(JobRequest("adv-1", "sft", "m", "f")).note == "no price for m"
        assert isinstance(capable, api.Quotes | api.Downloads | api.DeclaresCredentials | api.TakesSettings)
        assert isinstance(capable, Downloads)

    def test_a_subclass_opts_out_of_a_method_by_setting_it_to_none(self) -> None:
        opted = OptedOut()
        assert quoter_of(opted) is None and not isinstance(opted, Downloads)  # type: ignore[arg-type]
        assert settings_of(opted) == {"tier": "the tier"}  # type: ignore[arg-type]


# --- a new provider, with no edit in advisor ------------------------------------------------------------

ACME_TABLE = """\
provider = "acme"
currency = "USD"
as_of = 2026-11-01
source = "https://acme.example/pricing"

[models.acme-small]
encoding = "o200k_base"
input = 1
output = 1

[models.acme-small.fine_tuning]
methods = ["sft"]
training = 2
input = 4
output = 4
"""

ACME_PLUGIN = """
from pathlib import Path

from advisor.plugin_api import Credential, Job, JobEvent, ModelId, ModelIdFormat, hookimpl


def acme_fine_tune(name):
    "`acme-ft:<base>:<job>`, Acme's fine-tuned model ids."
    if not name.startswith("acme-ft:"):
        return None
    _, base, job = (name.split(":") + ["", ""])[:3]
    return ModelId(written=name, base=base, provider_hint="acme", fine_tuned=True, job_id=job or None)


class AcmeProvider:
    name = "acme"
    methods = ("sft",)
    credentials = (Credential("ACME_API_KEY", "the key"),)

    def request_preview(self, uploads, request):
        return [f"POST https://acme.example/jobs  model={request.model}"]

    def preflight(self, request, uploads):
        return []

    def upload(self, upload):
        raise NotImplementedError

    def find_upload(self, upload):
        return None

    def create_job(self, request):
        raise NotImplementedError

    def find_job(self, run_id):
        return None

    def get_job(self, job_id):
        raise NotImplementedError

    def list_events(self, job_id):
        return []

    def cancel_job(self, job_id):
        raise NotImplementedError

    def map_status(self, provider_status):
        return "unknown"


@hookimpl
def advisor_register_providers(register):
    register(AcmeProvider())


@hookimpl
def advisor_register_price_tables(register):
    register(Path(__file__).with_name("acme.toml"))


@hookimpl
def advisor_register_model_ids(register):
    register(ModelIdFormat("acme-fine-tune", "acme", "acme-ft:acme-small:job42", acme_fine_tune, prefixes=("acme/",)))


@hookimpl
def advisor_register_tokenizers(register):
    register(ModelIdFormat("wrong-hook", "acme", "x"))
"""

ESTIMATE = (
    "--provider",
    "acme",
    "--requests",
    "1000",
    "--prompt-tokens",
    "1000",
    "--output-tokens",
    "0",
    "--training-cost",
    "0",
)


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider distribution that exists nowhere in this repository: installed into a temporary folder."""
    (tmp_path / "acme.toml").write_text(ACME_TABLE)
    install_fake_plugin(tmp_path, monkeypatch, "advisor_acme_hooks", ACME_PLUGIN)


@pytest.mark.usefixtures("acme")
class TestANewProviderNeedsNoEditInAdvisor:
    def test_its_fine_tuned_ids_resolve_to_its_own_row_at_fine_tuned_prices(self, advisor) -> None:
        shown = advisor("pricing", "show", "acme-ft:acme-small:job42", "--format", "json", "--today", "2026-11-22")
        assert shown.code == 0, shown.err
        (match,) = json.loads(shown.out)
        assert (match["provider"], match["model"], match["fine_tuned_id"]) == ("acme", "acme-small", True)
        estimate = advisor(
            "estimate", "--model", "acme-ft:acme-small:job42", *ESTIMATE, "--format", "json", "--today", "2026-11-22"
        )
        assert estimate.code == 0, estimate.err
        # 1,000 requests x 1,000 prompt tokens at the fine-tune's $4 per 1M, not the base model's $1
        assert json.loads(estimate.out)["baseline"]["monthly_usd"] == 4

    def test_its_provider_prefix_names_it(self, advisor) -> None:
        from advisor.pricing.model_ids import parse_model_id

        shown = advisor("pricing", "show", "acme/acme-small", "--format", "json")
        assert shown.code == 0, shown.err
        assert [(m["provider"], m["model"], m["fine_tuned_id"]) for m in json.loads(shown.out)] == [
            ("acme", "acme-small", False)
        ]
        assert parse_model_id("ACME/acme-ft:acme-small:7").provider_hint == "acme"  # loaded by the command above
        estimate = advisor("estimate", "--model", "acme-small", *ESTIMATE, "--format", "json")
        assert estimate.code == 0, estimate.err
        assert json.loads(estimate.out)["baseline"]["monthly_usd"] == 1  # the base model's $1 per 1M

    def test_without_the_plugin_the_id_is_unknown(self, advisor, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai")  # its table given by hand: only the format is missing
        result = advisor(
            "estimate", "--model", "acme-ft:acme-small:job42", *ESTIMATE, "--pricing", str(tmp_path / "acme.toml")
        )
        assert result.code == 2 and "unknown model 'acme-ft:acme-small:job42' for provider 'acme'" in result.err

    def test_it_is_listed_with_what_it_added_and_a_misplaced_format_is_a_warning(self, advisor) -> None:
        listing = json.loads(advisor("providers", "--format", "json", "--today", "2026-11-22").out)
        (plugin,) = [p for p in listing["plugins"] if p["plugin"] == "advisor_acme_hooks"]
        assert plugin["providers"] == ["acme"] and plugin["model_ids"] == ["acme:acme-fine-tune"]
        assert plugin["price_tables"] == ["acme ((advisor-acme-hooks) acme.toml, as_of 2026-11-01)"]
        (acme,) = [row for row in listing["providers"] if row["provider"] == "acme"]
        assert [(m["method"], m["model"]) for m in acme["trains"]] == [("sft", "acme-small")]
        (warning,) = listing["warnings"]
        assert warning.startswith("plugin 'advisor_acme_hooks' (advisor-acme-hooks 0.1) registered ModelIdFormat(")
        assert "name='wrong-hook'" in warning
        assert "which is not a TokenizerSpec" in warning

    def test_it_launches_a_dry_run(self, advisor, tmp_path: Path) -> None:
        train = tmp_path / "train.jsonl"
        example = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
        train.write_text((json.dumps(example) + "\n") * 20)
        result = advisor(
            "launch", "--provider", "acme", "--method", "sft", "--model", "acme-small", "--training-file",
            str(train), "--epochs", "1", "--dry-run", "--today", "2026-11-22",
        )  # fmt: skip
        assert result.code == 0, result.err
        assert "POST https://acme.example/jobs  model=acme-small" in result.out

    def test_a_plugin_cannot_change_how_advisors_own_ids_read(self, advisor, tmp_path, monkeypatch) -> None:
        (tmp_path / "greedy").mkdir()
        install_fake_plugin(
            tmp_path / "greedy",
            monkeypatch,
            "greedy_plugin",
            """
            from advisor.plugin_api import ModelId, ModelIdFormat, hookimpl

            def everything(name):
                return ModelId(written=name, base="acme-small", provider_hint="acme", fine_tuned=True)

            @hookimpl
            def advisor_register_model_ids(register):
                register(ModelIdFormat("everything", "acme", "anything", everything))
            """,
        )
        shown = advisor("pricing", "show", "ft:gpt-4.1-mini-2025-04-14:acme::abc123", "--format", "json")
        assert shown.code == 0, shown.err
        found = {(m["provider"], m["model"]) for m in json.loads(shown.out)}
        assert ("openai", "gpt-4.1-mini") in found and not [p for p, _ in found if p == "acme"]


class TestAdvisorsOwnDefaultPlugin:
    """advisor's own tables and formats come through the same hooks as a plugin's, and always load."""

    def test_its_tables_and_formats_are_the_bundled_ones(self) -> None:
        from advisor.plugins import load_plugins
        from advisor.pricing.model_ids import BUNDLED_FORMATS, registered_formats
        from advisor.pricing.reading import bundled_tables

        plugins = load_plugins()
        assert plugins.core.price_tables == bundled_tables()
        assert [t.path for t in plugins.core.price_tables] == [
            "(bundled) azure-openai.toml",
            "(bundled) fireworks.toml",
            "(bundled) openai.toml",
        ]
        assert plugins.price_tables[: len(plugins.core.price_tables)] == plugins.core.price_tables  # theirs first
        assert plugins.core.model_id_formats == list(BUNDLED_FORMATS)
        assert registered_formats()[: len(BUNDLED_FORMATS)] == BUNDLED_FORMATS

    def test_they_load_when_no_plugin_does(self, advisor, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
        for model, provider in (
            ("ft:gpt-4.1-mini-2025-04-14:acme::abc123", "openai"),
            ("gpt-4.1-mini-2025-04-14.ft-0123abcd", "azure-openai"),
            ("azure/gpt-4.1-mini", "azure-openai"),
        ):
            shown = advisor("pricing", "show", model, "--provider", provider, "--format", "json")
            assert shown.code == 0, shown.err
            (match,) = json.loads(shown.out)
            assert (match["model"], match["fine_tuned_id"]) == ("gpt-4.1-mini", model.startswith(("ft:", "gpt")))
