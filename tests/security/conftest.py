"""Security fixtures: a small app over an in-memory store with a curator token and a reader
(no token) client; nothing is ingested beyond what each test writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, _api


@pytest.fixture
def app_api(tmp_path) -> Iterator[Api]:
    yield from _api(tmp_path)


@pytest.fixture
def work_api(tmp_path) -> Iterator[Api]:
    """The app with one Work ``w1`` (a title in two languages and a material)."""
    for api in _api(tmp_path):
        body = {"id": "w1", "title": {"en": "Bowl", "ko": "그릇"}, "material": ["bronze"]}
        assert api.client.post("/api/works", json=body, headers=api.auth).status_code == 201
        yield api
