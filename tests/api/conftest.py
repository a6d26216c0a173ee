"""API fixtures: an app over an in-memory store with a curator token, and one with the demo
collection loaded (shared per module, it takes a few seconds to generate)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.context import HeritageContext
from kg.settings import load_settings
from kg.store import OxigraphStore
from kg.tokens import create_token


@dataclass
class Api:
    client: TestClient
    ctx: HeritageContext
    auth: dict[str, str]
    data: Path


def _api(data: Path, **overrides) -> Iterator[Api]:
    settings = load_settings(data, **overrides)
    ctx = HeritageContext.open(settings, store=OxigraphStore())
    token = create_token(settings.data_dir, "curator", "tests")
    with TestClient(create_app(settings, ctx=ctx)) as client:
        yield Api(client, ctx, {"Authorization": f"Bearer {token}"}, data)
    ctx.close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from _api(tmp_path)


@pytest.fixture
def small_upload_api(tmp_path: Path) -> Iterator[Api]:
    """Uploads limited to 4 KiB."""
    yield from _api(tmp_path, max_upload_bytes=4096)


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory) -> Iterator[Api]:
    from kg.demo import load_demo

    data = tmp_path_factory.mktemp("demo-api")
    for api in _api(data):
        load_demo(api.ctx)
        yield api
