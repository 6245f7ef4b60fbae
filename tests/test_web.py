"""`advisor serve` over HTTP: every page and endpoint through Starlette's TestClient (real in-process HTTP
handling of the real application), bad input answered in words (400, never 500), the security rules, and
the command itself as a real server process. The browser's side is tests/test_web_browser.py."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("starlette", reason="the web extra (pip install 'advisor[web]') is not installed")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the test extra)")

from starlette.testclient import TestClient

from advisor.api.recommending import command_place
from advisor.recommend.scenario import scenario_toml
from advisor.web.app import create_app
from advisor.web.security import MAX_BODY, allowed_hosts
from advisor.web.session import Session

from .conftest import ROOT

TODAY = "2026-12-07"
CLASSIFIER = "examples/scenarios/classifier-distill.toml"  # 3M requests: SFT at Together; 300k: prompting
INVOICE = "examples/invoice-extraction/scenario.toml"  # prompt files beside it
BASE = "http://127.0.0.1:8000"


def client_for(*files: str, token: str | None = None, hosts: set[str] | None = None) -> TestClient:
    session = Session(list(files), [], command_place(), date.fromisoformat(TODAY))
    app = create_app(session, allowed_hosts("127.0.0.1", 8000) if hosts is None else hosts, token)
    return TestClient(app, base_url=BASE, follow_redirects=False)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A server per test: the suite loads plugins afresh for each test (conftest), and so does this."""
    with client_for(CLASSIFIER, INVOICE) as test_client:
        yield test_client


