"""A real uvicorn server over the demo collection (module scope), for clients that need a socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from tests.api.w3c.live import live_server


@pytest.fixture(scope="module")
def live_demo(demo_api) -> Iterator[tuple[str, object]]:
    """(base URL, the demo ``Api``): a second app over the same context, so shutting the server
    down does not touch the TestClient's app."""
    with live_server(create_app(demo_api.ctx.settings, ctx=demo_api.ctx)) as base:
        yield base, demo_api
