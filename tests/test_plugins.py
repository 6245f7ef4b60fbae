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
        trains = {(m["method"], m["model"]): m for m in listing["providers"][0]["trains"]}
        assert trains["sft", "gpt-4.1-mini"]["new_jobs_today"] is True
        assert trains["sft", "gpt-4.1-mini"]["new_jobs_until"] == "2027-01-06"
        assert trains["rft", "o4-mini"]["new_jobs_today"] is False
        assert "shut down on 2026-10-23" in trains["rft", "o4-mini"]["why_not"][0]
        # before the shutdown the same row could train
        earlier = json.loads(advisor("providers", "--format", "json", "--today", "2026-09-01").out)
        assert {(m["method"], m["model"]): m for m in earlier["providers"][0]["trains"]}["rft", "o4-mini"][
            "new_jobs_today"
        ]

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
        assert [row["provider"] for row in json.loads(result.out)["providers"]] == ["openai"]
        assert advisor("pricing", "list").code == 0

    def test_a_plugin_whose_hook_raises_is_skipped(self, advisor, tmp_path: Path, monkeypatch) -> None:
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
            "plugin 'raising_plugin' (raising-plugin 0.1) failed to register: RuntimeError: no config file"
        ]
        assert [p["plugin"] for p in listing["plugins"]] == ["openai"]

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
        assert "Commands from greet-plugin 0.1: advisor greet" in advisor("providers").out

    def test_plugin_commands_obey_the_load_setting(self, advisor, tmp_path: Path, monkeypatch) -> None:
        install_fake_plugin(tmp_path, monkeypatch, "greet_plugin", self.SOURCE)
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai")
        result = advisor("greet", "team")
        assert result.code == 2 and "No such command 'greet'" in result.err
