"""The plugin system: entry points, pluggy hooks, `advisor providers`, ADVISOR_LOAD_PLUGINS."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest


def install_fake_plugin(root: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    """A real installed distribution (a module and its .dist-info with an `advisor` entry point) on sys.path."""
    (root / f"{name}.py").write_text(textwrap.dedent(source))
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[advisor]\n{name} = {name}\n")
    monkeypatch.syspath_prepend(str(root))


def openai_row(listing: dict) -> dict:
    """The openai provider's row; other provider plugins (Azure OpenAI ...) may be installed beside it."""
    (row,) = [row for row in listing["providers"] if row["provider"] == "openai"]
    return row


def providers_json(advisor, *args: str) -> dict:
    result = advisor("providers", "--format", "json", "--today", "2026-11-22", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


class TestListingProviders:
    def test_the_openai_plugin_is_listed_with_its_distribution_and_methods(self, advisor) -> None:
        listing = providers_json(advisor)
        (openai,) = [row for row in listing["providers"] if row["provider"] == "openai"]
        assert openai["distribution"] == "advisor-openai" and openai["version"] == "0.1.0"
        assert openai["methods"] == ["sft", "dpo", "rft"]
        assert listing["warnings"] == []

    def test_availability_today_comes_from_the_price_tables(self, advisor) -> None:
        listing = providers_json(advisor)
        trains = {(m["method"], m["model"]): m for m in openai_row(listing)["trains"]}
        assert trains["sft", "gpt-4.1-mini"]["new_jobs_today"] is True
        assert trains["sft", "gpt-4.1-mini"]["new_jobs_until"] == "2027-01-06"
        assert trains["rft", "o4-mini"]["new_jobs_today"] is False
        assert "shut down on 2026-10-23" in trains["rft", "o4-mini"]["why_not"][0]
        # before the shutdown the same row could train
        earlier = json.loads(advisor("providers", "--format", "json", "--today", "2026-09-01").out)
        assert {(m["method"], m["model"]): m for m in openai_row(earlier)["trains"]}["rft", "o4-mini"]["new_jobs_today"]

    @pytest.mark.usefixtures("wide_output")
    def test_the_table_shows_the_wind_down_notices_in_force(self, advisor) -> None:
        result = advisor("providers", "--today", "2026-11-22")
        assert result.code == 0
        assert "advisor-openai 0.1.0" in result.out
        assert "no inference on a fine-tuned model in the past 60 days" in result.out
        before = advisor("providers", "--today", "2026-05-01")
        assert "can no longer create" not in before.out


class TestChoosingPlugins:
    def test_an_empty_setting_loads_no_plugin(self, advisor, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
        assert providers_json(advisor)["providers"] == []
        result = advisor("providers")
        assert "No provider plugins are installed" in result.out

    @pytest.mark.parametrize("setting", ["openai", "advisor-openai", " other , openai "])
    def test_plugins_are_named_by_entry_point_or_distribution(
        self, advisor, monkeypatch: pytest.MonkeyPatch, setting: str
    ) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", setting)
        assert [row["provider"] for row in providers_json(advisor)["providers"]] == ["openai"]

    def test_a_provider_that_is_not_loaded_is_a_clear_error(self, advisor, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
        result = advisor("jobs", "events", "ftjob-1", "--provider", "openai")
        assert result.code == 2
        assert "no provider plugin called 'openai'" in result.err and "none installed" in result.err


class TestBrokenPlugins:
    def test_a_plugin_that_fails_to_import_is_a_warning_and_the_rest_works(
        self, advisor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        install_fake_plugin(tmp_path, monkeypatch, "broken_plugin", "import a_library_that_is_not_installed\n")
        result = advisor("providers", "--format", "json", "--today", "2026-11-22")
        assert result.code == 0
        assert "warning: plugin 'broken_plugin' (broken-plugin 0.1) failed to load: ModuleNotFoundError" in result.err
        assert openai_row(json.loads(result.out))  # the rest works
        assert advisor("pricing", "list").code == 0

    def test_a_plugin_whose_providers_hook_raises_adds_no_provider(self, advisor, tmp_path: Path, monkeypatch) -> None:
        install_fake_plugin(
            tmp_path,
            monkeypatch,
            "raising_plugin",
            """
            from advisor.hookspecs import hookimpl

            @hookimpl
            def advisor_register_providers(register):
                raise RuntimeError("no config file")
            """,
        )
        listing = providers_json(advisor)
        assert listing["warnings"] == [
            "plugin 'raising_plugin' (raising-plugin 0.1) failed to register its providers: "
            "RuntimeError: no config file"
        ]
        providers = {p["plugin"]: p["providers"] for p in listing["plugins"]}
        assert providers["openai"] == ["openai"] and providers["raising_plugin"] == []

    def test_registering_something_that_is_not_a_provider_is_reported(
        self, advisor, tmp_path: Path, monkeypatch
    ) -> None:
        install_fake_plugin(
            tmp_path,
            monkeypatch,
            "half_plugin",
            """
            from advisor.hookspecs import hookimpl

            class HalfProvider:
                name = "half"  # no methods, no upload, no jobs

            @hookimpl
            def advisor_register_providers(register):
                register(HalfProvider())
            """,
        )
        listing = providers_json(advisor)
        assert "which is not a Provider" in listing["warnings"][0]
        assert "half" not in [row["provider"] for row in listing["providers"]]


class TestPluginCommands:
    SOURCE = """
        import click
        from advisor.hookspecs import hookimpl

        @hookimpl
        def advisor_register_commands(cli):
            @cli.command()
            @click.argument("who")
            def greet(who):
                "Say hello."
                click.echo(f"hello, {who}")
        """

    def test_a_plugin_can_add_a_command(self, advisor, tmp_path: Path, monkeypatch) -> None:
        install_fake_plugin(tmp_path, monkeypatch, "greet_plugin", self.SOURCE)
        result = advisor("greet", "team")
        assert (result.code, result.out) == (0, "hello, team\n")
        assert "Plugin greet_plugin (greet-plugin 0.1): commands greet" in advisor("providers").out

    def test_plugin_commands_obey_the_load_setting(self, advisor, tmp_path: Path, monkeypatch) -> None:
        install_fake_plugin(tmp_path, monkeypatch, "greet_plugin", self.SOURCE)
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai")
        result = advisor("greet", "team")
        assert result.code == 2 and "No such command 'greet'" in result.err


class TestPluginContract:
    """What a plugin can ship, and how advisor calls it (through pluggy's manager, one plugin at a time)."""

    def test_an_implementation_receives_only_the_arguments_it_declares(self, advisor, tmp_path, monkeypatch) -> None:
        install_fake_plugin(
            tmp_path,
            monkeypatch,
            "lean_plugin",
            """
            from advisor.hookspecs import hookimpl

            CALLED = []

            @hookimpl
            def advisor_register_commands():
                CALLED.append("commands")

            @hookimpl
            def advisor_register_price_tables():
                CALLED.append("tables")
            """,
        )
        listing = providers_json(advisor)
        assert listing["warnings"] == []
        assert "lean_plugin" in [plugin["plugin"] for plugin in listing["plugins"]]
        import lean_plugin

        assert sorted(lean_plugin.CALLED) == ["commands", "tables"]

    def test_a_misspelt_hook_is_a_warning_naming_the_plugin_and_the_hook_it_meant(
        self, advisor, tmp_path, monkeypatch
    ) -> None:
        install_fake_plugin(
            tmp_path,
            monkeypatch,
            "typo_plugin",
            """
            from advisor.hookspecs import hookimpl

            @hookimpl
            def advisor_register_provider(register):
                pass
            """,
        )
        result = advisor("providers", "--format", "json", "--today", "2026-11-22")
        assert result.code == 0
        assert json.loads(result.out)["warnings"] == [
            "plugin 'typo_plugin' (typo-plugin 0.1): advisor_register_provider is not an advisor hook "
            "(did you mean advisor_register_providers?)"
        ]
        assert "warning: plugin 'typo_plugin'" in result.err

    def test_a_plugin_ships_its_price_table(self, advisor, tmp_path, monkeypatch) -> None:
        from .conftest import FLAT_15

        (tmp_path / "acme.toml").write_text(FLAT_15)
        install_fake_plugin(tmp_path, monkeypatch, "acme_prices", self._table_plugin(tmp_path / "acme.toml"))
        shown = advisor("pricing", "show", "flat15", "--provider", "acme", "--today", "2026-11-22")
        assert shown.code == 0, shown.err
        assert "(acme-prices) acme.toml" in shown.out
        estimate = advisor(
            "estimate", "--model", "flat15", "--provider", "acme", "--requests", "1000", "--prompt-tokens", "1000",
            "--output-tokens", "0", "--training-cost", "0", "--format", "json", "--today", "2026-11-22",
        )  # fmt: skip
        assert estimate.code == 0, estimate.err
        assert json.loads(estimate.out)["baseline"]["monthly_usd"] == 15  # 1,000 x 1,000 tokens at $15 per 1M
        (plugin,) = [p for p in providers_json(advisor)["plugins"] if p["plugin"] == "acme_prices"]
        assert plugin["price_tables"] == ["acme ((acme-prices) acme.toml, as_of 2026-11-01)"]

    def test_a_plugin_table_that_does_not_parse_is_left_out_with_a_warning(
        self, advisor, tmp_path, monkeypatch
    ) -> None:
        (tmp_path / "acme.toml").write_text('provider = "acme"\ncurrency = "USD"\n')
        install_fake_plugin(tmp_path, monkeypatch, "acme_broken", self._table_plugin(tmp_path / "acme.toml"))
        listing = providers_json(advisor)
        (warning,) = listing["warnings"]
        assert warning.startswith("plugin 'acme_broken' (acme-broken 0.1): its price table is not valid")
        assert "as_of is missing" in warning
        assert advisor("pricing", "list").code == 0

    def test_a_plugin_tokenizer_counts_as_its_vocabulary_does(self, advisor, tmp_path, monkeypatch) -> None:
        from advisor.tokens.tokenizer import ENCODINGS, get_encoding, vocabulary_path

        from .conftest import FLAT_15

        vocabulary = tmp_path / "acme.tiktoken"
        vocabulary.write_bytes(Path(vocabulary_path("cl100k_base")).read_bytes())
        sha256, pattern, _ = ENCODINGS["cl100k_base"]
        table = FLAT_15.replace("[models.flat15]\n", '[models.flat15]\nencoding = "acme_bpe"\n')
        (tmp_path / "acme.toml").write_text(table)
        source = self._table_plugin(tmp_path / "acme.toml") + (
            "\nfrom advisor.tokens.tokenizer import TokenizerSpec\n\n"
            "@hookimpl\n"
            "def advisor_register_tokenizers(register):\n"
            f"    register(TokenizerSpec('acme_bpe', {str(vocabulary)!r}, {sha256!r}, {pattern!r}))\n"
        )
        install_fake_plugin(tmp_path, monkeypatch, "acme_tokens", source)
        text = tmp_path / "prompt.txt"
        text.write_text("Extract the invoice number, the total and the due date from the text below.\n" * 7)
        result = advisor("tokens", "--model", "acme/flat15", "--format", "json", str(text))
        assert result.code == 0, result.err
        counted = json.loads(result.out)
        assert counted["encoding"] == "acme_bpe"
        assert counted["total_tokens"] == len(get_encoding("cl100k_base").encode(text.read_text()))

    def test_missing_credentials_are_named_and_values_never_shown(self, advisor, monkeypatch) -> None:
        result = advisor("providers", "--today", "2026-11-22")
        assert "note: openai: set OPENAI_API_KEY before launching (not set now)" in result.out
        openai = openai_row(providers_json(advisor))
        assert {c["name"]: c["set"] for c in openai["credentials"]} == {
            "OPENAI_API_KEY": False,
            "OPENAI_BASE_URL": False,
        }
        monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
        shown = advisor("providers", "--today", "2026-11-22")
        as_json = advisor("providers", "--format", "json", "--today", "2026-11-22")
        assert "set OPENAI_API_KEY" not in shown.out
        assert "sk-secret-value-123" not in shown.out + shown.err + as_json.out + as_json.err
        assert openai_row(json.loads(as_json.out))["credentials"][0]["set"] is True

    @staticmethod
    def _table_plugin(table: Path) -> str:
        return (
            "from pathlib import Path\n"
            "from advisor.hookspecs import hookimpl\n\n"
            "@hookimpl\n"
            "def advisor_register_price_tables(register):\n"
            f"    register(Path({str(table)!r}))\n"
        )
