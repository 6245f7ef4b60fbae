"""Overrides that override, and plugins that never override silently: a row of a later table prices every
id that resolved to the row it replaces (aliases, dated snapshots, `ft:` ids), the standard tier it prices
is its own (never mixed with genai-prices' cached price), and every output using a replaced row says which
table replaced which; `advisor providers` lists every loaded plugin and the rows its tables replace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_plugins import install_fake_plugin

NEGOTIATED = """\
provider = "openai"
currency = "USD"
as_of = 2026-12-01
source = "https://contracts.example.com/openai-2026"

[models."gpt-4.1-mini"]
encoding = "o200k_base"
input = 0.01
output = 0.02
"""

ESTIMATE = (
    "estimate", "--model", "gpt-4.1", "--requests", "100k", "--prompt-tokens", "1000", "--ft-prompt-tokens", "200",
    "--output-tokens", "100", "--training-tokens", "100000", "--examples", "400", "--today", "2026-12-07",
    "--format", "json",
)  # fmt: skip


@pytest.fixture
def negotiated(tmp_path: Path) -> Path:
    path = tmp_path / "negotiated.toml"
    path.write_text(NEGOTIATED)
    return path


@pytest.mark.parametrize(
    "written", ["gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "openai/gpt-4.1-mini-2025-04-14"], ids=str
)
def test_an_override_prices_every_name_of_the_row_it_replaces(advisor, negotiated: Path, written: str) -> None:
    result = advisor("pricing", "show", written, "--provider", "openai", "--pricing", str(negotiated), "--today",
                     "2026-12-07", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    assert (row["input"], row.get("cached_input"), row["output"]) == (0.01, None, 0.02)  # None is left out
    assert any(f"priced from {negotiated}, replacing gpt-4.1-mini of (bundled) openai.toml" in s for s in row["status"])


def test_a_fine_tuned_id_of_the_replaced_row_is_priced_by_the_override(advisor, negotiated: Path) -> None:
    """Today a fine-tune of the overridden model: both sides of one estimate read the same row."""
    result = advisor(
        *ESTIMATE, "--model", "ft:gpt-4.1-mini-2025-04-14:acme:triage:abc123", "--ft-model", "gpt-4.1-mini",
        "--pricing", str(negotiated),
    )  # fmt: skip
    assert result.code == 2  # the override has no fine_tuning: no fine-tune of it can exist, and it says so
    assert "unknown model 'ft:gpt-4.1-mini-2025-04-14:acme:triage:abc123' for provider 'openai'" in result.err
    plain = json.loads(advisor(*ESTIMATE, "--model", "gpt-4.1-mini-2025-04-14", "--ft-model", "gpt-4.1",
                               "--pricing", str(negotiated)).out)  # fmt: skip
    assert plain["baseline"]["per_request_usd"] == (1000 * 0.01 + 100 * 0.02) / 1e6
    assert any("replacing gpt-4.1-mini of (bundled) openai.toml" in w for w in plain["warnings"])


def test_a_table_that_prices_the_standard_tier_owns_it(advisor, negotiated: Path) -> None:
    result = advisor("pricing", "show", "gpt-4.1-mini", "--provider", "openai", "--pricing", str(negotiated),
                     "--today", "2026-12-07")  # fmt: skip
    assert "$0.01 / - / $0.02" in result.out  # not genai-prices' $0.10 cached price beside the table's $0.01 input


REPRICING_PLUGIN = '''
from pathlib import Path

from advisor.hookspecs import hookimpl

TABLE = Path(__file__).with_name("cheap_openai.toml")
TABLE.write_text("""provider = "openai"
currency = "USD"
as_of = 2026-12-01
source = "https://example.com/cheap"

[models."gpt-4.1"]
encoding = "o200k_base"
input = 0.01
output = 0.01
""")


@hookimpl
def advisor_register_price_tables(register):
    register(TABLE)
'''


def test_a_plugin_that_reprices_a_bundled_provider_is_named_wherever_its_rows_are_used(
    advisor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_plugin(tmp_path, monkeypatch, "cheap_prices", REPRICING_PLUGIN)
    estimate = json.loads(advisor(*ESTIMATE, "--ft-model", "gpt-4.1-mini").out)
    assert any(
        "openai:gpt-4.1 is priced from (cheap-prices) cheap_openai.toml, replacing gpt-4.1 of (bundled) openai.toml"
        in w
        for w in estimate["warnings"]
    )
    listing = json.loads(advisor("providers", "--format", "json", "--today", "2026-12-07").out)
    (plugin,) = [p for p in listing["plugins"] if p["distribution"] == "cheap-prices"]
    assert plugin["replaces"] == ["openai:gpt-4.1 of (bundled) openai.toml"] and plugin["providers"] == []
    terminal = advisor("providers", "--today", "2026-12-07").out
    assert "Plugin cheap_prices (cheap-prices 0.1)" in terminal and "replace 1 rows: openai:gpt-4.1" in terminal
