"""Together's rules for training data, and Together's SDK as a second opinion.

The rules are together-python's file checker (`together.utils.files.check_file`, together-python at
commit eba5e5f, 2025-12-23, read 2026-12-07; its unit tests tests/unit/test_files_checks.py and
test_preference_openai.py are advisor's fixture set, tests/fixtures/together_checks): at least 1 example
(`MIN_SAMPLES = 1`); roles system, user and assistant, never two in a row the same; `weight` 0 or 1 on any
message; images only in user messages, as base64 JPEG, PNG or WEBP data URLs of at most 10 MB, at most 10
an example, never in a message with a non-zero weight, and a conversation's messages all text or all
content parts; one format per file (text, messages, prompt/completion or preference), no other columns (no
`tools`); no blank lines; SFT and DPO only (no RFT). together 3.1.1's constants list `tools` and a `tool`
role (JSONL_EXTRA_COLUMNS_MAP, POSSIBLE_ROLES_CONVERSATION) that its client never checks: the two sources
differ on tools, and advisor keeps the more conservative refusal.

The SDK advisor installs (together 3.x) moved that checker to `together.lib.utils.files.check_file` and
left only UTF-8, JSON objects and the minimum count there: "Semantic checks run on the server after
upload". advisor asks it for its verdict as a second opinion and reports any disagreement, saying what
that checker looks at.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from advisor.plugin_api import DataRules, SecondOpinion

SOURCE = (
    "together-python's check_file (src/together/utils/files.py and its unit tests, commit eba5e5f, "
    "2025-12-23, read 2026-12-07); docs.together.ai/docs/fine-tuning-data-preparation"
)
# together.constants: MAX_BASE64_IMAGE_LENGTH = len("data:image/jpeg;base64,") + 4 * MAX_IMAGE_BYTES // 3
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BASE64_IMAGE_LENGTH = len("data:image/jpeg;base64,") + 4 * MAX_IMAGE_BYTES // 3


def sdk_check(path: str) -> SecondOpinion | None:
    """Together's SDK's own check of the file (3.x: together.lib.utils.files; 1.x: together.utils.files),
    or None when the SDK is not installed."""
    module: Any = None
    for name in ("together.lib.utils.files", "together.utils.files"):
        try:
            module = import_module(name)
            break
        except ImportError:
            continue
    if module is None:
        return None
    try:
        release = version("together")
    except PackageNotFoundError:
        release = "?"
    report = module.check_file(path)
    passed = bool(report.get("is_check_passed"))
    message = str(report.get("message") or ("Checks passed" if passed else "failed"))
    scope = ""
    if module.__name__.startswith("together.lib"):
        scope = (
            "this checker reads only UTF-8, JSON objects and the number of lines; Together checks the rest after upload"
        )
    return SecondOpinion(f"together {release} {module.__name__}.check_file", passed, message, scope)


RULES = DataRules(
    provider="together",
    source=SOURCE,
    methods=("sft", "dpo"),
    min_examples=1,
    roles=("system", "user", "assistant"),
    weight_roles=("system", "user", "assistant"),
    repeated_roles=False,
    tools=False,
    image_roles=("user",),
    max_images=10,
    image_url_prefixes=("data:image/jpeg;base64,", "data:image/png;base64,", "data:image/webp;base64,"),
    max_image_url_chars=MAX_BASE64_IMAGE_LENGTH,
    images_trained=False,
    mixed_content=False,
    blank_lines=False,  # together-python 1.x: json.loads of a blank line fails; together 3.x skips them (stricter kept)
    one_format_per_file=True,
    unknown_message_keys=True,
    own_rules="warning",
    second_opinion=sdk_check,
    notes=(
        "Together's rules applied (together-python's check_file); fewer than 10 examples is a warning, "
        "not an error: Together takes 1",
    ),
)
