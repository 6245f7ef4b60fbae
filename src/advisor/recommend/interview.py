"""The questions `advisor interview` asks, in the order a planning meeting answers them: the feature,
what fails, the knowledge, the data, the traffic, the models, the costs. Each question has plain words,
a short help line, a default, a parser, and a condition saying when it matters (so a team is asked only
what bears on its case, never a question whose answer would be ignored). Money is kept as Decimal;
defaults are the scenario file's (docs/recommendations.md)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from advisor.errors import UserError
from advisor.parsing.file_text import expand_user
from advisor.parsing.quantities import parse_amount, parse_count
from advisor.recommend.rules import OBJECTIVE_TASKS
from advisor.recommend.scenario import Failure, Grader, Stage, TaskKind, Volatility

Answers = dict[str, dict[str, Any]]  # section -> key -> value; top-level keys under ""


def get(answers: Answers, key: str, default: Any = None) -> Any:
    section, _, name = key.rpartition(".")
    return answers.get(section, {}).get(name, default)


def put(answers: Answers, key: str, value: Any) -> None:
    section, _, name = key.rpartition(".")
    answers.setdefault(section, {})[name] = value


def has(answers: Answers, key: str) -> bool:
    section, _, name = key.rpartition(".")
    return name in answers.get(section, {})


def to_raw(answers: Answers) -> dict[str, Any]:
    """Answers in the shape of a scenario file."""
    raw: dict[str, Any] = dict(answers.get("", {}))
    raw.update({section: dict(values) for section, values in answers.items() if section})
    return raw


def from_raw(raw: dict[str, Any]) -> Answers:
    answers: Answers = {"": {key: value for key, value in raw.items() if not isinstance(value, dict)}}
    answers.update({key: dict(value) for key, value in raw.items() if isinstance(value, dict)})
    return answers


# --- parsers: each raises ValueError with a message a person can act on -------------------------------


def choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        matches = [option for option in options if option.startswith(value)] if value else []
        if value in options:
            return value
        if len(matches) == 1:
            return matches[0]
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6) if value else []
        suggestion = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(f"answer one of: {', '.join(options)}{suggestion}")

    return parse


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("y", "yes", "true", "1"):
        return True
    if value in ("n", "no", "false", "0"):
        return False
    raise ValueError("answer yes or no")


def score(text: str) -> float | None:
    value = text.strip().removesuffix("%")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError("answer a share like 0.82 or 82%, or leave it blank if it is not measured") from None
    number = number / 100 if text.strip().endswith("%") or number > 1 else number
    if not 0 <= number <= 1:
        raise ValueError("a score is between 0 and 1 (or 0% and 100%)")
    return round(number, 4)


def failures(text: str) -> list[str]:
    vocabulary = get_args(Failure)
    words = [word.strip().lower() for word in text.replace(";", ",").split(",") if word.strip()]
    unknown = [word for word in words if word not in vocabulary and word not in ("none", "nothing")]
    if unknown:
        close = difflib.get_close_matches(unknown[0], vocabulary, n=1, cutoff=0.6)
        suggestion = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"unknown: {', '.join(unknown)}{suggestion}; use {', '.join(vocabulary)}")
    return [word for word in words if word in vocabulary]


def count(text: str) -> int:
    return parse_count(text, what="the answer", allow_zero=True)


def positive_count(text: str) -> int:
    return parse_count(text, what="the answer")


def usd(text: str) -> Decimal | int:
    """An amount of money, exact: a whole number stays an int (written `2000`, not `2000.0`)."""
    amount = parse_amount(text, what="the amount")
    return int(amount) if amount == amount.to_integral_value() else amount


def prompt_answer(text: str) -> int | str:
    """A prompt's length: a count of tokens, or the path of a file to count (`~` is the home folder).
    Whether the file exists is checked where the folder it is relative to is known (`checked_prompt_file`)."""
    value = text.strip()
    if not value:
        raise ValueError("an answer is needed: a number of tokens, or the path of a prompt file")
    try:
        return count(value)
    except ValueError:
        if value[0].isdigit() and not any(sep in value for sep in "/\\."):
            raise
    return value


def checked_prompt_file(folder: Path, answer: str) -> Path:
    """The file a prompt answer names, checked: `~` expanded, a relative path taken from `folder`."""
    try:
        path = expand_user(answer)
    except UserError as error:
        raise ValueError(f"{error.message}: {answer}; give a prompt file, or a number of tokens") from None
    path = path if path.is_absolute() else folder / path
    if path.is_dir():
        raise ValueError(f"{answer} is a folder: give a prompt file (text, chat JSON or JSONL), or a number")
    if not path.exists():
        raise ValueError(f"no such file: {answer} (from {folder}); give a prompt file, or a number of tokens")
    if not path.is_file():  # a FIFO or a device: the prompt is read when named and again when costed
        raise ValueError(f"{answer} is not a regular file: give a prompt file, or a number of tokens")
    return path


def names(text: str) -> list[str]:
    """A comma-separated list of names (empty: none)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def text_answer(text: str) -> str:
    if not text.strip():
        raise ValueError("an answer is needed")
    return text.strip()


