"""The ML API through a real FastAPI app: image query, similar works, map, predictions, bad uploads;
and the encoder batch (MobileNetV2, sha256 cache, one bad file does not stop the batch)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import routes_ml
from api.problems import install as install_problem_handlers
from kg.runs import list_runs
from ml.encoders import EmbeddingCache, MobileNetEncoder, encode_files
from ml.image_index import load_image_index, sync_image_index
from ml.predict import similarity_run
from tests.ml.conftest import add_image, png

pytestmark = pytest.mark.slow


@pytest.fixture
def client(mlctx):
    for work, color in (("w00", (200, 40, 40)), ("w01", (190, 50, 45)), ("w10", (30, 30, 220))):
        add_image(mlctx, work, color)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(routes_ml.router)
    app.state.ctx = mlctx
    return TestClient(app)


def test_encode_batch_cache_and_bad_file(tmp_path):
    good = tmp_path / "a.png"
    good.write_bytes(png((10, 200, 10)))
    bad = tmp_path / "b.png"
    bad.write_bytes(b"garbage")
    encoder = MobileNetEncoder()
    cache = EmbeddingCache(tmp_path / "vectors", encoder.model_id)
    first = encode_files(encoder, [("a", good), ("b", bad), ("c", tmp_path / "missing.png")], cache)
    assert first.ids == ["a"] and set(first.errors) == {"b", "c"} and first.vectors.shape == (1, 1280)
    again = encode_files(encoder, [("a", good)], cache)
    assert again.cached == 1 and (again.vectors == first.vectors).all()


def test_image_query_similar_map_predictions(client, mlctx):
    report = sync_image_index(mlctx, MobileNetEncoder())
    assert report["works"] == 3 and not report["errors"]
    res = client.post("/api/similar/image", files={"image": ("q.png", png((200, 45, 40)), "image/png")})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["neighbours"][0]["id"] in {"w00", "w01"} and body["position"] is not None
    ceramic = "https://w3id.org/heritage-graph/scheme/material/ceramic"
    assert body["attributes"]["material"][0]["value"] == ceramic
    assert body["representatives"]["material"]
    computed = client.get("/api/similar/w00").json()
    assert computed["from"] == "computed-image" and computed["items"][0]["id"] == "w01"
    run_id, _ = similarity_run(mlctx, load_image_index(mlctx, MobileNetEncoder()), k=2)
    [run] = [r for r in list_runs(mlctx.store) if r["run_id"] == run_id]
    # w00 and w01 (ceramic) are each other's first neighbour, the second is the metal w10
    assert run["similarities"] == 6 and 0.0 < run["metrics"]["material_precision_at_k"] < 1.0
    from_run = client.get("/api/similar/w00").json()
    assert from_run["from"] == "run" and from_run["items"][0]["id"] == "w01"
    points = client.get("/api/map").json()["points"]
    assert {p["id"] for p in points} == {"w00", "w01", "w10"} and all(
        "x" in p and "title" in p for p in points
    )
    assert client.get("/api/predictions/w00").json()["curated"]["material"] == [ceramic]
    assert client.get("/api/similar/nope").status_code == 404


def test_bad_uploads_are_refused(client):
    res = client.post("/api/similar/image", files={"image": ("x.png", b"not an image", "image/png")})
    assert res.status_code in (400, 415, 422) and "not a readable image" in res.text
    res = client.post("/api/similar/image", files={"image": ("x.png", png((1, 1, 1), size=1), "image/png")})
    assert res.status_code in (400, 415, 422)


def test_attribute_models_use_image_evidence(client, mlctx):
    from ml.features import rows_from_store
    from ml.predict import image_block, predict_run, train

    assert image_block(mlctx, rows_from_store(mlctx.store, mlctx.iris.base)) is None  # no index yet
    sync_image_index(mlctx, MobileNetEncoder())
    rows = rows_from_store(mlctx.store, mlctx.iris.base)
    block = image_block(mlctx, rows)
    assert block.shape == (24, 1281) and block[:, -1].sum() == 3  # w00, w01, w10 have images
    bundle = train(mlctx, attrs=("material",), evaluate=False)
    assert bundle["image_dim"] == 1281
    run_id, n = predict_run(mlctx, bundle)
    assert (
        n >= 3
        and "image embedding" in next(r for r in list_runs(mlctx.store) if r["run_id"] == run_id)["model"]
    )
