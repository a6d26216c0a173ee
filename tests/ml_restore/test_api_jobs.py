import json
import threading

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import problems
from api.routes_restore import router
from kg.jobs import JobRegistry, Lane
from ml.restore.io import load_image, to_png_bytes
from ml.restore.jobs import LANE, RestorationJobs, TooManyJobs
from tests.ml_restore.helpers import square_mask, texture


@pytest.fixture
def client():
    app = FastAPI()
    problems.install(app)
    app.include_router(router)
    app.state.jobs = JobRegistry(workers=1, lanes={LANE: Lane(running=1, pending=4)})
    with TestClient(app) as test_client:
        yield test_client


def _files(image: np.ndarray, mask: np.ndarray | None = None) -> dict:
    files = {"image": ("scan.png", to_png_bytes(image), "image/png")}
    if mask is not None:
        files["mask"] = ("mask.png", to_png_bytes(mask), "image/png")
    return files


def test_restore_job_end_to_end(client):
    image = texture(64)
    mask = square_mask((64, 64), 20, 20, 8)
    response = client.post("/api/restore", files=_files(image, mask), data={"method": "telea"})
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    client.app.state.jobs.wait(job_id, 30)
    status = client.get(f"/api/restore/jobs/{job_id}").json()
    assert status["status"] == "done" and status["result_url"].endswith("/result")
    result = client.get(status["result_url"])
    assert result.headers["content-type"] == "image/png"
    out = load_image(result.content)
    assert out.shape == image.shape and np.array_equal(out[~mask], image[~mask])
    with client.stream("GET", f"/api/restore/jobs/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        body = "".join(stream.iter_text())
    events = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]
    assert events[0]["status"] == "queued" and events[-1]["status"] == "done"
    assert "event: done" in body


def test_style_job(client):
    files = {
        "image": ("a.png", to_png_bytes(texture(48)), "image/png"),
        "style": ("b.png", to_png_bytes(texture(48, seed=3)[:, :, ::-1].copy()), "image/png"),
    }
    job_id = client.post("/api/style", files=files, data={"method": "reinhard"}).json()["job_id"]
    assert client.app.state.jobs.wait(job_id, 30)["status"] == "done"
    assert load_image(client.get(f"/api/restore/jobs/{job_id}/result").content).shape == (48, 48, 3)


def test_bad_input_is_rejected_before_a_job_starts(client):
    image = texture(32)
    wrong = client.post(
        "/api/restore", files=_files(image, np.ones((10, 10), bool)), data={"method": "telea"}
    )
    assert wrong.status_code == 422 and "mask is 10x10" in wrong.json()["detail"]
    empty = client.post("/api/restore", files=_files(image, np.zeros((32, 32), bool)))
    assert empty.status_code == 422
    corrupt = client.post("/api/restore", files={"image": ("x.png", b"garbage", "image/png")})
    assert corrupt.status_code == 415
    method = client.post("/api/restore", files=_files(image), data={"method": "magic"})
    assert method.status_code == 422
    assert client.get("/api/restore/jobs/nope").status_code == 404


def test_failed_job_reports_its_error(client):
    smooth = np.full((32, 32, 3), 100, np.uint8)  # nothing to detect
    job_id = client.post("/api/restore", files=_files(smooth), data={"method": "telea"}).json()["job_id"]
    status = client.app.state.jobs.wait(job_id, 30)
    assert status["status"] == "failed" and "draw a mask" in status["message"]
    assert client.get(f"/api/restore/jobs/{job_id}/result").status_code == 409


def test_registry_bounds_pending_jobs():
    registry = RestorationJobs(JobRegistry(workers=1), lane=Lane(running=1, pending=2))
    gate = threading.Event()

    def slow(progress):
        gate.wait(10)
        return np.zeros((4, 4, 3), np.uint8), {}

    first, second = registry.submit("t", slow), registry.submit("t", slow)
    with pytest.raises(TooManyJobs):
        registry.submit("t", slow)
    gate.set()
    assert registry.wait(first, 10)["status"] == "done"
    assert registry.wait(second, 10)["status"] == "done"
    registry.submit("t", slow)  # room again
