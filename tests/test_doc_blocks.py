"""advisor blocks in a document: the parser (advisor.documents.blocks) and the provenance record.

Text outside the blocks is kept byte for byte whatever its line endings; every malformed marker is one
error naming the file and the line."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.documents.blocks import (
    SECTIONS,
    Block,
    BlockSpec,
    assemble,
    block_text,
    lines_of,
    outside,
    parse,
)
from advisor.documents.provenance import Provenance, RowMark, TableMark, read_provenance, why_changed
from advisor.errors import UserError
from advisor.render.recommendation import SECTION_NAMES

BEGIN = "<!-- advisor:begin scenario=s.toml section=costs -->"
END = "<!-- advisor:end -->"


class TestFindingBlocks:
    def test_a_block_with_its_attributes(self) -> None:
        text = f"# Title\n\n{BEGIN}\nold\n{END}\nafter\n"
        document = parse(text, "p.md")
        [block] = document.blocks
        assert block.spec == BlockSpec("s.toml", "costs")
        assert block.line == 3 and block.body == "old\n" and block.provenance is None
        assert outside(document) == ["# Title\n\n", "after\n"]

    def test_every_attribute(self) -> None:
        text = '<!-- advisor:begin scenario="my scenarios/a b.toml" section=chart today=2026-11-07 frozen -->\n' + END
        [block] = parse(text).blocks
        assert block.spec == BlockSpec("my scenarios/a b.toml", "chart", date(2026, 11, 7), True)
        assert block.spec.is_frozen

    def test_a_date_alone_freezes_a_block_and_section_defaults_to_full(self) -> None:
        [block] = parse(f"<!-- advisor:begin scenario=a.toml today=2026-11-07 -->\n{END}\n").blocks
        assert block.spec.section == "full" and block.spec.is_frozen and not block.spec.frozen

    def test_several_blocks_and_the_provenance_line(self) -> None:
        text = (
            f"{BEGIN}\n<!-- advisor:provenance advisor=0.1.0 priced=2026-12-07 -->\nA\n{END}\n"
            f"prose\n<!-- advisor:begin scenario=b.toml section=headline -->\n{END}"
        )
        first, second = parse(text).blocks
        assert first.provenance is not None and first.body == "A\n" and not first.empty
        assert second.spec.scenario == "b.toml" and second.empty and second.end == END

    def test_markers_in_rest_and_asciidoc_comments_and_indented(self) -> None:
        text = f".. {BEGIN}\nx\n.. {END}\n// {BEGIN}\ny\n// {END}\n  {BEGIN}\n  {END}\n"
        blocks = parse(text).blocks
        assert [b.lead for b in blocks] == [".. ", "// ", "  "]

    def test_a_marker_quoted_in_a_sentence_is_prose(self) -> None:
        text = f"Write `{BEGIN}` before the block and `{END}` after it.\n"
        assert parse(text).blocks == [] and assemble(parse(text)) == text

    def test_every_section_a_block_may_name_is_one_the_renderer_has(self) -> None:
        assert set(SECTIONS) == set(SECTION_NAMES)
        assert {"headline", "costs", "where", "chart", "reasons", "risks", "next-steps", "full"} <= set(SECTIONS)


class TestRefusingBadBlocks:
    @pytest.mark.parametrize(
        ("text", "line", "words"),
        [
            (f"a\n{BEGIN}\nb\n", 2, "never ended"),
            (f"{BEGIN}\n{BEGIN}\n{END}\n", 2, "inside the block begun on line 1"),
            (f"a\nb\n{END}\n", 3, "no advisor:begin"),
            ("<!-- advisor:begin scenario=a.toml colour=red -->\n" + END, 1, "unknown attribute 'colour'"),
            ("<!-- advisor:begin scenario=a.toml section=summary -->\n" + END, 1, "unknown section 'summary'"),
            ("<!-- advisor:begin scenario=a.toml today=2026-13-01 -->\n" + END, 1, "today=2026-13-01 is not a date"),
            ("<!-- advisor:begin scenario=a.toml today=yesterday -->\n" + END, 1, "is not a date"),
            ("<!-- advisor:begin section=costs -->\n" + END, 1, "names no scenario"),
            ("<!-- advisor:begin scenario=a.toml scenario=b.toml -->\n" + END, 1, "given twice"),
            ("<!-- advisor:begin scenario=a.toml frozen=yes -->\n" + END, 1, "takes no value"),
            ("<!-- advisor:begin scenario -->\n" + END, 1, "needs a value"),
            ("<!-- advisor:begn scenario=a.toml -->\n", 1, "unknown marker advisor:begn"),
            (f"{BEGIN}\n<!-- advisor:end now -->\n", 2, "takes nothing"),
            ("<!-- advisor:provenance advisor=0.1.0 -->\n", 1, "outside a block"),
        ],
    )
    def test_one_error_naming_the_file_and_line(self, text: str, line: int, words: str) -> None:
        with pytest.raises(UserError) as caught:
            parse(text, "proposal.md")
        assert caught.value.where == f"proposal.md:{line}"
        assert words in caught.value.message
        assert "\n" not in str(caught.value)


MARKERISH = st.lists(
    st.one_of(
        st.sampled_from([BEGIN, END, "<!-- advisor:provenance x=1 -->", "<!-- advisor:begin -->", "<!-- advisor: -->"]),
        st.builds(
            "<!-- advisor:begin {} -->".format,
            st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
        ),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    ),
    max_size=8,
).map(lambda lines: "\n".join(lines))


@given(MARKERISH)
@settings(max_examples=500)
def test_any_text_is_a_document_or_one_error_on_one_of_its_lines(text: str) -> None:
    """Whatever the markers and attributes, parsing gives the document back or raises a UserError at a line of
    the file: never another exception, never a line the file does not have."""
    try:
        document = parse(text, "any.md")
    except UserError as error:
        assert error.where is not None and error.where.startswith("any.md:")
        assert 1 <= int(error.where.rsplit(":", 1)[1]) <= max(1, len(lines_of(text)))
        assert "\n" not in error.message
    else:
        assert assemble(document) == text


# prose lines that are never markers, with any of the three line endings (the last maybe without one)
PROSE = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30).filter(
    lambda line: "advisor:" not in line
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def prose_lines(draw: st.DrawFn, most: int) -> str:
    return "".join(draw(PROSE) + draw(ENDINGS) for _ in range(draw(st.integers(0, most))))


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A document of prose and blocks (prose, block, prose, ..., prose; the last line perhaps without a line
    ending), and its prose parts in order."""
    prose = [prose_lines(draw, 3)]
    parts = [prose[0]]
    for _ in range(draw(st.integers(0, 4))):
        newline = draw(ENDINGS)
        body = "".join(draw(PROSE) + newline for _ in range(draw(st.integers(0, 2))))
        section = draw(st.sampled_from(SECTIONS))
        parts.append(f"<!-- advisor:begin scenario=s.toml section={section} -->{newline}{body}{END}{draw(ENDINGS)}")
        prose.append(prose_lines(draw, 3))
        parts.append(prose[-1])
    prose[-1] += draw(PROSE)
    parts[-1] = prose[-1]
    # a CR ending one part and a LF starting the next are one line ending (CRLF): not a document of these parts
    filled = [part for part in parts if part]
    assume(not any(a.endswith("\r") and b.startswith("\n") for a, b in pairwise(filled)))
    return "".join(parts), prose


