"""The training methods advisor knows (a module with no dependencies, so dataset workers and
provider plugins can import it without pydantic)."""

from typing import Literal

Method = Literal["sft", "dpo", "rft"]
