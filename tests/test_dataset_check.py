"""`advisor dataset check`: a corpus of broken files, one per failure kind, each with the problem it
must produce (code, line, field); statistics, costs, robustness, and identical results on any number
of cores."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.datasets.check import check_dataset
from advisor.datasets.examples import _ALNUM, ExampleChecker
from advisor.datasets.problems import ProblemLog
from advisor.datasets.report import nearest_rank
from advisor.datasets.scan import _encoders
from advisor.errors import UserError
from advisor.plugins import load_plugins
from advisor.pricing.catalog import load_catalog
from advisor.tokens.tokenizer import get_encoding

from .conftest import TODAY
from .fast_paths import Drawn, FastPathTally, assert_fast_path_agrees, plain_sft_examples
from .strategies import json_values

SYSTEM = "You are Acme's support assistant."


def sft(user: str, answer: str, system: str | None = SYSTEM, **extra: object) -> dict:
    messages = [{"role": "system", "content": system}] if system is not None else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": messages, **extra}


PAD = 50  # enough examples not to be "too few"


def padding(count: int = PAD, start: int = 0) -> list[str]:
    """Valid, distinct examples with long answers (no duplicates, conflicts or label sets)."""
    return [
        json.dumps(sft(f"Question number {i}: where is order A-{i}?", f"Order A-{i} left the warehouse on day {i}."))
        for i in range(start, start + count)
    ]


def line(value: object) -> str:
    return json.dumps(value)


@dataclass
class Case:
    name: str
    lines: list[str | bytes]
    expected: set[tuple[str, int | None]]
    method: str | None = None
    message: str | None = None  # a fragment the first expected problem's message must contain
    field_name: str | None = None
    extra: dict = field(default_factory=dict)


def body(*lines: str | bytes, pad: int = PAD) -> list[str | bytes]:
    """The given lines first, then valid padding."""
    return [*lines, *padding(pad)]


CORPUS = [
    Case("valid", body(), set()),
    Case("bom", [b"\xef\xbb\xbf" + padding(1)[0].encode(), *padding(PAD - 1, 1)], {("bom", 1)}),
    Case("crlf", [(text + "\r") for text in padding()], set()),
    Case("blank-line", [*padding(4), "", *padding(PAD - 4, 4)], {("blank-line", 5)}),
    Case(
        "truncated",
        [*padding(), '{"messages": [{"role": "us'],
        {("truncated", PAD + 1)},
        extra={"no_final_newline": True},
    ),
    Case("not-utf8", body(b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'), {("not-utf8", 1)}),
    Case("not-json", body('{"messages": [}'), {("not-json", 1)}, message="not valid JSON"),
    Case("not-object", body("[1, 2]"), {("not-object", 1)}, message="this is a list"),
    Case("nested-too-deeply", body("[" * 100_000 + "]" * 100_000), {("not-json", 1)}, message="nested too deeply"),
    Case(
        "lone-surrogate",
        body(
            r'{"messages": [{"role": "user", "content": "bad \ud800 text"}, '
            r'{"role": "assistant", "content": "A fine answer to a broken question."}]}'
        ),
        set(),
    ),
    Case(
        "numbers-and-nulls",
        body(line({"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": None}]})),
        {("content-type", 1)},
        field_name="messages[0].content",
    ),
    Case(
        "missing-messages",
        body(line({"prompt": "hi", "completion": "yo"})),
        {("missing-messages", 1), ("unknown-key", 1)},
    ),
    Case("messages-not-list", body(line({"messages": "hi"})), {("messages-not-list", 1)}),
    Case("empty-messages", body(line({"messages": []})), {("empty-messages", 1)}),
    Case(
        "message-not-object",
        body(line({"messages": ["hi", {"role": "assistant", "content": "x"}]})),
        {("message-not-object", 1)},
        field_name="messages[0]",
    ),
    Case(
        "missing-role",
        body(line({"messages": [{"content": "hi"}, {"role": "assistant", "content": "x"}]})),
        {("missing-role", 1)},
    ),
    Case(
        "unknown-role",
        body(line({"messages": [{"role": "bot", "content": "hi"}, {"role": "assistant", "content": "x"}]})),
        {("unknown-role", 1)},
        message="'bot'",
        field_name="messages[0].role",
    ),
    Case(
        "role-not-text",  # a list is unhashable: it must not reach a set lookup
        body(line({"messages": [{"role": [], "content": "hi"}, {"role": "assistant", "content": "x"}]})),
        {("unknown-role", 1)},
        field_name="messages[0].role",
    ),
    Case(
        "dpo-message-not-object",
        [
            line({"input": {"messages": [None]}, "preferred_output": [], "non_preferred_output": []}),
            *[
                line(
                    {
                        "input": {"messages": [{"role": "user", "content": f"Tone check {i}"}]},
                        "preferred_output": [{"role": "assistant", "content": f"Gladly, {i}."}],
                        "non_preferred_output": [{"role": "assistant", "content": f"Fine, {i}."}],
                    }
                )
                for i in range(PAD)
            ],
        ],
        {("message-not-object", 1), ("dpo-output", 1)},
        method="dpo",
    ),
    Case(
        "unknown-message-key",
        body(
            line({"messages": [{"role": "user", "content": "hi", "lang": "en"}, {"role": "assistant", "content": "x"}]})
        ),
        {("unknown-message-key", 1)},
        field_name="messages[0].lang",
    ),
    Case(
        "missing-content",
        body(line({"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]})),
        {("missing-content", 1)},
    ),
    Case(
        "name-type",
        body(line({"messages": [{"role": "user", "content": "hi", "name": 5}, {"role": "assistant", "content": "x"}]})),
        {("name-type", 1)},
    ),
    Case(
        "weight-invalid",
        body(
            line({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x", "weight": 2}]})
        ),
        {("weight-invalid", 1)},
    ),
    Case(
        "weight-not-assistant",
        body(
            line({"messages": [{"role": "user", "content": "hi", "weight": 1}, {"role": "assistant", "content": "x"}]})
        ),
        {("weight-not-assistant", 1)},
    ),
    Case(
        "tool-calls-not-assistant",
        body(
            line(
                {
                    "messages": [
                        {"role": "user", "content": "hi", "tool_calls": []},
                        {"role": "assistant", "content": "x"},
                    ]
                }
            )
        ),
        {("tool-calls-not-assistant", 1)},
    ),
    Case(
        "tool-calls-invalid",
        body(line({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [{"id": 1}]}]})),
        {("tool-calls-invalid", 1)},
    ),
    Case(
        "tool-call-id-missing",
        body(
            line(
                {
                    "messages": [
                        {"role": "user", "content": "hi"},
                        {"role": "tool", "content": "42"},
                        {"role": "assistant", "content": "x"},
                    ]
                }
            )
        ),
        {("tool-call-id-missing", 1)},
    ),
    Case(
        "tool-call-id-unknown-and-bad-arguments",
        body(
            line(
                {
                    "messages": [
                        {"role": "user", "content": "Weather in Oslo?"},
                        {
                            "role": "assistant",
                            "tool_calls": [
                                {
                                    "id": "c1",
                                    "type": "function",
                                    "function": {"name": "weather", "arguments": "{city: Oslo"},
                                }
                            ],
                        },
                        {"role": "tool", "tool_call_id": "c9", "content": "rain"},
                        {"role": "assistant", "content": "It rains in Oslo."},
                    ]
                }
            )
        ),
        {("arguments-not-json", 1), ("tool-call-id-unknown", 1)},
    ),
    Case("tools-invalid", body(line({**sft("hi", "hello there"), "tools": "search"})), {("tools-invalid", 1)}),
    Case(
        "parallel-tool-calls-invalid",
        body(line({**sft("hi", "hello there"), "parallel_tool_calls": "yes"})),
        {("parallel-tool-calls-invalid", 1)},
    ),
    Case(
        "unknown-top-level-key",
        body(line({**sft("hi", "hello there"), "metadata": {"id": 1}})),
        {("unknown-key", 1)},
        field_name="metadata",
    ),
    Case(
        "no-assistant",
        body(line({"messages": [{"role": "user", "content": "hi"}]})),
        {("no-assistant", 1)},
        method="sft",
    ),
    Case(
        "all-weights-zero",
        body(
            line({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x", "weight": 0}]})
        ),
        {("all-weights-zero", 1)},
    ),
    Case(
        "ends-without-answer",
        body(
            line(
                {
                    "messages": [
                        {"role": "user", "content": "hi"},
                        {"role": "assistant", "content": "hello"},
                        {"role": "user", "content": "thanks"},
                    ]
                }
            )
        ),
        {("ends-without-answer", 1)},
    ),
    Case("empty-answer", body(line(sft("Say something", "   "))), {("empty-answer", 1)}),
    Case("near-empty-answer", body(line(sft("Say something", "..."))), {("near-empty-answer", 1)}),
    Case("duplicate", [*padding(), padding(1)[0]], {("duplicate", PAD + 1)}, message="exact duplicate of line 1"),
    Case(
        "near-duplicate",
        [*padding(), padding(1)[0].replace("where is", "where  is")],
        {("near-duplicate", PAD + 1)},
        message="apart from white space",
    ),
    Case(
        "conflicting-answers",
        body(line(sft("Question number 3: where is order A-3?", "It is lost."))),
        {("conflicting-answers", 5)},
        message="different answer",
    ),
    Case(
        "label-imbalance",
        [line(sft(f"Is ticket {i} urgent?", "yes" if i % 10 else "no")) for i in range(60)],
        {("label-imbalance", None)},
        message="'yes' is 90% of 60 answers",
    ),
    Case(
        "single-answer",
        [line(sft(f"Is ticket {i} urgent?", "yes")) for i in range(25)],
        {("single-answer", None), ("few-examples", None)},
    ),
    Case(
        "system-prompt-varies",
        [
            *padding(),
            line(sft("Where is order B-1?", "It shipped yesterday, tracking follows.", system="You are a pirate.")),
        ],
        {("system-prompt-varies", PAD + 1)},
        message="2 different system prompts",
    ),
    Case(
        "personal-data",
        body(
            line(sft("Mail me at ola.nordmann@example.no", "Done, mail sent to you just now.")),
            line(sft("Call +47 22 33 44 55 please", "We will call you back tomorrow morning.")),
            line(sft("Card 4111 1111 1111 1111 expires soon", "Please update the card in settings.")),
            line(sft("My key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", "Never share your keys with us.")),
        ),
        {
            ("personal-data-email", 1),
            ("personal-data-phone", 2),
            ("personal-data-card", 3),
            ("personal-data-api-key", 4),
        },
        message="not shown",
    ),
    Case("too-few-examples", padding(5), {("too-few-examples", None)}),
    Case("few-examples", padding(20), {("few-examples", None)}),
    Case(
        "dpo-valid",
        [
            line(
                {
                    "input": {"messages": [{"role": "user", "content": f"Tone check {i}"}]},
                    "preferred_output": [{"role": "assistant", "content": f"Happy to help with {i}!"}],
                    "non_preferred_output": [{"role": "assistant", "content": f"Whatever, {i}."}],
                }
            )
            for i in range(PAD)
        ],
        set(),
    ),
    Case(
        "dpo-shape",
        [
            line(
                {
                    "input": {"messages": [{"role": "assistant", "content": "hi"}]},
                    "preferred_output": [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}],
                    "non_preferred_output": [{"role": "assistant", "content": "c"}],
                    "score": 1,
                }
            ),
            line({"preferred_output": [], "non_preferred_output": []}),
            *[
                line(
                    {
                        "input": {"messages": [{"role": "user", "content": f"Tone check {i}"}]},
                        "preferred_output": [{"role": "assistant", "content": "Same"}],
                        "non_preferred_output": [{"role": "assistant", "content": "Same"}],
                    }
                )
                for i in range(PAD)
            ],
        ],
        {
            ("dpo-input-last-not-user", 1),
            ("dpo-output", 1),
            ("unknown-key", 1),
            ("dpo-input", 2),
            *(("dpo-identical-outputs", n) for n in range(3, PAD + 3)),
            ("single-answer", None),
        },
        method="dpo",
    ),
    Case(
        "rft-last-not-user",
        [
            line(
                {
                    "messages": [{"role": "user", "content": f"Solve {i}"}, {"role": "assistant", "content": "42"}],
                    "answer": "42",
                }
            )
            for i in range(PAD)
        ],
        {*(("rft-last-not-user", n) for n in range(1, PAD + 1)), ("too-few-examples", None)},
        method="rft",
    ),
]


def write(path: Path, lines: list[str | bytes], final_newline: bool = True) -> Path:
    data = b"\n".join(text if isinstance(text, bytes) else text.encode() for text in lines)
    path.write_bytes(data + (b"\n" if final_newline else b""))
    return path


def check(path: Path, catalog, **options):
    options.setdefault("models", ["gpt-4.1-mini"])
    options.setdefault("jobs", 1)
    options.setdefault("formats", load_plugins().dataset_formats)
    return check_dataset(str(path), catalog, TODAY, **options)


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_corpus(case: Case, tmp_path: Path, catalog) -> None:
    path = write(tmp_path / f"{case.name}.jsonl", case.lines, not case.extra.get("no_final_newline"))
    report = check(path, catalog, method=case.method)
    found = {(problem.code, problem.line) for problem in report.problems}
    assert found == case.expected
    for problem in report.problems:
        assert problem.message and problem.hint
        if problem.line is not None and problem.severity == "error" and problem.code not in ("too-few-examples",):
            assert problem.example is not None
    if case.expected:
        code, number = sorted(case.expected, key=lambda item: (item[1] or 0, item[0]))[0]
        first = next(p for p in report.problems if (p.code, p.line) == (code, number))
        if case.message:
            assert case.message in first.message, first.message
        if case.field_name:
            assert first.field == case.field_name
    assert report.errors == sum(1 for p in report.problems if p.severity == "error")


class TestMethodsAndGraders:
    def test_method_is_detected(self, tmp_path: Path, catalog) -> None:
        rft = [line({"messages": [{"role": "user", "content": f"Solve {i}"}], "answer": str(i)}) for i in range(PAD)]
        report = check(write(tmp_path / "rft.jsonl", rft), catalog, models=["o4-mini"])
        assert report.method == "rft" and report.method_source == "detected from line 1"
        assert any("validation file" in note for note in report.notes)

    def test_grader_fields_are_checked_in_every_row(self, tmp_path: Path, catalog) -> None:
        rows = [{"messages": [{"role": "user", "content": f"Solve {i}"}], "answer": str(i)} for i in range(PAD + 1)]
        del rows[4]["answer"]
        grader = tmp_path / "grader.json"
        grader.write_text(
            json.dumps(
                {
                    "type": "string_check",
                    "name": "exact",
                    "operation": "eq",
                    "input": "{{ sample.output_text }}",
                    "reference": "{{ item.answer }}",
                }
            )
        )
        report = check(
            write(tmp_path / "rft.jsonl", [line(row) for row in rows]),
            catalog,
            grader_path=str(grader),
            models=["o4-mini"],
        )
        assert {(p.code, p.line, p.field) for p in report.problems} == {("grader-field-missing", 5, "answer")}

    def test_python_and_multi_graders_read_item_fields(self, tmp_path: Path) -> None:
        from advisor.datasets.grader import load_grader

        grader = tmp_path / "grader.json"
        grader.write_text(
            json.dumps(
                {
                    "type": "multi",
                    "calculate_output": "a",
                    "graders": {
                        "a": {"type": "python", "source": "def grade(sample, item):\n    return item['expected'] == 1"},
                        "b": {"type": "label_model", "input": [{"role": "user", "content": "{{item.meta.topic}}"}]},
                    },
                }
            )
        )
        assert set(load_grader(str(grader)).item_fields) == {("expected",), ("meta", "topic")}

    @pytest.mark.parametrize(
        ("grader", "message"),
        [
            ({"type": "label_model"}, "only inside a multi grader"),
            ({"type": "regex"}, "not one an RFT job accepts"),
            ({"type": "string_check", "input": "{{sample.reply}}"}, "reads nothing a sample has"),
            ({"type": "string_check", "input": "{{row.answer}}"}, "neither item.* nor sample.*"),
            ({"type": "multi", "graders": {"x": {"type": "regex"}}}, "grader x has type 'regex'"),
            (  # calculate_output reads its graders by name: a name it has no grader for fails at the provider
                {"type": "multi", "graders": {"exact": {"type": "string_check"}}, "calculate_output": "0.5 * exakt"},
                r"calculate_output reads exakt, which this multi grader has no grader named; use the names of "
                r"its graders: exact",
            ),
            (  # a function is not a grader; an inner multi grader is checked by its own names
                {
                    "type": "multi",
                    "graders": {
                        "a": {"type": "string_check"},
                        "inner": {"type": "multi", "graders": {"b": {"type": "string_check"}}, "calculate_output": "a"},
                    },
                    "calculate_output": "max(a, inner)",
                },
                "inner.calculate_output reads a, which",
            ),
            (
                {"type": "multi", "graders": {"a": {"type": "string_check"}}, "calculate_output": "a +"},
                "calculate_output 'a \\+' is not a formula",
            ),
        ],
    )
    def test_graders_an_rft_job_rejects(self, tmp_path: Path, grader: dict, message: str) -> None:
        from advisor.datasets.grader import load_grader

        path = tmp_path / "grader.json"
        path.write_text(json.dumps(grader))
        with pytest.raises(UserError, match=message):
            load_grader(str(path))

    def test_grader_with_sft_data_is_refused(self, tmp_path: Path, catalog) -> None:
        grader = tmp_path / "grader.json"
        grader.write_text(json.dumps({"type": "string_check"}))
        with pytest.raises(UserError, match="--grader goes with RFT"):
            check(write(tmp_path / "sft.jsonl", padding()), catalog, grader_path=str(grader))

    def test_rft_takes_at_most_50000_examples(self, tmp_path: Path, catalog) -> None:
        rows = [f'{{"messages": [{{"role": "user", "content": "q{i}"}}], "a": {i}}}' for i in range(50_001)]
        report = check(write(tmp_path / "big.jsonl", rows), catalog, models=["o4-mini"], jobs=2)
        assert ("rft-too-many", None) in {(p.code, p.line) for p in report.problems}


class TestPlainExamples:
    """Plain SFT examples take a fast path; it must give exactly what the full checks give."""

    @staticmethod
    def checker() -> ExampleChecker:
        return ExampleChecker("sft", _encoders(("o200k_base", "cl100k_base")))  # type: ignore[arg-type]

    def test_a_plain_example_takes_the_fast_path(self) -> None:
        facts = self.checker()._plain_sft(sft("Where is Oslo?", "In Norway."))
        assert facts is not None and facts.has_system and facts.label == "In Norway."

    @given(st.text())
    def test_letters_or_digits_mean_what_isalnum_means(self, text: str) -> None:
        assert bool(_ALNUM.search(text)) == any(char.isalnum() for char in text)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(examples=st.lists(plain_sft_examples(), min_size=1, max_size=3))
    def test_the_fast_path_agrees_with_the_full_checks(self, examples: list[Drawn], fast_path: FastPathTally) -> None:
        """With two encoders (models with different tokenizers), several examples through one checker."""
        checker, reference = self.checker(), self.checker()
        for drawn in examples:
            assert_fast_path_agrees("_plain_sft", checker, reference, drawn, fast_path)


class TestStatisticsAndCost:
    def test_token_statistics_match_a_direct_tiktoken_count(self, tmp_path: Path, catalog) -> None:
        examples = [
            sft("Hello there", "General Kenobi!"),
            {
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": [{"type": "text", "text": "What's "}, {"type": "text", "text": "up?"}]},
                    {"role": "assistant", "content": "Not much.", "name": "bot"},
                ]
            },
            {
                "messages": [
                    {"role": "user", "content": "Weather in Oslo?"},
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "c1",
                                "type": "function",
                                "function": {"name": "weather", "arguments": '{"city": "Oslo"}'},
                            }
                        ],
                    },
                    {"role": "tool", "tool_call_id": "c1", "content": "Rain, 4 C"},
                    {"role": "assistant", "content": "Rainy and 4 degrees."},
                ],
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "weather",
                            "description": "Current weather.",
                            "parameters": {
                                "type": "object",
                                "properties": {"city": {"type": "string", "description": "City name."}},
                            },
                        },
                    }
                ],
            },
        ] * 4
        path = write(tmp_path / "mixed.jsonl", [line(example) for example in examples])
        report = check(path, catalog)
        assert report.tokens.total == sum(direct_count(example) for example in examples)

    def test_percentiles_are_nearest_rank(self) -> None:
        values = list(range(1, 11))
        assert [nearest_rank(values, p) for p in (10, 50, 90, 100)] == [1, 5, 9, 10]

    def test_costs_name_their_price_row_and_epochs(self, tmp_path: Path, catalog) -> None:
        report = check(write(tmp_path / "t.jsonl", padding(40)), catalog, models=["gpt-4.1-mini", "azure/gpt-4o"])
        assert report.epochs == 3 and "cookbook rule" in report.epochs_rule
        mini, azure = report.costs
        assert mini.row == "openai:gpt-4.1-mini fine_tuning training" and mini.as_of == date(2026, 6, 30)
        assert mini.billed_tokens == 3 * report.tokens.total
        assert mini.usd == mini.billed_tokens * mini.price / 1_000_000
        assert azure.provider == "azure-openai"

    def test_default_models_are_those_that_can_train_today(self, tmp_path: Path, catalog) -> None:
        report = check(write(tmp_path / "t.jsonl", padding()), catalog, models=())
        names = {(q.provider, q.model) for q in report.costs}
        assert ("openai", "gpt-4.1-nano") not in names  # shut down 2026-10-23
        assert ("openai", "gpt-3.5-turbo") not in names  # shut down 2026-10-23
        assert {("openai", "gpt-4.1-mini"), ("fireworks", "llama-v3p1-8b-instruct")} <= names
        # Azure's pages disagree on when gpt-4o retires (2026-10-01 or 2027-04-14): the earlier decides
        assert ("azure-openai", "gpt-4o") not in names
        llama = next(q for q in report.costs if q.model == "llama-v3p1-8b-instruct")
        # Llama 3's own tokenizer (advisor-together is installed with the tests), in Llama 3's template
        assert (llama.encoding, llama.tokens_exact) == ("llama3", True)

    def test_over_the_limit_examples_are_counted_per_model(self, tmp_path: Path) -> None:
        table = tmp_path / "tiny.toml"
        table.write_text(
            'provider = "tiny"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "https://example.com"\n'
            '[models.t1]\nencoding = "o200k_base"\ninput = 1\noutput = 1\n'
            '[models.t1.fine_tuning]\nmethods = ["sft"]\ntraining = 1\ninput = 1\noutput = 1\n'
            "max_example_tokens = 30\n"
        )
        catalog = load_catalog([table], include_user=False)
        rows = [*padding(), line(sft("word " * 100, "A long question deserves a long answer indeed."))]
        report = check(write(tmp_path / "t.jsonl", rows), catalog, models=["tiny/t1"])
        assert [(o.model, o.limit, o.examples) for o in report.over_limit] == [("t1", 30, PAD + 1)]
        assert report.costs[0].billed_tokens_per_epoch == 30 * (PAD + 1)

    def test_missing_system_and_user_are_counted(self, tmp_path: Path, catalog) -> None:
        rows = [*padding(), line(sft("Hi without system", "Hello there, how can I help?", system=None))]
        report = check(write(tmp_path / "t.jsonl", rows), catalog)
        assert (report.missing_system, report.missing_user) == (1, 0)


def direct_count(example: dict) -> int:
    """The Cookbook's count, written independently of advisor: 3 per message, every string field,
    +1 for a name, text parts, tool-call names and arguments, the tools formula, 3 for priming."""
    encoding = get_encoding("o200k_base")

    def tokens(text: str) -> int:
        return len(encoding.encode(text))

    total = 3
    for message in example["messages"]:
        total += 3
        for key, value in message.items():
            if isinstance(value, str):
                total += tokens(value) + (1 if key == "name" else 0)
            elif key == "content" and isinstance(value, list):
                total += sum(tokens(part["text"]) for part in value)
            elif key == "tool_calls":
                total += sum(tokens(c["function"]["name"]) + tokens(c["function"]["arguments"]) for c in value)
    for tool in example.get("tools", []):
        function = tool["function"]
        total += 7 + tokens(f"{function['name']}:{function['description'].removesuffix('.')}")
        properties = function["parameters"]["properties"]
        total += 3 + sum(
            3 + tokens(f"{key}:{spec['type']}:{spec['description'].removesuffix('.')}")
            for key, spec in properties.items()
        )
    if example.get("tools"):
        total += 12
    return total


class TestRobustness:
    def test_a_single_50_mb_line(self, tmp_path: Path, catalog) -> None:
        huge = (
            '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}], "blob": "'
            + ("x" * 50_000_000)
            + '"}'
        )
        report = check(write(tmp_path / "huge.jsonl", [huge, *padding()]), catalog, jobs=2)
        assert {(p.code, p.line) for p in report.problems} == {("unknown-key", 1)}
        assert report.valid_examples == PAD

    def test_a_folder_or_missing_file_is_a_clear_error(self, tmp_path: Path, catalog) -> None:
        with pytest.raises(UserError, match="no such file"):
            check(tmp_path / "nope.jsonl", catalog)
        with pytest.raises(UserError, match="folder"):
            check(tmp_path, catalog)

    def test_an_empty_file(self, tmp_path: Path, catalog) -> None:
        report = check(write(tmp_path / "empty.jsonl", [], final_newline=False), catalog)
        assert report.examples == 0 and {p.code for p in report.problems} == {"too-few-examples"}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=600))
    def test_any_bytes_give_a_report(self, tmp_path_factory, catalog, data: bytes) -> None:
        path = tmp_path_factory.mktemp("bytes") / "any.jsonl"
        path.write_bytes(data)
        report = check_dataset(str(path), catalog, TODAY, models=["gpt-4.1-mini"], jobs=1, formats=())
        assert report.errors + report.warnings == sum(c for c in report_counts(report).values())

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(json_values(max_leaves=20), min_size=1, max_size=6), st.sampled_from([None, "sft", "dpo", "rft"]))
    def test_any_json_values_give_a_report(self, tmp_path_factory, catalog, values: list, method) -> None:
        path = tmp_path_factory.mktemp("json") / "any.jsonl"
        path.write_text("\n".join(json.dumps(value) for value in values) + "\n")
        report = check_dataset(str(path), catalog, TODAY, method=method, models=["gpt-4.1-mini"], jobs=1, formats=())
        assert report.valid_examples <= report.examples == len(values)


ANY_VALUE = json_values(max_leaves=3) | st.sampled_from(["user", "assistant", "system", "tool", "", "x"])
ANY_MESSAGE = st.dictionaries(
    st.sampled_from(["role", "content", "name", "weight", "tool_calls", "tool_call_id"]), ANY_VALUE
) | st.fixed_dictionaries({"role": ANY_VALUE, "content": ANY_VALUE})
ANY_MESSAGES = st.lists(ANY_MESSAGE | ANY_VALUE, max_size=4)
CHAT_SHAPED = st.one_of(
    st.fixed_dictionaries({"messages": ANY_MESSAGES}, optional={"tools": ANY_VALUE, "answer": ANY_VALUE}),
    st.fixed_dictionaries(
        {"input": st.fixed_dictionaries({"messages": ANY_MESSAGES}) | ANY_VALUE},
        optional={"preferred_output": ANY_MESSAGES | ANY_VALUE, "non_preferred_output": ANY_MESSAGES},
    ),
)


@settings(max_examples=1000, deadline=None)
@given(CHAT_SHAPED, st.sampled_from(["sft", "dpo", "rft"]))
def test_chat_shaped_examples_with_any_values_are_checked_without_a_crash(example: dict, method: str) -> None:
    log = ProblemLog()
    checker = ExampleChecker(method, _encoders(("o200k_base",)))  # type: ignore[arg-type]
    facts = checker.check(example, log, 1, 1)
    assert (facts is None) == (log.total("error") > 0)


def report_counts(report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for problem in report.problems:
        counts[problem.code] = counts.get(problem.code, 0) + 1
    for code, more in report.omitted.items():
        counts[code] += more
    return counts


def test_many_cores_give_the_same_report_as_one(tmp_path: Path, catalog) -> None:
    rows: list[str | bytes] = []
    for case in CORPUS:
        rows += case.lines[:3]
    rows += padding(150) + padding(20)  # duplicates across chunk boundaries
    path = write(tmp_path / "mixed.jsonl", rows)
    one = check(path, catalog, jobs=1)
    many = check(path, catalog, jobs=2, chunk_bytes=700)
    assert many.model_dump() == one.model_dump()
    assert one.errors and one.warnings and len(one.problems) > 20
