"""Every route that can change something refuses a caller without credentials: found by walking
``app.routes``, so a route added later without auth fails here until it is protected or listed
below with the reason it is open.

A bearer token that is missing, malformed, unknown or for a role that may not write is 401/403;
the admin console and studio forms need a signed session cookie and its CSRF token (403)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from tests.api.test_upload import png_bytes

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# open by design, each for a reason: none of them writes the store
OPEN = {
    ("POST", "/sparql"): "SPARQL 1.1 Protocol query by POST (read-only; updates go to /sparql/update)",
    ("POST", "/oai"): "OAI-PMH verbs as a form body (read-only)",
    ("POST", "/api/similar/image"): "query by image: nothing is stored",
    ("POST", "/studio/mask"): "the studio's damage detection on a posted image: nothing is stored",
    ("POST", "/api/restore"): "public studio: an in-memory job in a bounded lane; saving needs a session",
    ("POST", "/api/style"): "public studio: an in-memory job in a bounded lane; saving needs a session",
    ("POST", "/admin/login"): "where a token is exchanged for a session",
}
BAD_HEADERS = [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic Y3VyYXRvcjpwYXNzd29yZA=="},
    {"Authorization": "bearer " + "A" * 10_000},
]
PATH_VALUES = {"plural": "works", "kind": "work"}  # real form names, so a 404 cannot hide a missing check
FORGED_COOKIE = {"hg_session": "eyJyb2xlIjoiYWRtaW4iLCJjc3JmIjoieCJ9.ZZZZZZ.forged-signature"}


def _routes(routes):
    """APIRoutes, through the routers FastAPI includes lazily (``original_router``)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        elif isinstance(route, APIRoute):
            yield route


def mutating_routes(app) -> list[tuple[str, APIRoute]]:
    return sorted(
        ((method, route) for route in _routes(app.router.routes) for method in route.methods & MUTATING),
        key=lambda pair: (pair[1].path, pair[0]),
    )


def _request(client, method: str, route: APIRoute, headers: dict, cookies: dict | None = None):
    """A request that would pass validation, so only the auth check can refuse it: every path
    parameter ``x`` (or a real form name), every form field ``x``, every file a small PNG."""
    path = re.sub(r"\{([^}:]+)[^}]*\}", lambda m: PATH_VALUES.get(m[1], "x"), route.path)
    form, files = {}, {}
    for field in route.dependant.body_params:
        kind = type(field.field_info).__name__
        if kind == "File":
            files[field.alias] = ("a.png", png_bytes(), "image/png")
        elif kind == "Form":
            form[field.alias] = "x"
    client.cookies.clear()
    for name, value in (cookies or {}).items():
        client.cookies.set(name, value)
    if files or form:
        return client.request(method, path, data=form or None, files=files or None, headers=headers)
    body = {"csrf": "x"} if route.path.startswith(("/admin", "/studio")) else {}
    if route.path.startswith(("/admin", "/studio")):
        return client.request(method, path, data=body, headers=headers)
    return client.request(method, path, json=body, params={"name": "a.png"}, headers=headers)


def test_the_walk_finds_the_write_routes(app_api):
    found = {(m, r.path) for m, r in mutating_routes(app_api.client.app)}
    assert {("POST", "/api/works"), ("DELETE", "/api/items/{ident}"), ("POST", "/sparql/update")} <= found
    assert ("POST", "/api/instances/{instance_id}/files") in found
    assert set(OPEN) <= found, "an OPEN entry names a route that no longer exists"


def unprotected(client) -> tuple[list[tuple], int]:
    """(the write routes that let an unauthenticated request through, how many were checked)."""
    offenders, checked = [], 0
    for method, route in mutating_routes(client.app):
        if (method, route.path) in OPEN:
            continue
        checked += 1
        for headers, cookies in [*((h, None) for h in BAD_HEADERS), ({}, FORGED_COOKIE)]:
            response = _request(client, method, route, headers, cookies)
            if response.status_code not in (401, 403):
                offenders.append((method, route.path, headers, cookies, response.status_code))
    return offenders, checked


def test_every_write_route_refuses_without_credentials(app_api):
    offenders, checked = unprotected(app_api.client)
    assert offenders == []
    assert checked >= 15
    assert app_api.client.get("/api/works").json()["total"] == 0


def test_a_new_route_without_auth_is_caught(app_api):
    app = app_api.client.app

    @app.post("/api/forgotten")
    def forgotten() -> dict:
        return {"written": True}

    offenders, _ = unprotected(app_api.client)
    assert {(m, p) for m, p, *_ in offenders} == {("POST", "/api/forgotten")}


@pytest.mark.parametrize("path", ["/admin/works", "/admin/edit/work/w1", "/admin/logout", "/studio/save"])
def test_a_real_session_with_a_wrong_csrf_token_is_refused(work_api, path):
    client = work_api.client
    token = work_api.auth["Authorization"].split()[1]
    assert client.post("/admin/login", data={"token": token}, follow_redirects=False).status_code == 303
    data = {"csrf": "not-the-token", "title_en": "Renamed", "job_id": "x", "item": "w1"}
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403, response.text[:300]
    assert client.get("/api/works/w1").json()["title"]["en"] == "Bowl"
