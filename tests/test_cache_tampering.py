"""Caches are data, never code: every kind of entry advisor keeps (validated price tables and overlays,
genai-prices' copy, prompt token counts, parsed vocabularies) is tampered with here, as a shared or
restored cache folder (a CI cache) allows, and each time the entry is rebuilt from its source and the
figure shown is the source's: a crafted pickle is never unpickled (no code runs), an edited price is the
table's again, edited or mistyped token counts are counted again, and another vocabulary's parse under
o200k_base's name, its digest recomputed, is parsed again (prompt.json is 1,739 tokens).

What a digest without a secret cannot catch is said in docs/pricing.md: someone who can write the cache
folder and recomputes the seal of an in-range price or count. Every other edit is caught here."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.cache_folder import seal
from advisor.parsing.plain_data import NotPlain, from_plain, to_plain
from advisor.pricing import table_cache
from advisor.pricing.catalog import load_catalog
from advisor.pricing.genai import FORMAT as GENAI_FORMAT
from advisor.pricing.genai import genai_prices
from advisor.pricing.overlay import Overlay
from advisor.pricing.reading import parse_overlay, parse_table
from advisor.pricing.tables import BUNDLED_PACKAGE_DIR, MAX_PRICE, PriceTable
from advisor.tokens.cache import FORMAT as COUNT_FORMAT
from advisor.tokens.cache import cached_count
from advisor.tokens.ranks_cache import FORMAT as RANKS_FORMAT
from advisor.tokens.ranks_cache import entry_path, payload
from advisor.tokens.tokenizer import parse_vocabulary, read_vocabulary, spec_for

from .conftest import EXAMPLES, FLAT_15

PROMPT = EXAMPLES / "invoice-extraction" / "prompt.json"
PROMPT_TOKENS = 1_739  # prompt.json in OpenAI's chat format with o200k_base
ESTIMATE = [
    *("estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "2M"),
    *("--prompt-file", str(PROMPT), "--output-tokens", "120", "--training-tokens", "2M", "--examples", "5000"),
    *("--today", "2026-12-01", "--format", "json"),
]


def advisor(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADVISOR_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=env)


def entries(cache: Path, kind: str) -> list[Path]:
    folder = cache / kind
    return sorted(path for path in folder.iterdir() if not path.name.startswith(".")) if folder.is_dir() else []


def resealed(entry: Path, kind: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """The entry's payload changed by `change` and sealed again with a recomputed digest: what someone who
    knows the format writes."""
    header, _, body = entry.read_bytes().partition(b"\n")
    built_from = header.split(b" ")[2].decode()
    return seal(kind, built_from, change(body))


def bundled(name: str) -> tuple[str, str]:
    from importlib.resources import files

    return (files("advisor") / BUNDLED_PACKAGE_DIR / name).read_text(encoding="utf-8"), f"(bundled) {name}"


class Exploit:
    """A pickle that, when unpickled, writes `marker`: the crafted entry of a shared cache folder."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').write('code ran')",))


