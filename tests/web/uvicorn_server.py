"""One way to run the app for browser tests: a real uvicorn process over a data dir, on a free
port, waited for until it answers and stopped afterwards (a test that fails mid-way must not
leave a server behind)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_data_dir(data: Path, *, start_timeout: float = 30.0) -> Iterator[str]:
    """Yield the base URL of ``uvicorn api.app:create_app`` serving ``data``."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warning"],
        cwd=REPO,
        env={**os.environ, "HERITAGE_DATA_DIR": str(data)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(url + "/api/jobs", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("the server exited while starting")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {start_timeout} s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