def cli(*args: str) -> str:
    """`advisor ARGS` as a user runs it, from the folder the server runs in."""
    result = subprocess.run(
        [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, cwd=Path.cwd(), env=os.environ
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def field(page: str, ident: str) -> str:
    """The text of the element with id `ident` (tags removed)."""
    found = re.search(rf'id="{re.escape(ident)}"[^>]*>(.*?)</(?:span|div|p|nav)>', page, re.S)
    assert found, f"no element {ident}"
    return text_of(found.group(1))


def data_field(page: str, name: str) -> list[str]:
    return re.findall(rf'data-field="{name}">([^<]*)<', page)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href", "action", "hx-get") and value]


class TestTheView:
    def test_one_column_per_file_with_headline_plan_costs_payback_places_and_risks(self, client: TestClient) -> None:
        page = client.get("/?today=" + TODAY)
        assert page.status_code == 200
        text = page.text
        assert text.count('class="column"') == 2
        assert "Ticket classifier at 3M requests a month" in text and "Invoice field extraction" in text
        assert data_field(text, "place")[:2] == ["Together AI llama-3.1-8b-instruct"] * 2
        for part in ('class="headline"', 'class="costs"', 'class="payback"', 'class="places"', "<h3>Risks</h3>"):
            assert text.count(part) == 2, part
        assert text.count("<svg") == 2  # the Markdown report's chart, inline

    def test_every_page_asks_nothing_of_another_host(self, client: TestClient) -> None:
        for path in ("/?today=" + TODAY, "/new", "/?c=0&c=1&c=0&r2=300k"):
            parser = Links()
            parser.feed(client.get(path).text)
            assert parser.found
            for link in parser.found:
                parts = urlsplit(link)
                assert not parts.scheme and not parts.netloc, f"{path}: {link} leaves the server"
            assert "/static/htmx.min.js" in parser.found
        assert client.get("/static/htmx.min.js").status_code == 200
        assert "@media print {" in client.get("/static/style.css").text

    def test_requests_at_300k_change_the_figures_and_the_place(self, client: TestClient) -> None:
        before = client.get(f"/?today={TODAY}&c=0").text
        after = client.get(f"/?today={TODAY}&c=0&r0=300k").text
        assert data_field(before, "place") == ["Together AI llama-3.1-8b-instruct"]
        assert data_field(after, "place") == ["no training in this plan"]
        assert data_field(before, "today-monthly") == ["$4,944.00"]
        assert data_field(after, "today-monthly") == ["$494.40"]

    def test_the_controls_are_what_if_settings_and_the_date_is_the_views(self, client: TestClient) -> None:
        page = client.get("/?today=2027-02-01&c=0&h0=24&o0=50").text
        assert "Cost of each option (24 months)" in page
        assert 'value="2027-02-01"' in page
        assert "stopped serving on 2027-01-14" in page or "gpt-6-luna" in page

    def test_a_second_column_says_how_it_differs_from_the_first(self, client: TestClient) -> None:
        page = client.get(f"/?today={TODAY}&c=0&c=0&r1=300k").text
        differences = page.split("Against column 1", 1)[1].split("</div>", 1)[0]
        assert (
            "recommends Prompting instead of Fine-tuned llama-3.1-8b-instruct" in differences
            or "instead of" in differences
        )
        assert "trains at no training instead of Together AI llama-3.1-8b-instruct" in differences

    def test_columns_are_added_as_a_copy_of_the_first_and_removed(self, client: TestClient) -> None:
        added = client.get(f"/?today={TODAY}&c=1&r0=300k&add=1")
        assert added.status_code == 303
        assert added.headers["location"] == f"/?today={TODAY}&c=1&r0=300k&c=1&r1=300k"
        dropped = client.get(f"/?today={TODAY}&c=1&c=0&r1=5k&drop=0")
        assert dropped.headers["location"] == f"/?today={TODAY}&c=0&r0=5k"
        full = client.get("/?c=0&c=0&c=0&c=0&add=1")
        assert full.headers["location"].count("c=0") == 4

    def test_the_view_is_its_url(self, client: TestClient) -> None:
        page = client.get(f"/?today={TODAY}&c=1&r1=300k&c=0&w1=openai&r1=2M").text  # the first value counts
        share = re.search(r'id="share" href="([^"]+)"', page)
        assert share and share.group(1).replace("&amp;", "&") == f"/?today={TODAY}&c=1&c=0&r1=300k&w1=openai"
        htmx = client.get(f"/?today={TODAY}&c=0&r0=300k", headers={"HX-Request": "true"})
        assert htmx.headers["hx-push-url"] == f"/?today={TODAY}&c=0&r0=300k"

    def test_the_places_table_shows_the_top_five_or_what_the_filter_finds(self, client: TestClient) -> None:
        page = client.get(f"/?today={TODAY}&c=0").text
        places = field(page, "places-0")
        assert re.search(r"5 of \d+ places; \d+ more: filter to see them", places)
        filtered = field(client.get(f"/?today={TODAY}&c=0&w0=openai").text, "places-0")
        assert "match “openai”" in filtered and "Together AI" not in filtered.split("match", 1)[1]

    def test_every_figure_is_footnoted_to_its_price_row_date_and_rule(self, client: TestClient) -> None:
        page = client.get(f"/?today={TODAY}&c=0").text
        rows = re.findall(r"<tr[^>]*data-strategy[^>]*>(.*?)</tr>", page)
        assert len(rows) >= 3 and all('class="ref"' in row for row in rows)
        assert re.search(r'<p class="headline">.*<sup class="ref"><a href="#note-0-1"', page)
        plain = text_of(page)
        notes = plain.split("Notes", 1)[1]
        assert "rule cost.distill: the prompted baseline (94%) meets the target" in notes
        assert "Source: OpenAI, Model optimization guide" in notes
        assert re.search(
            r"together:llama-3.1-8b-instruct fine-tuned standard input: \$0.18 per 1M, as of 2026-\d\d-\d\d", notes
        )
        assert "openai:gpt-4.1 standard input: $2 per 1M, as of 2026-11-19 (genai-prices" in notes
        assert "default: costs.horizon_months = 12" in notes and "payback: " in notes
        places = re.findall(r"<tr[^>]*>(.*?)</tr>", page.split('id="places-0"', 1)[1].split("</table>", 1)[0])[1:]
        assert len(places) == 5 and all('class="ref"' in row for row in places)
        assert re.search(
            r"openai:gpt-4.1-mini: its row's prices from .*; its fine-tuning prices from .*as_of 20\d\d-\d\d-\d\d",
            notes,
        )

    def test_a_prompt_counted_from_a_file_can_be_given_as_a_count_instead(self, client: TestClient) -> None:
        page = client.get(f"/?today={TODAY}&c=1").text
        assert re.search(r'<input id="p0" name="p0" value="" placeholder="counted from prompt.json"', page)
        longer = client.get(f"/?today={TODAY}&c=1&p0=2500").text
        assert re.search(r'<span class="error" id="err-p0" role="alert"></span>', longer), "no refusal"
        monthly = re.compile(r"Today:\s+(\$[\d,.]+)\s+a month")
        before, after = (monthly.search(re.sub(r"<[^>]+>", " ", text)) for text in (page, longer))
        assert before and after and before.group(1) != after.group(1)

    def test_without_files_a_column_of_the_interviews_defaults(self) -> None:
        with client_for() as empty:
            page = empty.get(f"/?today={TODAY}").text
            assert page.count('class="column"') == 1
            assert "Unnamed feature" in page and "the interview’s defaults" in page
            assert data_field(page, "plan")  # a recommendation, from defaults alone


class TestBadInputOnThePage:
    @pytest.mark.parametrize(
        ("query", "ident", "said"),
        [
            ("r0=0", "err-r0", "must be more than 0"),
            ("r0=lots", "err-r0", "lots"),
            ("h0=500", "err-h0", "must be at most 120"),
            ("o0=-3", "err-o0", ""),
            ("today=tomorrow", "today-error", "is not a date: write YYYY-MM-DD"),
            ("c=7", "view-problems", "no scenario '7'"),
            ("s0=nonsense", "err-s0", "is not KEY=VALUE"),
            ("s0=traffic.colour=red", "err-s0", "is not a known key"),
        ],
    )
    def test_shown_next_to_its_field_never_a_500(self, client: TestClient, query: str, ident: str, said: str) -> None:
        base = "" if query.startswith(("c=", "today=")) else "c=0&"
        page = client.get(f"/?{base}{query}")
        assert page.status_code == 200
        message = field(page.text, ident)
        assert message.strip() and said in message

    def test_a_file_outside_the_scenarios_folders_is_not_read(self, client: TestClient) -> None:
        page = client.get('/?c=new&s0=traffic.prompt_file="/etc/passwd"').text
        assert "outside the folders of the scenarios given" in field(page, "err-s0")
        assert "root:" not in page

    def test_unknown_pages_and_methods_are_said_in_json(self, client: TestClient) -> None:
        missing = client.get("/nowhere")
        assert missing.status_code == 404 and "open / for the view" in missing.json()["error"]
        assert client.get("/static/../pyproject.toml").status_code == 404
        assert client.put("/api/recommend", content="x").status_code == 405
        assert client.get("/export/scenario.exe?c=0").status_code == 404


class TestExports:
    def test_markdown_and_json_are_the_clis_for_the_same_scenario(self, client: TestClient) -> None:
        for index, path in enumerate((CLASSIFIER, INVOICE)):
            markdown = client.get(f"/export/scenario.md?today={TODAY}&c={index}")
            assert markdown.status_code == 200
            assert markdown.text == cli("recommend", path, "--today", TODAY, "--format", "markdown")
            as_json = client.get(f"/export/scenario.json?today={TODAY}&c={index}")
            assert as_json.text == cli("recommend", path, "--today", TODAY, "--format", "json")

    def test_the_scenario_exported_holds_the_what_if_values(self, client: TestClient, tmp_path: Path) -> None:
        exported = client.get(f"/export/scenario.toml?today={TODAY}&c=0&r0=300k&h0=24")
        assert exported.status_code == 200
        scenario = tomllib.loads(exported.text)
        assert scenario["traffic"]["requests_per_month"] == 300_000 and scenario["costs"]["horizon_months"] == 24
        saved = tmp_path / "what-if.toml"
        saved.write_text(exported.text, encoding="utf-8")
        markdown = client.get(f"/export/scenario.md?today={TODAY}&c=0&r0=300k&h0=24").text
        from_file = cli("recommend", str(saved), "--today", TODAY, "--format", "markdown")
        assert markdown.split("### Assumptions")[0] == from_file.split("### Assumptions")[0]

    def test_an_export_of_bad_values_is_a_400_with_the_message(self, client: TestClient) -> None:
        refused = client.get("/export/scenario.json?c=0&r0=0")
        assert refused.status_code == 400 and "must be more than 0" in refused.text


class TestTheApi:
    def test_post_recommend_is_advisor_recommend_format_json(self, client: TestClient) -> None:
        for path in (CLASSIFIER, INVOICE):
            body = (ROOT / path).read_text(encoding="utf-8")
            answer = client.post(f"/api/recommend?today={TODAY}&file={path}", content=body)
            assert answer.status_code == 200, answer.text
            assert answer.text == cli("recommend", path, "--today", TODAY, "--format", "json")

    def test_a_posted_scenario_without_a_file_name_reads_as_standard_input(self, client: TestClient) -> None:
        body = scenario_toml(Session([CLASSIFIER], [], command_place(), date(2026, 12, 7)).scenarios[0].scenario)
        answer = client.post(f"/api/recommend?today={TODAY}", content=body)
        assert answer.status_code == 200 and answer.json()["source"] == "-"

    @pytest.mark.parametrize(
        ("query", "body", "status", "said"),
        [
            ("", "name = ", 400, "not valid TOML"),
            ("", "[traffic]\nrequests_per_month = 0\n", 400, "traffic.requests_per_month: must be more than 0"),
            ("today=someday", "", 400, "'someday' is not a date"),
            ("", '[traffic]\nprompt_file = "/etc/passwd"\n', 403, "outside the folders of the scenarios given"),
            ("file=/etc/scenario.toml", "", 403, "outside the folders"),
        ],
    )
    def test_errors_are_json_with_the_message(
        self, client: TestClient, query: str, body: str, status: int, said: str
    ) -> None:
        answer = client.post(f"/api/recommend?{query}", content=body)
        assert answer.status_code == status
        assert said in answer.json()["error"]

    def test_a_body_that_is_not_utf8_is_refused(self, client: TestClient) -> None:
        answer = client.post("/api/recommend", content=b"name = \xff\xfe")
        assert answer.status_code == 400 and "not UTF-8" in answer.json()["error"]


class TestSecurity:
    def test_a_body_over_the_limit_is_413(self, client: TestClient) -> None:
        answer = client.post("/api/recommend", content=b"#" * (MAX_BODY + 1))
        assert answer.status_code == 413

    def test_a_chunked_body_over_the_limit_is_413(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            for _ in range(MAX_BODY // 65536 + 2):
                yield b"#" * 65536

        answer = client.post("/api/recommend", content=chunks())
        assert answer.status_code == 413

    @pytest.mark.parametrize(
        "headers",
        [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
    )
    def test_a_post_from_another_origin_is_403(self, client: TestClient, headers: dict[str, str]) -> None:
        answer = client.post("/api/recommend", content="", headers=headers)
        assert answer.status_code == 403 and "same origin" in answer.json()["error"]

    def test_a_post_from_the_same_origin_is_answered(self, client: TestClient) -> None:
        same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
        assert client.post(f"/api/recommend?today={TODAY}", content="", headers=same).status_code == 200

    def test_every_answer_allows_only_this_servers_scripts_and_no_framing(self, client: TestClient) -> None:
        for answer in (client.get("/"), client.get("/nowhere"), client.get("/", headers={"Host": "x:1"})):
            policy = answer.headers["content-security-policy"]
            assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert "script-src" not in policy and "unsafe-eval" not in policy  # scripts: 'self' only
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"

    def test_another_host_name_is_refused_dns_rebinding(self, client: TestClient) -> None:
        answer = client.get("/", headers={"Host": "attacker.example:8000"})
        assert answer.status_code == 403
        assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200

    def test_with_a_token_nothing_is_served_without_it(self) -> None:
        with client_for(CLASSIFIER, token="s3cret-token", hosts=None) as guarded:
            assert guarded.get("/").status_code == 403
            assert guarded.get("/?token=wrong").status_code == 403
            assert guarded.post("/api/recommend", content="").status_code == 403
            first = guarded.get("/?token=s3cret-token")
            assert first.status_code == 200
            assert "advisor_token=s3cret-token" in first.headers["set-cookie"]
            assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
            assert guarded.get("/static/style.css").status_code == 200  # the cookie carries it on
            bearer = {"Authorization": "Bearer s3cret-token"}
            assert guarded.post(f"/api/recommend?today={TODAY}", content="", headers=bearer).status_code == 200


class TestTheInterviewForm:
    def test_every_question_with_its_help_and_default(self, client: TestClient) -> None:
        from advisor.recommend.interview import QUESTIONS

        page = client.get("/new").text
        for question in QUESTIONS:
            assert question.ask.replace("'", "&#x27;") in page
        assert 'name="q.traffic.requests_per_month" value="10000"' in page
        assert 'name="q.models.current" value="gpt-4.1"' in page
        assert "2000, 10k, 1.5M." in page

    def test_a_bad_answer_is_said_next_to_its_field(self, client: TestClient) -> None:
        page = client.get("/new?go=1&q.traffic.requests_per_month=many&q.task.kind=extracton")
        assert page.status_code == 400
        assert "many" in field(page.text, "q-traffic-requests_per_month-error")
        assert "did you mean extraction?" in field(page.text, "q-task-kind-error")
        assert field(page.text, "q-name-error") == ""

    def test_a_prompt_file_is_not_read_from_the_form(self, client: TestClient) -> None:
        page = client.get("/new?go=1&q.traffic.prompt_tokens=/etc/passwd")
        assert "reads no files" in field(page.text, "q-traffic-prompt_tokens-error")

    def test_the_answers_become_a_column_of_the_view(self, client: TestClient) -> None:
        answered = client.get(
            "/new?go=1&view="
            + "today%3D2026-12-07%26c%3D0"
            + "&q.name=Refund+triage&q.traffic.requests_per_month=300k&q.task.failures=consistency"
            + "&q.data.demonstrations=4000"
        )
        assert answered.status_code == 303
        location = answered.headers["location"]
        assert location.startswith("/?today=2026-12-07&c=0&c=new&s1=name")
        page = client.get(location).text
        assert page.count('class="column"') == 2 and "Refund triage" in page
        assert "traffic.requests_per_month=300000" in page


def run_serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


class TestTheCommand:
    def test_first_line_names_the_real_port_and_the_server_answers(self) -> None:
        import httpx

        server = run_serve(CLASSIFIER, "--port", "0", "--today", TODAY)
        try:
            assert server.stdout is not None
            first = server.stdout.readline().strip()
            found = re.fullmatch(r"advisor serving at http://127\.0\.0\.1:(\d+)/", first)
            assert found and int(found.group(1)) > 0, first
            page = httpx.get(f"http://127.0.0.1:{found.group(1)}/", timeout=30)
            assert page.status_code == 200 and "Ticket classifier" in page.text
        finally:
            server.terminate()
            server.wait(timeout=10)

    def test_another_address_needs_a_token_which_is_printed(self) -> None:
        import httpx

        server = run_serve(CLASSIFIER, "--host", "0.0.0.0", "--port", "0")
        try:
            assert server.stdout is not None
            first = server.stdout.readline().strip()
            port = re.fullmatch(r"advisor serving at http://0\.0\.0\.0:(\d+)/", first)
            assert port, first
            token = re.search(r"\?token=(\S+) ", server.stdout.readline())
            assert token
            url = f"http://127.0.0.1:{port.group(1)}/"
            assert httpx.get(url, timeout=30).status_code == 403
            assert httpx.get(url, params={"token": token.group(1)}, timeout=30).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=10)

    def test_without_the_web_extra_it_says_how_to_install_it(self) -> None:
        code = (
            "import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None\n"
            "from advisor.cli import main; sys.exit(main(['serve']))"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 2
        assert result.stderr.strip() == (
            "advisor: error: advisor serve needs the web extra (Starlette and uvicorn); pip install 'advisor[web]'"
        )

    def test_help_and_every_other_command_need_no_starlette(self) -> None:
        for args in (["--help"], ["serve", "--help"]):
            result = subprocess.run(
                [sys.executable, "-X", "importtime", "-m", "advisor", *args], capture_output=True, text=True, check=True
            )
            modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "import time:" in line}
            assert not {name.split(".")[0] for name in modules} & {"starlette", "uvicorn", "httpx"}, args
            assert not any(name.startswith("advisor.web") for name in modules), args

    def test_a_port_in_use_is_said(self) -> None:
        import socket

        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            result = subprocess.run(
                [sys.executable, "-m", "advisor", "serve", "--port", port], capture_output=True, text=True, timeout=60
            )
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "choose another --port" in result.stderr

    def test_a_scenario_with_an_error_stops_it_before_it_serves(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text("[traffic]\nrequests_per_month = 0\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "advisor", "serve", str(bad)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "bad.toml:2: traffic.requests_per_month: must be more than 0" in result.stderr


class TestTheCountsKept:
    """Session.counted keeps the prompt files' token counts between what-if requests: the figures must be
    exactly those of a recommendation counted afresh, and a prompt file edited on disk is counted again."""

    def fresh(self, path: str, settings: list[str]) -> str:
        from advisor.plugins import catalog_with_plugins
        from advisor.recommend.recommendation import recommend
        from advisor.recommend.scenario import load_scenario
        from advisor.recommend.what_if import parse_setting, with_settings
        from advisor.render.recommendation import to_json

        today = date.fromisoformat(TODAY)
        loaded = with_settings(
            load_scenario(path), [parse_setting(s, option="setting") for s in settings], option="setting"
        )
        return to_json(recommend(loaded, catalog_with_plugins((), today), today, command_place()))

    def test_moving_requests_and_output_gives_the_figures_counted_afresh(self) -> None:
        from advisor.render.recommendation import to_json
        from advisor.web.state import Column

        session = Session([INVOICE], [], command_place(), date.fromisoformat(TODAY))
        for controls in ({"r": "300k"}, {"r": "2M", "o": "50"}, {"r": "300k", "h": "24"}, {}):
            outcome = session.outcome(Column("0", controls), date.fromisoformat(TODAY))
            assert outcome.rec is not None
            settings = Column("0", controls).setting_texts()
            assert to_json(outcome.rec) == self.fresh(INVOICE, settings)

    def test_an_edited_prompt_file_is_counted_again(self, tmp_path: Path) -> None:
        from advisor.render.recommendation import to_json
        from advisor.web.state import Column

        folder = tmp_path / "feature"
        folder.mkdir()
        (folder / "prompt.txt").write_text("Extract the fields. " * 50, encoding="utf-8")
        scenario = folder / "scenario.toml"
        scenario.write_text('[traffic]\nrequests_per_month = 100000\nprompt_file = "prompt.txt"\n', encoding="utf-8")
        session = Session([str(scenario)], [], command_place(), date.fromisoformat(TODAY))
        before = session.outcome(Column("0", {"r": "200k"}), date.fromisoformat(TODAY))
        (folder / "prompt.txt").write_text("Extract the fields, all of them, carefully. " * 400, encoding="utf-8")
        after = session.outcome(Column("0", {"r": "200k"}), date.fromisoformat(TODAY))
        assert before.rec is not None and after.rec is not None
        assert after.rec.today_monthly_usd > before.rec.today_monthly_usd
        assert to_json(after.rec) == self.fresh(str(scenario), ["traffic.requests_per_month=200k"])


def test_the_json_of_a_column_is_the_api_answer(client: TestClient) -> None:
    body = (ROOT / CLASSIFIER).read_text(encoding="utf-8")
    posted = client.post(f"/api/recommend?today={TODAY}&file={CLASSIFIER}", content=body).json()
    exported = json.loads(client.get(f"/export/scenario.json?today={TODAY}&c=0").text)
    assert posted == exported
