"""How often advisor's verdict for a Together model is together-python's checker's, on the fixture set and
the probes of tests/test_together_rules.py (run by hand, with any installed advisor: a measurement, not a
test). `--times10` repeats each file's lines ten times, so the count of examples is out of the way.

    .venv/bin/python tests/together_checks/agreement.py [--times10]
"""

import sys
import tempfile
from datetime import date
from pathlib import Path

from advisor.datasets.check import check_dataset
from advisor.plugins import catalog_with_plugins, load_plugins

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "together_checks"))
sys.path.insert(0, str(ROOT))
import reference_check  # noqa: E402  (beside this file)
from tests.test_together_rules import PROBES, write_probe  # noqa: E402  (the probes the test uses)

T = date(2026, 12, 1)
plugins = load_plugins()
catalog = catalog_with_plugins((), T)
work = Path(tempfile.mkdtemp())
cases = {p.stem: p for p in sorted((ROOT / "tests" / "together_checks" / "fixtures").glob("*.jsonl"))}
cases |= {n: write_probe(work / f"{n}.jsonl", n, rows) for n, rows in PROBES.items()}
if "--times10" in sys.argv:  # each file's lines ten times over: the count of examples out of the way
    for name, path in list(cases.items()):
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        copy = work / f"x10-{name}.jsonl"
        copy.write_bytes(data * 10)
        cases[name] = copy
agree = 0
differ = []
for name, path in cases.items():
    together = bool(reference_check.check_file(path)["is_check_passed"])
    try:
        r = check_dataset(
            str(path), catalog, T, models=["together/llama-3.1-8b-instruct"], jobs=1, formats=plugins.dataset_formats
        )
        ours = r.errors == 0
    except Exception as exc:
        ours = f"exit 2 ({type(exc).__name__})"
    ok = together == ours
    agree += ok
    if not ok:
        differ.append((name, together, ours))
print(f"{agree}/{len(cases)} verdicts agree")
for d in differ:
    print("  ", d)
