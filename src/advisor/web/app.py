"""The Starlette application: routes only, each a few lines from a request to a page (pages.py), an
export (the CLI's own renderers) or an error said in words. Bad input is a 400 with its message, never a
500; the security rules are web.security's, wrapped around everything."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from advisor.errors import UserError
from advisor.recommend.scenario import scenario_toml
from advisor.render.recommendation import to_json, to_markdown
from advisor.web import form, pages
from advisor.web.security import MAX_BODY, Guard, TooLarge
from advisor.web.session import Refused, Session
from advisor.web.state import Problems, View, parse_view, query_of, with_column, with_new, without_column

STATIC = Path(__file__).parent / "static"


def create_app(session: Session, hosts: set[str] | None, token: str | None) -> Guard:
    """The application for `session`, answering to `hosts` (None: any, with a token) and, when `token` is
    set, only to requests that carry it."""

    def view_of(request: Request) -> tuple[View, Problems]:
        return parse_view(parse_qsl(request.url.query, keep_blank_values=True), session.today, len(session.scenarios))

    async def index(request: Request) -> Response:
        view, problems = view_of(request)
        params = request.query_params
        if "add" in params:
            return RedirectResponse(f"/?{query_of(with_column(view))}", status_code=303)
        if (drop := params.get("drop", "")).isdigit():
            return RedirectResponse(f"/?{query_of(without_column(view, int(drop)))}", status_code=303)
        outcomes = [session.outcome(column, view.today) for column in view.columns]
        headers = {"HX-Push-Url": f"/?{query_of(view)}"} if request.headers.get("hx-request") else None
        return HTMLResponse(pages.view_page(session, view, outcomes, problems), headers=headers)

    async def new(request: Request) -> Response:
        submitted = {key: value for key, value in request.query_params.multi_items() if key.startswith(form.PREFIX)}
        back = request.query_params.get("view", "")
        filled = form.check(submitted)
        if request.query_params.get("go") and not filled.errors:
            view, _ = parse_view(parse_qsl(back, keep_blank_values=True), session.today, len(session.scenarios))
            view = with_new(view, filled.settings)
            return RedirectResponse(f"/?{query_of(view)}", status_code=303)
        status = 400 if request.query_params.get("go") and filled.errors else 200
        return HTMLResponse(pages.form_page(form.form(filled, back)), status_code=status)

    async def export(request: Request) -> Response:
        view, problems = view_of(request)
        fmt = request.path_params["fmt"]
        if fmt not in ("toml", "md", "json"):
            return _error(404, f"no export as {fmt!r}: scenario.toml, scenario.md or scenario.json")
        if problems.by_field:
            return PlainTextResponse("; ".join(problems.by_field.values()) + "\n", status_code=400)
        outcome = session.outcome(view.columns[0], view.today)
        if outcome.loaded is None or (fmt != "toml" and outcome.rec is None):
            return PlainTextResponse("; ".join(outcome.errors.values()) + "\n", status_code=400)
        if fmt == "toml":
            return Response(scenario_toml(outcome.loaded.scenario), media_type="application/toml; charset=utf-8")
        assert outcome.rec is not None
        if fmt == "md":
            return Response(to_markdown(outcome.rec), media_type="text/markdown; charset=utf-8")
        return Response(to_json(outcome.rec) + "\n", media_type="application/json")

    async def api_recommend(request: Request) -> Response:
        """A scenario in the body, its recommendation as `advisor recommend --format json` prints it."""
        today = session.today
        if "today" in request.query_params:
            try:
                today = date.fromisoformat(request.query_params["today"])
            except ValueError:
                return _error(400, f"today: {request.query_params['today']!r} is not a date; write YYYY-MM-DD")
        try:
            body = await request.body()
        except TooLarge:
            return _error(413, f"the body is larger than {MAX_BODY:,} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the body is not UTF-8 text: post a scenario file (TOML or JSON)")
        try:
            source = session.allowed_source(request.query_params.get("file", "-"))
            rec = session.recommend_text(text, source, today)
        except UserError as error:
            return _error(400, str(error))
        except Refused as refused:
            return _error(403, str(refused))
        return Response(to_json(rec) + "\n", media_type="application/json")

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/new", new),
            Route("/export/scenario.{fmt:str}", export),
            Route("/api/recommend", api_recommend, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
    return Guard(app, hosts, token)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, f"no page {request.url.path}: open / for the view, /new for the interview")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, f"{request.method} is not accepted at {request.url.path}")