def base_answer(text: str) -> str | None:
    """The model to fine-tune; blank or `any`: none named (advisor proposes a base at each provider)."""
    value = text.strip()
    return None if value.lower() in ("", "any") else value


# --- the questions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    ask: str
    help: str
    parse: Callable[[str], Any]
    default: Callable[[Answers], Any]
    relevant: Callable[[Answers], bool] = lambda answers: True


def _failing(answers: Answers, *names: str) -> bool:
    return bool(set(get(answers, "task.failures", [])) & set(names))


def _graded(answers: Answers) -> bool:
    graded: int = get(answers, "data.graded_prompts", 0)  # a count, as its question parses it
    return graded > 0


def _training_may_help(answers: Answers) -> bool:
    return _failing(answers, "format", "consistency", "tone", "reasoning", "context-use", "cost", "latency")


def _ft_prompt_default(answers: Answers) -> int:
    prompt = get(answers, "traffic.prompt_tokens") or get(answers, "traffic.prompt_file_tokens") or 1000
    cached: int = get(answers, "traffic.cached_prompt_tokens", 0)  # a count, as its question parses it
    return max(1, int(prompt) - cached)


def prompt_size(answers: Answers) -> int:
    """Today's prompt in tokens as answered: a number, a counted file (noted under a private key), or 1000."""
    given = get(answers, "traffic.prompt_tokens")
    if given is None:
        given = get(answers, "traffic.prompt_file_tokens")
    return int(given) if given is not None else 1000


def _grader_given(answers: Answers) -> bool:
    """Experts and guessable answers matter only to RFT, which needs graded prompts and a grader."""
    return _graded(answers) and get(answers, "data.grader", "none") != "none"


