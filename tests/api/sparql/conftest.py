"""Fixtures for the SPARQL and Linked Data tests: one demo collection for the whole folder
(read-only: tests that write build their own) and a real uvicorn server over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from kg.demo import load_demo
from tests.api.conftest import Api, _api
from tests.api.w3c.live import live_server


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Iterator[Api]:
    """The demo collection behind a TestClient; generated once for the folder (it takes seconds)."""
    for api in _api(tmp_path_factory.mktemp("sparql-demo")):
        load_demo(api.ctx)
        yield api


@pytest.fixture(scope="package")
def live_demo(demo) -> Iterator[tuple[str, Api]]:
    """(base URL, the demo ``Api``): a second app over the same context, so shutting the server
    down does not touch the TestClient's app."""
    with live_server(create_app(demo.ctx.settings, ctx=demo.ctx)) as base:
        yield base, demo
