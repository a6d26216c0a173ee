"""The FastAPI application: REST, files, jobs, search, plus the routers of the other areas
(SPARQL, Linked Data, OAI-PMH, IIIF, ML, graph, restoration, web pages) when present."""

from __future__ import annotations

import importlib
import importlib.util
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.jobs import JobRegistry
from kg.context import HeritageContext
from kg.settings import Settings, load_settings

# area routers, included when their module exists (each area owns its own file)
OPTIONAL_ROUTERS = (
    "api.routes_sparql",
    "api.routes_ld",
    "api.oai",
    "api.iiif",
    "api.routes_ml",
    "api.routes_graph",
    "api.routes_restore",
    "web.pages",
    "web.explorers",
    "web.viewers",
)
UPLOAD_PATHS = ("/files",)


class BodyLimit:
    """Refuse oversized request bodies (uploads have their own, larger limit enforced while
    streaming): at once from Content-Length, and while reading for a body sent without one
    (chunked transfer encoding), which a client could otherwise make any size.

    Plain ASGI rather than ``BaseHTTPMiddleware``: that one wraps ``receive``, so routes can no
    longer see a client disconnect (SPARQL cancellation, server-sent events need to). The
    ``receive`` wrapper here passes every message through, disconnects included."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].endswith(UPLOAD_PATHS):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The 413 problem, built only when one is sent (not on every request)."""
        response = problems.problem(413, "Payload too large", f"request body over {self.limit} bytes")
        await response(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body without Content-Length passes the limit. An
    ``HTTPException`` because FastAPI's body parsing turns any other error into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes")


def create_app(settings: Settings | None = None, ctx: HeritageContext | None = None) -> FastAPI:
    settings = settings or (ctx.settings if ctx else load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "ctx", None) is None:
            app.state.ctx = HeritageContext.open(settings)
            app.state.owns_ctx = True
        yield
        app.state.jobs.shutdown()
        if getattr(app.state, "owns_ctx", False):
            app.state.ctx.close()

    app = FastAPI(
        title="Heritage Graph",
        version="0.1.0",
        description="Knowledge-graph-first platform for museum data: REST, SPARQL, Linked Data, OAI-PMH, IIIF.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.owns_ctx = False
    app.state.settings = settings
    app.state.jobs = JobRegistry()
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    problems.install(app)

    from api import routes_files, routes_records, routes_search

    app.include_router(routes_records.router)
    app.include_router(routes_files.router)
    app.include_router(routes_search.router)
    for name in OPTIONAL_ROUTERS:
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "router"):
                app.include_router(module.router)
            if hasattr(module, "install"):
                module.install(app)
    return app