class TestACraftedPickleIsNeverUnpickled:
    def test_the_crafted_pickle_runs_code_when_unpickled(self, tmp_path: Path) -> None:
        """The exploit is real: unpickled (in another process), it writes its marker."""
        marker, crafted = tmp_path / "ran", tmp_path / "crafted.pickle"
        crafted.write_bytes(pickle.dumps(Exploit(marker)))
        subprocess.run([sys.executable, "-c", f"import pickle; pickle.loads(open({str(crafted)!r}, 'rb').read())"])
        assert marker.read_text() == "code ran"

    def test_in_place_of_every_entry_no_code_runs_and_every_entry_is_rebuilt(self, tmp_path: Path) -> None:
        cache, marker = tmp_path / "cache", tmp_path / "ran"
        first = advisor(*ESTIMATE, cache=cache)
        assert first.returncode == 0, first.stderr
        advisor("tokens", str(PROMPT), "--encoding", "o200k_base", cache=cache)
        crafted = pickle.dumps(Exploit(marker))
        kinds = {"price-tables": "price-table/2", "genai-prices": GENAI_FORMAT, "token-counts": COUNT_FORMAT}
        kinds["tokenizers"] = RANKS_FORMAT
        replaced = []
        for kind, format_name in kinds.items():
            found = entries(cache, kind)
            assert found, f"the first run kept {kind}"
            for number, entry in enumerate(found):  # bare, and sealed with its own digest as if genuine
                built_from = entry.read_bytes().split(b" ")[2].decode()
                entry.write_bytes(crafted if number % 2 else seal(format_name, built_from, crafted))
                replaced.append(entry)
        again = advisor(*ESTIMATE, cache=cache)
        assert again.returncode == 0, again.stderr
        advisor("tokens", str(PROMPT), "--encoding", "o200k_base", cache=cache)
        assert not marker.exists(), "a cache entry was unpickled"
        assert json.loads(again.stdout) == json.loads(first.stdout)
        assert all(crafted not in entry.read_bytes() for entry in replaced), "every entry was written anew"

    def test_no_cache_module_imports_pickle_or_marshal(self) -> None:
        source = Path(table_cache.__file__).parent.parent
        modules = ("cache_folder.py", "pricing/table_cache.py", "pricing/genai.py", "tokens/cache.py")
        for module in (*modules, "tokens/ranks_cache.py", "parsing/plain_data.py"):
            text = (source / module).read_text()
            assert not {"import pickle", "import marshal", "pickle.load", "marshal.load"} & set(text.split("\n"))
            assert "import pickle" not in text and "import marshal" not in text


class TestAnEditedPriceIsTheTablesAgain:
    def entry(self) -> Path:
        text, path = bundled("openai.toml")
        parse_table(text, path)
        return table_cache.entry_path(text, path)

    def training_price(self) -> tuple[Decimal, str]:
        match = load_catalog(include_user=False).find("gpt-4.1-mini")
        assert match.row.fine_tuning is not None
        return match.row.fine_tuning.training, match.table.path  # type: ignore[return-value]

    def test_the_table_says_5_dollars(self) -> None:
        assert self.training_price() == (Decimal("5.00"), "(bundled) openai.toml")

    def edit(self, body: bytes, to: bytes) -> bytes:
        plain = json.loads(body)
        ft = plain["data"]["models"]["gpt-4.1-mini"]["fine_tuning"]
        assert ft["training"] == "5.00"
        ft["training"] = json.loads(to)
        return json.dumps(plain).encode()

    def test_an_edited_price_is_caught_by_its_seal(self) -> None:
        entry = self.entry()
        genuine = entry.read_bytes()
        header, _, body = genuine.partition(b"\n")
        entry.write_bytes(header + b"\n" + self.edit(body, b'"0.01"'))
        assert self.training_price() == (Decimal("5.00"), "(bundled) openai.toml")
        assert entry.read_bytes() == genuine  # rebuilt from the TOML

    @pytest.mark.parametrize(
        "value",
        [b"0.01", b'"-1"', b'"1000001"', b'"NaN"', b'"Infinity"', b'"5e0"', b"null", b"true", b'["5.00"]'],
        ids=[
            "a number",
            "negative",
            "above MAX_PRICE",
            "NaN",
            "infinite",
            "not as written",
            "null",
            "a flag",
            "a list",
        ],
    )
    def test_a_resealed_price_of_the_wrong_type_or_range_is_rebuilt(self, value: bytes) -> None:
        entry = self.entry()
        entry.write_bytes(resealed(entry, "price-table/2", lambda body: self.edit(body, value)))
        assert self.training_price() == (Decimal("5.00"), "(bundled) openai.toml")

    def test_a_resealed_entry_for_another_path_or_kind_is_rebuilt(self, tmp_path: Path) -> None:
        table = parse_table(FLAT_15, "acme.toml")
        entry = table_cache.entry_path(FLAT_15, "acme.toml")
        entry.write_bytes(resealed(entry, "price-table/2", lambda body: body.replace(b"acme.toml", b"other.toml")))
        assert table_cache.load(FLAT_15, "acme.toml") is None
        entry.write_bytes(resealed(entry, "price-table/2", lambda body: body.replace(b"PriceTable", b"Overlay")))
        assert table_cache.load(FLAT_15, "acme.toml") is None
        assert parse_table(FLAT_15, "acme.toml") == table == table_cache.load(FLAT_15, "acme.toml")

    def test_an_entry_that_is_a_link_to_dev_zero_or_a_fifo_is_not_read(self) -> None:
        table = parse_table(FLAT_15, "acme.toml")
        entry = table_cache.entry_path(FLAT_15, "acme.toml")
        entry.unlink()
        entry.symlink_to("/dev/zero")
        assert parse_table(FLAT_15, "acme.toml") == table  # not followed: validated again, in no time
        entry.unlink()
        os.mkfifo(entry)
        assert parse_table(FLAT_15, "acme.toml") == table  # not waited on

    def test_an_edited_overlay_is_validated_again(self, tmp_path: Path) -> None:
        text = (
            'overlay = true\nprovider = "openai"\ncurrency = "USD"\nas_of = 2026-12-01\nsource = "a notice"\n\n'
            '[models."gpt-4.1"]\ninput = 1.50\nshutdown = 2027-06-01\n\n[models."gpt-4.1".fine_tuning]\ntraining = 20\n'
        )
        overlay = parse_overlay(text, "notice.toml")
        assert table_cache.load(text, "notice.toml", Overlay) == overlay  # kept, and read back as itself
        entry = table_cache.entry_path(text, "notice.toml")
        for change in (b'"input":1.5', b'"input":"-1.50"', b'"shutdown":"2027-13-01"', b'"training":"-20"'):
            field = change.split(b":")[0]
            edited = resealed(entry, "price-table/2", lambda body, f=field, c=change: _replace_field(body, f, c))
            assert edited != entry.read_bytes()
            entry.write_bytes(edited)
            assert table_cache.load(text, "notice.toml", Overlay) is None
            assert parse_overlay(text, "notice.toml") == overlay


