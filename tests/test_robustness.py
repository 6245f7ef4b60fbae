"""Broken input across every command, file format and the job ledger (issue 15): each case runs the real
CLI on real files and asserts the exit status, one error line naming the file, line or field, no
traceback, and that no file changed where nothing should."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import EXAMPLES

TODAY = "2026-12-01"
TRAIN = (EXAMPLES / "invoice-extraction" / "train.jsonl").read_text().splitlines()[:20]
GOOD_SFT = "\n".join(TRAIN) + "\n"
FIVE_THOUSAND = "9" * 5000
EST = ["estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--today", TODAY]
EST_OK = [*EST, "--requests", "2M", "--prompt-tokens", "1800", "--training-tokens", "100000", "--examples", "400"]
TABLE_HEAD = 'provider = "acme"\ncurrency = "USD"\nas_of = 2026-06-30\nsource = "https://example.com"\n'


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    code: int = 2
    says: str = ""  # a regex the one error line must match


class Link(str):
    """A file of a case that is a symbolic link to this target."""


def scenario(text: str, name: str = "s.toml") -> dict[str, str | bytes]:
    return {name: text}


def trains_on(training_file: str, **files: str | bytes) -> dict[str, str | bytes]:
    """A scenario naming `training_file` (data.training_file, line 2), with other files beside it."""
    return {"s.toml": f'[data]\ntraining_file = "{training_file}"\n', **files}


def table(*lines: str, head: str = TABLE_HEAD) -> dict[str, str | bytes]:
    """t.toml: a price table (or `head` alone), one model `a` whose extra fields are `lines` (from line 8)."""
    return {"t.toml": head + "[models.a]\ninput = 1.0\noutput = 2.0\n" + "".join(f"{line}\n" for line in lines)}


MIB = 2**20


CASES = [
    # estimate flags: huge magnitudes are refused with the flag, never a traceback
    Case("setup-1e26", [*EST_OK, "--setup-cost", "1e26"], says=r"--setup-cost.*at most 1,000,000,000,000"),
    Case("setup-1e400", [*EST_OK, "--setup-cost", "1e400"], says=r"--setup-cost.*at most"),
    Case("setup-1e999999999", [*EST_OK, "--setup-cost", "1e999999999"], says=r"--setup-cost.*at most"),
    Case("requests-1e30", [*EST, "--requests", "1e30", "--prompt-tokens", "1"], says=r"--requests.*number such as"),
    Case(
        "requests-5000-digits", [*EST, "--requests", FIVE_THOUSAND, "--prompt-tokens", "1"], says=r"--requests.*at most"
    ),
    Case("prompt-1e40", [*EST, "--requests", "1", "--prompt-tokens", "1e40"], says=r"--prompt-tokens"),
    Case(
        "prompt-huge", [*EST, "--requests", "1", "--prompt-tokens", "10000000000000"], says=r"--prompt-tokens.*at most"
    ),
    Case("training-cost-inf", [*EST_OK, "--training-cost", "Infinity"], says=r"--training-cost.*finite"),
    Case("hours-nan", [*EST_OK, "--hosting-hours", "NaN"], says=r"--hosting-hours.*finite"),
    Case("hours-800", [*EST_OK, "--hosting-hours", "800"], says=r"--hosting-hours: must be at most 744"),
    Case("rft-hours-negative", [*EST_OK, "--method", "rft", "--rft-hours", "-1"], says=r"--rft-hours.*negative"),
    Case("cache-rate-2", [*EST_OK, "--cache-hit-rate", "2"], says=r"--cache-hit-rate must be between 0 and 1"),
    Case("unknown-model", ["estimate", "--model", "gpt-9", "--requests", "1", "--prompt-tokens", "1"], says="gpt-9"),
    Case("unknown-provider", [*EST_OK, "--provider", "mars"], says=r"mars"),
    Case("today-garbage", [*EST_OK, "--today", "yesterday"], says=r"--today.*not a date"),
    Case("today-month-13", [*EST_OK, "--today", "2026-13-01"], says=r"--today"),
    Case("prompt-file-missing", [*EST, "--requests", "1", "--prompt-file", "nope.txt"], says=r"nope\.txt: no such"),
    Case(
        "prompt-file-folder",
        [*EST, "--requests", "1", "--prompt-file", "."],
        says=r"\.: is a folder, not a file",
    ),
    Case(
        "prompt-file-utf16",
        [*EST, "--requests", "1", "--prompt-file", "p.txt"],
        {"p.txt": "hello there\n".encode("utf-16-le")},
        says=r"p\.txt: looks like UTF-16",
    ),
    Case(
        "prompt-file-utf16-bom",
        [*EST, "--requests", "1", "--prompt-file", "p.txt"],
        {"p.txt": "hello there\n".encode("utf-16")},
        says=r"p\.txt: looks like UTF-16",
    ),
    Case(
        "prompt-file-latin1",
        [*EST, "--requests", "1", "--prompt-file", "p.txt"],
        {"p.txt": b"caf\xe9\n"},
        says=r"p\.txt:1: not UTF-8",
    ),
    # scenario files (TOML and JSON)
    Case("scenario-missing", ["recommend", "none.toml"], says=r"none\.toml: no such file"),
    Case(
        "scenario-folder", ["recommend", "sub/x.toml"], {"sub/x.toml/a": ""}, says=r"sub/x\.toml: has no scenario files"
    ),
    Case("toml-syntax", ["recommend", "s.toml"], scenario("[task\n"), says=r"s\.toml:1: not valid TOML"),
    Case("json-syntax", ["recommend", "s.json"], scenario('{"name": }', "s.json"), says=r"s\.json:1: not valid JSON"),
    Case(
        "json-without-brace",
        ["recommend", "s.json"],
        scenario('["name"]', "s.json"),
        says=r"s\.json: a scenario is a table of keys",
    ),
    Case(
        "json-duplicate-key",
        ["recommend", "s.json"],
        scenario('{\n"name": "a",\n"name": "b"\n}', "s.json"),
        says=r"s\.json:3: the key 'name' is given twice",
    ),
    Case(
        "toml-5000-digits",
        ["recommend", "s.toml"],
        scenario(f'name = "x"\n[traffic]\nrequests_per_month = {FIVE_THOUSAND}\n'),
        says=r"s\.toml:3: a number has 5,000 digits",
    ),
    Case(
        "json-5000-digits",
        ["recommend", "s.json"],
        scenario(f'{{"traffic": {{"requests_per_month": {FIVE_THOUSAND}}}}}', "s.json"),
        says=r"s\.json:1: traffic\.requests_per_month: must be at most",
    ),
    Case(
        "toml-requests-1e30",
        ["recommend", "s.toml"],
        scenario("[traffic]\nrequests_per_month = 1e30\n"),
        says=r"s\.toml:2: traffic\.requests_per_month: must be at most 1,000,000,000,000",
    ),
    Case(
        "toml-setup-1e400",
        ["recommend", "s.toml"],
        scenario("[costs]\nsetup_usd = 1e400\n"),
        says=r"s\.toml:2: costs\.setup_usd: must be at most",
    ),
    Case(
        "toml-setup-1e26",
        ["recommend", "s.toml"],
        scenario("[costs]\nsetup_usd = 1e26\n"),
        says=r"s\.toml:2: costs\.setup_usd: must be at most",
    ),
    Case(
        "toml-setup-text",
        ["recommend", "s.toml"],
        scenario('[costs]\nsetup_usd = "2.00"\n'),
        says=r"s\.toml:2: costs\.setup_usd: expected a number, not the text '2\.00'",
    ),
    Case(
        "toml-bool-as-1",
        ["recommend", "s.toml"],
        scenario("[task]\nhas_eval_set = 1\n"),
        says=r"s\.toml:2: task\.has_eval_set: must be true or false, not 1",
    ),
    Case(
        "json-bool-as-1",
        ["recommend", "s.json"],
        scenario('{"task": {\n"has_eval_set": 1}}', "s.json"),
        says=r"s\.json:2: task\.has_eval_set: must be true or false",
    ),
    Case(
        "toml-count-as-text",
        ["recommend", "s.toml"],
        scenario('[data]\ndemonstrations = "500"\n'),
        says=r"s\.toml:2: data\.demonstrations: expected a number",
    ),
    Case(
        "toml-utf16-no-bom",
        ["recommend", "s.toml"],
        {"s.toml": 'name = "x"\n'.encode("utf-16-le")},
        says=r"s\.toml: looks like UTF-16 \(little-endian\)",
    ),
    Case(
        "prompt-file-key-missing",
        ["recommend", "s.toml"],
        scenario('name = "x"\n[traffic]\nprompt_file = "nope.txt"\n'),
        says=r"s\.toml:3: traffic\.prompt_file 'nope\.txt'.*no such file",
    ),
    Case(
        "prompt-file-key-folder",
        ["recommend", "s.toml"],
        scenario('name = "x"\n[traffic]\nprompt_file = "."\n'),
        says=r"s\.toml:3: traffic\.prompt_file '\.'.*is a folder",
    ),
    Case(
        "ft-prompt-file-missing",
        ["recommend", "s.toml"],
        scenario('[models]\nft_prompt_file = "ft.txt"\n'),
        says=r"s\.toml:2: models\.ft_prompt_file 'ft\.txt'",
    ),
    Case(
        "cached-larger-than-prompt",
        ["recommend", "s.toml"],
        scenario("[traffic]\nprompt_tokens = 100\ncached_prompt_tokens = 500\n"),
        says=r"s\.toml:3: traffic\.cached_prompt_tokens \(500\) is larger than the prompt",
    ),
    Case(
        "unknown-current-model",
        ["recommend", "s.toml"],
        scenario('name = "x"\n[models]\ncurrent = "gpt-9"\n'),
        says=r"s\.toml:3: models\.current: unknown model 'gpt-9'",
    ),
    Case(
        "unknown-scenario-provider",
        ["recommend", "s.toml"],
        scenario('[models]\nprovider = "mars"\n'),
        says=r"s\.toml:2: models\.provider: no price table for provider 'mars'",
    ),
    Case(
        "unknown-training-provider",
        ["recommend", "s.json"],
        scenario('{"models": {\n"providers": ["openai", "mars"]}}', "s.json"),
        says=r"s\.json:2: models\.providers: no price table for provider 'mars'",
    ),
    Case("horizon-0", ["recommend", "s.toml"], scenario("[costs]\nhorizon_months = 0\n"), says=r"s\.toml:2: costs\."),
    # price tables given with --pricing
    Case(
        "table-price-text",
        ["pricing", "list", "--pricing", "t.toml"],
        {"t.toml": TABLE_HEAD + '[models.a]\ninput = "2.00"\noutput = 8.0\n'},
        says=r"t\.toml:6: models\.a\.input: expected a number, not the text '2\.00'",
    ),
    Case(
        "table-price-1e400",
        ["pricing", "list", "--pricing", "t.toml"],
        {"t.toml": TABLE_HEAD + "[models.a]\ninput = 1e400\noutput = 8.0\n"},
        says=r"t\.toml:6: models\.a\.input: must be at most 1000000",
    ),
    Case(
        "table-price-5000-digits",
        ["pricing", "list", "--pricing", "t.toml"],
        {"t.toml": TABLE_HEAD + f"[models.a]\ninput = {FIVE_THOUSAND}\noutput = 8.0\n"},
        says=r"t\.toml:6: a number has thousands of digits",
    ),
    Case(
        "table-duplicate-alias",
        ["pricing", "list", "--pricing", "t.toml"],
        {
            "t.toml": TABLE_HEAD
            + '[models.a]\naliases = ["x"]\ninput = 1.0\noutput = 2.0\n'
            + '[models.b]\naliases = ["x"]\ninput = 1.0\noutput = 2.0\n'
        },
        says=r"t\.toml:9: .*name 'x' is used by both models\.a and models\.b",
    ),
    Case(
        "table-utf16",
        ["pricing", "list", "--pricing", "t.toml"],
        {"t.toml": TABLE_HEAD.encode("utf-16-le")},
        says=r"t\.toml: looks like UTF-16",
    ),
    Case(
        "table-price-negative",
        ["pricing", "list", "--pricing", "t.toml"],
        {"t.toml": TABLE_HEAD + "[models.a]\ninput = -1.0\noutput = 8.0\n"},
        says=r"t\.toml:6: models\.a\.input",
    ),
    # dataset split
    *[
        Case(
            f"split-validation-{spec}",
            ["dataset", "split", "d.jsonl", f"--validation={spec}"],
            {"d.jsonl": GOOD_SFT},
            says=r"--validation .* (neither a share|must be a share|asks for more)",
        )
        for spec in ("NaN", "sNaN", "Infinity", "-Infinity", "1e999999999", "-1", "0", "1.5", "abc", "20")
    ],
    Case(
        "split-output-is-a-folder",
        ["dataset", "split", "d.jsonl", "--validation", "0.2"],
        {"d.jsonl": GOOD_SFT, "d.train.jsonl/keep": "mine"},
        says=r"d\.train\.jsonl: is a folder",
    ),
    Case(
        "split-outputs-exist",
        ["dataset", "split", "d.jsonl", "--validation", "0.2"],
        {"d.jsonl": GOOD_SFT, "d.validation.jsonl": "mine\n"},
        says=r"d\.validation\.jsonl already exist",
    ),
    Case("split-missing", ["dataset", "split", "none.jsonl", "--validation", "0.2"], says=r"none\.jsonl: no such file"),
    Case(
        "split-one-example",
        ["dataset", "split", "d.jsonl", "--validation", "0.5"],
        {"d.jsonl": TRAIN[0] + "\n"},
        says=r"1 example\(s\): nothing to split",
    ),
    # other commands' files
    Case("tokens-missing", ["tokens", "--model", "gpt-4.1", "none.txt"], says=r"none\.txt: no such file"),
    Case(
        "tokens-utf16",
        ["tokens", "--model", "gpt-4.1", "p.txt"],
        {"p.txt": "hello\n".encode("utf-16-le")},
        says=r"p\.txt: looks like UTF-16",
    ),
    Case("check-missing", ["dataset", "check", "none.jsonl", "--today", TODAY], says=r"none\.jsonl: no such file"),
    Case(
        "check-grader-broken",
        ["dataset", "check", "d.jsonl", "--method", "rft", "--grader", "g.json", "--today", TODAY],
        {"d.jsonl": GOOD_SFT, "g.json": '{"type": '},
        says=r"g\.json:1: not valid JSON",
    ),
    Case("interview-save-extension", ["interview", "--save", "out.yaml"], says=r"out\.yaml: cannot save as \.yaml"),
    Case("interview-from-missing", ["interview", "--from", "none.toml"], says=r"none\.toml: no such file"),
    Case("interview-resume-missing", ["interview", "--resume", "none.toml"], says=r"none\.toml: no such file"),
    # issue 22: the keys of the new surface, each refused with its file, line and key
    Case(
        "fine-tune-base-unknown",
        ["recommend", "s.toml"],
        scenario('[models]\nfine_tune_base = "gpt-9"\n'),
        says=r"s\.toml:2: models\.fine_tune_base: unknown model 'gpt-9' for provider 'openai'; did you mean",
    ),
    Case(
        "fine-tune-base-empty",
        ["recommend", "s.toml"],
        scenario('[models]\nfine_tune_base = ""\n'),
        says=r"s\.toml:2: models\.fine_tune_base: is empty: name a model, or leave the key out",
    ),
    Case(
        "fine-tune-base-blank",
        ["recommend", "s.json"],
        scenario('{"models": {\n"fine_tune_base": "   "}}', "s.json"),
        says=r"s\.json:2: models\.fine_tune_base: is empty",
    ),
    Case(
        "fine-tune-base-cannot-be-tuned",
        ["recommend", "s.toml"],
        scenario('[models]\nfine_tune_base = "gpt-5"\n'),
        says=r"s\.toml:2: models\.fine_tune_base: gpt-5 cannot be fine-tuned: no price table has fine-tuning prices "
        r"for it \(openai:gpt-5\); name a model that can be \(openai: .*gpt-4\.1-mini.*\), or leave the key out",
    ),
    Case(
        "fine-tune-base-a-fine-tune-of-an-untunable-model",
        ["recommend", "s.toml"],
        scenario('[models]\nfine_tune_base = "ft:gpt-5:acme::abc"\n'),
        says=r"s\.toml:2: models\.fine_tune_base: 'ft:gpt-5:acme::abc' names a fine-tune of openai:gpt-5, which "
        r"cannot be fine-tuned",
    ),
    Case(
        "current-model-empty",
        ["recommend", "s.toml"],
        scenario('[models]\ncurrent = ""\n'),
        says=r"s\.toml:2: models\.current: is empty",
    ),
    Case(
        "current-model-snapshot-never-was",
        ["recommend", "s.toml"],
        scenario('[models]\ncurrent = "gpt-4.1-1999-99-99"\n'),
        says=r"s\.toml:2: models\.current: unknown model 'gpt-4\.1-1999-99-99': its snapshot date 1999-99-99 is not "
        r"a real day",
    ),
    Case(
        "current-model-a-fine-tune-of-an-untunable-model",
        ["recommend", "s.toml"],
        scenario('[models]\ncurrent = "ft:gpt-5:acme::abc"\n'),
        says=r"s\.toml:2: models\.current: 'ft:gpt-5:acme::abc' names a fine-tune of openai:gpt-5",
    ),
    Case(
        "training-file-missing",
        ["recommend", "s.toml"],
        trains_on("nope.jsonl"),
        says=r"s\.toml:2: data\.training_file 'nope\.jsonl': no such file; name the JSONL file of demonstrations",
    ),
    Case(
        "training-file-folder",
        ["recommend", "s.toml"],
        trains_on("data", **{"data/keep": "x"}),
        says=r"s\.toml:2: data\.training_file 'data': is a folder, not a file",
    ),
    Case(
        "training-file-link-loop",
        ["recommend", "s.toml"],
        trains_on("loop.jsonl", **{"loop.jsonl": Link("loop.jsonl")}),
        says=r"s\.toml:2: data\.training_file 'loop\.jsonl': cannot be read \(Too many levels of symbolic links\)",
    ),
    Case(
        "training-file-binary",
        ["recommend", "s.toml"],
        trains_on("t.jsonl", **{"t.jsonl": b'{"messages": []}\n\x00\x01\x02\xff' * 100}),
        says=r"s\.toml:2: data\.training_file 't\.jsonl': is binary \(it holds NUL bytes\)",
    ),
    Case(
        "training-file-empty",
        ["recommend", "s.toml"],
        trains_on("t.jsonl", **{"t.jsonl": "\n\n"}),
        says=r"s\.toml:2: data\.training_file 't\.jsonl': is empty",
    ),
    Case(
        "training-file-latin1",
        ["recommend", "s.toml"],
        trains_on("t.jsonl", **{"t.jsonl": b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n'}),
        says=r"s\.toml:2: data\.training_file 't\.jsonl': is not UTF-8 text \(byte 47\)",
    ),
    Case(
        "training-file-a-json-document",
        ["recommend", "s.toml"],
        trains_on("t.jsonl", **{"t.jsonl": '{\n  "messages": []\n}\n'}),
        says=r"s\.toml:2: data\.training_file 't\.jsonl': does not look like JSONL",
    ),
    Case(
        "training-file-home-of-nobody",
        ["recommend", "s.toml"],
        trains_on("~nosuchuser/t.jsonl"),
        says=r"s\.toml:2: data\.training_file '~nosuchuser/t\.jsonl': ~nosuchuser is no user's home folder",
    ),
    Case(
        "prompt-file-home-of-nobody",
        ["recommend", "s.toml"],
        scenario('[traffic]\nprompt_file = "~nosuchuser/p.txt"\n'),
        says=r"s\.toml:2: traffic\.prompt_file '~nosuchuser/p\.txt'.*~nosuchuser is no user's home folder",
    ),
    Case(
        "ft-prompt-file-home-of-nobody",
        ["recommend", "s.toml"],
        scenario('[models]\nft_prompt_file = "~nosuchuser/p.txt"\n'),
        says=r"s\.toml:2: models\.ft_prompt_file '~nosuchuser/p\.txt'.*~nosuchuser is no user's home folder",
    ),
    Case(
        "scenario-over-its-cap",
        ["recommend", "s.toml"],
        scenario('name = "x"\n' + "#" * MIB + "\n"),
        says=r"s\.toml: is larger than 1 MiB, the limit on a scenario file",
    ),
    Case(
        "grader-over-its-cap",
        ["dataset", "check", "d.jsonl", "--method", "rft", "--grader", "g.json", "--today", TODAY],
        {"d.jsonl": GOOD_SFT, "g.json": '{"type": "string_check", "name": "' + "x" * MIB + '"}'},
        says=r"g\.json: is larger than 1 MiB, the limit on a grader",
    ),
    # price tables: new keys checked where a table is read, with its file and line
    Case(
        "table-encoding-unknown",
        ["pricing", "list", "--pricing", "t.toml"],
        table('encoding = "o200k_bsae"'),
        says=r"t\.toml:8: models\.a\.encoding: 'o200k_bsae' is not a tokenizer advisor has \(installed: "
        r"cl100k_base.*o200k_base\); check its spelling",
    ),
    Case(
        "table-encoding-chat-format-unknown",
        ["pricing", "list", "--pricing", "t.toml"],
        table('encoding = "cl100k_base:llama9"'),
        says=r"t\.toml:8: models\.a\.encoding: 'cl100k_base:llama9' names the chat format 'llama9'",
    ),
    Case(
        "table-encoding-fallback-unknown",
        ["pricing", "list", "--pricing", "t.toml"],
        table('encoding = "o200k_base"', 'encoding_fallback = "nope"', 'encoding_fallback_note = "measured"'),
        says=r"t\.toml:9: models\.a\.encoding_fallback: 'nope' is not a tokenizer advisor has",
    ),
    Case(
        "overlay-encoding-unknown",
        ["pricing", "list", "--pricing", "o.toml"],
        {"o.toml": "overlay = true\n" + TABLE_HEAD.replace("acme", "openai") + '[models."gpt-4.1"]\nencoding = "x"\n'},
        says=r"o\.toml:7: models\.\"gpt-4\.1\"\.encoding: 'x' is not a tokenizer advisor has",
    ),
    Case(
        "table-provider-all",
        ["pricing", "list", "--pricing", "t.toml"],
        table(head=TABLE_HEAD.replace('"acme"', '"all"')),
        says=r"t\.toml:1: provider: 'all' is reserved \(`--provider all` compares every provider\)",
    ),
    Case(
        "overlay-provider-all",
        ["pricing", "list", "--pricing", "o.toml"],
        {"o.toml": "overlay = true\n" + TABLE_HEAD.replace('"acme"', '"all"')},
        says=r"o\.toml:2: provider: 'all' is reserved",
    ),
    Case(
        "table-as-of-text",
        ["pricing", "list", "--pricing", "t.toml"],
        table(head=TABLE_HEAD.replace("as_of = 2026-06-30", 'as_of = "2026-06-30"')),
        says=r"t\.toml:3: as_of: expected a date, not the text '2026-06-30' \(write it without quotes",
    ),
    Case(
        "table-as-of-datetime",
        ["pricing", "list", "--pricing", "t.toml"],
        table(head=TABLE_HEAD.replace("as_of = 2026-06-30", "as_of = 2026-06-30T10:00:00")),
        says=r"t\.toml:3: as_of: expected a date, not a date and time",
    ),
    Case(
        "table-shutdown-text",
        ["pricing", "list", "--pricing", "t.toml"],
        table('shutdown = "2027-01-14"'),
        says=r"t\.toml:8: models\.a\.shutdown: expected a date, not the text '2027-01-14'",
    ),
    Case(
        "overlay-as-of-text",
        ["pricing", "list", "--pricing", "o.toml"],
        {"o.toml": "overlay = true\n" + TABLE_HEAD.replace("as_of = 2026-06-30", 'as_of = "2026-06-30"')},
        says=r"o\.toml:4: as_of: expected a date, not the text",
    ),
    Case(
        "table-over-its-cap",
        ["pricing", "list", "--pricing", "t.toml"],
        table("# " + "x" * (4 * MIB)),
        says=r"t\.toml: is larger than 4 MiB, the limit on a price table",
    ),
    # estimate: a provider beside `all`, retraining bounded, model ids that name nothing
    Case(
        "provider-unknown-beside-all",
        [*EST_OK, "--provider", "all", "--provider", "mars"],
        says=r"no price table for provider 'mars'; known providers: .*, or all",
    ),
    Case(
        "retrain-every-1e-30",
        [*EST_OK, "--retrain-every", "1e-30"],
        says=r"--retrain-every: must be at least 0\.033 months \(a day: 24 of a month's 730 hours\)",
    ),
    Case("retrain-every-an-hour", [*EST_OK, "--retrain-every", "0.0014"], says=r"--retrain-every: must be at least"),
    Case(
        "model-snapshot-never-was",
        [*EST_OK[:2], "gpt-4.1-1999-99-99", *EST_OK[3:]],
        says=r"unknown model 'gpt-4\.1-1999-99-99': its snapshot date 1999-99-99 is not a real day",
    ),
    Case(
        "model-snapshot-month-13",
        [*EST_OK[:2], "gpt-4.1-2025-13-01", *EST_OK[3:]],
        says=r"its snapshot date 2025-13-01 is not a real day",
    ),
    Case(
        "model-a-fine-tune-of-an-untunable-model",
        [*EST_OK[:2], "ft:gpt-5:acme::abc", *EST_OK[3:]],
        says=r"'ft:gpt-5:acme::abc' names a fine-tune of openai:gpt-5, which cannot be fine-tuned",
    ),
    Case(
        "model-checkpoint-5000-digits",
        [*EST_OK[:2], f"ft:gpt-4.1:acme::abc:ckpt-step-{FIVE_THOUSAND}", *EST_OK[3:]],
        says=r"the checkpoint step in 'ft:gpt-4\.1:acme::abc:ckpt.*has 5,000 digits",
    ),
    Case("jobs-show-unknown", ["jobs", "show", "adv-none"], says=r"'adv-none' is not in the job ledger"),
    Case("jobs-forget-unknown", ["jobs", "forget", "adv-none", "--yes"], says=r"'adv-none' is not in the job ledger"),
]


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and not line.startswith(("warning:", "note:"))]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60 and len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_broken_input_gets_one_located_line(case: Case, advisor, tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    write(work, case.files)
    monkeypatch.chdir(work)
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 (an interview must not wait)
    before = snapshot(work)
    result = advisor(*case.args)
    assert result.code == case.code, (result.out, result.err)
    (line,) = error_lines(result.err)
    assert "Traceback" not in result.err + result.out
    assert re.search(case.says, line), line
    assert snapshot(work) == before  # nothing written, nothing changed


def test_the_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    """The same through the installed entry point, for a few cases: no traceback, status 2, one line."""
    script = str(Path(sys.executable).with_name("advisor"))
    for args in (
        [*EST_OK, "--setup-cost", "1e999999999"],
        ["dataset", "split", str(tmp_path / "d.jsonl"), "--validation", "sNaN"],
    ):
        (tmp_path / "d.jsonl").write_text(GOOD_SFT)
        result = subprocess.run([script, *args], capture_output=True, text=True)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(error_lines(result.stderr)) == 1


# --- the job ledger's faults ----------------------------------------------------------------------------


def ledger_with_runs(folder: Path) -> Path:
    from advisor.providers.ledger import Ledger

    ledger = Ledger(folder / "ledger.sqlite3")
    ledger.record_intent("adv-up", "openai", "sft", "gpt-4.1-mini", "fp1", {"a": 1}, "1.00")
    ledger.update("adv-up", "uploading the training file", state="uploading")
    ledger.record_intent("adv-done", "openai", "sft", "gpt-4.1-mini", "fp2", {"a": 2}, "2.00")
    ledger.update("adv-done", "job created", job_id="ftjob-done", status="succeeded", state="created")
    ledger.close()
    return folder / "ledger.sqlite3"


def data_dir() -> Path:
    return Path(os.environ["ADVISOR_DATA_DIR"])


class TestLedger:
    def test_listing_with_no_ledger_creates_none(self, advisor) -> None:
        for args in (("jobs", "list"), ("jobs", "list", "--offline"), ("jobs", "list", "--format", "json")):
            result = advisor(*args)
            assert result.code == 0 and not (data_dir() / "ledger.sqlite3").exists()
        assert json.loads(advisor("jobs", "list", "--format", "json").out)["jobs"] == []

    @pytest.mark.parametrize("content", [b"garbage, not a database" * 10, b"SQLite format 3\x00" + b"\xff" * 5000])
    def test_a_damaged_ledger_says_move_it_aside(self, advisor, content: bytes) -> None:
        path = data_dir() / "ledger.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        for args in (("jobs", "list", "--offline"), ("jobs", "list"), ("jobs", "show", "x")):
            result = advisor(*args)
            (line,) = error_lines(result.err)
            assert result.code == 2 and str(path) in line, line
            assert "damaged or not a SQLite file" in line and "move it aside" in line
        assert path.read_bytes() == content

    def test_a_zero_length_ledger_is_an_empty_one(self, advisor) -> None:
        path = data_dir() / "ledger.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        result = advisor("jobs", "list", "--offline")
        assert result.code == 0 and "No jobs in the ledger yet" in result.out and path.stat().st_size == 0

    @pytest.mark.usefixtures("wide_output")
    def test_a_row_with_broken_json_is_listed_with_a_note(self, advisor) -> None:
        path = ledger_with_runs(data_dir())
        with sqlite3.connect(path) as db:
            db.execute("UPDATE runs SET request = '{broken' WHERE run_id = 'adv-done'")
        result = advisor("jobs", "list", "--offline")
        assert result.code == 0 and "ftjob-done" in result.out and "adv-up" in result.out
        assert "run adv-done: its stored request is not valid JSON; `advisor jobs forget adv-done`" in result.err
        assert advisor("jobs", "forget", "adv-done", "--yes").code == 0
        assert "ftjob-done" not in advisor("jobs", "list", "--offline").out

    def test_show_never_claims_a_lost_create_when_nothing_was_sent(self, advisor) -> None:
        ledger_with_runs(data_dir())
        result = advisor("jobs", "show", "adv-up")
        (line,) = error_lines(result.err)
        assert result.code == 2 and "no create request was sent" in line and "lost" not in line
        assert "advisor jobs forget adv-up" in line

    def test_forget_clears_an_abandoned_row(self, advisor, monkeypatch) -> None:
        import io

        ledger_with_runs(data_dir())
        monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
        assert advisor("jobs", "forget", "adv-up").code == 1
        assert "adv-up" in advisor("jobs", "list", "--offline").out
        result = advisor("jobs", "forget", "adv-up", "--yes")
        assert result.code == 0 and "forgot run adv-up" in result.out
        assert "adv-up" not in advisor("jobs", "list", "--offline").out

    @pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes read-only files")
    def test_a_read_only_ledger_is_read_offline_and_refused_for_writing(self, advisor) -> None:
        path = ledger_with_runs(data_dir())
        path.chmod(0o444)
        try:
            assert "adv-up" in advisor("jobs", "list", "--offline").out
            result = advisor("jobs", "forget", "adv-up", "--yes")
            (line,) = error_lines(result.err)
            assert result.code == 2 and "read-only" in line and "chmod" in line
        finally:
            path.chmod(0o644)

    def test_a_lock_held_by_another_process_is_waited_for_bounded_and_said(self, advisor, monkeypatch) -> None:
        path = ledger_with_runs(data_dir())
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys, time\n"
                f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
                "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "locked"
            monkeypatch.setenv("ADVISOR_LEDGER_WAIT", "1")
            assert "adv-up" in advisor("jobs", "list", "--offline").out  # reading goes on (WAL)
            started = time.monotonic()
            result = advisor("jobs", "forget", "adv-up", "--yes")
            waited = time.monotonic() - started
        finally:
            holder.kill()
            holder.wait()
        assert result.code == 2 and 0.9 <= waited < 10
        assert "waiting up to 1 s for the job ledger" in result.err
        assert error_lines(result.err)[-1].endswith("ADVISOR_LEDGER_WAIT=SECONDS waits longer")
        assert "locked by another process" in error_lines(result.err)[-1]
        assert "adv-up" in advisor("jobs", "list", "--offline").out  # nothing was forgotten


# --- dataset split: atomic, with the umask's mode --------------------------------------------------------


def test_split_outputs_get_the_umask_mode(advisor, tmp_path: Path) -> None:
    source = tmp_path / "d.jsonl"
    source.write_text(GOOD_SFT)
    old = os.umask(0o027)
    try:
        assert advisor("dataset", "split", str(source), "--validation", "0.2").code == 0
    finally:
        os.umask(old)
    for name in ("d.train.jsonl", "d.validation.jsonl"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
