"""The server's rules, checked before any page is made (docs/web.md, "Security"):

- The Host header must name the address served (a page on another site cannot reach a loopback server
  through a DNS name of its own: DNS rebinding).
- A token, when the server has one (any address but loopback), in the `token` query parameter, the
  `advisor_token` cookie set from it, or `Authorization: Bearer`; without it: 403.
- A POST from a browser must come from the same origin (`Origin`, else `Sec-Fetch-Site`); a client that
  is no browser sends neither, and may post (it could send any header anyway).
- Request bodies are at most MAX_BODY bytes: 413 beyond.
- Every response says what a page may load and do (HEADERS): only this server's scripts, styles and
  images, no framing by another site, no referrer sent on.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 2**20  # a scenario file's own cap (recommend.scenario.MAX_SCENARIO_BYTES)
COOKIE = "advisor_token"
# htmx adds a <style> of its own (its request indicator): inline styles are allowed, inline scripts are not
HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
        b"form-action 'self'; base-uri 'none'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class Guard:
    """ASGI middleware applying the rules above to every HTTP request."""

    def __init__(self, app: App, hosts: set[str] | None, token: str | None) -> None:
        self.app = app
        self.hosts = hosts  # host:port values the Host header may hold (None: any, the token guards it)
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        host = headers.get("host", "")
        if self.hosts is not None and host not in self.hosts:
            await _refuse(send, 403, f"this server answers to {sorted(self.hosts)[0]}, not {host!r}")
            return
        if self.token is not None and not self._has_token(scope, headers):
            await _refuse(send, 403, "this server needs its token: open the address advisor serve printed")
            return
        if scope["method"] not in ("GET", "HEAD") and not same_origin(headers, host):
            await _refuse(send, 403, "a POST must come from a page of this server (same origin)")
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await _refuse(send, 413, f"the body is larger than {MAX_BODY:,} bytes")
            return
        await self.app(scope, _limited(receive), _with_headers(send, self._given(scope)))

    def _given(self, scope: Scope) -> str | None:
        """The token when it came in the query string (then kept in a cookie for the page's requests)."""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        return given if given is not None and self.token and hmac.compare_digest(given, self.token) else None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except CookieError:  # a malformed Cookie header is a request without the cookie
            cookie = SimpleCookie()
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        offered = [query.get("token", ""), cookie[COOKIE].value if COOKIE in cookie else "", bearer]
        return any(value and hmac.compare_digest(value, self.token) for value in offered)


def same_origin(headers: dict[str, str], host: str) -> bool:
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc == host
    fetch_site = headers.get("sec-fetch-site")
    return fetch_site is None or fetch_site in ("same-origin", "none")


class TooLarge(Exception):
    """A body that said no length (chunked) and ran past MAX_BODY."""


def _limited(receive: Receive) -> Receive:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise TooLarge
        return message

    return limited


def _with_headers(send: Send, token: str | None) -> Send:
    """HEADERS on every response, and the token's cookie when the token came in the query string."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *HEADERS]
            if token is not None:
                cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"].append((b"set-cookie", cookie.encode("latin-1")))
        await send(message)

    return sending


async def _refuse(send: Send, status: int, message: str) -> None:
    import json

    body = json.dumps({"error": message}).encode()
    length = str(len(body)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", length), *HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host values a server bound to host:port answers to: loopback by any of its names."""
    names = {host, f"[{host}]"} if ":" in host else {host}
    if host in LOOPBACK:
        names |= {"127.0.0.1", "localhost", "[::1]"}
    return {f"{name}:{port}" for name in names} | ({*names} if port == 80 else set())
