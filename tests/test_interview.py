"""`advisor interview`: asks only what matters and is not known yet, takes defaults on Enter, asks
again on a bad answer, shows the recommendation, saves without overwriting unless told to."""

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from advisor.recommend.interview import QUESTIONS, from_raw, pending

from .conftest import EXAMPLES

# name, stage, kind, eval set?, baseline, target, failures, volatility, demonstrations, graded prompts,
# requests, prompt, cached, output, current model, provider, providers allowed, open weights, fine-tune base,
# fine-tuned prompt, setup
ANSWERS = [
    "Ticket triage",
    "production",
    "class",
    "yes",
    "78%",
    "0.92",
    "consistency",
    "static",
    "3000",
    "0",
    "500k",
    "1500",
    "1200",
    "20",
    "gpt-4.1",
    "openai",
    "",
    "allowed",
    "gpt-4.1-mini",
    "300",
    "1500",
]


@pytest.fixture(autouse=True)
def in_a_folder_of_its_own(tmp_path: Path, monkeypatch) -> None:
    """An interview keeps its answers in the working folder: each test works in one of its own."""
    monkeypatch.chdir(tmp_path)


def talk(advisor, monkeypatch, lines: list[str], *args: str):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    return advisor("interview", "--today", "2026-11-22", *args)


@pytest.mark.usefixtures("wide_output")
def test_a_scripted_interview_recommends_and_saves(advisor, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")  # advisor's own tables: plugins' prices would change the answer
    saved = tmp_path / "triage.toml"
    run = talk(advisor, monkeypatch, ANSWERS, "--save", str(saved))
    assert run.code == 0, run.err
    assert "What kind of task is it?" in run.out and "Recommendation: Ticket triage" in run.out
    # gpt-4.1-mini pays back nowhere it serves (OpenAI: 44 days left; Azure: hosting): an open model does
    assert "Fine-tune llama-v3p1-8b-instruct with SFT on 3,000 demonstrations at Fireworks AI" in run.out
    assert "not on gpt-4.1-mini" in run.out
    # the report's own command reads the file the answers were saved to (it runs as printed, once saved)
    assert "$ advisor recommend triage.toml --format markdown  # this report" in run.out  # from this folder
    text = saved.read_text()
    assert (
        'kind = "classification"' in text and "baseline_score = 0.78" in text and "requests_per_month = 500000" in text
    )


def test_only_relevant_questions_are_asked(advisor, monkeypatch) -> None:
    run = talk(advisor, monkeypatch, ANSWERS)
    assert "advisor recommend" not in run.out  # nothing saved: no scenario file to recommend from again
    assert "preference pairs" not in run.out  # tone does not fail
    assert "reference material" not in run.out  # knowledge does not fail
    assert "How would they be graded?" not in run.out  # no graded prompts


def test_enter_takes_the_defaults(advisor, monkeypatch) -> None:
    run = talk(advisor, monkeypatch, [""] * 30)
    assert run.code == 0, run.err
    assert "Recommendation: My LLM feature" in run.out and "build an eval set first" in run.out


def test_a_bad_answer_is_asked_again(advisor, monkeypatch) -> None:
    lines = [*ANSWERS[:2], "poetry", "class", *ANSWERS[3:]]
    run = talk(advisor, monkeypatch, lines)
    assert run.code == 0
    assert "answer one of: classification" in run.out


def test_an_unknown_model_is_asked_again(advisor, monkeypatch) -> None:
    index = ANSWERS.index("gpt-4.1")
    lines = [*ANSWERS[:index], "gpt-9", *ANSWERS[index:]]
    run = talk(advisor, monkeypatch, lines)
    assert run.code == 0 and "unknown model 'gpt-9'" in run.out


def test_from_a_file_asks_only_what_it_lacks(advisor, monkeypatch, tmp_path: Path) -> None:
    start = tmp_path / "start.toml"
    start.write_text((EXAMPLES / "scenarios" / "marketing-copy.toml").read_text())
    answers = from_raw({"name": "x", "task": {"failures": ["tone"]}})
    assert "task.kind" in {q.key for q in pending(answers, set())}
    run = talk(advisor, monkeypatch, [""] * 30, "--from", str(start))
    assert run.code == 0
    assert "What kind of task is it?" not in run.out  # in the file
    assert "How many preference pairs" in run.out  # tone fails and the file does not say


def at_a_terminal(folder: Path, lines: list[str], *args: str, end: bytes = b"") -> tuple[int, str]:
    """The interview run as a person at a terminal runs it (a pseudo-terminal: stdin is a tty), the answers
    typed one a line, then `end` (b"\\x04": Ctrl-D); its status and everything the terminal showed."""
    import pty
    import select

    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [ADVISOR, "interview", "--today", "2026-11-22", *args],
        stdin=secondary, stdout=secondary, stderr=secondary, cwd=folder, start_new_session=True,
    )  # fmt: skip
    os.close(secondary)
    os.write(primary, ("\n".join(lines) + "\n").encode() + end)
    shown = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the terminal closed: the interview ended
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        status = process.wait(timeout=60)
    finally:
        process.kill()
        os.close(primary)
    return status, shown.decode(errors="replace").replace("\r\n", "\n")


