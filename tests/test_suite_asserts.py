"""Every test checks something when the code under test succeeds.

A test that only calls code passes whatever the code returns, and one whose assertions all sit in an
`except` block passes whenever the code does not raise: issue 23 found both. This scans tests/ with
ast: each test function must, outside its `except` blocks, assert, expect an exception or warning
(pytest.raises, pytest.warns, pytest.fail), or call a helper of tests/ that does (transitively).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).parent
EXPECTING = {"raises", "warns", "fail", "deprecated_call"}


def _on_success_path(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of `nodes`, leaving out the bodies of `except` handlers (and of nested functions,
    which run only if called)."""
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ExceptHandler):
                continue
            if isinstance(child, ast.stmt):
                yield from _on_success_path([child])
            else:
                yield from (inner for inner in ast.walk(child) if not isinstance(inner, ast.Lambda))


def _called(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else None


def _checks_directly(function: ast.FunctionDef | ast.AsyncFunctionDef, checkers: set[str]) -> bool:
    for node in _on_success_path(function.body):
        if isinstance(node, ast.Assert) or _called(node) in EXPECTING | checkers:
            return True
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            _called(item.context_expr) in EXPECTING for item in node.items
        ):
            return True
    return False


def _functions() -> list[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((path, node))
    return found


def unchecked_tests(functions: list[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]) -> list[str]:
    """`file:line name` of each test function that checks nothing when the code succeeds."""
    helpers = [function for _, function in functions if not function.name.startswith("test_")]
    checkers: set[str] = set()
    while True:  # a helper checks if it asserts or calls a helper that does
        more = {helper.name for helper in helpers if helper.name not in checkers and _checks_directly(helper, checkers)}
        if not more:
            break
        checkers |= more
    return [
        f"{path.name}:{function.lineno} {function.name}"
        for path, function in functions
        if function.name.startswith("test_") and not _checks_directly(function, checkers)
    ]


def test_every_test_checks_something_when_the_code_succeeds() -> None:
    functions = _functions()
    assert sum(function.name.startswith("test_") for _, function in functions) > 500  # the scan sees the suite
    assert unchecked_tests(functions) == []


def test_the_scan_finds_a_test_that_only_calls_code_or_checks_only_failures() -> None:
    source = """
def helper(x):
    assert x

def test_calls_only():
    parse("10k")

def test_checks_only_when_it_fails():
    try:
        parse("10k")
    except ValueError as error:
        assert str(error)

def test_checks_through_a_helper():
    helper(parse("10k"))

def test_expects_an_error():
    with pytest.raises(ValueError):
        parse("x")
"""
    functions = [(Path("t.py"), node) for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)]
    assert unchecked_tests(functions) == ["t.py:5 test_calls_only", "t.py:8 test_checks_only_when_it_fails"]
