"""`advisor doc update|check|reproduce`: proposal documents whose advisor blocks keep themselves current.

Every test runs the real command line on real scenarios and price tables, in a copy of the examples
folder, with advisor's own tables only (installed plugins would add places to train)."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.documents.blocks import outside, parse
from advisor.documents.refresh import Pricing, Renderer, plan_document, write_document

from .conftest import EXAMPLES

TODAY = "2026-12-07"
LAST_MONTH = "2026-11-07"

PROPOSAL = """\
# Proposal: two LLM features\r
\r
Our support team drafts replies with gpt-4.1. This is what advisor says:\r
\r
<!-- advisor:begin scenario=scenarios/support-replies.toml section=headline -->\r
<!-- advisor:end -->\r
\r
And what each option costs, month by month:\r
\r
<!-- advisor:begin scenario=scenarios/support-replies.toml section=costs -->\r
<!-- advisor:end -->\r
\r
The catalog assistant answers product questions.

<!-- advisor:begin scenario=scenarios/classifier-distill.toml section=where -->
<!-- advisor:end -->

<!-- advisor:begin scenario=scenarios/classifier-distill.toml section=chart -->
<!-- advisor:end -->
Signed, the platform team (no line ending at the end)"""


@pytest.fixture(autouse=True)
def bundled_tables_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the examples (scenarios and their prompt files), the document beside them."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path / "examples"


@pytest.fixture
def proposal(folder: Path) -> Path:
    path = folder / "proposal.md"
    path.write_bytes(PROPOSAL.encode())
    return path


def prose_of(path: Path) -> list[str]:
    return list(outside(parse(path.read_bytes().decode())))


def line_of(path: Path, index: int) -> int:
    """The line of the document's `index`th block's begin marker, as it stands now."""
    return parse(path.read_bytes().decode()).blocks[index].line


def blocks_of(path: Path) -> list[str]:
    return [block.body for block in parse(path.read_bytes().decode()).blocks]


# an overlay that doubles gpt-4.1's prices from 2026-12-01 (docs/pricing.md, Overlays)
DEARER_GPT_41 = """\
overlay = true
provider = "openai"
currency = "USD"
as_of = 2026-12-07
source = "test: gpt-4.1 at twice the price"