def test_saving_over_a_file_asks_first_at_a_terminal(tmp_path: Path) -> None:
    saved = tmp_path / "s.toml"
    saved.write_text("precious")
    status, shown = at_a_terminal(tmp_path, [*ANSWERS, "n"], "--save", "s.toml")
    assert status == 0 and "s.toml exists. Overwrite it?" in shown
    assert saved.read_text() == "precious" and "not saved" in shown
    assert files(tmp_path) == ["s.partial.toml", "s.toml"], "the answers are kept when the file is not written"
    # the next interview at that terminal is asked whether to continue the kept one: yes, and overwrite: yes
    status, shown = at_a_terminal(tmp_path, ["y", "y"], "--save", "s.toml")
    assert "s.partial.toml holds another interview's answers. Continue that interview?" in shown
    assert status == 0 and saved.read_text().startswith('name = "Ticket triage"')
    assert files(tmp_path) == ["s.toml"]


def test_every_question_has_help_and_a_default() -> None:
    for question in QUESTIONS:
        assert question.ask.endswith("?") and question.help
        question.default(from_raw({}))  # never raises


# --- issue 22: the interview keeps every answer ------------------------------------------------------------

ADVISOR = str(Path(sys.executable).with_name("advisor"))
PARTIAL = "advisor-interview.partial.toml"
UP_TO_VOLATILITY = ANSWERS[:7]  # the name to what fails: 7 answers, then the end of input


def files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("advisor: error:")]


