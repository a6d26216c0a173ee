"""IIIF at the HTTP edge: the Image API 3.0 (level 1 and more) over tile pyramids, and
Presentation 3.0 manifests per Work. Thin routes: the semantics live in ``kg.iiif_image``,
``kg.pyramid`` and ``mappings.iiif_manifest``.

- ``GET /iiif/3/{item}``: 303 to ``info.json``
- ``GET /iiif/3/{item}/info.json``: the image service description (``id`` from the request's base URL)
- ``GET /iiif/3/{item}/{region}/{size}/{rotation}/{quality}.{format}``: an image
- ``GET /iiif/manifest/{work}``: the Work's manifest, one Canvas per image Item

Every ``/iiif/`` response, errors included, carries ``Access-Control-Allow-Origin: *`` so viewers
on other sites can use the service.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api import problems
from api.deps import get_ctx
from api.jobs import registry_of
from kg import iiif_image, pyramid
from kg.context import HeritageContext
from kg.errors import NotFound
from mappings.iiif_manifest import build_manifest

router = APIRouter(prefix="/iiif", tags=["iiif"])
JSONLD_INFO = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
JSONLD_MANIFEST = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
PROFILE_LINK = f'<{iiif_image.PROFILE_URI}>;rel="profile"'
_SUBMIT = threading.Lock()


def build_pyramid(ctx: HeritageContext, item_id: str, path: Path, progress=None) -> bool:
    """Called by the upload job: cut a tile pyramid when the image is large; True if built."""
    from PIL import Image

    with Image.open(path) as img:
        width, height = img.size
    if not pyramid.needs_pyramid(width, height):
        return False
    pyramid.build_pyramid(path, path.parent, progress=progress)
    return True


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _json(request: Request, doc: dict, jsonld_type: str) -> JSONResponse:
    """JSON-LD media type when the client asks for it (the spec's jsonldMediaType), else JSON."""
    accept = request.headers.get("accept", "")
    media = jsonld_type if "application/ld+json" in accept else "application/json"
    return JSONResponse(
        doc, media_type=media, headers={"Link": PROFILE_LINK} if jsonld_type == JSONLD_INFO else None
    )


@router.get("/3/{item_id}", status_code=303, response_class=RedirectResponse)
def image_base(item_id: str, request: Request) -> RedirectResponse:
    """The base URI of an image service redirects to its description."""
    return RedirectResponse(f"{_base(request)}/iiif/3/{item_id}/info.json", status_code=303)


def _source(request: Request, ctx: HeritageContext, item_id: str) -> pyramid.ImageSource:
    """The item's pixels; for a large image without tiles (uploaded before this service, or a
    pyramid that was lost) a build job is started once and the client is told to retry."""
    try:
        return iiif_image.source_for_item(ctx, item_id)
    except pyramid.PyramidPending as exc:
        original, _ = iiif_image.original_of(ctx, item_id)
        if not original.is_file():
            raise
        jobs = registry_of(request.app)
        with _SUBMIT:  # one build per item, however many tile requests arrive meanwhile
            job = next(
                (
                    j
                    for j in jobs.all()
                    if j.kind == "tile-pyramid" and j.subject == item_id and j.status in ("queued", "running")
                ),
                None,
            ) or jobs.submit("tile-pyramid", item_id, lambda report: _pyramid_job(original, report))
        raise _Retry(f"{exc.detail} (job {job.id})", job=job.id) from None


class _Retry(pyramid.PyramidPending):
    """503 with the building job's id; answered with a Retry-After header."""


def _pyramid_job(original: Path, report) -> dict:
    pyramid.build_pyramid(original, original.parent, progress=lambda f: report(f, "tile pyramid"))
    return {"pyramid": str(original.parent.name)}


@router.get("/3/{item_id}/info.json")
def image_info(item_id: str, request: Request, ctx: HeritageContext = Depends(get_ctx)) -> JSONResponse:
    """Image API 3.0 ``info.json``: size, tiles and scale factors, sizes, limits, features."""
    source = _source(request, ctx, item_id)
    return _json(request, iiif_image.info(source, f"{_base(request)}/iiif/3/{item_id}"), JSONLD_INFO)


@router.get("/3/{item_id}/{region}/{size}/{rotation}/{quality_format}")
async def image(
    item_id: str,
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    request: Request,
    ctx: HeritageContext = Depends(get_ctx),
) -> Response:
    """An image request; tiles come straight from the pyramid built at upload."""
    source = await asyncio.to_thread(_source, request, ctx, item_id)
    req = iiif_image.parse_request(region, size, rotation, quality_format, source.width, source.height)
    body = await asyncio.to_thread(iiif_image.render, source, req)
    canonical = f"{_base(request)}/iiif/3/{item_id}/{req.canonical(source.width, source.height)}"
    return Response(
        body,
        media_type=req.media_type,
        headers={
            "Link": f'<{canonical}>;rel="canonical", {PROFILE_LINK}',
            "Cache-Control": "public, max-age=86400",
        },
    )


@router.get("/manifest/{work_id}")
def manifest(work_id: str, request: Request, ctx: HeritageContext = Depends(get_ctx)) -> JSONResponse:
    """Presentation 3.0 Manifest of a Work: one Canvas per image Item, each with its image service."""
    work = ctx.records.get(work_id, "work")
    images = iiif_image.canvas_images(ctx, work)
    if not images:
        raise NotFound(f"work {work_id!r} has no images, so it has no IIIF manifest")
    return _json(request, build_manifest(work, images, _base(request)), JSONLD_MANIFEST)


class _Cors:
    """Pure ASGI middleware: ``Access-Control-Allow-Origin: *`` on every ``/iiif/`` response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/iiif/"):
            return await self.app(scope, receive, send)

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"access-control-allow-origin"
                ]
                headers.append((b"access-control-allow-origin", b"*"))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_cors)


def install(app: FastAPI) -> None:
    app.add_middleware(_Cors)

    @app.exception_handler(_Retry)
    async def _retry(request: Request, exc: _Retry):
        response = problems.problem(exc.status, exc.title, exc.detail, **exc.extra)
        response.headers["Retry-After"] = "5"
        return response
