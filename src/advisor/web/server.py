"""Runs the application with uvicorn on a socket bound here, so that the first line printed names the
real port (the one the system chose for --port 0) before the first request can arrive."""

from __future__ import annotations

import secrets
import socket

import click

from advisor.web.app import create_app
from advisor.web.security import LOOPBACK, allowed_hosts
from advisor.web.session import Session


def serve(session: Session, host: str, port: int, token: str | None) -> None:
    """Serve until interrupted. Loopback needs no token; any other address does (generated when not given,
    and printed once, in the address to open)."""
    import uvicorn

    loopback = host in LOOPBACK
    if not loopback and token is None:
        token = secrets.token_urlsafe(24)
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose protocol says TCP, and without it a
    # kept-alive browser connection waits ~40 ms for a delayed ACK on every response (benchmarks/web_whatif.py)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        from advisor.errors import UserError

        sock.close()
        raise UserError(f"cannot listen on {host}:{port} ({error.strerror})", hint="choose another --port") from None
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if family == socket.AF_INET6 else host
    click.echo(f"advisor serving at http://{shown}:{bound}/", nl=True)
    if token is not None:
        click.echo(f"open http://{shown}:{bound}/?token={token} (requests without the token are refused)")
    click.echo("press Ctrl-C to stop", err=True)
    app = create_app(session, allowed_hosts(shown, bound) if loopback else None, token)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
