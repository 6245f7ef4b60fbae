"""Issue 22, validation of the new keys and settings: two scenario keys that contradict each other are said
in the headline and the risks; a price file names only tokenizers advisor has (installed plugins counted);
a snapshot date is a real day; settings from the environment are numbers in range. The one-line refusals
of single keys are in the corpus of tests/test_robustness.py."""

from __future__ import annotations

import json
import math
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.parsing.environment import seconds_from_env
from advisor.pricing.model_ids import FIRST_SNAPSHOT_YEAR, has_snapshot, snapshot_problem, strip_snapshot

from .conftest import EXAMPLES

INVOICE = EXAMPLES / "invoice-extraction"
TODAY = "2026-12-07"


def scenario_with(tmp_path: Path, **models: object) -> Path:
    """The invoice example with `models` keys added (its files beside it)."""
    text = (INVOICE / "scenario.toml").read_text()
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in models.items())
    path = tmp_path / "scenario.toml"
    path.write_text(text.replace('provider = "openai"\n', f'provider = "openai"\n{lines}'))
    for name in ("prompt.json", "ft-prompt.json", "train.jsonl"):
        (tmp_path / name).symlink_to(INVOICE / name)
    return path


def recommended(advisor, path: Path) -> dict:
    run = advisor("recommend", str(path), "--format", "json", "--today", TODAY)
    assert run.code == 0, run.err
    return json.loads(run.out)