class TestTextOutsideBlocksIsKept:
    @given(documents())
    @settings(max_examples=300)
    def test_parsing_and_assembling_gives_the_document_back(self, drawn: tuple[str, list[str]]) -> None:
        text, prose = drawn
        document = parse(text)
        assert assemble(document) == text
        assert list(outside(document)) == prose

    @given(documents(), st.text(max_size=40).map(lambda s: s.replace("advisor:", "")))
    @settings(max_examples=300)
    def test_new_bodies_change_the_blocks_and_nothing_else(self, drawn: tuple[str, list[str]], body: str) -> None:
        text, prose = drawn
        document = parse(text)
        lines = "".join(line.rstrip("\r\n") + "\n" for line in lines_of(body))
        bodies = {i: block_text(block, "advisor=test", lines) for i, block in enumerate(document.blocks)}
        again = parse(assemble(document, bodies))
        assert list(outside(again)) == prose
        assert len(again.blocks) == len(document.blocks)
        for before, after in zip(document.blocks, again.blocks, strict=True):
            assert after.begin == before.begin and after.end == before.end
            assert after.provenance == f"<!-- advisor:provenance advisor=test -->{before.newline}"
            assert after.body == lines.replace("\n", before.newline)

    @given(st.lists(st.tuples(PROSE, ENDINGS), max_size=6), PROSE)
    def test_lines_keep_their_own_endings(self, lines: list[tuple[str, str]], last: str) -> None:
        text = "".join(a + b for a, b in lines) + last
        assert "".join(lines_of(text)) == text
        assert all(line.count("\n") + line.count("\r") <= 2 for line in lines_of(text))

    def test_a_form_feed_or_line_separator_does_not_end_a_line(self) -> None:
        assert lines_of("a\x0cb\u2028c\nd") == ["a\x0cb\u2028c\n", "d"]


