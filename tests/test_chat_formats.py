"""Counting follows the model's row: its tokenizer and its chat format.

Llama 3's rows are counted in Llama 3's own template (`<|begin_of_text|>`, per message
`<|start_header_id|>ROLE<|end_header_id|>\\n\\nCONTENT<|eot_id|>`, the assistant's header before a reply),
the same figure in `advisor tokens`, `estimate`, `dataset check`, `recommend` and `launch`. Where Llama 3's
tokenizer is installed (advisor-together with llama-models) the count is exact; where it is not, Fireworks'
and the own-GPU rows count with their stated stand-in and say the count is approximate, with an error that
these tests measure again. The reference counts come from the template written out as text and encoded by a
tiktoken Encoding built here from llama-models' file, independently of advisor's counting code.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.datasets.examples import ExampleChecker
from advisor.datasets.problems import ProblemLog
from advisor.pricing.catalog import load_catalog
from advisor.pricing.row_counting import row_counting
from advisor.tokens.count import count_chat, count_tools
from advisor.tokens.files import count_source, example_tokens
from advisor.tokens.tokenizer import TokenizerSpec, get_encoding, set_plugin_tokenizers
from advisor.tokens.workers import encoders
from advisor_together import LLAMA3_PATTERN, LLAMA3_SHA256, LLAMA3_SPECIAL_TOKENS, llama3_vocabulary

from .conftest import EXAMPLES

INVOICE = EXAMPLES / "invoice-extraction"
TODAY = "2026-12-01"
# the invoice files in Llama 3's template with Llama 3's tokenizer (measured 2026-12-07)
LLAMA3_COUNTS = {"ft-prompt.json": 149, "prompt.json": 1_788, "train.jsonl": 148_869}
LLAMA3_SPEC = TokenizerSpec(
    "llama3", str(llama3_vocabulary()), LLAMA3_SHA256, LLAMA3_PATTERN, LLAMA3_SPECIAL_TOKENS, chat_format="llama3"
)


@pytest.fixture(scope="module")
def reference() -> tiktoken.Encoding:
    """Llama 3's tokenizer built by tiktoken from llama-models' file, not by advisor."""
    from tiktoken.load import load_tiktoken_bpe

    ranks = load_tiktoken_bpe(str(llama3_vocabulary()), expected_hash=LLAMA3_SHA256)
    return tiktoken.Encoding(
        "llama3-reference", pat_str=LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens=LLAMA3_SPECIAL_TOKENS
    )


@pytest.fixture(scope="module")
def cl100k_with_llama_specials() -> tiktoken.Encoding:
    """cl100k_base's vocabulary with Llama 3's special tokens: what `cl100k_base:llama3` stands for."""
    cl100k = get_encoding("cl100k_base")
    return tiktoken.Encoding(
        "cl100k-llama",
        pat_str=cl100k._pat_str,
        mergeable_ranks=cl100k._mergeable_ranks,
        special_tokens=LLAMA3_SPECIAL_TOKENS,
    )


@pytest.fixture
def llama3_installed() -> None:
    set_plugin_tokenizers([LLAMA3_SPEC])  # what advisor-together registers (conftest clears it after the test)


def render(messages: list[dict[str, Any]]) -> str:
    """Llama 3's template as text: the assistant's header follows unless the conversation ends with it."""
    text = "<|begin_of_text|>"
    for message in messages:
        role = {"tool": "ipython"}.get(message["role"], message["role"])
        text += f"<|start_header_id|>{role}<|end_header_id|>\n\n{message['content']}<|eot_id|>"
    if not messages or messages[-1]["role"] != "assistant":
        text += "<|start_header_id|>assistant<|end_header_id|>\n\n"
    return text


def template_tokens(encoding: tiktoken.Encoding, messages: list[dict[str, Any]]) -> int:
    return len(encoding.encode(render(messages), allowed_special="all"))


def read_chats(path: Path) -> list[list[dict[str, Any]]]:
    if path.suffix == ".json":
        return [json.loads(path.read_text())["messages"]]
    return [json.loads(line)["messages"] for line in path.read_text().splitlines() if line.strip()]


class TestLlama3Template:
    @pytest.mark.usefixtures("llama3_installed")
    @pytest.mark.parametrize("name", sorted(LLAMA3_COUNTS))
    def test_the_invoice_files_count_as_their_template_text(self, name: str, reference) -> None:
        expected = sum(template_tokens(reference, chat) for chat in read_chats(INVOICE / name))
        assert expected == LLAMA3_COUNTS[name]  # the measured figure, reproduced by the reference
        assert count_source(str(INVOICE / name), "llama3", jobs=1).tokens == expected

    @pytest.mark.usefixtures("llama3_installed")
    def test_a_training_example_has_no_header_after_its_answer(self, reference) -> None:
        chat = [{"role": "user", "content": "Total?"}, {"role": "assistant", "content": "12.50"}]
        prompt = chat[:1]
        encoder = get_encoding("llama3")
        assert count_chat(encoder, {"messages": chat}) == template_tokens(reference, chat)
        assert count_chat(encoder, {"messages": prompt}) == template_tokens(reference, prompt)
        assert "<|start_header_id|>assistant<|end_header_id|>\n\n<" not in render(chat)

    @pytest.mark.usefixtures("llama3_installed")
    def test_a_preference_pair_is_the_prompt_then_each_answer_and_its_end_of_turn(self, reference) -> None:
        example = {
            "input": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello."}],
            "non_preferred_output": [{"role": "assistant", "content": "  Greetings, dear user!"}],
        }
        prompt = template_tokens(reference, example["input"]["messages"])
        answers = sum(
            len(reference.encode(example[key][0]["content"] + "<|eot_id|>", allowed_special="all"))
            for key in ("preferred_output", "non_preferred_output")
        )
        encoder = get_encoding("llama3")
        assert example_tokens(encoder, example) == prompt + answers
        log = ProblemLog()
        facts = ExampleChecker("dpo", encoders(("llama3",))).check(example, log, 1, 0)
        assert facts is not None and facts.tokens == (prompt + answers,)

    @pytest.mark.usefixtures("llama3_installed")
    def test_tool_definitions_are_counted_as_llama_3_1_writes_them_and_said_to_be_approximate(self) -> None:
        from advisor.tokens.chat_format import TOOLS_ENVIRONMENT, TOOLS_PREAMBLE, format_of

        tool = {"type": "function", "function": {"name": "total", "parameters": {"type": "object"}}}
        encoder = get_encoding("llama3")
        text = TOOLS_PREAMBLE + json.dumps(tool, indent=4) + "\n\n"
        assert count_tools(encoder, [tool]) == len(encoder.encode(text)) + len(encoder.encode(TOOLS_ENVIRONMENT))
        assert not format_of("llama3").tools_exact and format_of("o200k_base").tools_exact


WORDS = st.sampled_from(["Total", " 12.50", "\n", "\n\n", " ", "  ", "\t", "naïve", "€", "'s", "123456", "JSON:", "x"])
TEXT = st.lists(WORDS | st.text(max_size=8), max_size=8).map("".join).filter(lambda text: "<|" not in text)
MESSAGE = st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant", "tool"]), "content": TEXT})


class TestTheCountIsTheTemplateText:
    """For random chats, every counting path equals encoding the rendered template."""

    @settings(max_examples=150, deadline=None)
    @given(chat=st.lists(MESSAGE, min_size=1, max_size=5))
    def test_with_llama_3s_tokenizer(self, chat: list[dict[str, str]], reference) -> None:
        set_plugin_tokenizers([LLAMA3_SPEC])
        self._check(chat, "llama3", template_tokens(reference, chat))

    @settings(max_examples=100, deadline=None)
    @given(chat=st.lists(MESSAGE, min_size=1, max_size=5))
    def test_with_the_cl100k_stand_in(self, chat: list[dict[str, str]], cl100k_with_llama_specials) -> None:
        self._check(chat, "cl100k_base:llama3", template_tokens(cl100k_with_llama_specials, chat))

    @staticmethod
    def _check(chat: list[dict[str, str]], counting: str, expected: int) -> None:
        from advisor.tokens.files import _bounded

        (memo,) = encoders((counting,))
        assert count_chat(_bounded(counting), {"messages": chat}) == expected  # files, prompt files
        assert count_chat(memo, {"messages": chat}) == expected
        method = "sft" if chat[-1]["role"] == "assistant" else "rft"
        log = ProblemLog()
        facts = ExampleChecker(method, [memo]).check({"messages": chat}, log, 1, 0)  # dataset check
        # an example with errors is not counted; only a tool message without its call id, or an RFT prompt
        # that does not end with the user's turn, has errors here
        has_errors = any(m["role"] == "tool" for m in chat) or chat[-1]["role"] not in ("user", "assistant")
        assert (facts is None) == has_errors == bool(log.total("error")), log.kept
        if facts is not None:
            assert facts.tokens == (expected,)


@pytest.mark.usefixtures("wide_output")
class TestOneCountEverywhere:
    """The same file, for a Together row, counted the same by every command."""

    def test_tokens_estimate_dataset_check_and_recommend_agree(self, advisor, tmp_path: Path) -> None:
        model = "together/llama-3.1-8b-instruct"
        counted = json.loads(
            advisor("tokens", "--model", model, "--format", "json", *(str(INVOICE / n) for n in LLAMA3_COUNTS)).out
        )
        assert {Path(f["file"]).name: f["tokens"] for f in counted["files"]} == LLAMA3_COUNTS
        assert (counted["encoding"], counted["chat_format"], counted["exact"]) == ("llama3", "llama3", True)

        result = advisor(
            "estimate", "--model", "gpt-4.1", "--ft-model", "llama-3.1-8b-instruct", "--ft-provider", "together",
            "--requests", "2M", "--prompt-file", str(INVOICE / "prompt.json"),
            "--ft-prompt-file", str(INVOICE / "ft-prompt.json"), "--training-file", str(INVOICE / "train.jsonl"),
            "--output-tokens", "120", "--today", TODAY, "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.err
        notes = [a["text"] for a in json.loads(result.out)["assumptions"]]
        exact = "counted with llama3 with Llama 3's chat template (exact)"
        assert any(n.startswith("prompt for llama-3.1-8b-instruct: 149 tokens") and exact in n for n in notes)
        assert any("148,869 tokens " + exact in n for n in notes), notes
        assert any(n.startswith("prompt for gpt-4.1: 1,739 tokens") and "o200k_base" in n for n in notes)

        checked = advisor(
            "dataset", "check", str(INVOICE / "train.jsonl"), "--model", model, "--format", "json", "--today", TODAY
        )
        report = json.loads(checked.out)
        assert report["tokens"]["total"] == LLAMA3_COUNTS["train.jsonl"]
        assert (report["costs"][0]["encoding"], report["costs"][0]["tokens_exact"]) == ("llama3", True)

        folder = tmp_path / "invoice"
        shutil.copytree(INVOICE, folder)
        scenario = folder / "scenario.toml"
        scenario.write_text(scenario.read_text().replace('fine_tune_base = "gpt-4.1-mini"', 'providers = ["together"]'))
        recommended = json.loads(advisor("recommend", str(scenario), "--format", "json", "--today", TODAY).out)
        texts = [a["text"] for a in recommended["assumptions"]]
        assert any("together:llama-3.1-8b-instruct" in t and "149 tokens" in t and exact in t for t in texts), texts
        where = recommended["where"]
        assert (where["provider"], where["model"]) == ("together", "llama-3.1-8b-instruct")
        # 5,000 examples of 149 prompt + 120 answer + 1 (<|eot_id|>) tokens, 3 epochs, $0.48 per 1M (LoRA)
        assert Decimal(str(where["training_usd"])) == Decimal(5_000 * (149 + 120 + 1) * 3) * Decimal("0.48") / 10**6
        llama_places = [p for p in recommended["where_options"] if "llama" in p["model"]]
        assert llama_places and all(p["tokens_exact"] for p in llama_places)


class TestWithoutLlama3:
    """Core alone (no advisor-together): Fireworks' and the own-GPU plugin's Llama rows count with the
    stated stand-in, say so, and state an error these tests measure again."""

    def test_the_llama_rows_name_llama3_and_fall_back_to_cl100k_in_llama_3s_template(self) -> None:
        catalog = load_catalog(include_user=False)
        row = catalog.find("llama-v3p1-8b-instruct", "fireworks").row
        counting = row_counting(row)
        assert counting is not None
        assert (counting.name, counting.exact, counting.fallback) == ("cl100k_base:llama3", False, True)
        assert "llama3 is not installed" in counting.note
        set_plugin_tokenizers([LLAMA3_SPEC])
        assert row_counting(row) is not None and row_counting(row).name == "llama3" and row_counting(row).exact

    def test_the_stated_errors_are_the_measured_ones(self) -> None:
        from advisor_local import __name__ as local_package  # the own-GPU plugin's table

        text = (Path(__import__(local_package).__file__).parent / "local.toml").read_text()
        fireworks = (Path(__file__).parent.parent / "pricing" / "fireworks.toml").read_text()
        stand_in = {n: count_source(str(INVOICE / n), "cl100k_base:llama3", jobs=1).tokens for n in LLAMA3_COUNTS}
        openai_rules = {n: count_source(str(INVOICE / n), "cl100k_base", jobs=1).tokens for n in LLAMA3_COUNTS}
        train = LLAMA3_COUNTS["train.jsonl"]
        error = Decimal(stand_in["train.jsonl"] - train) / train * 100
        measured_on = f"examples/invoice-extraction/train.jsonl ({stand_in['train.jsonl']:,} vs {train:,})"
        stated = f"+{error:.2f}% tokens on {measured_on}"
        assert stated in fireworks and stated in text
        assert (stand_in["prompt.json"], stand_in["ft-prompt.json"]) == (1_788, 149)
        for name, sign in (("train.jsonl", "-0.17%"), ("prompt.json", "-0.6%"), ("ft-prompt.json", "-2.7%")):
            measured = Decimal(openai_rules[name] - LLAMA3_COUNTS[name]) / LLAMA3_COUNTS[name] * 100
            decimals = len(sign.rstrip("%").split(".")[1])
            assert f"{measured:.{decimals}f}%" == sign
            assert f"{sign} on {name}, {openai_rules[name]:,} vs {LLAMA3_COUNTS[name]:,}" in text

    def test_places_and_quotes_say_approximate(self, tmp_path: Path) -> None:
        from advisor.costs.comparison import compare
        from advisor.costs.schedule import Schedule, Stretch
        from advisor.costs.where import PlaceFilter, rank_places
        from advisor.datasets.check import check_dataset

        catalog = load_catalog(include_user=False)
        report = check_dataset(
            str(INVOICE / "train.jsonl"), catalog, date(2026, 12, 1), models=["fireworks/llama-v3p1-8b-instruct"],
            jobs=1, formats=[],
        )  # fmt: skip
        (quote,) = report.costs
        assert (quote.encoding, quote.tokens_exact) == ("cl100k_base:llama3", False)
        assert report.tokens is not None and report.tokens.total == 149_019
        month = Schedule(
            (Stretch(start=Decimal(0), end=Decimal(12), per_request_usd=Decimal(1), requests=1, what="x"),)
        )
        flat = compare(month, month, horizon=Decimal(12), horizon_note="")
        places = rank_places(catalog, PlaceFilter("sft", date(2026, 12, 1)), lambda match: flat)
        exact = {(p.provider, p.model): p.tokens_exact for p in places}
        assert exact[("fireworks", "llama-v3p1-8b-instruct")] is False
        assert exact[("openai", "gpt-4.1-mini")] is True

    def test_the_tokens_command_says_approximate_and_how_much(self, advisor, monkeypatch, wide_output) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")  # no plugin: Llama 3's tokenizer is not installed
        result = advisor("tokens", "--model", "fireworks/llama-v3p1-8b-instruct", str(INVOICE / "train.jsonl"))
        assert result.code == 0, result.err
        assert "Tokens with cl100k_base with Llama 3's chat template" in result.out
        assert re.search(r"approximate: llama3 is not installed; cl100k_base's vocabulary", result.out)
        assert "149,019" in result.out
