"""advisor's OpenAI provider plugin. Imports nothing heavy: the SDK loads when a job is launched, or when
a grader is checked against its types."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from advisor.plugin_api import hookimpl

if TYPE_CHECKING:
    from advisor.plugin_api import GraderCheck, GraderProblem, Provider


@hookimpl
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    from advisor_openai.provider import OpenAIProvider

    register(OpenAIProvider())


@hookimpl
def advisor_register_grader_checks(register: Callable[[GraderCheck], None]) -> None:
    from advisor.plugin_api import GraderCheck

    register(GraderCheck("openai-python's grader types", check_grader))


def check_grader(grader: dict[str, Any]) -> list[GraderProblem]:
    """openai-python's verdict on an RFT grader (advisor_openai.graders; openai and pydantic load now)."""
    from advisor_openai.graders import check

    return check(grader)