def _replace_field(body: bytes, field: bytes, change: bytes) -> bytes:
    start = body.index(field + b":")
    end = start + len(field) + 1
    while body[end : end + 1] not in (b",", b"}"):
        end += 1
    return body[:start] + change + body[end:]


class TestEditedTokenCountsAreCountedAgain:
    def entry(self, isolated_cache: Path) -> Path:
        assert cached_count(str(PROMPT), "o200k_base").tokens == PROMPT_TOKENS
        [entry] = entries(isolated_cache, "token-counts")
        return entry

    def test_an_edited_count_is_caught_by_its_seal(self, isolated_cache: Path) -> None:
        entry = self.entry(isolated_cache)
        entry.write_bytes(entry.read_bytes().replace(b"1739", b"17"))
        assert cached_count(str(PROMPT), "o200k_base").tokens == PROMPT_TOKENS
        assert b"1739" in entry.read_bytes()

    @pytest.mark.parametrize(
        "figures",
        [
            {"tokens": "1739"},
            {"tokens": 17.0},
            {"tokens": True},
            {"tokens": None},
            {"tokens": -1},
            {"tokens": 10**16, "smallest": 10**16, "largest": 10**16},
            {"tokens": 17},  # no longer its smallest and largest: not a count of one chat
            {"items": 2},
            {"kind": "jsonl"},  # a .json file is read as a chat
            {"kind": "essay"},
            {"extra": 1},
        ],
    )
    def test_a_resealed_count_that_cannot_be_this_files_is_counted_again(
        self, isolated_cache: Path, figures: dict[str, object]
    ) -> None:
        entry = self.entry(isolated_cache)
        entry.write_bytes(resealed(entry, COUNT_FORMAT, lambda body: json.dumps(json.loads(body) | figures).encode()))
        tally = cached_count(str(PROMPT), "o200k_base")
        assert (tally.tokens, tally.items, tally.kind) == (PROMPT_TOKENS, 1, "chat")
        assert json.loads(entry.read_bytes().partition(b"\n")[2])["tokens"] == PROMPT_TOKENS

    def test_an_entry_moved_to_another_files_name_is_not_believed(self, isolated_cache: Path, tmp_path: Path) -> None:
        entry = self.entry(isolated_cache)
        other = tmp_path / "other.json"
        other.write_text(json.dumps({"messages": [{"role": "user", "content": "Hi"}]}))
        real = cached_count(str(other), "o200k_base").tokens
        [theirs] = [path for path in entries(isolated_cache, "token-counts") if path != entry]
        theirs.write_bytes(entry.read_bytes())  # prompt.json's sealed count under other.json's name
        assert cached_count(str(other), "o200k_base").tokens == real != PROMPT_TOKENS


