"""The `advisor` command line: parse, call the core, render. Nothing else.

Subcommands are imported only when they run, so `advisor --help` loads click and nothing heavy
(no pydantic, tiktoken, rich or provider SDKs).
"""

from __future__ import annotations

import contextlib
import errno
import io
import sys
from collections.abc import Sequence

import click

from advisor import __version__
from advisor.cli.lazy import LazyGroup

QUIET = "ADVISOR_QUIET"  # also settable in the environment

# name -> (module:attribute, one-line help shown by `advisor --help` without importing it)
COMMANDS = {
    "providers": (
        "advisor.cli.providers_cmd:providers",
        "List the provider plugins installed and what they can train.",
    ),
    "launch": ("advisor.cli.launch_cmd:launch", "Check, price and launch a fine-tuning job with a provider plugin."),
    "jobs": ("advisor.cli.jobs_cmd:jobs", "List, show, watch, inspect and cancel fine-tuning jobs."),
    "dataset": ("advisor.cli.dataset_cmd:dataset", "Check and split fine-tuning data (SFT, DPO, RFT JSONL)."),
    "estimate": (
        "advisor.cli.estimate_cmd:estimate",
        "Monthly cost, training cost, savings and payback of a fine-tune.",
    ),
    "recommend": (
        "advisor.cli.recommend_cmd:recommend",
        "Recommend prompting, RAG, SFT, DPO or RFT for a scenario, with costs and payback.",
    ),
    "interview": (
        "advisor.cli.interview_cmd:interview",
        "Build a scenario by answering questions, then see the recommendation.",
    ),
    "serve": ("advisor.cli.serve_cmd:serve", "Show recommendations in a browser: what-if, side by side, exports."),
    "pricing": ("advisor.cli.pricing_cmd:pricing", "List, show and refresh the price tables in force."),
    "doc": (
        "advisor.cli.doc_cmd:doc",
        "Fill, check and reproduce advisor blocks in proposal documents (Markdown, HTML, reST, AsciiDoc).",
    ),
    "tokens": ("advisor.cli.tokens_cmd:tokens", "Count tokens in prompts, chat requests and JSONL files."),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="advisor")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bars or live status lines (long checks, watching, downloads); results and errors only.",
)
def cli(quiet: bool) -> None:
    """How to improve an LLM feature (prompting, RAG, SFT, DPO, RFT) and what it will cost.

    Provider plugins may add commands of their own: `advisor providers` lists what is installed."""
    if quiet:
        import os

        os.environ[QUIET] = "1"  # read where progress is drawn (advisor.render.console.live), as if set by the user


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; bad input ends with one line on stderr and status 2, never a traceback. Output that
    cannot be written (a full disk, `> /dev/full`) is one line on stderr and status 1."""
    from advisor.errors import ProviderError, UserError

    _no_collection_at_exit()
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="advisor", standalone_mode=False)
        sys.stdout.flush()  # what is still buffered fails here, not in the interpreter's exit
    except UserError as error:
        click.echo(f"advisor: error: {visible(str(error))}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("advisor: aborted", err=True)
        return 1
    except click.ClickException as error:
        context = getattr(error, "ctx", None)
        command = context.command_path if context else "advisor"
        click.echo(
            visible(
                f"{command}: error: {error.format_message()} (see `{command} --help`)"
                if isinstance(error, click.UsageError)
                else f"advisor: error: {error.format_message()}"
            ),
            err=True,
        )
        return error.exit_code
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`advisor ... | head`): not an error
        return 0
    except OSError as error:
        if error.filename is not None or error.errno not in _OUTPUT_FAILED:
            raise
        _discard_stdout()
        with contextlib.suppress(OSError):
            click.echo(f"advisor: error: cannot write the output ({error.strerror or error})", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("advisor: interrupted", err=True)
        return 130
    except ProviderError as error:
        hint = f"; {error.hint}" if error.hint else ""
        click.echo(f"advisor: error: {visible(f'{error}{hint}')}", err=True)
        return 1
    return result if isinstance(result, int) else 0


def visible(text: str) -> str:
    """An error on one line, its control characters as escapes (loaded only when there is an error)."""
    from advisor.safe_text import visible as one_line

    return one_line(text)


# writing stdout failed for want of room or a device error: ENOSPC, EDQUOT, EFBIG, EIO
_OUTPUT_FAILED = {errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _discard_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush of what is still buffered does not
    fail again (with a second message) at exit."""
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _no_collection_at_exit() -> None:
    """When the process ends, the interpreter's last garbage collections walk every object the command
    made (modules, pydantic schemas, price tables, reports): about 20 ms of a 165 ms estimate, 25 ms of
    checking 10,000 examples. Objects frozen at exit are left to the operating system; files are closed
    by the commands themselves. An in-process caller (a test) is unaffected until its own exit."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however many commands ran in this process
    atexit.register(gc.freeze)
