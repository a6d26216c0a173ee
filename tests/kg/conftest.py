"""Shared fixtures for the foundation tests: in-memory and on-disk contexts, a real
``oxigraph serve`` process for the remote backend, and one shared 6,000-record ingest."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg.context import HeritageContext
from kg.settings import load_settings
from kg.store import OxigraphStore, RemoteStore
from tests.shared_paths import RECORDS_CSV, require_shared

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    local = VENV_BIN / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[HeritageContext]:
    """An in-memory context (files under tmp_path)."""
    context = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    yield context
    context.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free port; yields its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary (PyPI package 'oxigraph') is not installed")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"oxigraph serve exited: {proc.stderr.read().decode()[:500]}")
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph serve did not start within 20 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def clear_remote(url: str) -> None:
    httpx.post(f"{url}/update", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})


@pytest.fixture(params=["embedded", "remote"])
def backend_ctx(request, tmp_path: Path) -> Iterator[HeritageContext]:
    """The same record-level tests against the embedded store and a real SPARQL server."""
    if request.param == "embedded":
        store = OxigraphStore()
    else:
        url = request.getfixturevalue("oxigraph_server")
        clear_remote(url)
        store = RemoteStore(f"{url}/query", f"{url}/update", f"{url}/store")
    context = HeritageContext.open(load_settings(tmp_path), store=store)
    yield context
    context.close()


@pytest.fixture(scope="session")
def ingested_dir(tmp_path_factory) -> Path:
    """A data dir holding the shared 6,000-record CSV ingested once (on-disk store, closed)."""
    require_shared(RECORDS_CSV)
    from kg.ingest import ingest_file

    data = tmp_path_factory.mktemp("ingested")
    context = HeritageContext.open(load_settings(data))
    try:
        report = ingest_file(context, RECORDS_CSV)
    finally:
        context.close()
    (data / "first_report.txt").write_text(
        f"{report.ingested} {report.unchanged} {len(report.rejected)}\n"
        + "\n".join(f"{r.row}: {r.reason}" for r in report.rejected[:20])
    )
    return data