class TestTheInterviewKeepsEveryAnswer:
    def test_a_second_interview_that_stops_at_once_leaves_the_first_ones_answers(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        first = talk(advisor, monkeypatch, UP_TO_VOLATILITY)
        assert first.code == 1 and "7 answer(s) saved to advisor-interview.partial.toml" in first.err
        kept = (tmp_path / PARTIAL).read_bytes()
        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # stops at once: the end of input, no answer
        second = advisor("interview", "--today", "2026-11-22", "--force")
        assert second.code == 1
        assert f"note: {PARTIAL} holds another interview's answers" in second.err
        assert "before any answer: nothing to save" in second.err
        assert (tmp_path / PARTIAL).read_bytes() == kept and files(tmp_path) == [PARTIAL]

    def test_a_second_interview_saves_beside_the_first_and_resumes_its_own(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        talk(advisor, monkeypatch, UP_TO_VOLATILITY)
        kept = (tmp_path / PARTIAL).read_bytes()
        second = talk(advisor, monkeypatch, ["Another feature"], "--force")
        assert "1 answer(s) saved to advisor-interview-2.partial.toml" in second.err
        assert files(tmp_path) == ["advisor-interview-2.partial.toml", PARTIAL]
        resumed = talk(advisor, monkeypatch, ["prototype"], "--resume", "advisor-interview-2.partial.toml")
        assert "2 answer(s) saved to advisor-interview-2.partial.toml" in resumed.err and "note:" not in resumed.err
        assert (tmp_path / PARTIAL).read_bytes() == kept  # the first interview's file, untouched throughout
        assert 'stage = "prototype"' in (tmp_path / "advisor-interview-2.partial.toml").read_text()

    def test_the_file_is_replaced_whole_never_written_in_place(self, advisor, monkeypatch, tmp_path: Path) -> None:
        talk(advisor, monkeypatch, UP_TO_VOLATILITY)
        before = (tmp_path / PARTIAL).stat().st_ino
        talk(advisor, monkeypatch, ["static", "3000"], "--resume", PARTIAL)
        after = (tmp_path / PARTIAL).stat().st_ino
        assert before != after  # a complete new file renamed over the old one, so a reader never sees half
        assert files(tmp_path) == [PARTIAL]  # no temporary file left
        text = (tmp_path / PARTIAL).read_text()
        assert "demonstrations = 3000" in text and text.startswith("# advisor interview, stopped at:")

    def test_a_failure_after_the_last_answer_keeps_every_answer(self, advisor, monkeypatch, tmp_path: Path) -> None:
        (tmp_path / "out.toml").mkdir()  # saving there fails after the recommendation
        run = talk(advisor, monkeypatch, ANSWERS, "--save", "out.toml", "--force")
        assert run.code == 2 and "Recommendation: Ticket triage" in run.out
        (line,) = error_lines(run.err)
        assert line == "advisor: error: out.toml: cannot write (Is a directory); check the folder"
        assert "note: every answer is saved in out.partial.toml: `advisor interview --resume out.partial.toml`" in (
            run.err
        )
        kept = (tmp_path / "out.partial.toml").read_text()
        assert kept.startswith("# advisor interview: every question answered")
        resumed = talk(advisor, monkeypatch, [], "--resume", "out.partial.toml", "--save", "saved.toml")
        assert resumed.code == 0 and "?" not in resumed.out.split("Recommendation:")[0]  # nothing asked again
        assert 'name = "Ticket triage"' in (tmp_path / "saved.toml").read_text()
        assert files(tmp_path) == ["out.toml", "saved.toml"]  # the kept answers went once they were saved

    def test_the_end_of_input_at_the_overwrite_question_keeps_every_answer(self, tmp_path: Path) -> None:
        (tmp_path / "s.toml").write_text("precious")
        status, shown = at_a_terminal(tmp_path, ANSWERS, "--save", "s.toml", end=b"\x04")
        assert status == 1 and (tmp_path / "s.toml").read_text() == "precious"
        assert "note: every answer is saved in s.partial.toml" in shown
        assert "requests_per_month = 500000" in (tmp_path / "s.partial.toml").read_text()

    def test_declining_to_overwrite_keeps_the_answers_and_says_where(self, tmp_path: Path):
        (tmp_path / "s.toml").write_text("precious")
        status, shown = at_a_terminal(tmp_path, [*ANSWERS, "n"], "--save", "s.toml")
        assert status == 0 and "not saved: s.toml is unchanged" in shown
        assert "note: every answer is saved in s.partial.toml" in shown

    def test_a_finished_interview_leaves_no_file_of_answers_behind(self, advisor, monkeypatch, tmp_path: Path):
        assert talk(advisor, monkeypatch, ANSWERS).code == 0
        assert files(tmp_path) == []
        assert talk(advisor, monkeypatch, ANSWERS, "--save", "t.json").code == 0
        assert files(tmp_path) == ["t.json"] and json.loads((tmp_path / "t.json").read_text())["name"]

    def test_ctrl_c_while_a_prompt_file_is_counted_keeps_the_answers(self, tmp_path: Path) -> None:
        """A real SIGINT, sent while a large prompt file is being counted (the question after it is never
        shown): the answers, the prompt file's included, are saved; status 130, no traceback."""
        line = json.dumps({"messages": [{"role": "user", "content": "Invoice 42 from Acme, total 1,250.50 USD."}]})
        (tmp_path / "prompts.jsonl").write_text((line + "\n") * 600_000)  # 53 MB: about 2 s to count on two cores
        process = subprocess.Popen(
            [ADVISOR, "interview", "--today", "2026-11-22"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        shown: list[str] = []
        reader = threading.Thread(target=lambda: shown.extend(iter(lambda: process.stdout.read(1), "")), daemon=True)
        reader.start()
        assert process.stdin is not None
        process.stdin.write("\n".join(["x", "production", "other", "no", "", "static", "10k", "prompts.jsonl"]) + "\n")
        process.stdin.flush()
        deadline = time.monotonic() + 60
        while "How long is today's prompt" not in "".join(shown) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the answer is read, and counting (about 2 s) has begun
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()
        assert "Traceback" not in err and process.returncode == 130, err
        assert "fixed start" not in "".join(shown)  # interrupted while counting, not at the next question
        assert "stopped at 'traffic.cached_prompt_tokens'" in err and "8 answer(s) saved" in err
        kept = (tmp_path / PARTIAL).read_text()
        assert 'prompt_file = "prompts.jsonl"' in kept and "requests_per_month = 10000" in kept

    def test_a_closed_standard_input_is_one_line_and_status_2(self, tmp_path: Path) -> None:
        result = subprocess.run(
            [ADVISOR, "interview"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            preexec_fn=lambda: os.close(0),
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.splitlines() == [
            "advisor: error: standard input is closed, and the interview reads its answers from it; run it in a "
            "terminal, or pipe the answers in, one a line"
        ]
        assert files(tmp_path) == []

    def test_an_input_closed_in_process_is_the_same_line(self, advisor, monkeypatch) -> None:
        closed = io.StringIO("x\n")
        closed.close()
        for stdin in (None, closed):
            monkeypatch.setattr("sys.stdin", stdin)
            run = advisor("interview")
            assert run.code == 2 and error_lines(run.err) == [
                "advisor: error: standard input is closed, and the interview reads its answers from it; run it in a "
                "terminal, or pipe the answers in, one a line"
            ]


class TestTheBaseToFineTune:
    def test_a_model_that_cannot_be_tuned_is_asked_again_with_the_models_that_can(self, advisor, monkeypatch):
        index = ANSWERS.index("gpt-4.1-mini")
        run = talk(advisor, monkeypatch, [*ANSWERS[:index], "gpt-5", *ANSWERS[index:]])
        assert run.code == 0
        assert "Error: gpt-5 cannot be fine-tuned: no price table has fine-tuning prices for it" in run.out

    def test_enter_leaves_the_base_to_advisor_when_todays_model_cannot_be_tuned(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        index = ANSWERS.index("gpt-4.1")
        lines = [*ANSWERS[:index], "gpt-5", "openai", "", "allowed", "", *ANSWERS[index + 5 :]]
        run = talk(advisor, monkeypatch, lines, "--save", "s.toml")
        assert run.code == 0, run.err
        assert "Which model would be fine-tuned?" in run.out and "Error:" not in run.out
        assert "fine_tune_base" not in (tmp_path / "s.toml").read_text()


# --- issue 26: `back` keeps the answer given, --resume finishes its file, nothing is overwritten unasked ----

FAILURES_AT = ANSWERS.index("consistency")  # the answer to "What still fails after a good prompt?"


class TestBackOffersTheAnswerGiven:
    def test_enter_after_back_keeps_the_earlier_answer(self, advisor, monkeypatch, tmp_path: Path) -> None:
        lines = [*ANSWERS[: FAILURES_AT + 1], "back", "", *ANSWERS[FAILURES_AT + 1 :]]
        run = talk(advisor, monkeypatch, lines, "--save", "s.toml")
        assert run.code == 0, run.err
        asked_again = run.out.split("What still fails after a good prompt?")[2]
        assert asked_again.splitlines()[2].strip().startswith("[consistency]:")
        assert "Enter keeps your answer" in asked_again.splitlines()[1]
        assert tomllib.loads((tmp_path / "s.toml").read_text())["task"]["failures"] == ["consistency"]

    def test_the_earlier_answer_is_shown_as_typed(self, advisor, monkeypatch) -> None:
        requests = ANSWERS.index("500k")
        lines = [*ANSWERS[: requests + 2], "back", "", *ANSWERS[requests + 2 :]]  # back from the prompt's length
        run = talk(advisor, monkeypatch, lines)
        assert run.code == 0, run.err
        assert "[1500]:" in run.out.split("How long is today's prompt")[2]

    def test_a_new_answer_after_back_replaces_it(self, advisor, monkeypatch, tmp_path: Path) -> None:
        lines = [*ANSWERS[: FAILURES_AT + 1], "back", "format, consistency", *ANSWERS[FAILURES_AT + 1 :]]
        run = talk(advisor, monkeypatch, lines, "--save", "s.toml")
        assert run.code == 0, run.err
        assert tomllib.loads((tmp_path / "s.toml").read_text())["task"]["failures"] == ["format", "consistency"]

    def test_an_answer_emptied_after_back_is_said(self, advisor, monkeypatch) -> None:
        lines = [*ANSWERS[: FAILURES_AT + 1], "back", "none"]
        run = talk(advisor, monkeypatch, lines)
        assert "note: task.failures was 'consistency'; now nothing" in run.err


class TestResumeFinishesTheFileItStarted:
    def test_the_saved_file_is_written_and_the_kept_answers_removed(self, advisor, monkeypatch, tmp_path: Path) -> None:
        first = talk(advisor, monkeypatch, UP_TO_VOLATILITY, "--save", "final.toml")
        assert first.code == 1 and files(tmp_path) == ["final.partial.toml"]
        assert '# saves to: "final.toml"' in (tmp_path / "final.partial.toml").read_text()
        resumed = talk(advisor, monkeypatch, ANSWERS[len(UP_TO_VOLATILITY) :], "--resume", "final.partial.toml")
        assert resumed.code == 0, resumed.err
        assert "the answers go to final.toml" in resumed.err
        assert files(tmp_path) == ["final.toml"]
        assert (tmp_path / "final.toml").read_text().startswith('name = "Ticket triage"')

    def test_from_another_folder_too(self, advisor, monkeypatch, tmp_path: Path) -> None:
        (tmp_path / "plans").mkdir()
        talk(advisor, monkeypatch, UP_TO_VOLATILITY, "--save", "plans/final.json")
        other = tmp_path / "elsewhere"
        other.mkdir()
        monkeypatch.chdir(other)
        resumed = talk(
            advisor, monkeypatch, ANSWERS[len(UP_TO_VOLATILITY) :], "--resume", "../plans/final.partial.toml"
        )
        assert resumed.code == 0, resumed.err
        assert files(tmp_path / "plans") == ["final.json"] and files(other) == []
        assert json.loads((tmp_path / "plans" / "final.json").read_text())["name"] == "Ticket triage"

    def test_a_save_given_on_resume_wins(self, advisor, monkeypatch, tmp_path: Path) -> None:
        talk(advisor, monkeypatch, UP_TO_VOLATILITY, "--save", "final.toml")
        rest = ANSWERS[len(UP_TO_VOLATILITY) :]
        resumed = talk(advisor, monkeypatch, rest, "--resume", "final.partial.toml", "--save", "other.toml")
        assert resumed.code == 0, resumed.err
        assert files(tmp_path) == ["other.toml"]


class TestNothingIsOverwrittenUnasked:
    def test_a_piped_interview_refuses_another_ones_kept_answers_saying_what_to_do(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        talk(advisor, monkeypatch, UP_TO_VOLATILITY)
        kept = (tmp_path / PARTIAL).read_bytes()
        second = talk(advisor, monkeypatch, ANSWERS)
        assert second.code == 2 and "?" not in second.out, "refused before the first question"
        (line,) = error_lines(second.err)
        assert f"{PARTIAL}: holds another interview's answers" in line
        assert f"`advisor interview --resume {PARTIAL}`" in line and "--force" in line and "--save another name" in line
        assert (tmp_path / PARTIAL).read_bytes() == kept and files(tmp_path) == [PARTIAL]

    def test_a_piped_interview_refuses_to_end_over_a_file_before_asking_anything(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        (tmp_path / "s.toml").write_text("precious")
        run = talk(advisor, monkeypatch, [*ANSWERS, "y"], "--save", "s.toml")
        assert run.code == 2 and run.out == ""
        assert error_lines(run.err) == [
            "advisor: error: s.toml: exists, and a piped interview cannot be asked whether to overwrite it; "
            "--force overwrites it, or --save another name"
        ]
        assert (tmp_path / "s.toml").read_text() == "precious" and files(tmp_path) == ["s.toml"]

    def test_force_overwrites_without_asking(self, advisor, monkeypatch, tmp_path: Path) -> None:
        (tmp_path / "s.toml").write_text("precious")
        run = talk(advisor, monkeypatch, ANSWERS, "--save", "s.toml", "--force")
        assert run.code == 0, run.err
        assert "Overwrite it?" not in run.out
        assert (tmp_path / "s.toml").read_text().startswith('name = "Ticket triage"')

    def test_at_a_terminal_the_kept_answers_are_offered_and_declining_keeps_them_apart(self, tmp_path: Path) -> None:
        first, _ = at_a_terminal(tmp_path, UP_TO_VOLATILITY, end=b"\x04")
        assert first == 1 and files(tmp_path) == [PARTIAL]
        kept = (tmp_path / PARTIAL).read_bytes()
        status, shown = at_a_terminal(tmp_path, ["n", "Another feature"], end=b"\x04")
        assert status == 1, "stopped by the end of input after one answer"
        assert "Continue that interview?" in shown
        assert "1 answer(s) saved to advisor-interview-2.partial.toml" in shown
        assert (tmp_path / PARTIAL).read_bytes() == kept
