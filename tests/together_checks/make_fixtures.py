"""Rebuild the Together fixture set from together-python's own unit tests (run by hand, not by pytest).

    python tests/together_checks/make_fixtures.py /path/to/together-python

Runs tests/unit/test_files_checks.py and tests/unit/test_preference_openai.py of that checkout with
`together.utils.files` and `together.constants` served by reference_check.py (the vendored checker): the
upstream tests' own asserts pass against it (so the copy behaves as Together's), and every .jsonl file a
test checks is kept in fixtures/ under the test's name. The probe files (probes.py) are written too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = ("tests/unit/test_files_checks.py", "tests/unit/test_preference_openai.py")

CONFTEST = """
import os, re, shutil, sys, types
from pathlib import Path
sys.path.insert(0, {here!r})
import reference_check
import pytest

OUT = Path({out!r})
_current = {{"name": None, "count": 0}}

def _check_file(file, purpose=reference_check.FilePurpose.FineTune):
    path = Path(file)
    if path.suffix == ".jsonl" and purpose == reference_check.FilePurpose.FineTune and path.is_file():
        _current["count"] += 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", _current["name"]).strip("_")
        suffix = "" if _current["count"] == 1 else f"-{{_current['count']}}"
        shutil.copyfile(path, OUT / f"{{name}}{{suffix}}.jsonl")
    return reference_check.check_file(file, purpose)

files = types.ModuleType("together.utils.files")
files.check_file = _check_file
files.FilePurpose = reference_check.FilePurpose
constants = types.ModuleType("together.constants")
constants.MIN_SAMPLES = reference_check.MIN_SAMPLES
sys.modules["together.utils.files"] = files
sys.modules["together.constants"] = constants

@pytest.fixture(autouse=True)
def _name(request):
    _current["name"], _current["count"] = request.node.name.removeprefix("test_"), 0
"""


def main(checkout: str) -> None:
    out = HERE / "fixtures"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    with tempfile.TemporaryDirectory() as work:
        for test in TESTS:
            shutil.copy(Path(checkout) / test, Path(work) / Path(test).name)
        (Path(work) / "conftest.py").write_text(CONFTEST.format(here=str(HERE), out=str(out)))
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", work]
        subprocess.run(command, check=True, cwd=work)


if __name__ == "__main__":
    main(sys.argv[1])
