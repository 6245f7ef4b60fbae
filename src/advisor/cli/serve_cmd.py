"""`advisor serve`: the recommendation in a browser (the optional `web` extra: Starlette and uvicorn)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from advisor.cli.options import pricing_options, today_or

EXTRA = "pip install 'advisor[web]'"


@click.command()
@click.argument("files", nargs=-1, metavar="[SCENARIO]...")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; any but loopback needs a token."
)
@click.option(
    "--port", default=0, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 lets the system choose."
)
@click.option(
    "--token", default=None, help="The token a non-loopback server requires [default: generated and printed]."
)
@pricing_options
def serve(
    files: tuple[str, ...], host: str, port: int, token: str | None, pricing_files: tuple[Path, ...], today: date | None
) -> None:
    """Serve the recommendation in a browser: up to four SCENARIO files side by side (one column each, or
    a copy of the first), what-if controls for requests, tokens, horizon and date, every figure footnoted,
    exports as scenario TOML, Markdown and JSON identical to `advisor recommend`, and POST /api/recommend.
    No SCENARIO: a column of the interview's defaults. Reads no file outside the scenarios' folders and
    fetches nothing from another host (docs/web.md)."""
    from advisor.errors import UserError

    try:
        from advisor.web.server import serve as run
    except ImportError as error:
        if error.name not in ("starlette", "uvicorn") and not str(error.name or "").startswith(
            ("starlette.", "uvicorn.")
        ):
            raise
        raise UserError("advisor serve needs the web extra (Starlette and uvicorn)", hint=EXTRA) from None
    from advisor.api.recommending import command_place
    from advisor.web.session import Session

    if token is not None and not token.strip():
        raise UserError("--token is empty", hint="give a token, or leave --token out to have one generated")
    session = Session(files, pricing_files, command_place(), today_or(today))
    run(session, host, port, token)
