"""REST: CRUD for all four layers, auth, problem+json errors, search with facets and paging,
and the OpenAPI document."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def _chain(api) -> None:
    c, h = api.client, api.auth
    assert (
        c.post(
            "/api/works", json={"id": "w1", "title": {"en": "Moon jar", "ko": "달항아리"}}, headers=h
        ).status_code
        == 201
    )
    assert (
        c.post(
            "/api/projects", json={"id": "p1", "title": "Scan", "project_type": ["3d-scan"]}, headers=h
        ).status_code
        == 201
    )
    r = c.post(
        "/api/instances",
        json={"id": "i1", "title": "Model", "represents": "w1", "produced_by": "p1"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = c.post(
        "/api/items",
        json={"id": "it1", "part_of": "i1", "file_name": "a.glb", "file_format": "glb"},
        headers=h,
    )
    assert r.status_code == 201, r.text


def test_crud_all_layers(api) -> None:
    c, h = api.client, api.auth
    _chain(api)
    work = c.get("/api/works/w1").json()
    assert work["id"] == "w1"
    assert "달항아리" in str(work["title"])
    assert c.get("/api/instances/i1").json()["represents"].endswith("w1")
    assert c.get("/api/items/it1").json()["id"] == "it1"
    assert c.get("/api/projects/p1").json()["id"] == "p1"
    listing = c.get("/api/works").json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == "w1"

    r = c.put("/api/works/w1", json={"title": {"en": "Moon jar (renamed)"}}, headers=h)
    assert r.status_code == 200 and "renamed" in str(r.json()["title"])
    assert "renamed" in str(c.get("/api/works/w1").json()["title"])

    _problem(c.delete("/api/works/w1", headers=h), 409)  # still represented by i1
    for path in ("/api/items/it1", "/api/instances/i1", "/api/projects/p1", "/api/works/w1"):
        assert c.delete(path, headers=h).status_code == 204
        _problem(c.get(path), 404)
    assert c.get("/api/works").json()["total"] == 0


def test_writes_need_a_token(api) -> None:
    c = api.client
    _problem(c.post("/api/works", json={"id": "w1", "title": "x"}), 401)
    _problem(
        c.post("/api/works", json={"id": "w1", "title": "x"}, headers={"Authorization": "Bearer nope"}), 401
    )
    assert c.post("/api/works", json={"id": "w1", "title": "x"}, headers=api.auth).status_code == 201
    _problem(c.put("/api/works/w1", json={"title": "y"}), 401)
    _problem(c.delete("/api/works/w1"), 401)
    assert c.get("/api/works/w1").status_code == 200


def test_errors_are_problem_json(api) -> None:
    c, h = api.client, api.auth
    _problem(c.get("/api/works/absent"), 404)
    _problem(c.put("/api/works/absent", json={"title": "x"}, headers=h), 404)
    body = _problem(c.post("/api/works", json={"id": "w1", "title": "x", "colour": "red"}, headers=h), 422)
    assert "colour" in body["detail"]
    assert c.post("/api/works", json={"id": "w1", "title": "x"}, headers=h).status_code == 201
    _problem(c.post("/api/works", json={"id": "w1", "title": "x"}, headers=h), 409)
    body = _problem(
        c.post("/api/instances", json={"id": "i9", "title": "x", "represents": "absent"}, headers=h), 422
    )
    assert c.get("/api/instances/i9").status_code == 404


def test_search_facets_and_paging(demo_api) -> None:
    c = demo_api.client
    r = c.get("/api/search", params={"q": "moon"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 2
    assert all("moon" in hit["title"].lower() for hit in body["hits"])
    assert body["facets"]["place"] == body["facets"]["find_spot"] == []  # the demo records no places
    for name, values in body["facets"].items():
        if name in ("place", "find_spot"):
            continue
        total = sum(v["count"] for v in values)
        assert total > 0, name
        assert all(v["count"] <= body["total"] for v in values)
    assert sum(v["count"] for v in body["facets"]["type"]) >= body["total"]
    page1 = c.get("/api/search", params={"q": "moon", "per_page": 1}).json()
    page2 = c.get("/api/search", params={"q": "moon", "per_page": 1, "page": 2}).json()
    assert len(page1["hits"]) == len(page2["hits"]) == 1
    assert page1["hits"][0]["id"] != page2["hits"][0]["id"]
    assert page2["total"] == body["total"]
    era = body["facets"]["era"][0]
    filtered = c.get("/api/search", params={"q": "moon", "era": era["value"]}).json()
    assert filtered["total"] == era["count"]
    assert c.get("/api/search", params={"q": "zzzz-no-such-thing"}).json()["total"] == 0
    all_works = c.get("/api/search").json()
    assert all_works["total"] == 30


def test_openapi_lists_routes(api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/works",
        "/api/works/{ident}",
        "/api/projects",
        "/api/instances",
        "/api/items/{ident}",
        "/api/instances/{instance_id}/files",
        "/api/search",
        "/api/events",
        "/api/jobs/{job_id}",
    ):
        assert path in paths, path


def test_oversized_body_refused_before_it_is_read(tmp_path) -> None:
    """A body over ``max_body_bytes`` gets a 413 problem from its Content-Length; nothing is stored."""
    from tests.api.conftest import _api

    for api in _api(tmp_path, max_body_bytes=1024):
        before = api.ctx.records.count("work")
        body = {"id": "big-1", "title": {"en": "x" * 4096}}
        r = api.client.post("/api/works", json=body, headers=api.auth)
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "1024" in r.json()["detail"]
        assert api.ctx.records.count("work") == before
        small = api.client.post("/api/works", json={"id": "x"}, headers=api.auth)
        assert small.status_code != 413  # the limit, not the route, refused the big one