QUESTIONS: tuple[Question, ...] = (
    Question(
        ".name",
        "What is the feature called?",
        "A short name for the report's title.",
        text_answer,
        lambda a: "My LLM feature",
    ),
    Question(
        ".stage",
        "Is it a prototype or in production?",
        "prototype or production.",
        choice(get_args(Stage)),
        lambda a: "production",
    ),
    Question(
        "task.kind",
        "What kind of task is it?",
        ", ".join(get_args(TaskKind)) + ".",
        choice(get_args(TaskKind)),
        lambda a: "other",
    ),
    Question(
        "task.has_eval_set",
        "Is there an eval set: graded test cases you can score a change on?",
        "yes or no. 20 or more cases from real traffic are enough to start.",
        yes_no,
        lambda a: False,
    ),
    Question(
        "task.baseline_score",
        "What does the current prompt score on it?",
        "A share: 0.82 or 82%. Leave blank if it is not measured.",
        score,
        lambda a: None,
        lambda a: bool(get(a, "task.has_eval_set")),
    ),
    Question(
        "task.target_score",
        "What score does the feature need?",
        "A share: 0.95 or 95%. Blank if not set.",
        score,
        lambda a: None,
        # the target is compared with the baseline only: without a measured baseline it would be ignored
        lambda a: bool(get(a, "task.has_eval_set")) and get(a, "task.baseline_score") is not None,
    ),
    Question(
        "task.failures",
        "What still fails after a good prompt?",
        "Comma-separated: knowledge (facts it lacks), format-syntax (invalid JSON), format, consistency, tone, "
        "reasoning, context-use (ignores given text), cost, latency. Blank: nothing.",
        failures,
        lambda a: [],
    ),
    Question(
        "knowledge.volatility",
        "How often does the knowledge behind the answers change?",
        ", ".join(get_args(Volatility)) + ".",
        choice(get_args(Volatility)),
        lambda a: "static",
    ),
    Question(
        "knowledge.corpus_tokens",
        "How large is the reference material the answers depend on, in tokens?",
        "About 500 tokens a page; 20M for a large catalogue. 0 if there is none.",
        count,
        lambda a: 0,
        lambda a: _failing(a, "knowledge"),
    ),
    Question(
        "knowledge.citations_required",
        "Must answers cite their sources?",
        "yes or no.",
        yes_no,
        lambda a: False,
        lambda a: _failing(a, "knowledge"),
    ),
    Question(
        "knowledge.rag_in_place",
        "Is retrieval (RAG) already in place?",
        "yes or no.",
        yes_no,
        lambda a: False,
        lambda a: _failing(a, "knowledge"),
    ),
    Question(
        "data.demonstrations",
        "How many examples of input and ideal output do you have?",
        "Approved by the people who judge quality. 2000, 10k; 0 if none.",
        count,
        lambda a: 0,
        lambda a: _training_may_help(a),
    ),
    Question(
        "data.preference_pairs",
        "How many preference pairs (a prompt, a better and a worse answer)?",
        "For tone and style judged by preference. 0 if none.",
        count,
        lambda a: 0,
        lambda a: _failing(a, "tone"),
    ),
    Question(
        "data.graded_prompts",
        "How many prompts could a program grade (an exact answer, tests that pass)?",
        "For RFT on objective tasks. 0 if none.",
        count,
        lambda a: 0,
        lambda a: _failing(a, "reasoning") or (get(a, "task.kind") in OBJECTIVE_TASKS and _training_may_help(a)),
    ),
    Question(
        "data.grader",
        "How would they be graded?",
        ", ".join(get_args(Grader)) + ".",
        choice(get_args(Grader)),
        lambda a: "none",
        _graded,
    ),
    Question(
        "data.experts_agree",
        "Do experts agree on the right answer?",
        "yes or no.",
        yes_no,
        lambda a: False,
        _grader_given,
    ),
    Question(
        "data.answers_guessable",
        "Could an answer be guessed (multiple choice, yes/no)?",
        "yes or no.",
        yes_no,
        lambda a: False,
        _grader_given,
    ),
    Question(
        "traffic.requests_per_month", "How many requests a month?", "2000, 10k, 1.5M.", positive_count, lambda a: 10_000
    ),
    Question(
        "traffic.prompt_tokens",
        "How long is today's prompt, in tokens (or a file with a real prompt)?",
        "A number, or the path of a text, chat JSON or JSONL file to count.",
        prompt_answer,
        lambda a: "1000",
    ),
    Question(
        "traffic.cached_prompt_tokens",
        "How many of those tokens are a fixed start (system prompt, examples)?",
        "Prompt caching discounts a fixed prefix of 1,024 tokens or more. 0 if none.",
        count,
        lambda a: 0,
    ),
    Question(
        "traffic.output_tokens",
        "How long is a typical answer, in tokens?",
        "About 0.75 words a token.",
        count,
        lambda a: 200,
    ),
    Question(
        "models.current",
        "Which model does it use today?",
        "gpt-4.1, gpt-4.1-mini, o4-mini ... (`advisor pricing list` shows them all).",
        text_answer,
        lambda a: "gpt-4.1",
    ),
    Question(
        "models.provider",
        "Which provider runs it today?",
        "openai, azure-openai, together, fireworks ... (`advisor pricing list`); also the preferred place to train.",
        text_answer,
        lambda a: "openai",
    ),
    Question(
        "models.providers",
        "Which providers may train it?",
        "Comma-separated, e.g. azure-openai, local. Enter for any provider in the price tables.",
        names,
        lambda a: [],
        _training_may_help,
    ),
    Question(
        "models.open_weights",
        "Open-weights models: allowed, required (weights or data must stay with the team) or no?",
        "required keeps to models whose weights you can download or train on your own GPUs.",
        choice(("allowed", "required", "no")),
        lambda a: "allowed",
        _training_may_help,
    ),
    Question(
        "models.fine_tune_base",
        "Which model would be fine-tuned?",
        "Often a smaller one than today's; `any` leaves it to advisor, which proposes a base at each provider.",
        base_answer,
        lambda a: get(a, "models.current", "gpt-4.1"),
        _training_may_help,
    ),
    Question(
        "models.ft_prompt_tokens",
        "How long would the prompt be after fine-tuning, in tokens?",
        "The instructions are learned, so usually only the variable part remains.",
        count,
        _ft_prompt_default,
        _training_may_help,
    ),
    Question(
        "costs.setup_usd",
        "What would data preparation and evaluation cost, in USD?",
        "People's time to prepare data and run evals. 0 to leave it out.",
        usd,
        lambda a: 0,
    ),
    Question(
        "costs.rag_infra_usd_per_month",
        "What would retrieval infrastructure cost a month, in USD?",
        "A vector store and its hosting. 0 if unknown.",
        usd,
        lambda a: 0,
        lambda a: _failing(a, "knowledge"),
    ),
)