[models."gpt-4.1"]
prices = [{ since = 2026-12-01, source = "test: twice the price", input = 4.00, cached_input = 1.00, output = 16.00 }]
"""


class TestUpdate:
    def test_fills_every_block_and_keeps_every_byte_outside_them(self, advisor, proposal: Path) -> None:
        before = prose_of(proposal)
        run = advisor("doc", "update", str(proposal), "--today", TODAY)
        assert run.code == 0, run.err
        assert prose_of(proposal) == before  # the CRLF part, the LF part and the unterminated last line
        assert proposal.read_bytes().endswith(b"(no line ending at the end)")
        assert run.out.count(": filled: filled for the first time") == 4
        assert f"{proposal}: wrote 4 of 4 blocks and proposal.classifier-distill.payback.svg" in run.out
        headline, costs, where, chart = blocks_of(proposal)
        assert headline.startswith("**gpt-4.1 stops on 2027-01-14") and "\r\n" in headline  # the CRLF part's endings
        assert "| Option | Per month |" in costs and "\r\n" not in where
        assert "### Where to train" in where
        assert "```mermaid" in chart and "](proposal.classifier-distill.payback.svg)" in chart
        assert (proposal.parent / "proposal.classifier-distill.payback.svg").read_text().startswith("<svg")

    def test_each_block_reads_as_recommend_in_the_documents_folder_prints_it(
        self, advisor, folder: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = folder / "full.md"
        path.write_text("<!-- advisor:begin scenario=invoice-extraction/scenario.toml -->\n<!-- advisor:end -->\n")
        monkeypatch.chdir(folder.parent)  # advisor doc runs elsewhere: the block does not depend on it
        assert advisor("doc", "update", str(path), "--today", TODAY).code == 0
        monkeypatch.chdir(folder)
        report = advisor("recommend", "invoice-extraction/scenario.toml", "--format", "markdown", "--today", TODAY)
        [full] = blocks_of(path)
        assert full == report.out
        for section in ("headline", "costs", "where", "reasons", "risks", "next-steps"):
            path.write_text(
                f"<!-- advisor:begin scenario=invoice-extraction/scenario.toml section={section} -->\n"
                "<!-- advisor:end -->\n"
            )
            assert advisor("doc", "update", str(path), "--today", TODAY).code == 0
            [body] = blocks_of(path)
            assert body.strip() and body in report.out, section

    def test_documents_in_two_folders_each_get_commands_that_run_from_their_folder(
        self, advisor, folder: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (folder / "sub").mkdir()
        near, far = folder / "near.md", folder / "sub" / "far.md"
        near.write_text(
            "<!-- advisor:begin scenario=invoice-extraction/scenario.toml section=appendix -->\n<!-- advisor:end -->\n"
        )
        far.write_text(
            "<!-- advisor:begin scenario=../invoice-extraction/scenario.toml section=appendix -->\n"
            "<!-- advisor:end -->\n"
        )
        assert advisor("doc", "update", str(near), str(far), "--today", TODAY).code == 0
        [from_near], [from_far] = blocks_of(near), blocks_of(far)
        assert "advisor dataset check invoice-extraction/train.jsonl" in from_near
        assert "advisor dataset check ../invoice-extraction/train.jsonl" in from_far

    def test_a_second_update_writes_nothing_and_check_passes(self, advisor, proposal: Path) -> None:
        assert advisor("doc", "update", str(proposal), "--today", TODAY).code == 0
        os.utime(proposal, (1_000_000_000, 1_000_000_000))
        chart = proposal.parent / "proposal.classifier-distill.payback.svg"
        os.utime(chart, (1_000_000_000, 1_000_000_000))
        run = advisor("doc", "update", str(proposal), "--today", TODAY)
        assert run.code == 0
        assert f"{proposal}: every block current, nothing written" in run.out
        assert run.out.count(": current") == 4
        assert proposal.stat().st_mtime == 1_000_000_000 and chart.stat().st_mtime == 1_000_000_000
        check = advisor("doc", "check", str(proposal), "--today", TODAY)
        assert check.code == 0, check.out
        assert check.out.count(": current") == 4

    def test_a_new_day_that_changes_no_figure_changes_nothing(self, advisor, proposal: Path) -> None:
        assert advisor("doc", "update", str(proposal), "--today", TODAY).code == 0
        written = proposal.read_bytes()
        assert advisor("doc", "check", str(proposal), "--today", "2026-12-08").code in (0, 1)
        run = advisor("doc", "update", str(proposal), "--today", TODAY)
        assert run.code == 0 and proposal.read_bytes() == written

    def test_the_document_keeps_its_mode(self, advisor, proposal: Path) -> None:
        proposal.chmod(0o640)
        assert advisor("doc", "update", str(proposal), "--today", TODAY).code == 0
        assert stat.S_IMODE(proposal.stat().st_mode) == 0o640
        assert not [p.name for p in proposal.parent.iterdir() if p.name.endswith(".tmp")]

    def test_a_link_to_the_document_stays_a_link(self, advisor, proposal: Path) -> None:
        link = proposal.with_name("linked.md")
        link.symlink_to(proposal.name)
        assert advisor("doc", "update", str(link), "--today", TODAY).code == 0
        assert link.is_symlink() and "advisor:provenance" in proposal.read_text()

    def test_rest_and_asciidoc_documents_keep_their_comment_markers(self, advisor, folder: Path) -> None:
        rest = folder / "proposal.rst"
        rest.write_text(
            "Proposal\n========\n\n"
            ".. <!-- advisor:begin scenario=scenarios/support-replies.toml section=headline -->\n"
            ".. <!-- advisor:end -->\n\nMore prose.\n"
        )
        asciidoc = folder / "proposal.adoc"
        asciidoc.write_text(
            "= Proposal\n\n// <!-- advisor:begin scenario=scenarios/support-replies.toml section=headline -->\n"
            "// <!-- advisor:end -->\n"
        )
        run = advisor("doc", "update", str(rest), str(asciidoc), "--today", TODAY)
        assert run.code == 0, run.err
        assert ".. <!-- advisor:provenance advisor=" in rest.read_text()
        assert "// <!-- advisor:provenance advisor=" in asciidoc.read_text()
        assert prose_of(rest) == ["Proposal\n========\n\n", "\nMore prose.\n"]
        assert blocks_of(rest) == blocks_of(asciidoc)
        assert advisor("doc", "check", str(rest), str(asciidoc), "--today", TODAY).code == 0


class TestCheck:
    @pytest.fixture
    def updated(self, advisor, proposal: Path) -> Path:
        assert advisor("doc", "update", str(proposal), "--today", TODAY).code == 0
        return proposal

    def test_a_changed_price_is_stale_with_a_diff_and_a_reason_and_update_fixes_it(
        self, advisor, updated: Path, tmp_path: Path
    ) -> None:
        overlay = tmp_path / "dearer.toml"
        overlay.write_text(DEARER_GPT_41)
        before = updated.read_bytes()
        run = advisor("doc", "check", str(updated), "--today", TODAY, "--pricing", str(overlay))
        assert run.code == 1, run.out + run.err
        assert updated.read_bytes() == before  # check changes nothing
        costs = line_of(updated, 1)
        assert f"{updated}:{costs} costs (scenarios/support-replies.toml): stale: " in run.out
        said = f"stale: figures changed: openai price row gpt-4.1 changed ((bundled) openai.toml + {overlay}, since "
        assert f"{said}2026-12-01)\n" in run.out  # the row the costs rest on, and where its new price comes from
        assert "-Today: $950.00 a month" in run.out and "+Today: $1,900.00 a month" in run.out
        assert f"--- {updated}:{costs}" in run.out and "+++ advisor" in run.out
        update = advisor("doc", "update", str(updated), "--today", TODAY, "--pricing", str(overlay))
        assert update.code == 0 and ": updated: " in update.out
        again = advisor("doc", "check", str(updated), "--today", TODAY, "--pricing", str(overlay))
        assert again.code == 0, again.out

    def test_a_changed_scenario_is_stale_and_says_so(self, advisor, updated: Path) -> None:
        scenario = updated.parent / "scenarios" / "classifier-distill.toml"
        text = scenario.read_text()
        assert "requests_per_month = " in text
        scenario.write_text(text.replace("requests_per_month = ", "requests_per_month = 3", 1))
        run = advisor("doc", "check", str(updated), "--today", TODAY)
        assert run.code == 1
        assert "chart (scenarios/classifier-distill.toml): stale: figures changed: scenario changed" in run.out
        assert "(scenarios/support-replies.toml): current" in run.out

    def test_a_frozen_chart_keeps_its_own_svg_file(self, advisor, folder: Path, tmp_path: Path) -> None:
        path = folder / "charts.md"
        path.write_text(
            "<!-- advisor:begin scenario=scenarios/support-replies.toml section=chart frozen -->\n"
            "<!-- advisor:end -->\n"
            "<!-- advisor:begin scenario=scenarios/support-replies.toml section=chart -->\n<!-- advisor:end -->\n"
        )
        assert advisor("doc", "update", str(path), "--today", TODAY).code == 0
        frozen = folder / f"charts.support-replies.{TODAY}.payback.svg"
        live = folder / "charts.support-replies.payback.svg"
        approved = frozen.read_bytes()
        assert approved == live.read_bytes()
        overlay = tmp_path / "dearer.toml"
        overlay.write_text(DEARER_GPT_41)
        run = advisor("doc", "update", str(path), "--today", "2026-12-14", "--pricing", str(overlay))
        assert run.code == 0 and "wrote 1 of 2 blocks and charts.support-replies.payback.svg" in run.out
        assert frozen.read_bytes() == approved != live.read_bytes()
        assert f"](charts.support-replies.{TODAY}.payback.svg)" in blocks_of(path)[0]

    def test_a_changed_recommendation_says_from_what_to_what_and_why(self, advisor, updated: Path) -> None:
        scenario = updated.parent / "scenarios" / "support-replies.toml"
        scenario.write_text(scenario.read_text().replace("preference_pairs = 4000", "preference_pairs = 0"))
        run = advisor("doc", "check", str(updated), "--today", TODAY)
        assert run.code == 1
        headline = line_of(updated, 0)
        said = f"{updated}:{headline} headline (scenarios/support-replies.toml): stale: primary SFT then DPO -> SFT: "
        assert f"{said}scenario changed\n" in run.out
        dated = advisor("doc", "update", str(updated), "--today", "2026-12-08")
        assert "updated: primary SFT then DPO -> SFT: gpt-4.1 stops on 2027-01-14; scenario changed; priced on " in (
            dated.out
        )

    def test_a_frozen_block_stays_as_it_was_and_check_only_informs(self, advisor, folder: Path, tmp_path: Path) -> None:
        path = folder / "frozen.md"
        path.write_text(
            "Budget as approved:\n"
            "<!-- advisor:begin scenario=scenarios/support-replies.toml section=costs frozen -->\n"
            "<!-- advisor:end -->\n"
        )
        filled = advisor("doc", "update", str(path), "--today", TODAY)
        assert filled.code == 0 and "filled: frozen block filled once, priced on 2026-12-07" in filled.out
        approved = path.read_bytes()
        overlay = tmp_path / "dearer.toml"
        overlay.write_text(DEARER_GPT_41)
        run = advisor("doc", "update", str(path), "--today", TODAY, "--pricing", str(overlay))
        assert run.code == 0 and "frozen, kept as it is" in run.out
        assert path.read_bytes() == approved
        check = advisor("doc", "check", str(path), "--today", TODAY, "--pricing", str(overlay))
        assert check.code == 0
        assert "frozen, reads differently on 2026-12-07 (information): figures changed: openai" in check.out
        assert "+Today: $1,900.00 a month" in check.out
        strict = advisor("doc", "check", str(path), "--today", TODAY, "--pricing", str(overlay), "--strict")
        assert strict.code == 1
        assert advisor("doc", "check", str(path), "--today", TODAY, "--strict").code == 0


class TestReproduce:
    def test_a_block_priced_last_month_reproduces_under_the_prices_then(self, advisor, folder: Path) -> None:
        path = folder / "november.md"
        path.write_text(
            f"<!-- advisor:begin scenario=scenarios/support-replies.toml section=costs today={LAST_MONTH} -->\n"
            "<!-- advisor:end -->\n"
            "<!-- advisor:begin scenario=scenarios/support-replies.toml section=costs -->\n"
            "<!-- advisor:end -->\n"
        )
        assert advisor("doc", "update", str(path), "--today", TODAY).code == 0
        november, december = blocks_of(path)
        assert november != december  # the prices and dates in force differ: the test proves something
        assert f"priced={LAST_MONTH}" in path.read_text()
        run = advisor("doc", "reproduce", str(path), "--today", TODAY)
        assert run.code == 0, run.out
        assert f"{path}:1 costs (scenarios/support-replies.toml): reproduced (priced on {LAST_MONTH})" in run.out
        second = line_of(path, 1)
        assert f"{path}:{second} costs (scenarios/support-replies.toml): reproduced (priced on {TODAY})" in run.out
        assert "note:" not in run.out

    def test_a_block_that_no_longer_reproduces_shows_a_diff_and_why_it_may(
        self, advisor, folder: Path, tmp_path: Path
    ) -> None:
        path = folder / "december.md"
        path.write_text(
            "<!-- advisor:begin scenario=scenarios/support-replies.toml section=costs -->\n<!-- advisor:end -->\n"
        )
        assert advisor("doc", "update", str(path), "--today", TODAY).code == 0
        overlay = tmp_path / "dearer.toml"
        overlay.write_text(DEARER_GPT_41)
        run = advisor("doc", "reproduce", str(path), "--pricing", str(overlay))
        assert run.code == 1
        assert f"differs from a rendering on {TODAY}" in run.out and "+Today: $1,900.00 a month" in run.out
        notes = [line for line in run.out.splitlines() if line.startswith("  note: ")]
        assert notes[0] == (
            f"  note: openai price row gpt-4.1 changed ((bundled) openai.toml + {overlay}, since 2026-12-01) as priced"
            f" on {TODAY}: a figure may legitimately differ"
        )
        assert notes[1].startswith("  note: today's openai table openai.toml + dearer.toml dated 2026-06-30 (#")
        assert notes[1].endswith(") was not used then: a figure may legitimately differ")
        scenario = folder / "scenarios" / "support-replies.toml"
        scenario.write_text(scenario.read_text() + "\n# a comment changes no figure\n")
        edited = advisor("doc", "reproduce", str(path))
        assert edited.code == 0
        assert "note: the scenario or its prompt files changed since the block was rendered" in edited.out


class TestBadDocuments:
    @pytest.mark.parametrize(
        ("text", "says"),
        [
            (
                "a\n<!-- advisor:begin scenario=scenarios/classifier-distill.toml -->\nb\n",
                ":2: advisor:begin is never ended",
            ),
            (
                "<!-- advisor:begin scenario=scenarios/classifier-distill.toml -->\n"
                "<!-- advisor:begin scenario=scenarios/classifier-distill.toml -->\n<!-- advisor:end -->\n",
                ":2: advisor:begin inside the block begun on line 1",
            ),
            (
                "x\n<!-- advisor:begin scenario=scenarios/nowhere.toml section=costs -->\n<!-- advisor:end -->\n",
                ":2: scenario=scenarios/nowhere.toml: no such file",
            ),
            (
                "<!-- advisor:begin scenario=scenarios/classifier-distill.toml section=summary -->\n"
                "<!-- advisor:end -->\n",
                ":1: unknown section 'summary'",
            ),
        ],
        ids=["unclosed", "nested", "missing-scenario", "unknown-section"],
    )
    @pytest.mark.parametrize("command", ["update", "check", "reproduce"])
    def test_one_clear_line_and_nothing_lost(self, advisor, folder: Path, text: str, says: str, command: str) -> None:
        path = folder / "bad.md"
        path.write_text(text)
        run = advisor("doc", command, str(path), "--today", TODAY)
        assert run.code == 2
        assert run.err.count("\n") == 1 and run.err.startswith(f"advisor: error: {path}{says}"), run.err
        assert path.read_text() == text

    def test_a_read_only_document_is_not_replaced(self, advisor, proposal: Path) -> None:
        proposal.chmod(0o444)
        run = advisor("doc", "update", str(proposal), "--today", TODAY)
        assert run.code == 2
        assert (
            run.err
            == f"advisor: error: {proposal}: is read-only; nothing written; make it writable (chmod u+w) to update it\n"
        )
        assert proposal.read_bytes() == PROPOSAL.encode()
        assert not (proposal.parent / "proposal.classifier-distill.payback.svg").exists()

    def test_a_file_that_is_not_utf8(self, advisor, folder: Path) -> None:
        path = folder / "latin1.md"
        data = "Café\n<!-- advisor:begin scenario=scenarios/classifier-distill.toml -->\n<!-- advisor:end -->\n".encode(
            "latin-1"
        )
        path.write_bytes(data)
        run = advisor("doc", "update", str(path))
        assert run.code == 2
        assert run.err.startswith(f"advisor: error: {path}:1: not UTF-8 text") and run.err.count("\n") == 1
        assert path.read_bytes() == data

    def test_a_bad_document_does_not_stop_the_others(self, advisor, proposal: Path, folder: Path) -> None:
        bad = folder / "bad.md"
        bad.write_text("<!-- advisor:end -->\n")
        run = advisor("doc", "update", str(bad), str(proposal), "--today", TODAY)
        assert run.code == 2
        assert f"{proposal}: wrote 4 of 4 blocks" in run.out
        assert bad.read_text() == "<!-- advisor:end -->\n"

    def test_a_missing_document(self, advisor, folder: Path) -> None:
        run = advisor("doc", "check", str(folder / "nowhere.md"))
        assert run.code == 2 and run.err == f"advisor: error: {folder / 'nowhere.md'}: no such file; check the path\n"


PROSE_LINE = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20).filter(
    lambda line: "advisor:" not in line
)
ENDING = st.sampled_from(["\n", "\r\n", "\r"])


@pytest.fixture(scope="module")
def rendering(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Renderer]:
    """A folder with the example scenarios and one renderer for every generated document (each
    recommendation is computed once), with advisor's own tables and no plugins."""
    from advisor.pricing.catalog import load_catalog
    from advisor.recommend.recommendation import CommandPlace

    folder = tmp_path_factory.mktemp("documents")
    shutil.copytree(EXAMPLES / "scenarios", folder / "scenarios")
    pricing = Pricing(
        load_catalog(include_user=False),
        date(2026, 12, 7),
        lambda s: CommandPlace(Path.cwd(), None, None, s),
    )
    return folder, Renderer(pricing)


