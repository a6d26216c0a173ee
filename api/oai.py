"""``GET|POST /oai``: the OAI-PMH 2.0 endpoint (the protocol lives in ``api.oai_service``)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.oai_service import OaiConfig, OaiProvider
from api.oai_tokens import load_secret
from kg.oai_repo import OaiRepository

router = APIRouter(tags=["oai-pmh"])
MEDIA_TYPE = "text/xml; charset=utf-8"


def provider_of(request: Request) -> OaiProvider:
    """One provider per app (it caches the header index), made on first use."""
    app = request.app
    provider = getattr(app.state, "oai_provider", None)
    ctx = app.state.ctx
    if provider is None or provider.repo.store is not ctx.store:
        s = ctx.settings
        config = OaiConfig(s.oai_repository_name, s.oai_admin_email, max(1, s.oai_page_size), s.oai_sets)
        provider = OaiProvider(OaiRepository(ctx.store, ctx.iris), load_secret(s.data_dir), config)
        app.state.oai_provider = provider
    return provider


async def _answer(request: Request, pairs: list[tuple[str, str]]) -> Response:
    base_url = str(request.url.replace(query=""))
    body = await run_in_threadpool(provider_of(request).handle, pairs, base_url)
    return Response(body, media_type=MEDIA_TYPE)


@router.get("/oai", summary="OAI-PMH 2.0 (verbs as query arguments)")
async def oai_get(request: Request) -> Response:
    return await _answer(request, parse_qsl(request.url.query, keep_blank_values=True))


@router.post("/oai", summary="OAI-PMH 2.0 (verbs as a form body)")
async def oai_post(request: Request) -> Response:
    body = (await request.body()).decode("utf-8", errors="replace")
    return await _answer(request, parse_qsl(body, keep_blank_values=True))
