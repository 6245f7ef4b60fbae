"""The training methods advisor knows (a module with no dependencies, so dataset workers and
provider plugins can import it without pydantic)."""

from typing import Literal

Method = Literal["sft", "dpo", "rft"]
METHODS: tuple[Method, ...] = ("sft", "dpo", "rft")


def method_named(name: str) -> Method | None:
    """The method a stored name (a ledger's, a file's) stands for; None for one advisor does not know."""
    return next((method for method in METHODS if method == name), None)
