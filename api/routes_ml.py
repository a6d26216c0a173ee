"""Similarity explorer and predictions API: thin routes over ``ml.explorer``."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, File, Query, UploadFile

from api.deps import get_ctx
from kg.errors import ValidationError
from ml import explorer

router = APIRouter(tags=["ml"])


@router.post("/api/similar/image")
async def similar_image(
    image: UploadFile = File(...), k: int = Query(10, ge=1, le=100), ctx=Depends(get_ctx)
) -> dict:
    """Nearest works to an uploaded image, its map position, attribute probabilities, representatives."""
    limit = ctx.settings.max_body_bytes
    data = await image.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"image larger than {limit} bytes")
    # decoding and encoding take seconds for a large image: off the event loop, or one anonymous
    # request would stall every other one meanwhile
    return await asyncio.to_thread(explorer.explore_image, ctx, data, k)


@router.get("/api/similar/{work_id}")
def similar_work(work_id: str, k: int = Query(10, ge=1, le=100), ctx=Depends(get_ctx)) -> dict:
    """Similar works (from the latest similarity run if present, else computed)."""
    return explorer.similar_for_work(ctx, work_id, k)


@router.get("/api/map")
def embedding_map(ctx=Depends(get_ctx)) -> dict:
    """2-D PCA map of the collection's embeddings: id, x, y, title, era, material per point."""
    return explorer.map_points(ctx)


@router.get("/api/predictions/{work_id}")
def predictions(work_id: str, ctx=Depends(get_ctx)) -> dict:
    """A work's curated values and, apart, its predicted values with confidence and run."""
    return explorer.predictions_for_work(ctx, work_id)
