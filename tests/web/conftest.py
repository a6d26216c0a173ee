"""Fixtures for the web pages: the demo collection is built once per session in a tmp data dir,
then copied per module so tests that write (the admin console) never change what others see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.context import HeritageContext
from kg.demo import load_demo
from kg.settings import load_settings
from kg.tokens import create_token


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """A data dir holding the demo collection (30 Works with PNGs and GLBs), closed after loading."""
    data = tmp_path_factory.mktemp("web-demo")
    ctx = HeritageContext.open(load_settings(data))
    try:
        load_demo(ctx)
    finally:
        ctx.close()
    return data


def copy_demo(demo_dir: Path, target: Path) -> Path:
    shutil.copytree(demo_dir, target)
    return target


@pytest.fixture(scope="module")
def data_dir(demo_dir, tmp_path_factory) -> Path:
    return copy_demo(demo_dir, tmp_path_factory.mktemp("web-data") / "data")


@pytest.fixture(scope="module")
def client(data_dir):
    """The real ASGI app over the module's copy of the demo; pages ask for HTML like a browser."""
    with TestClient(create_app(load_settings(data_dir)), headers={"accept": "text/html"}) as c:
        yield c


@pytest.fixture(scope="module")
def curator_token(data_dir) -> str:
    return create_token(data_dir, "curator", "web-tests")
