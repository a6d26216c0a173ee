"""One job table: restoration and style jobs run on the app's one registry (``kg.jobs``), so
they appear in ``/api/jobs`` and on ``/api/events`` beside upload jobs."""

from __future__ import annotations

import json

import numpy as np

from ml.restore.io import to_png_bytes


def _image() -> bytes:
    rng = np.random.default_rng(7)
    return to_png_bytes(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8))


def test_restore_job_is_listed_and_announced(api) -> None:
    mask = np.zeros((48, 48), np.uint8)
    mask[10:20, 10:20] = 255
    files = {
        "image": ("scan.png", _image(), "image/png"),
        "mask": ("mask.png", to_png_bytes(mask), "image/png"),
    }
    r = api.client.post("/api/restore", files=files, data={"method": "telea"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    final = api.client.app.state.jobs.wait(job_id, 30)
    assert final["status"] == "done", final

    listed = {job["id"]: job for job in api.client.get("/api/jobs").json()}
    assert job_id in listed, "the restore job is missing from /api/jobs"
    job = listed[job_id]
    assert (job["kind"], job["subject"], job["status"]) == ("restore", "telea", "done")
    assert job["result"]["result_url"] == f"/api/restore/jobs/{job_id}/result"
    assert api.client.get(f"/api/jobs/{job_id}").json()["status"] == "done"
    png = api.client.get(job["result"]["result_url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

    with api.client.stream("GET", "/api/events") as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "job":
                payload = json.loads(line.split(":", 1)[1])
                if payload["id"] == job_id:
                    break
    assert payload["status"] == "done" and payload["kind"] == "restore"


def test_a_style_job_is_listed_with_its_final_status(api) -> None:
    files = {
        "image": ("a.png", _image(), "image/png"),
        "style": ("b.png", _image(), "image/png"),
    }
    r = api.client.post("/api/style", files=files, data={"method": "reinhard"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    final = api.client.app.state.jobs.wait(job_id, 30)
    listed = {job["id"]: job for job in api.client.get("/api/jobs").json()}
    assert listed[job_id]["kind"] == "style"
    assert listed[job_id]["status"] == final["status"]


def test_upload_and_restore_jobs_share_one_registry(api) -> None:
    """Both kinds of job land in the app's one registry; ``/api/jobs`` lists them side by side,
    and the restoration routes see only restoration jobs."""
    c, h = api.client, api.auth
    assert c.post("/api/works", json={"id": "w1", "title": "Jar"}, headers=h).status_code == 201
    instance = {"id": "i1", "title": "Photos", "represents": "w1"}
    assert c.post("/api/instances", json=instance, headers=h).status_code == 201
    upload = c.post("/api/instances/i1/files", params={"name": "scan.png"}, content=_image(), headers=h)
    assert upload.status_code == 201, upload.text
    upload_id = upload.json()["job"]["id"]
    files = {"image": ("a.png", _image(), "image/png"), "style": ("b.png", _image(), "image/png")}
    style_id = c.post("/api/style", files=files, data={"method": "reinhard"}).json()["job_id"]

    registry = c.app.state.jobs
    assert registry.wait(upload_id, 60)["status"] == "done"
    assert registry.wait(style_id, 60)["status"] == "done"
    assert {job.id for job in registry.all()} >= {upload_id, style_id}
    listed = {job["id"]: job for job in c.get("/api/jobs").json()}
    assert listed[upload_id]["kind"] == "process-upload" and listed[upload_id]["subject"].startswith("item-")
    assert listed[style_id]["kind"] == "style" and listed[style_id]["subject"] == "reinhard"
    assert c.get(f"/api/restore/jobs/{upload_id}").status_code == 404
    assert c.get(f"/api/jobs/{style_id}").json()["status"] == "done"
    assert not hasattr(c.app.state, "restore_jobs")
