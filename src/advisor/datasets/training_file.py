"""A training file's tokens for pricing: each valid example's tokens, counted by the same scan as
`advisor dataset check` (advisor.datasets.scan), and a file the provider would reject refused with its
first error. `advisor estimate --training-file` prices them (advisor.costs.inputs, which is given this
function: costs sit below datasets and never import them)."""

from __future__ import annotations

from collections.abc import Sequence

from advisor.datasets.scan import ScanSettings, scan_file
from advisor.errors import UserError
from advisor.methods import Method
from advisor.safe_text import shell_command


def counted_examples(path: str, method: Method, counting: str) -> Sequence[int]:
    """The tokens of each valid example of the JSONL file at `path`, in file order, counted as `counting`
    (a counting name: advisor.tokens.chat_format); UserError naming the first error's line when the file
    has any error or no valid example."""
    scan = scan_file(ScanSettings(path, method, (counting,)))
    errors = scan.problems.total("error")
    if errors or not scan.valid:
        first = next((p for p in scan.problems.kept if p.severity == "error"), None)
        where = f"{path}:{first.line}" if first and first.line else path
        detail = f"{first.message}" if first else "no valid examples"
        raise UserError(
            f"the training file has {errors:,} error(s), the first: {detail}",
            where=where,
            hint=f"run `{shell_command('advisor', 'dataset', 'check', path)}` for every problem",
        )
    return scan.tokens[0]
