"""`advisor serve`: the recommendation in a browser, for a planning session around one screen.

A thin layer over the engines and the renderers: it parses a view from the URL (state.py), applies the
what-if controls as scenario settings (advisor.recommend.what_if), recommends (session.py) and renders
HTML on the server (pages.py, column.py, form.py), with htmx shipped in static/ so nothing is fetched from
another host. Starlette and uvicorn are imported only here, and only by `advisor serve` (the `web` extra).
"""
