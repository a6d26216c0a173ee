"""``GET /api/search`` through a real FastAPI app: hybrid ranking keeps the keyword/concept set and
its facets, a Korean query reaches English records, semantic mode finds works no word matches."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import routes_search
from api.problems import install as install_problem_handlers

pytestmark = pytest.mark.slow
GLASS = "https://w3id.org/heritage-graph/scheme/material/glass"


@pytest.fixture
def client(mlctx):
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(routes_search.router)
    app.state.ctx = mlctx
    return TestClient(app)


def test_hybrid_search_with_facets(client):
    body = client.get("/api/search", params={"q": "glass vase"}).json()
    # "glass" is a material concept: the seven glass vases (w27 has no curated material)
    assert body["mode"] == "hybrid" and body["total"] == 7
    assert all(h["id"].startswith("w2") and "score" in h for h in body["hits"])
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert body["facets"]["material"] == [{"value": GLASS, "label": "glass", "count": 7}]
    keyword = client.get("/api/search", params={"q": "glass vase", "mode": "keyword"}).json()
    assert keyword["total"] == 7 and {h["id"] for h in keyword["hits"]} == {h["id"] for h in body["hits"]}
    paged = [
        client.get("/api/search", params={"q": "glass", "per_page": 3, "page": p}).json() for p in (1, 2, 3)
    ]
    ids = [h["id"] for page in paged for h in page["hits"]]
    assert len(ids) == len(set(ids)) == 7


def test_korean_query_and_semantic_mode(client):
    korean = client.get("/api/search", params={"q": "도자기로"}).json()  # "ceramic" + particle
    assert korean["total"] == 7 and all(h["id"].startswith("w0") for h in korean["hits"])
    assert client.get("/api/search", params={"q": "zzzz-no-such-thing"}).json()["total"] == 0
    # no title, maker or label has the word "kettle" or "tea": only meaning finds the teapots
    semantic = client.get("/api/search", params={"q": "tea kettle", "mode": "semantic", "per_page": 5}).json()
    assert semantic["total"] == 24 and [h["id"][:2] for h in semantic["hits"]] == ["w0"] * 5
    danish = client.get("/api/search", params={"q": "찻주전자", "mode": "semantic", "material": GLASS}).json()
    assert danish["total"] == 7 and all(h["id"].startswith("w2") for h in danish["hits"])
    assert client.get("/api/search", params={"q": "x", "mode": "nope"}).status_code == 422