class TestAChangedVocabularyIsParsedAgain:
    def changed_entry(self) -> bytes:
        """o200k_base's parse with every merge above rank 20,000 left out, sealed under o200k_base's sha256
        with its own digest recomputed: the tampered entry the tester built."""
        spec = spec_for("o200k_base")
        ranks = parse_vocabulary(read_vocabulary(spec))
        fewer = {token: rank for token, rank in ranks.items() if rank < 20_000}
        return seal(RANKS_FORMAT, spec.sha256, payload(fewer))

    def count(self, cache: Path) -> int:
        result = advisor("tokens", str(PROMPT), "--encoding", "o200k_base", "--format", "json", cache=cache)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["total_tokens"]

    def test_the_changed_vocabulary_counts_otherwise(self) -> None:
        """Believed, the tampered entry would change the count: the test below could fail."""
        import tiktoken

        spec = spec_for("o200k_base")
        ranks = parse_vocabulary(read_vocabulary(spec))
        fewer = {token: rank for token, rank in ranks.items() if rank < 20_000}
        text = PROMPT.read_text()
        full = tiktoken.Encoding("full", pat_str=spec.pattern, mergeable_ranks=ranks, special_tokens={})
        cut = tiktoken.Encoding("cut", pat_str=spec.pattern, mergeable_ranks=fewer, special_tokens={})
        assert len(cut.encode_ordinary(text)) > len(full.encode_ordinary(text))

    def test_an_entry_from_another_vocabulary_with_its_digest_recomputed_is_parsed_again(self, tmp_path: Path) -> None:
        cache = tmp_path / "cache"
        assert self.count(cache) == PROMPT_TOKENS
        entry = cache / "tokenizers" / entry_path(spec_for("o200k_base").sha256).name
        genuine = entry.read_bytes()
        entry.write_bytes(self.changed_entry())
        assert self.count(cache) == PROMPT_TOKENS
        assert entry.read_bytes() == genuine  # rewritten with the parse of the published vocabulary


class TestGenaiPricesCopy:
    """genai-prices' data, kept as plain JSON: a copy edited or mistyped is read from genai-prices again."""

    def input_price(self) -> Decimal:
        prices = genai_prices()
        assert prices is not None
        index, name = prices.names("openai")["gpt-4o"]
        row, _ = prices.row(index, name)
        return row.prices[0].input  # type: ignore[return-value]

    def entry(self, isolated_cache: Path) -> Path:
        self.input_price()
        [entry] = entries(isolated_cache, "genai-prices")
        return entry

    def edit(self, body: bytes, value: object) -> bytes:
        plain = json.loads(body)
        [table] = [t for t in plain["tables"] if t["provider"] == "openai" and not t["fallback"]]
        table["models"]["gpt-4o"]["prices"][0]["input"] = value
        return json.dumps(plain).encode()

    def test_an_edited_copy_is_caught_by_its_seal(self, isolated_cache: Path) -> None:
        entry = self.entry(isolated_cache)
        real = self.input_price()
        header, _, body = entry.read_bytes().partition(b"\n")
        entry.write_bytes(header + b"\n" + self.edit(body, "0.01"))
        assert self.input_price() == real != Decimal("0.01")

    @pytest.mark.parametrize("value", [0.01, "-1", "abc", None, True, str(MAX_PRICE + 1)])
    def test_a_resealed_row_of_the_wrong_type_or_range_is_read_again(self, isolated_cache: Path, value) -> None:  # type: ignore[no-untyped-def]
        entry = self.entry(isolated_cache)
        real = self.input_price()
        entry.write_bytes(resealed(entry, GENAI_FORMAT, lambda body: self.edit(body, value)))
        assert self.input_price() == real
        assert b'"input":"' + str(real).encode() + b'"' in entry.read_bytes()  # written anew

    def test_a_resealed_header_of_the_wrong_type_is_read_again(self, isolated_cache: Path) -> None:
        entry = self.entry(isolated_cache)
        real = self.input_price()

        def damage(body: bytes) -> bytes:
            plain = json.loads(body)
            plain["tables"][0]["models"]["gpt-4o"]["aliases"] = [1, 2]
            return json.dumps(plain).encode()

        entry.write_bytes(resealed(entry, GENAI_FORMAT, damage))
        assert self.input_price() == real


