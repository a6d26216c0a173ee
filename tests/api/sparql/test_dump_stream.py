"""``/dump`` streams: bytes leave before the dump is complete, and a client that hangs up stops
the producer (a dataset far bigger than the producer's bounded queue, so it must notice)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from api.app import create_app
from tests.api.conftest import Api, _api
from tests.api.w3c.live import live_server

QUADS = 400_000  # ~40 MB gzipped: more than the queue and both sockets' buffers can hold


def _dump_threads() -> int:
    return sum(t.name == "dump" for t in threading.enumerate())


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Iterator[tuple[str, Api]]:
    for api in _api(tmp_path_factory.mktemp("dump")):
        p, g = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/g")
        api.ctx.store.extend(  # hashes: gzip cannot shrink them much, so the dump stays large
            ox.Quad(
                ox.NamedNode(f"http://example.org/s{i}"),
                p,
                ox.Literal(hashlib.sha512(b"%d" % i).hexdigest()),
                g,
            )
            for i in range(QUADS)
        )
        with live_server(create_app(api.ctx.settings, ctx=api.ctx)) as base:
            yield base, api


def test_a_client_that_hangs_up_stops_the_dump(big) -> None:
    base, _api_ = big
    assert _dump_threads() == 0
    with httpx.Client(base_url=base) as http, http.stream("GET", "/dump") as response:
        assert response.status_code == 200 and "content-length" not in response.headers
        chunks = response.iter_raw()  # keep a reference: a dropped iterator closes the response
        first = next(chunks)
        assert first[:2] == b"\x1f\x8b"  # gzip: the first bytes arrive while the dump is running
        time.sleep(1)  # the producer fills the queue and the socket buffers, then waits for us
        assert _dump_threads() == 1
    deadline = time.monotonic() + 20
    while _dump_threads() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _dump_threads() == 0, "the dump kept running after its client left"