class TestProvenance:
    RECORD = Provenance(
        advisor="0.1.0",
        priced=date(2026, 11, 7),
        primary="sft",
        inputs="abc123abc123",
        tables=(TableMark("openai", "2026-06-30", "1a2b3c4d"), TableMark("fireworks", "2026-12-01", "5e6f7a8b")),
        genai_prices="0.2.5",
        rows=(RowMark("openai", "gpt-4.1", "0a0b0c0d"), RowMark("fireworks", "llama-v3p1-8b-instruct", "1a1b1c1d")),
    )

    def test_a_record_reads_back_as_written(self) -> None:
        line = f"<!-- advisor:provenance {self.RECORD.words()} -->\r\n"
        assert read_provenance(line) == self.RECORD

    def test_a_damaged_record_leaves_what_it_cannot_read_unknown(self) -> None:
        record = read_provenance("<!-- advisor:provenance priced=soon primary=rag -->")
        assert record == Provenance(primary="rag")

    def test_a_changed_recommendation_says_from_what_to_what_and_why(self) -> None:
        now = Provenance(**{**self.RECORD.__dict__, "primary": "rag", "priced": date(2026, 12, 7)})
        assert (
            why_changed(self.RECORD, now, "gpt-4.1 stops on 2027-01-14")
            == "primary SFT -> RAG: gpt-4.1 stops on 2027-01-14; priced on 2026-12-07 instead of 2026-11-07"
        )

    def test_a_price_table_that_changed_is_named_with_its_dates(self) -> None:
        overlaid = TableMark("openai", "2026-06-30", "99990000", "openai.toml + dearer.toml")
        now = Provenance(**{**self.RECORD.__dict__, "tables": (self.RECORD.tables[0], overlaid, self.RECORD.tables[1])})
        assert why_changed(self.RECORD, now) == (
            "figures changed: openai price table changed: openai.toml + dearer.toml dated 2026-06-30 in force"
        )
        newer = TableMark("openai", "2026-12-01", "77778888", "openai.toml")
        now = Provenance(**{**self.RECORD.__dict__, "tables": (newer, self.RECORD.tables[1])})
        assert why_changed(self.RECORD, now) == (
            "figures changed: openai price table changed: openai.toml dated 2026-12-01 in force instead of the "
            "table dated 2026-06-30"
        )

    def test_a_changed_row_is_named_instead_of_its_table(self) -> None:
        dearer = RowMark("openai", "gpt-4.1", "99999999", "openai.toml + dearer.toml, since 2026-12-01")
        overlaid = TableMark("openai", "2026-06-30", "99990000", "openai.toml + dearer.toml")
        now = Provenance(
            **{
                **self.RECORD.__dict__,
                "rows": (dearer, self.RECORD.rows[1]),
                "tables": (self.RECORD.tables[0], overlaid, self.RECORD.tables[1]),
            }
        )
        assert why_changed(self.RECORD, now) == (
            "figures changed: openai price row gpt-4.1 changed (openai.toml + dearer.toml, since 2026-12-01)"
        )

    def test_a_row_now_used_or_no_longer_used(self) -> None:
        luna = RowMark("openai", "gpt-6-luna", "22222222", "genai-prices 0.2.5 (openai), as_of 2026-11-19")
        now = Provenance(**{**self.RECORD.__dict__, "rows": (self.RECORD.rows[0], luna)})
        assert why_changed(self.RECORD, now) == (
            "figures changed: openai price row gpt-6-luna now used (genai-prices 0.2.5 (openai), as_of 2026-11-19); "
            "fireworks price row llama-v3p1-8b-instruct no longer used"
        )

    def test_a_changed_scenario_and_a_block_with_no_record(self) -> None:
        now = Provenance(**{**self.RECORD.__dict__, "inputs": "def456def456"})
        assert why_changed(self.RECORD, now) == "figures changed: scenario changed"
        assert why_changed(None, now).startswith("rendered for the first time")


def test_block_text_writes_the_provenance_with_the_markers_lead_and_line_ending() -> None:
    [block] = parse(f".. {BEGIN}\r\nold\r\n.. {END}\r\n").blocks
    assert isinstance(block, Block)
    assert block_text(block, "advisor=0.1.0", "new\nlines\n") == (
        f".. {BEGIN}\r\n.. <!-- advisor:provenance advisor=0.1.0 -->\r\nnew\r\nlines\r\n.. {END}\r\n"
    )
