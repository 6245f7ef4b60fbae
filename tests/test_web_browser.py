"""`advisor serve` in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright through
`executable_path`; no browser is downloaded) against a real `advisor serve` process on 127.0.0.1. One
browser and one server for the module. Each step saves a screenshot under test-artifacts/web/ (ignored by
git) to look at after a run. Skipped, with the reason, when Chromium or Playwright is not installed;
`make test-browser` installs Chromium first."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

CHROMIUM = next((path for path in map(shutil.which, ("chromium", "chromium-browser")) if path), None)
if CHROMIUM is None:
    pytest.skip("no system Chromium (apt-get install chromium, or `make test-browser`)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")
pytest.importorskip("starlette", reason="the web extra is not installed")

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

TODAY = "2026-12-07"
EXAMPLE = "examples/scenarios/classifier-distill.toml"  # 3M requests: SFT at Together AI; 300k: prompting
ARTIFACTS = ROOT / "test-artifacts" / "web"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", EXAMPLE, "--port", "0", "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    found = re.fullmatch(r"advisor serving at (http://127\.0\.0\.1:\d+/)", first)
    assert found, first + (process.stderr.read() if process.stderr else "")
    yield found.group(1)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    outside: list[str] = []
    opened.on("request", lambda request: None if request.url.startswith(server) else outside.append(request.url))
    broken: list[str] = []  # script errors, and anything the content security policy refused
    opened.on("pageerror", lambda error: broken.append(str(error)))
    opened.on(
        "console", lambda message: broken.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield opened
    context.close()
    assert not outside, f"the page asked another host: {outside}"
    assert not broken, f"the page broke: {broken}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def cli(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_planning_session_in_the_browser(page: Page, server: str, tmp_path: Path) -> None:
    # open a shipped example
    page.goto(server)
    place = page.locator("#result-0 [data-field=place]")
    monthly = page.locator("#result-0 [data-field=today-monthly]")
    expect(place).to_have_text("Together AI llama-3.1-8b-instruct")
    expect(monthly).to_have_text("$4,944.00")
    headline = page.locator("#result-0 .headline strong").inner_text()
    assert "Fine-tune llama-3.1-8b-instruct with SFT" in headline
    shot(page, "1-opened")

    # move requests from 3M to 300k: the figures and the place change, the URL follows
    page.fill("#r0", "300k")
    expect(place).to_have_text("no training in this plan")
    expect(monthly).to_have_text("$494.40")
    expect(page.locator("#r0")).to_have_value("300k")  # the field typed in is never replaced
    page.wait_for_url(re.compile(r".*r0=300k.*"))
    shot(page, "2-at-300k")

    # a bad value is said beside its field, and the figures wait for a good one
    page.fill("#r0", "0")
    expect(page.locator("#err-r0")).to_contain_text("must be more than 0")
    page.fill("#r0", "300k")
    expect(page.locator("#err-r0")).to_have_text("")

    # add a second column: a copy of the first, then set back to 3M to compare
    page.click("#add-column")
    expect(page.locator("section.column")).to_have_count(2)
    page.fill("#r1", "3M")
    expect(page.locator("#result-1 [data-field=place]")).to_have_text("Together AI llama-3.1-8b-instruct")
    expect(page.locator("#result-1 .diff")).to_contain_text("instead of")
    shot(page, "3-two-columns")

    # export the first column's Markdown: the CLI's report of the same scenario, byte for byte
    page.goto(server)
    with page.expect_download() as download:
        page.click("#export-md-0")
    saved = tmp_path / "exported.md"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8") == cli("recommend", EXAMPLE, "--today", TODAY, "--format", "markdown")
    shot(page, "4-exported")

    # print to PDF: the headline is in it, the controls are not
    page.emulate_media(media="print")
    shot(page, "5-print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (ARTIFACTS / "6-printed.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert squeeze(headline)[:60] in squeeze(text)
    assert "What if" not in text and "Add a column" not in text


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text with its white space dropped (a PDF breaks lines where the page does)."""
    return re.sub(r"\s+", "", text)


def test_the_interview_form_checks_an_answer_as_the_field_is_left(page: Page, server: str) -> None:
    page.goto(server + "new")
    expect(page.locator("#q-knowledge-corpus_tokens-skip")).to_contain_text("not asked")
    page.fill("#q-task-failures", "knowledge")
    page.press("#q-task-failures", "Tab")
    expect(page.locator("#q-knowledge-corpus_tokens-skip")).to_have_text("")  # it matters now
    page.fill("#q-traffic-requests_per_month", "many")
    page.press("#q-traffic-requests_per_month", "Tab")
    expect(page.locator("#q-traffic-requests_per_month-error")).not_to_have_text("")
    shot(page, "7-interview-error")
    page.fill("#q-traffic-requests_per_month", "2M")
    page.fill("#q-name", "Refund triage")
    page.click("button[name=go]")
    expect(page.locator("section.column")).to_have_count(2)
    expect(page.locator("#column-1 h2")).to_have_text("Refund triage")
    assert "c=new" in page.url and "s1=name" in page.url  # the new column is in the URL, to share
    shot(page, "8-interview-column")