def pending(answers: Answers, asked: set[str]) -> list[Question]:
    """The questions still to ask, given the answers so far (re-evaluated after each answer)."""
    return [
        q
        for q in QUESTIONS
        if q.key not in asked and not has(answers, q.key) and not _prompt_known(answers, q) and q.relevant(answers)
    ]


def _prompt_known(answers: Answers, question: Question) -> bool:
    """A prompt given as a file answers the prompt-length question (and the fine-tuned one likewise)."""
    if question.key == "traffic.prompt_tokens":
        return has(answers, "traffic.prompt_file")
    if question.key == "models.ft_prompt_tokens":
        return has(answers, "models.ft_prompt_file")
    return False


def record(answers: Answers, question: Question, value: Any, folder: Path) -> None:
    """Store an answer (a blank optional one is not stored); a prompt-length answer that names a file
    becomes `prompt_file` (checked to exist, relative to `folder`)."""
    if question.key == "traffic.prompt_tokens" and isinstance(value, str):
        checked_prompt_file(folder, value)
        put(answers, "traffic.prompt_file", value)
        return
    if value is not None:
        put(answers, question.key, value)


FILE_KEYS = ("traffic.prompt_file", "models.ft_prompt_file", "data.training_file")


def relocated(answers: Answers, old: Path, new: Path) -> Answers:
    """The answers with every file they name made relative to `new` instead of `old` (a scenario's paths
    are relative to the scenario file, wherever it is saved); absolute and `~` paths stay as they are."""
    moved = {section: dict(values) for section, values in answers.items()}
    for key in FILE_KEYS:
        value = get(moved, key)
        if not isinstance(value, str) or value.startswith("~") or Path(value).is_absolute():
            continue
        target = os.path.normpath(os.path.join(old.resolve(), value))
        put(moved, key, Path(os.path.relpath(target, new.resolve())).as_posix())
    return moved


def without_notes(answers: Answers) -> Answers:
    """The answers without advisor's private notes (a counted file's tokens), as a scenario file holds them."""
    clean = {section: dict(values) for section, values in answers.items()}
    clean.get("traffic", {}).pop("prompt_file_tokens", None)
    return clean
