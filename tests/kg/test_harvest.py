"""``heritage harvest`` against our own OAI-PMH provider running in a separate process
(``heritage serve``): EDM and oai_dc, sets, incremental harvests, deletions, and a harvest
interrupted after two pages that resumes where it stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from kg.context import HeritageContext
from kg.harvest import HarvestState, harvest
from kg.settings import load_settings
from kg.tokens import create_token
from tests.api.w3c.live import free_port

REPO = Path(__file__).resolve().parents[2]
MUSEUMS = ("National Museum of Korea", "Gyeongju National Museum")
N_WORKS = 30
PAGE = 7  # 30 works -> 5 pages


def work(n: int, **extra) -> dict:
    return {
        "kind": "work",
        "id": f"w-{n:02d}",
        "title": {"en": f"Harvested work {n}", "ko": f"수확 유물 {n}"},
        "object_type": ["ceramics" if n % 2 else "crown"],
        "museum": MUSEUMS[n % 2],
        "era": ["Goryeo"],
        "material_statement": "celadon",
        "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
        **extra,
    }


@dataclass
class Provider:
    url: str
    api: str
    auth: dict[str, str]


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("heritage serve exited")
        try:
            if httpx.get(url, params={"verb": "Identify"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("heritage serve did not start")


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[Provider]:
    src = tmp_path_factory.mktemp("oai-source")
    ctx = HeritageContext.open(load_settings(src))
    assert not ctx.records.put([work(n) for n in range(N_WORKS)]).rejected
    ctx.close()
    token = create_token(src, "curator", "harvest tests")
    port = free_port()
    env = {**os.environ, "HERITAGE_OAI_PAGE_SIZE": str(PAGE)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "heritage", "serve", "--data", str(src), "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/oai", proc)
        yield Provider(f"{base}/oai", f"{base}/api", {"Authorization": f"Bearer {token}"})
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heritage", "harvest", *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def works_in(data: Path) -> dict[str, dict]:
    ctx = HeritageContext.open(load_settings(data))
    try:
        return {c.id: ctx.records.get(c.id) for c in ctx.records.changes(kind="work") if not c.deleted}
    finally:
        ctx.close()


def test_cli_harvests_edm_from_a_provider_in_another_process(provider, tmp_path) -> None:
    done = cli(provider.url, "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "5 pages, 30 written" in done.stdout and "complete" in done.stdout
    got = works_in(tmp_path)
    assert sorted(got) == [f"w-{n:02d}" for n in range(N_WORKS)]
    w = got["w-03"]
    assert w["title"] == {"en": "Harvested work 3", "ko": "수확 유물 3"}
    assert w["museum"] == MUSEUMS[1]
    assert w["material_statement"] == "celadon"


def test_oai_dc_harvest_of_one_set(provider, tmp_path) -> None:
    ctx = HeritageContext.open(load_settings(tmp_path))
    try:
        report = harvest(ctx, provider.url, set_spec="museum:gyeongju-national-museum", prefix="oai_dc")
    finally:
        ctx.close()
    assert report.complete and not report.rejected
    got = works_in(tmp_path)
    assert sorted(got) == [f"w-{n:02d}" for n in range(1, N_WORKS, 2)]
    assert got["w-01"]["title"]["ko"] == "수확 유물 1"


def test_an_interrupted_harvest_resumes_where_it_stopped(provider, tmp_path) -> None:
    first = cli(provider.url, "--data", str(tmp_path), "--max-pages", "2")
    assert first.returncode == 0, first.stderr
    assert "2 pages, 14 written" in first.stdout and "interrupted" in first.stdout
    state = json.loads((tmp_path / "harvest" / "state.json").read_text())
    entry = state[HarvestState.key(provider.url, None, "edm")]
    assert entry["token"] and entry["started"] and "last" not in entry
    assert len(works_in(tmp_path)) == 14

    second = cli(provider.url, "--data", str(tmp_path))
    assert second.returncode == 0, second.stderr
    # the remaining 3 pages only: nothing fetched twice, nothing missing
    assert "3 pages, 16 written, 0 unchanged" in second.stdout and "(resumed)" in second.stdout
    assert sorted(works_in(tmp_path)) == [f"w-{n:02d}" for n in range(N_WORKS)]
    entry = json.loads((tmp_path / "harvest" / "state.json").read_text())[
        HarvestState.key(provider.url, None, "edm")
    ]
    assert "token" not in entry and entry["last"]


@contextmanager
def gate(target: str, hold_at: int) -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A forwarding proxy that answers the first ``hold_at - 1`` requests and then holds every
    request until released: the harvester is provably mid-harvest when the test kills it."""
    arrived, release = threading.Event(), threading.Event()
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            count[0] += 1
            if count[0] >= hold_at:
                arrived.set()
                release.wait(60)
            query = self.path.partition("?")[2]
            resp = httpx.get(f"{target}?{query}", timeout=60)
            self.send_response(resp.status_code)
            self.send_header("Content-Type", resp.headers["content-type"])
            self.send_header("Content-Length", str(len(resp.content)))
            self.end_headers()
            self.wfile.write(resp.content)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/oai", arrived, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_a_killed_harvest_resumes_with_every_record_once(provider, tmp_path) -> None:
    with gate(provider.url, hold_at=3) as (url, arrived, release):
        proc = subprocess.Popen(
            [sys.executable, "-m", "heritage", "harvest", url, "--data", str(tmp_path)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert arrived.wait(120), "the harvester never asked for page 3"
        proc.send_signal(signal.SIGKILL)  # mid-harvest: two pages committed, the third in flight
        proc.wait(timeout=30)
        release.set()
        assert len(works_in(tmp_path)) == 14
        done = cli(url, "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "3 pages, 16 written, 0 unchanged" in done.stdout and "(resumed)" in done.stdout
    assert sorted(works_in(tmp_path)) == [f"w-{n:02d}" for n in range(N_WORKS)]


def test_incremental_harvest_brings_changes_and_deletions(provider, tmp_path) -> None:
    ctx = HeritageContext.open(load_settings(tmp_path))
    try:
        full = harvest(ctx, provider.url)
        assert full.complete and full.written == N_WORKS
        time.sleep(1.1)  # the source's changes land after this harvest's responseDate second
        client = httpx.Client(base_url=provider.api, headers=provider.auth, timeout=60)
        changed = {k: v for k, v in work(5).items() if k not in ("kind", "id")}
        changed["title"] = {"en": "Renamed at the source"}
        assert client.put("/works/w-05", json=changed).status_code == 200
        assert client.delete("/works/w-06").status_code == 204
        new = {k: v for k, v in work(77).items() if k != "kind"}
        assert client.post("/works", json=new).status_code == 201
        client.close()

        again = harvest(ctx, provider.url)
        assert again.from_ is not None  # from the previous harvest's start
        assert again.complete
        assert again.written == 2 and again.deleted == 1 and again.unchanged == 0
        assert ctx.records.get("w-05")["title"] == {"en": "Renamed at the source"}
        assert not ctx.records.exists("w-06")
        assert ctx.records.exists("w-77")
    finally:
        ctx.close()


def test_harvest_errors_are_one_clear_line(provider, tmp_path) -> None:
    done = cli(provider.url, "--data", str(tmp_path), "--set", "museum:louvre")
    assert done.returncode == 0, done.stderr  # noRecordsMatch is an empty harvest, not a failure
    assert "0 written" in done.stdout
    bad = cli(provider.url, "--data", str(tmp_path), "--prefix", "marc21")
    assert bad.returncode != 0 and "unknown metadata prefix" in bad.stderr
    gone = cli("http://127.0.0.1:9/oai", "--data", str(tmp_path))
    assert gone.returncode != 0 and "error" in gone.stderr and "Traceback" not in gone.stderr
