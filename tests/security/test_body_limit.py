"""The request body limit holds for bodies sent without Content-Length (chunked transfer
encoding), not only for ones that announce their size: before, a chunked body of any size went
through to the route."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import Api, _api
from tests.api.w3c.live import live_server

LIMIT = 4096


@pytest.fixture
def small_body_api(tmp_path) -> Iterator[Api]:
    yield from _api(tmp_path, max_body_bytes=LIMIT)


def _chunks(size: int, tail: bytes = b"") -> Iterator[bytes]:
    """A JSON-friendly body of ``size`` spaces then ``tail``, in 1 KiB chunks (no length)."""
    for _ in range(size // 1024):
        yield b" " * 1024
    yield tail


@pytest.mark.parametrize(
    ("path", "content_type", "tail"),
    [
        ("/api/works", "application/json", b'{"title": "x"}'),
        ("/sparql", "application/sparql-query", b"ASK {}"),
        ("/sparql/update", "application/sparql-update", b"INSERT DATA {}"),
        ("/oai", "application/x-www-form-urlencoded", b"verb=Identify"),
        ("/admin/login", "application/x-www-form-urlencoded", b"token=x"),
    ],
)
def test_a_chunked_body_over_the_limit_is_413(small_body_api, path, content_type, tail):
    client = small_body_api.client
    headers = {**small_body_api.auth, "Content-Type": content_type}
    response = client.post(path, content=_chunks(4 * LIMIT, tail), headers=headers)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert str(LIMIT) in response.json()["detail"]
    assert client.get("/api/works").json()["total"] == 0


def test_a_small_chunked_body_still_works(small_body_api):
    body = _chunks(LIMIT // 2, b'{"id": "w1", "title": "x"}')
    headers = {**small_body_api.auth, "Content-Type": "application/json"}
    response = small_body_api.client.post("/api/works", content=body, headers=headers)
    assert response.status_code == 201, response.text


def test_chunked_over_the_limit_through_uvicorn(small_body_api):
    """The same through a real server and a raw chunked request (no Content-Length at all)."""
    with live_server(small_body_api.client.app) as base:
        url = urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
        headers = {**small_body_api.auth, "Content-Type": "application/json"}
        conn.request(
            "POST", "/api/works", body=_chunks(8 * LIMIT, b"{}"), headers=headers, encode_chunked=True
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["detail"] == f"request body over {LIMIT} bytes"
        conn.close()
