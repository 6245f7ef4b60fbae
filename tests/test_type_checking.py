"""The type checker stays on and strict: `make test` runs mypy before the suite, on the package and every
plugin, with no check turned off for our code; a `# type: ignore` names its error code and says why.

mypy itself runs in `make test` (not here: it would run twice); these tests hold its configuration and the
source to the rules in docs/architecture.md ("Type checking").
"""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MYPY = PYPROJECT["tool"]["mypy"]
CHECKED = [ROOT / "src" / "advisor", *sorted((ROOT / "plugins").glob("*/src"))]
OUR_PACKAGES = {
    "advisor",
    *(package.name for folder in CHECKED[1:] for package in folder.iterdir() if package.is_dir()),
}
# `# type: ignore[code, code]  # why`: mypy takes text after the codes only as a comment of its own
NARROW_IGNORE = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(?:,\s*[a-z-]+)*\]\s*#\s*\S.{9,}")
# settings that switch a check off (strict turns them on): never for our code
LOOSENING = re.compile(r"^(ignore_errors|strict|check_untyped_defs|disallow_[a-z_]+|warn_[a-z_]+|strict_[a-z_]+)$")


def ignore_problems(source: str, path: str = "module.py") -> list[str]:
    """Every `type: ignore` or inline `mypy:` setting in `source` that breaks the rules, as `path:line: why`."""
    problems = []
    code_lines = set()
    comments = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments.append(token)
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            code_lines.update(range(token.start[0], token.end[0] + 1))
    for comment in comments:
        line, text = comment.start[0], comment.string
        where = f"{path}:{line}"
        if re.match(r"#\s*mypy:", text):
            problems.append(f"{where}: an inline mypy setting ({text.strip()}): settings live in pyproject.toml")
        elif re.search(r"type:\s*ignore", text):
            if line not in code_lines:
                problems.append(f"{where}: a type: ignore on a line of its own (at the top it ignores the module)")
            elif not re.search(r"type:\s*ignore\[", text):
                problems.append(f"{where}: {text.strip()!r} names no error code: it hides every error on the line")
            elif not NARROW_IGNORE.search(text):
                problems.append(f"{where}: {text.strip()!r} does not say why (`# type: ignore[code]  # why`)")
    return problems


def python_files() -> list[Path]:
    return sorted(path for folder in CHECKED for path in folder.rglob("*.py"))


def test_make_test_runs_mypy_before_the_suite() -> None:
    recipe = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0].splitlines()
    commands = [line.strip() for line in recipe if line.startswith("\t")]
    assert "$(BIN)/mypy" in commands
    assert commands.index("$(BIN)/mypy") < next(i for i, c in enumerate(commands) if "pytest" in c)


def test_mypy_is_in_the_test_extra_with_a_version_range() -> None:
    (mypy,) = [req for req in PYPROJECT["project"]["optional-dependencies"]["test"] if req.startswith("mypy")]
    assert ">=" in mypy and "<" in mypy.replace("<=", "")


def test_mypy_checks_the_package_and_every_plugin_strictly() -> None:
    assert MYPY["strict"] is True
    assert MYPY["python_version"] == PYPROJECT["project"]["requires-python"].removeprefix(">=")
    covered = {path for pattern in MYPY["files"] for path in ROOT.glob(pattern)}
    plugins = {path.parent / "src" for path in (ROOT / "plugins").glob("*/pyproject.toml")}
    assert ROOT / "src" / "advisor" in covered
    assert plugins and plugins <= covered


def test_no_check_is_switched_off() -> None:
    loosened = [key for key, value in MYPY.items() if LOOSENING.match(key) and value is False]
    assert not loosened
    assert "ignore_errors" not in MYPY
    for override in MYPY.get("overrides", []):
        modules = [override["module"]] if isinstance(override["module"], str) else override["module"]
        assert not [m for m in modules if m.split(".")[0] in OUR_PACKAGES], f"an override for our own code: {modules}"
        assert set(override) <= {"module", "ignore_missing_imports", "follow_imports"}, f"{modules}: {sorted(override)}"


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    problems = [
        problem
        for path in python_files()
        for problem in ignore_problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ("x = f()  # type: ignore[arg-type]  # the SDK's stub says int; it returns str (issue 123)\n", True),
        ("x = f()  # type: ignore[arg-type, union-attr]  # the stub omits None, which it returns\n", True),
        ("x = f()  # type: ignore\n", False),  # every error on the line, for no stated reason
        ("x = f()  # type: ignore[arg-type]\n", False),  # no reason
        ("x = f()  # type: ignore[arg-type]  (click checks it)\n", False),  # mypy's syntax error, and no code
        ("# type: ignore\nimport os\n", False),  # the whole module
        ("# mypy: ignore-errors\nimport os\n", False),
        ("x = 1  # a comment that mentions no ignore\n", True),
    ],
)
def test_the_ignore_rule_tells_narrow_ignores_from_blanket_ones(line: str, allowed: bool) -> None:
    assert (ignore_problems(line) == []) is allowed
