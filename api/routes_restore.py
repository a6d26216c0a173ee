"""Restoration studio API: upload an image (and optionally a mask), start a restoration or style
job, follow it (status, SSE progress) and fetch the PNG. Thin routes over ``ml.restore``."""

from __future__ import annotations

import asyncio
import json

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from api.jobs import registry_of
from kg.errors import PayloadTooLarge, ValidationError
from ml.restore.io import load_image, load_mask
from ml.restore.jobs import RestorationJobs
from ml.restore.pipeline import METHODS, restore
from ml.restore.style import gatys_transfer, reinhard_transfer

router = APIRouter(tags=["restoration"])
MAX_UPLOAD = 64 * 1024 * 1024
MAX_STEPS = 500
JOBS_URL = "/api/restore/jobs"


def restoration_jobs(request: Request) -> RestorationJobs:
    """Restoration jobs run on the app's one job registry, so they also show in ``/api/jobs``
    and on ``/api/events`` next to upload jobs (one live job table in the admin console)."""
    return RestorationJobs(registry_of(request.app), base_url=JOBS_URL)


async def _read(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PayloadTooLarge(f"{upload.filename or 'upload'} is larger than {MAX_UPLOAD} bytes")
    return data


def _params(text: str) -> dict:
    try:
        params = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ValidationError(f"params is not JSON: {exc}") from exc
    except RecursionError:  # thousands of nested brackets
        raise ValidationError("params is nested too deeply") from None
    if not isinstance(params, dict):
        raise ValidationError("params must be a JSON object")
    return params


def _whole(options: dict, name: str, default: int) -> int:
    """A whole-number option (``10.0`` is fine; ``"abc"``, ``null``, ``1e999``, lists are 422)."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValidationError(f"{name} must be a whole number, not {json.dumps(value)[:40]}")
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(f"{name} must be a whole number, not {value}")
    return int(value)


def _links(job_id: str) -> dict:
    base = f"{JOBS_URL}/{job_id}"
    return {
        "job_id": job_id,
        "status_url": base,
        "events_url": f"{base}/events",
        "result_url": f"{base}/result",
    }


@router.post("/api/restore", status_code=202)
async def start_restore(
    request: Request,
    image: UploadFile = File(..., description="the image to restore"),
    mask: UploadFile | None = File(None, description="optional mask, white = damaged, same size"),
    method: str = Form("auto", description=f"one of {', '.join(METHODS)}"),
    params: str = Form("{}", description='JSON object, e.g. {"scale": 4} for sr'),
) -> dict:
    """Validate the inputs now (so bad input fails with 4xx at once), then restore in the background."""
    if method not in METHODS:
        raise ValidationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    options = _params(params)
    raw_image = await _read(image)
    raw_mask = await _read(mask) if mask is not None else None
    # decoding a 40-megapixel image takes about a second: off the event loop
    pixels = await asyncio.to_thread(load_image, raw_image)
    damage = await asyncio.to_thread(load_mask, raw_mask, pixels.shape[:2]) if raw_mask is not None else None
    scale = options.get("scale")
    if scale is not None and scale not in (1, 2, 3, 4):
        raise ValidationError("scale must be 1, 2, 3 or 4")

    def work(progress):  # noqa: ANN001, ANN202
        result = restore(pixels, damage, method, scale=scale, progress=progress)
        info = {"method": result.method, "parameters": result.parameters}
        if result.mask is not None:
            info["masked_pixels"] = int(np.count_nonzero(result.mask))
        return result.image, info

    return _links(restoration_jobs(request).submit("restore", work, {"method": method}))


@router.post("/api/style", status_code=202)
async def start_style(
    request: Request,
    image: UploadFile = File(..., description="the content image"),
    style: UploadFile = File(..., description="the style image (e.g. a period exemplar)"),
    method: str = Form(
        "reinhard", description="gatys (MobileNetV2 features) or reinhard (colour statistics)"
    ),
    params: str = Form("{}", description='JSON object, e.g. {"steps": 100, "size": 384}'),
) -> dict:
    """Start a style-transfer job."""
    if method not in ("gatys", "reinhard"):
        raise ValidationError("method must be gatys or reinhard")
    options = _params(params)
    steps, size = _whole(options, "steps", 100), _whole(options, "size", 384)
    if not 1 <= steps <= MAX_STEPS or not 32 <= size <= 1024:
        raise ValidationError(f"steps must be 1..{MAX_STEPS} and size 32..1024")
    content = await asyncio.to_thread(load_image, await _read(image))
    exemplar = await asyncio.to_thread(load_image, await _read(style))

    def work(progress):  # noqa: ANN001, ANN202
        if method == "reinhard":
            return reinhard_transfer(content, exemplar), {"method": "reinhard-lab"}
        out = gatys_transfer(content, exemplar, steps=steps, size=size, progress=progress)
        return out, {"method": "gatys-mobilenetv2", "steps": steps, "size": size}

    return _links(restoration_jobs(request).submit("style", work, {"method": method}))


@router.get("/api/restore/jobs/{job_id}")
def job_status(request: Request, job_id: str) -> dict:
    """Status, progress and (when done) the result URL."""
    snapshot = restoration_jobs(request).get(job_id)
    if snapshot["status"] == "done":
        snapshot["result_url"] = f"{JOBS_URL}/{job_id}/result"
    return snapshot


@router.get("/api/restore/jobs/{job_id}/result")
def job_result(request: Request, job_id: str) -> Response:
    """The result as PNG (409 while the job is not done)."""
    return Response(restoration_jobs(request).result(job_id), media_type="image/png")


@router.get("/api/restore/jobs/{job_id}/events")
async def job_events(request: Request, job_id: str) -> StreamingResponse:
    """Server-sent events: one ``progress`` event per change, then ``done`` or ``failed``."""
    registry = restoration_jobs(request)
    registry.get(job_id)  # 404 before the stream starts

    async def stream():  # noqa: ANN202
        seq = 0
        while True:
            events, finished = await asyncio.to_thread(registry.events_after, job_id, seq, 1.0)
            for event in events:
                name = event["status"] if event["status"] in ("done", "failed") else "progress"
                yield f"event: {name}\nid: {event['seq']}\ndata: {json.dumps(event)}\n\n"
            seq += len(events)
            if finished and not events:
                break
            if await request.is_disconnected():
                break

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
