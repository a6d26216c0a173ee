"""A large image uploaded through the REST API gets its tile pyramid in the processing job
(progress reported), after which the Image API serves its tiles; a small one gets none."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from tests.api.iiif.conftest import texture


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(texture(width, height)).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _wait(api, job_id: str) -> dict:
    for _ in range(300):
        job = api.client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the processing job did not finish")


def _upload(api, body: bytes, name: str) -> tuple[str, dict]:
    r = api.client.post("/api/instances/inst-up/files", params={"name": name}, content=body, headers=api.auth)
    assert r.status_code == 201, r.text
    return r.json()["item"]["id"], _wait(api, r.json()["job"]["id"])


def test_upload_builds_the_pyramid_for_large_images_only(api):
    records = [
        {"kind": "work", "id": "w-up", "title": {"en": "Upload"}},
        {"kind": "instance", "id": "inst-up", "represents": "w-up", "title": {"en": "Scan"}},
    ]
    assert not api.ctx.records.put(records).rejected

    big_id, job = _upload(api, _png(2300, 1200), "big.png")
    assert job["status"] == "done", job
    assert job["result"]["iiif"] == f"/iiif/3/{big_id}/info.json"
    assert (api.data / "files" / big_id / ".pyramid" / "pyramid.json").is_file()
    info = api.client.get(f"/iiif/3/{big_id}/info.json").json()
    assert info["tiles"][0]["scaleFactors"] == [1, 2, 4, 8]
    tile = api.client.get(f"/iiif/3/{big_id}/2048,1024,252,176/126,88/0/default.png")
    got = np.asarray(Image.open(io.BytesIO(tile.content)).convert("RGB")).astype(int)
    want = np.asarray(Image.fromarray(texture(2300, 1200)[1024:1200, 2048:2300]).reduce(2)).astype(int)
    assert np.abs(got - want).mean() < 3

    small_id, job = _upload(api, _png(600, 400), "small.png")
    assert job["status"] == "done" and "iiif" not in job["result"]
    assert not (api.data / "files" / small_id / ".pyramid").exists()
    assert api.client.get(f"/iiif/3/{small_id}/info.json").json()["width"] == 600
