"""The vector indexes follow REST writes and uploads once they exist: a new image is encoded by
its upload's processing job, a new or deleted Work enters or leaves the text index."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from ml.encoders import get_image_encoder
from ml.image_index import image_index_dir, sync_image_index
from ml.semantic_search import build_text_index, text_index_dir
from ml.vector_index import VectorIndex

pytestmark = pytest.mark.slow


def _png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def _wait_jobs(client, timeout: float = 120.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = client.get("/api/jobs").json()
        if all(j["status"] in ("done", "failed") for j in jobs):
            return jobs
        time.sleep(0.1)
    raise AssertionError("jobs did not finish")


def _work_with_image(api, ident: str, seed: int) -> dict:
    c, h = api.client, api.auth
    assert c.post("/api/works", json={"id": ident, "title": f"Jar {ident}"}, headers=h).status_code == 201
    inst = {"id": f"i-{ident}", "title": "Photos", "represents": ident}
    assert c.post("/api/instances", json=inst, headers=h).status_code == 201
    r = c.post(
        f"/api/instances/i-{ident}/files", params={"name": f"{ident}.png"}, content=_png(seed), headers=h
    )
    assert r.status_code == 201, r.text
    return r.json()


def _ids(directory) -> set[str]:
    return set(VectorIndex.load(directory).ids) if (directory / "ids.json").exists() else set()


def test_indexes_follow_writes_once_built(api) -> None:
    ctx = api.ctx
    encoder = get_image_encoder(ctx.settings)
    images, texts = image_index_dir(ctx, encoder), text_index_dir(ctx)

    # No index yet: an upload doesn't start building one over the whole collection.
    _work_with_image(api, "w1", 1)
    jobs = _wait_jobs(api.client)
    assert all(j["status"] == "done" for j in jobs), jobs
    assert not (images / "ids.json").exists() and not (texts / "ids.json").exists()

    # `heritage embed --text` builds both; from then on writes keep them current.
    sync_image_index(ctx, encoder)
    build_text_index(ctx)
    assert _ids(images) == {"w1"} and _ids(texts) == {"w1"}

    uploaded = _work_with_image(api, "w2", 2)
    jobs = _wait_jobs(api.client)
    assert all(j["status"] == "done" for j in jobs), jobs
    assert _ids(images) == {"w1", "w2"}
    assert "w2" in _ids(texts)
    assert any(j["kind"] == "refresh-indexes" for j in jobs)

    # Deleting the Work (its Item and Instance first) takes it out of both indexes.
    h = api.auth
    assert api.client.delete(f"/api/items/{uploaded['item']['id']}", headers=h).status_code == 204
    assert api.client.delete("/api/instances/i-w2", headers=h).status_code == 204
    assert api.client.delete("/api/works/w2", headers=h).status_code == 204
    _wait_jobs(api.client)
    assert _ids(texts) == {"w1"}
    assert _ids(images) == {"w1"}