class TestAnyProseSurvivesAnUpdate:
    @given(
        prose=st.lists(st.lists(st.tuples(PROSE_LINE, ENDING), max_size=3), min_size=3, max_size=3),
        last=PROSE_LINE,
        endings=st.lists(ENDING, min_size=2, max_size=2),
        sections=st.lists(st.sampled_from(["headline", "costs", "where", "risks", "full"]), min_size=2, max_size=2),
    )
    @settings(max_examples=25, deadline=None)
    def test_every_byte_outside_the_blocks_is_kept_and_a_second_update_writes_nothing(
        self,
        rendering: tuple[Path, Renderer],
        prose: list[list[tuple[str, str]]],
        last: str,
        endings: list[str],
        sections: list[str],
    ) -> None:
        folder, renderer = rendering
        parts = ["".join(a + b for a, b in lines) for lines in prose]
        parts[-1] += last
        blocks = [
            f"<!-- advisor:begin scenario=scenarios/support-replies.toml section={section} -->{newline}"
            f"<!-- advisor:end -->{newline}"
            for section, newline in zip(sections, endings, strict=True)
        ]
        order = [parts[0], blocks[0], parts[1], blocks[1], parts[2]]
        text = "".join(order)
        # a CR ending one part and a LF starting the next are one line ending (CRLF): not a document of these parts
        assume(not any(a.endswith("\r") and b.startswith("\n") for a, b in pairwise([p for p in order if p])))
        path = folder / "generated.md"
        path.write_bytes(text.encode())
        plan = plan_document(path, renderer.pricing, renderer=renderer)
        assert write_document(plan)
        assert list(outside(parse(path.read_bytes().decode()))) == parts
        again = plan_document(path, renderer.pricing, renderer=renderer)
        assert [o.kind for o in again.outcomes] == ["current", "current"]
        assert not write_document(again)
