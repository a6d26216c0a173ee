"""File upload (streamed to disk, sha256, format from content), file download, processing jobs
and the server-sent event stream of their status."""

import asyncio
import uuid

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from starlette.requests import ClientDisconnect

from api.deps import get_ctx, require_curator
from api.jobs import registry_of, sse, subscribe
from api.routes_records import after_write
from kg.context import HeritageContext
from kg.errors import NotFound, ParseError, ValidationError
from kg.files import IMAGE_FORMATS, file_path, store_upload
from kg.thumbnails import write_thumbnail

router = APIRouter(tags=["files"])


def _refresh_image_index(ctx: HeritageContext) -> dict:
    """Encode the new image into the image index when one has been built (``ml.index_sync``)."""
    try:
        from ml.index_sync import refresh_indexes
    except ImportError:  # the ML extras are not installed
        return {}
    return refresh_indexes(ctx, images=True, texts=False)


def _process(ctx: HeritageContext, item_id: str, stored) -> callable:
    """The processing job of an upload: verify, make a thumbnail for images, and report."""

    def work(report) -> dict:
        report(0.2, "verifying")
        result = {"item": item_id, "format": stored.file_format, "sha256": stored.sha256}
        if stored.file_format in IMAGE_FORMATS:
            report(0.5, "thumbnail")
            write_thumbnail(stored.path, stored.path.parent / ".thumb.png")
            result["thumbnail"] = f"/files/{item_id}/.thumb.png"
            try:
                from api.iiif import build_pyramid  # built when the IIIF service is present

                report(0.7, "tile pyramid")
                if build_pyramid(ctx, item_id, stored.path, lambda f: report(0.7 + 0.25 * f, "tile pyramid")):
                    result["iiif"] = f"/iiif/3/{item_id}/info.json"
            except ImportError:
                pass
            report(0.95, "vector indexes")
            result["indexes"] = _refresh_image_index(ctx)
        report(0.98, "done")
        return result

    return work


@router.post("/api/instances/{instance_id}/files", status_code=201)
async def upload_file(
    instance_id: str,
    request: Request,
    name: str = Query(..., description="original file name (only its last part is kept)"),
    title: str | None = Query(None),
    ctx: HeritageContext = Depends(get_ctx),
    _role=Depends(require_curator),
) -> dict:
    """Upload one file (raw request body) as a new Item of the Instance."""
    if ctx.records.kind_of(instance_id) != "instance":
        raise NotFound(f"no instance with id {instance_id!r}")
    declared = request.headers.get("content-length")
    limit = ctx.settings.max_upload_bytes
    if declared and declared.isdigit() and int(declared) > limit:
        from kg.errors import PayloadTooLarge

        raise PayloadTooLarge(f"the file ({declared} bytes) exceeds the upload limit of {limit} bytes")
    item_id = f"item-{uuid.uuid4().hex[:12]}"
    try:
        stored = await store_upload(request.stream(), name, item_id, ctx.files_dir, limit)
    except ClientDisconnect:
        raise ParseError("the upload was interrupted (truncated body); nothing was stored") from None
    if declared and declared.isdigit() and stored.byte_size != int(declared):
        stored.path.unlink(missing_ok=True)
        raise ParseError("the upload is truncated: fewer bytes arrived than Content-Length announced")
    record = {
        "kind": "item",
        "id": item_id,
        "part_of": instance_id,
        "title": {"en": title or stored.file_name},
        **stored.item_fields(),
    }
    result = await asyncio.to_thread(ctx.records.put, [record], "create")
    if result.rejected:
        stored.path.unlink(missing_ok=True)
        r = result.rejected[0]
        raise ValidationError(r.reason, r.violations)
    after_write(ctx)
    job = registry_of(request.app).submit("process-upload", item_id, _process(ctx, item_id, stored))
    return {"item": ctx.records.get(item_id, "item"), "job": job.summary()}


@router.get("/files/{item_id}/{name}")
def download(item_id: str, name: str, ctx: HeritageContext = Depends(get_ctx)) -> FileResponse:
    path = file_path(ctx.files_dir, item_id, name)
    if not path.is_file():
        raise NotFound(f"no file {name!r} for item {item_id!r}")
    return FileResponse(path, filename=None if name.startswith(".") else name)


@router.get("/api/jobs", tags=["jobs"])
def list_jobs(request: Request) -> list[dict]:
    """Every job of the app's one registry (uploads, pyramids, index refreshes, restoration and
    style), newest first."""
    return [job.summary() for job in registry_of(request.app).all()]


@router.get("/api/jobs/{job_id}", tags=["jobs"])
def get_job(job_id: str, request: Request) -> dict:
    return registry_of(request.app).job(job_id).summary()


@router.get("/api/events", tags=["jobs"])
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: one ``job`` event per job state change, a comment ping every 15 s."""
    registry = registry_of(request.app)
    queue, unsubscribe = subscribe(registry)

    async def stream():
        try:
            yield ": connected\n\n"
            for job in registry.all()[:20]:
                yield sse("job", job.summary())
            while True:
                if await request.is_disconnected():
                    break
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=15)
                    yield sse("job", payload)
                except TimeoutError:
                    yield ": ping\n\n"
        finally:
            unsubscribe()

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
