"""Model names as users write them resolve to the right price row and tokenizer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.pricing.model_ids import parse_model_id, strip_snapshot


class TestFineTunedIds:
    def test_parses_org_suffix_and_job_id(self) -> None:
        model = parse_model_id("ft:gpt-4.1-mini-2025-04-14:acme:invoices:AbC123")
        assert (model.base, model.organization, model.suffix, model.job_id) == (
            "gpt-4.1-mini-2025-04-14",
            "acme",
            "invoices",
            "AbC123",
        )
        assert model.fine_tuned and model.checkpoint_step is None

    def test_checkpoint_ids_keep_their_base(self) -> None:
        model = parse_model_id("ft:o4-mini-2025-04-16:acme::x7y:ckpt-step-40")
        assert model.base == "o4-mini-2025-04-16"
        assert model.suffix is None
        assert model.checkpoint_step == 40

    def test_azure_fine_tune_names(self) -> None:
        model = parse_model_id("gpt-4o-mini-2024-07-18.ft-0e208cf33a6a466994aff31a08aba678")
        assert model.fine_tuned and model.base == "gpt-4o-mini-2024-07-18"
        assert model.provider_hint == "azure-openai"

    def test_provider_prefixes(self) -> None:
        assert parse_model_id("azure/gpt-4o").provider_hint == "azure-openai"
        assert parse_model_id("openai/gpt-4.1").base == "gpt-4.1"


@pytest.mark.parametrize(
    ("name", "undated"),
    [("gpt-4.1-2025-04-14", "gpt-4.1"), ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"), ("gpt-4o", "gpt-4o")],
)
def test_snapshot_dates_are_stripped(name: str, undated: str) -> None:
    assert strip_snapshot(name) == undated


class TestPriceRowResolution:
    @pytest.mark.parametrize(
        ("written", "provider", "row"),
        [
            ("gpt-4.1", "openai", "gpt-4.1"),
            ("gpt-4.1-2025-04-14", "openai", "gpt-4.1"),
            ("ft:gpt-4.1-mini-2025-04-14:acme:inv:abc", "openai", "gpt-4.1-mini"),
            ("ft:o4-mini-2025-04-16:acme::x:ckpt-step-3", "openai", "o4-mini"),
            ("gpt-35-turbo", "openai", "gpt-3.5-turbo"),
            ("azure/gpt-4o-2024-08-06", "azure-openai", "gpt-4o"),
        ],
    )
    def test_resolves(self, catalog, written: str, provider: str, row: str) -> None:
        match = catalog.find(written)
        assert (match.provider, match.name) == (provider, row)
        assert match.note is None

    def test_unknown_snapshot_falls_back_to_its_family_and_says_so(self, catalog) -> None:
        match = catalog.find("gpt-4o-2030-01-01")
        assert match.name == "gpt-4o"
        assert "priced as gpt-4o" in (match.note or "")

    def test_a_snapshot_genai_prices_knows_is_its_own_row(self, catalog) -> None:
        match = catalog.find("gpt-4o-2024-05-13")  # a dearer snapshot than gpt-4o's
        assert (match.name, match.row.input, match.note) == ("gpt-4o-2024-05-13", 5, None)
        assert match.source_of("input").cited == "genai-prices 0.2.5 (openai)"

    def test_unknown_model_suggests_close_names(self, catalog) -> None:
        with pytest.raises(UserError) as error:
            catalog.find("gpt-4.2-mini")
        assert "did you mean" in str(error.value) and "gpt-4.1-mini" in str(error.value)

    def test_model_of_another_provider_names_it(self, catalog) -> None:
        with pytest.raises(UserError, match="use --provider openai"):
            catalog.find("gpt-5", "azure-openai")


class TestTokenizerResolution:
    @pytest.mark.parametrize(
        ("written", "encoding"),
        [
            ("gpt-4.1", "o200k_base"),
            # tiktoken 0.14 says cl100k_base for this one (it matches the `ft:gpt-4` prefix)
            ("ft:gpt-4.1-2025-04-14:acme:x:1", "o200k_base"),
            # ...and raises KeyError for this one
            ("ft:o4-mini-2025-04-16:acme:x:1", "o200k_base"),
            ("ft:gpt-3.5-turbo-0125:acme::1", "cl100k_base"),
            ("gpt-4-turbo", "cl100k_base"),
            ("gpt-4o-2024-11-20", "o200k_base"),
            ("text-embedding-3-small", "cl100k_base"),
            ("azure/gpt-4o-mini-2024-07-18.ft-abc", "o200k_base"),
        ],
    )
    def test_encoding(self, catalog, written: str, encoding: str) -> None:
        assert catalog.encoding_for(written) == encoding

    def test_unknown_family_asks_for_encoding(self, catalog) -> None:
        with pytest.raises(UserError, match="--encoding"):
            catalog.encoding_for("claude-3-opus")

    def test_a_priced_model_without_an_encoding_points_at_its_row(self, flat15) -> None:
        from advisor.pricing.catalog import load_catalog

        with pytest.raises(UserError, match=r"its price row \(.*acme.toml\) names no encoding") as raised:
            load_catalog([flat15], include_user=False).encoding_for("flat15")
        assert "did you mean" not in str(raised.value) and 'add encoding = "o200k_base"' in str(raised.value)


class TestParserProperties:
    @given(st.text(max_size=80))
    def test_any_name_parses(self, written: str) -> None:
        try:
            model = parse_model_id(written)
        except UserError as error:  # only a checkpoint step of more digits than any run has
            assert "digits" in str(error)
            return
        assert model.written == written
        if model.fine_tuned:
            assert "ft:" in written or ".ft-" in written
        else:
            assert model.base == written.strip().split("/", 1)[-1] or model.provider_hint is None

    @given(
        st.from_regex(r"[a-z0-9.\-]{1,20}", fullmatch=True),
        st.from_regex(r"[a-z0-9\-]{0,10}", fullmatch=True),
        st.from_regex(r"[a-zA-Z0-9]{1,10}", fullmatch=True),
        st.none() | st.integers(0, 10**6),
    )
    def test_fine_tuned_ids_round_trip(self, base: str, suffix: str, job: str, step: int | None) -> None:
        written = f"ft:{base}:org:{suffix}:{job}" + (f":ckpt-step-{step}" if step is not None else "")
        model = parse_model_id(written)
        assert (model.base, model.suffix or "", model.job_id, model.checkpoint_step) == (base, suffix, job, step)