def json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6,
    )


def paths(plain: object, at: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    found = [at]
    if isinstance(plain, dict):
        for key, value in plain.items():
            found += paths(value, (*at, key))
    elif isinstance(plain, list):
        for index, value in enumerate(plain):
            found += paths(value, (*at, index))
    return found


FLAT_PLAIN = to_plain(parse_table(FLAT_15, "acme.toml"))
FLAT_PATHS = paths(FLAT_PLAIN)[1:]


class TestPlainData:
    def test_every_shipped_table_reads_back_as_itself(self) -> None:
        from advisor.plugins import load_plugins

        tables = [parse_table(*bundled(name)) for name in ("openai.toml", "azure-openai.toml", "fireworks.toml")]
        for table in [*tables, *load_plugins().price_tables]:
            assert from_plain(PriceTable, json.loads(json.dumps(to_plain(table)))) == table

    @settings(max_examples=300, deadline=None)
    @given(where=st.sampled_from(FLAT_PATHS), value=json_values())
    def test_any_value_anywhere_is_a_table_or_refused_never_a_crash(self, where: tuple, value: object) -> None:  # type: ignore[type-arg]
        plain = json.loads(json.dumps(FLAT_PLAIN))
        target = plain
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
        try:
            table = from_plain(PriceTable, plain)
        except NotPlain:
            return
        assert isinstance(table, PriceTable)
        for row in table.models.values():  # whatever was accepted is within the schema's ranges
            for price in (row.input, row.output, row.cached_input):
                assert price is None or Decimal(0) <= price <= MAX_PRICE

    def test_a_table_that_would_not_read_back_is_not_kept(self, isolated_cache: Path) -> None:
        table = parse_table(FLAT_15, "acme.toml")
        strange = type(table)(**{**{f: getattr(table, f) for f in table.__dataclass_fields__}, "label": b"bytes"})  # type: ignore[arg-type]
        table_cache.store("text", "strange.toml", strange)
        assert table_cache.load("text", "strange.toml") is None


class TestTokenCountsFollowTheCountingCode:
    def test_any_module_of_the_tokens_package_changes_the_key(self, tmp_path: Path, monkeypatch) -> None:
        """Not a hand-kept list: a module added to advisor.tokens, or any one edited, counts files again."""
        import shutil

        import advisor.tokens.cache as token_cache

        package = tmp_path / "tokens"
        shutil.copytree(Path(token_cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
        monkeypatch.setattr(token_cache, "__file__", str(package / "cache.py"))

        def digest() -> str:
            token_cache._rules_digest.cache_clear()
            return token_cache._rules_digest()

        first = digest()
        (package / "workers.py").write_text((package / "workers.py").read_text() + "\n# a change\n")
        edited = digest()
        (package / "new_rule.py").write_text("RULE = 1\n")
        added = digest()
        token_cache._rules_digest.cache_clear()
        assert len({first, edited, added}) == 3
