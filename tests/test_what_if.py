"""What-if settings: a scenario with values set otherwise, validated as the file would be, and refused
with the setting named (not a line of a file it is not on)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.recommend.scenario import load_scenario, parse_scenario
from advisor.recommend.what_if import Setting, parse_setting, with_settings

from .conftest import EXAMPLES

SUPPORT = str(EXAMPLES / "scenarios" / "support-replies.toml")


class TestParsingASetting:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("traffic.requests_per_month=300000", 300_000),
            ("traffic.requests_per_month=300k", 300_000),
            ("traffic.requests_per_month=1.5M", 1_500_000),
            ("costs.setup_usd=2500.50", Decimal("2500.50")),
            ("task.has_eval_set=true", True),
            ('models.current="gpt-4.1-mini"', "gpt-4.1-mini"),
            ("models.current=gpt-4.1-mini", "gpt-4.1-mini"),
            ('task.failures=["format", "tone"]', ["format", "tone"]),
            ("name=Support replies, 2027", "Support replies, 2027"),
        ],
    )
    def test_values_are_read_as_toml_writes_them(self, text: str, value: object) -> None:
        assert parse_setting(text).value == value

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("traffic.requests_per_month", "is not KEY=VALUE"),
            ("=3", "is not KEY=VALUE"),
            ("trafic.requests_per_month=3", "there is no [trafic] section"),
            ("traffic.requests=3", "is not a known key"),
            ("volume=3", "is not a scenario key"),
        ],
    )
    def test_a_key_no_scenario_has_is_refused_with_what_to_write(self, text: str, says: str) -> None:
        with pytest.raises(UserError) as caught:
            parse_setting(text)
        assert says in str(caught.value)
        assert "--set" in str(caught.value)

    @given(st.text(max_size=40))
    def test_any_text_is_a_setting_or_a_clear_refusal(self, text: str) -> None:
        try:
            setting = parse_setting(text)
        except UserError as exc:
            assert "--set" in str(exc)
        else:
            assert f"{setting.key}={setting.text}" == str(setting)


class TestASettingInPlace:
    def test_the_value_replaces_the_files_and_the_rest_is_kept(self) -> None:
        loaded = load_scenario(SUPPORT)
        changed = with_settings(loaded, [parse_setting("traffic.requests_per_month=300k")])
        assert changed.scenario.traffic.requests_per_month == 300_000
        assert loaded.scenario.traffic.requests_per_month != 300_000
        assert changed.scenario.model_copy(update={"traffic": loaded.scenario.traffic}) == loaded.scenario
        assert changed.source == loaded.source

    def test_a_key_set_is_no_longer_listed_as_a_default(self) -> None:
        loaded = parse_scenario('name = "x"\n', "x.toml")
        assert any(item.startswith("costs.horizon_months") for item in loaded.defaults)
        changed = with_settings(loaded, [parse_setting("costs.horizon_months=24")])
        assert changed.scenario.costs.horizon_months == 24
        assert not any(item.startswith("costs.horizon_months") for item in changed.defaults)

    def test_the_last_setting_of_a_key_wins(self) -> None:
        loaded = load_scenario(SUPPORT)
        settings = [parse_setting("traffic.output_tokens=100"), parse_setting("traffic.output_tokens=300")]
        assert with_settings(loaded, settings).scenario.traffic.output_tokens == 300

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("traffic.requests_per_month=0", "must be more than 0"),
            ('traffic.requests_per_month="many"', "expected a number"),
            ("task.has_eval_set=1", "must be true or false"),
            ("costs.horizon_months=121", "must be at most 120"),
            ('task.kind="poetry"', "task.kind"),
        ],
    )
    def test_a_bad_value_is_refused_as_the_setting_not_as_a_line_of_the_file(self, text: str, says: str) -> None:
        with pytest.raises(UserError) as caught:
            with_settings(load_scenario(SUPPORT), [parse_setting(text)])
        message = str(caught.value)
        assert says in message
        assert f"--set {text}" in message
        assert "support-replies.toml:" not in message

    def test_settings_chain_one_call_after_another(self) -> None:
        loaded = load_scenario(SUPPORT)
        once = with_settings(loaded, [parse_setting("traffic.output_tokens=300")])
        twice = with_settings(once, [parse_setting("costs.horizon_months=24")])
        both = with_settings(
            loaded, [parse_setting("traffic.output_tokens=300"), parse_setting("costs.horizon_months=24")]
        )
        assert twice.scenario == both.scenario
        assert twice.defaults == both.defaults
        assert (twice.scenario.traffic.output_tokens, twice.scenario.costs.horizon_months) == (300, 24)

    def test_a_prompts_length_replaces_the_file_it_was_counted_from_and_says_so(self) -> None:
        from advisor.recommend.what_if import setting_assumptions

        invoice = load_scenario(str(EXAMPLES / "invoice-extraction" / "scenario.toml"))
        assert invoice.scenario.traffic.prompt_file is not None
        settings = [parse_setting("traffic.prompt_tokens=1200")]
        changed = with_settings(invoice, settings)
        assert (changed.scenario.traffic.prompt_tokens, changed.scenario.traffic.prompt_file) == (1200, None)
        (said,) = setting_assumptions(invoice, settings)
        assert f"instead of scenario.toml's traffic.prompt_file = '{invoice.scenario.traffic.prompt_file}'" in said.text
        back = with_settings(changed, [parse_setting('traffic.prompt_file="prompt.json"')])
        assert (back.scenario.traffic.prompt_tokens, back.scenario.traffic.prompt_file) == (None, "prompt.json")

    def test_no_settings_is_the_scenario_itself(self) -> None:
        loaded = load_scenario(SUPPORT)
        assert with_settings(loaded, []) is loaded

    def test_a_setting_is_written_back_as_given(self) -> None:
        assert str(Setting("traffic.output_tokens", 300, "300")) == "traffic.output_tokens=300"