class TestKeysThatContradictEachOther:
    def test_open_weights_required_with_only_closed_providers_is_the_headline(self, advisor, tmp_path) -> None:
        report = recommended(advisor, scenario_with(tmp_path, providers=["openai"], open_weights="required"))
        summary = report["recommendation"]["summary"]
        assert "Fine-tune gpt-4.1" not in summary and report["where"] is None
        assert (
            'no fine-tune can be recommended: models.open_weights = "required", but the providers allowed '
            "(models.providers: openai) train no open-weights model (allow a provider that trains one ("
        ) in summary
        assert 'or set models.open_weights = "allowed"): it costs $4,034.00 today' in summary
        assert report["caveats"][0].startswith('no fine-tune can be recommended: models.open_weights = "required"')

    def test_the_terminal_headline_says_it_too(self, advisor, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("COLUMNS", "400")
        path = scenario_with(tmp_path, providers=["openai"], open_weights="required")
        run = advisor("recommend", str(path), "--today", TODAY)
        headline = run.out.split("Plan:")[0]
        assert "no fine-tune can be recommended" in headline and "Fine-tune gpt-4.1" not in headline

    def test_open_weights_ruled_out_with_only_open_providers_is_said_too(self, advisor, tmp_path) -> None:
        report = recommended(advisor, scenario_with(tmp_path, providers=["together"], open_weights="no"))
        assert "train no closed (vendor) model" in report["recommendation"]["summary"]
        assert "train no closed (vendor) model" in report["caveats"][0]

    def test_keys_that_agree_are_no_contradiction(self, advisor, tmp_path) -> None:
        report = recommended(
            advisor, scenario_with(tmp_path, providers=["openai", "together"], open_weights="required")
        )
        assert "contradict" not in json.dumps(report) and "no fine-tune can be recommended" not in json.dumps(report)
        assert report["where"]["provider"] == "together"


class TestTheBaseToFineTune:
    @pytest.mark.parametrize(
        "base",
        [
            "gpt-4.1-mini",
            "gpt-4.1-mini-2025-04-14",  # a snapshot
            "ft:gpt-4.1-mini-2025-04-14:acme::abc123",  # a fine-tune, trained further
            "together/llama-3.1-8b-instruct",  # a provider named before the model
            "llama-v3p1-8b-instruct",  # a model of another provider than models.provider
        ],
    )
    def test_every_way_of_naming_a_base_that_can_be_tuned_is_accepted(self, advisor, tmp_path, base: str) -> None:
        path = scenario_with(tmp_path)
        path.write_text(path.read_text().replace('fine_tune_base = "gpt-4.1-mini"', f'fine_tune_base = "{base}"'))
        assert f'fine_tune_base = "{base}"' in path.read_text()
        recommended(advisor, path)


TABLE = """\
provider = "acme"
currency = "USD"
as_of = 2026-06-30
source = "https://example.com/acme"

[models.acme-llama]
input = 0.2
output = 0.2
{fields}
"""


class TestTokenizersAPriceFileNames:
    def test_a_plugins_tokenizer_is_accepted_while_the_plugin_is_installed(self, advisor, tmp_path) -> None:
        (tmp_path / "t.toml").write_text(TABLE.format(fields='encoding = "llama3"'))
        assert advisor("pricing", "list", "--pricing", str(tmp_path / "t.toml")).code == 0

    def test_without_the_plugin_it_needs_an_installed_stand_in(self, advisor, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")  # no plugin: Llama 3's tokenizer is not installed
        bare, stood_in = tmp_path / "bare.toml", tmp_path / "stood-in.toml"
        bare.write_text(TABLE.format(fields='encoding = "llama3"'))
        stood_in.write_text(
            TABLE.format(
                fields='encoding = "llama3"\nencoding_fallback = "cl100k_base:llama3"\n'
                'encoding_fallback_note = "+0.10% on the invoice example"'
            )
        )
        run = advisor("pricing", "list", "--pricing", str(bare))
        assert run.code == 2 and run.err.startswith(
            f"advisor: error: {bare}:9: models.\"acme-llama\".encoding: 'llama3' is not a tokenizer advisor has "
            "(installed: cl100k_base, o200k_base)"
        )
        assert "encoding_fallback" in run.err
        assert advisor("pricing", "list", "--pricing", str(stood_in)).code == 0

    def test_a_table_in_the_price_folder_is_checked_as_well(self, advisor, isolated_config: Path) -> None:
        folder = isolated_config / "pricing"
        folder.mkdir()
        (folder / "acme.toml").write_text(TABLE.format(fields='encoding = "o200k"'))
        run = advisor("estimate", "--model", "gpt-4.1", "--requests", "1", "--prompt-tokens", "1")
        assert run.code == 2
        assert f"{folder / 'acme.toml'}:9: models.\"acme-llama\".encoding: 'o200k' is not a tokenizer" in run.err


class TestSnapshotDates:
    @given(st.dates(date(FIRST_SNAPSHOT_YEAR, 1, 1), date(2099, 12, 31)))
    def test_every_real_day_is_a_snapshot_of_its_model(self, day: date) -> None:
        name = f"gpt-4.1-{day.isoformat()}"
        assert has_snapshot(name) and strip_snapshot(name) == "gpt-4.1" and snapshot_problem(name) is None

    @given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
    def test_a_day_that_never_was_is_no_snapshot(self, year: int, month: int, day: int) -> None:
        text = f"{year:04d}-{month:02d}-{day:02d}"
        try:
            real = date.fromisoformat(text).year >= FIRST_SNAPSHOT_YEAR
        except ValueError:
            real = False
        name = f"gpt-4.1-{text}"
        assert has_snapshot(name) == real
        assert (strip_snapshot(name) == "gpt-4.1") == real
        assert (snapshot_problem(name) is None) == real

    def test_a_day_that_never_was_is_not_priced_as_the_model(self, catalog) -> None:
        with pytest.raises(UserError, match=r"its snapshot date 1999-99-99 is not a real day from 2020 on"):
            catalog.find("gpt-4.1-1999-99-99")
        assert catalog.find("gpt-4.1-2025-04-14").name == "gpt-4.1"
        assert catalog.find("gpt-3.5-turbo-0125").name == "gpt-3.5-turbo"  # MMDD snapshots stay snapshots


class TestSettingsFromTheEnvironment:
    @given(value=st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30))
    def test_a_wait_is_a_number_of_seconds_in_range_or_one_error(self, value: float | str) -> None:
        text = str(value)
        if "\x00" in text or "\udcff" in text or not text.isprintable():
            return  # not a value an environment variable carries here
        saved = os.environ.get("ADVISOR_STREAM_WAIT")
        os.environ["ADVISOR_STREAM_WAIT"] = text
        try:
            seconds = seconds_from_env("ADVISOR_STREAM_WAIT", 30.0, most=86_400.0)
        except UserError as error:
            assert str(error).startswith("ADVISOR_STREAM_WAIT=") and "from 0 to 86,400" in str(error)
            return
        finally:
            os.environ.pop("ADVISOR_STREAM_WAIT")
            if saved is not None:
                os.environ["ADVISOR_STREAM_WAIT"] = saved
        assert math.isfinite(seconds) and 0 <= seconds <= 86_400
        assert seconds == (30.0 if not text.strip() else float(text))

    def test_unset_or_blank_is_the_default(self, monkeypatch) -> None:
        monkeypatch.delenv("ADVISOR_STREAM_WAIT", raising=False)
        assert seconds_from_env("ADVISOR_STREAM_WAIT", 30.0, most=60.0) == 30.0
        monkeypatch.setenv("ADVISOR_STREAM_WAIT", " ")
        assert seconds_from_env("ADVISOR_STREAM_WAIT", 30.0, most=60.0) == 30.0


class TestRetrainingInterval:
    def test_a_day_is_the_shortest_interval_and_daily_knowledge_is_priced(self, advisor, tmp_path) -> None:
        estimate = ["estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "1000"]
        estimate += ["--prompt-tokens", "100", "--training-tokens", "1000", "--examples", "10", "--today", TODAY]
        assert advisor(*estimate, "--retrain-every", "0.0328").code == 2  # 23.9 hours
        day = advisor(*estimate, "--retrain-every", "0.033", "--format", "json")  # 24.1 hours
        assert day.code == 0, day.err
        path = scenario_with(tmp_path)
        path.write_text(path.read_text().replace('volatility = "static"', 'volatility = "daily"'))
        assert advisor("recommend", str(path), "--today", TODAY, "--format", "json").code == 0

    def test_the_bound_is_one_day_of_a_730_hour_month(self) -> None:
        from advisor.costs.estimate import HOURS_PER_MONTH, MIN_RETRAIN_MONTHS

        assert MIN_RETRAIN_MONTHS * HOURS_PER_MONTH == 24
        assert timedelta(hours=float(MIN_RETRAIN_MONTHS * HOURS_PER_MONTH)) == timedelta(days=1)
