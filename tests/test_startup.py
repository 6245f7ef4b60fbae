"""`advisor --help` starts fast: it must not import heavy modules it does not need."""

import subprocess
import sys

import pytest

HEAVY = (
    "openai",
    "tiktoken",
    "orjson",
    "pydantic",
    "rich",
    "platformdirs",
    "pluggy",
    "advisor.costs.estimate",
    "advisor.plugins",
)


def imported_modules(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "advisor", *args], capture_output=True, text=True, check=True
    )
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def test_help_imports_nothing_heavy() -> None:
    modules = imported_modules("--help")
    assert "click" in modules
    assert not [name for name in modules if name.split(".")[0] in HEAVY or name in HEAVY]


@pytest.mark.parametrize("command", ["estimate", "launch", "jobs", "providers"])
def test_subcommand_help_stays_light(command: str) -> None:
    modules = imported_modules(command, "--help")
    assert not [name for name in modules if name.split(".")[0] in ("openai", "tiktoken", "rich", "pydantic")]


def test_listing_providers_does_not_import_their_sdks() -> None:
    modules = imported_modules("providers", "--format", "json")
    assert "advisor_openai.provider" in modules and "openai" not in modules


def test_console_script_bad_input_exits_2_without_traceback() -> None:
    script = "advisor" if sys.platform == "win32" else sys.executable.replace("python", "advisor")
    result = subprocess.run(
        [script, "estimate", "--model", "gpt-4.1", "--requests", "0", "--prompt-tokens", "1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
