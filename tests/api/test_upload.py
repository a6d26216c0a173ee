"""File upload through the API: formats detected from content, refusals that leave nothing
behind (unknown content, oversize, truncation, decompression bombs), safe names, and the
processing job announced over server-sent events."""

from __future__ import annotations

import io
import json
import random
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image


def png_bytes(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 240)).save(out, "JPEG")
    return out.getvalue()


def glb_bytes() -> bytes:
    trimesh = pytest.importorskip("trimesh")
    return trimesh.creation.box().export(file_type="glb")


OBJ = b"# a triangle\no tri\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"
PLY = b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n"
# a Blender export: comment, material block, texture map
MTL = (
    b"# Blender MTL File: 'jar.blend'\n# Material Count: 1\n\nnewmtl Glaze\nNs 250.000000\n"
    b"Ka 1.000000 1.000000 1.000000\nKd 0.420 0.610 0.560\nKs 0.5 0.5 0.5\nNi 1.45\nd 1.0\nillum 2\n"
    b"map_Kd jar_diffuse.png\n"
)
PTM = b"PTM_1.2\nPTM_FORMAT_RGB\n1\n1\n1.0 1.0 1.0 1.0 1.0 1.0\n0 0 0 0 0 0\n" + bytes(18)


def bomb_png() -> bytes:
    """A valid tiny PNG whose IHDR claims 100000 x 100000 pixels (CRC fixed up)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes of header
    ihdr[4:12] = struct.pack(">II", 100_000, 100_000)
    data[16:29] = ihdr[4:]
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    return bytes(data)


@pytest.fixture
def inst(api) -> str:
    c, h = api.client, api.auth
    assert c.post("/api/works", json={"id": "w1", "title": "Jar"}, headers=h).status_code == 201
    assert (
        c.post(
            "/api/instances", json={"id": "i1", "title": "Photos", "represents": "w1"}, headers=h
        ).status_code
        == 201
    )
    return "i1"


def upload(api, content: bytes, name: str, **headers):
    return api.client.post(
        "/api/instances/i1/files", params={"name": name}, content=content, headers={**api.auth, **headers}
    )


def stored_files(api) -> list[Path]:
    files = api.ctx.files_dir
    return [p for p in files.rglob("*") if p.is_file()] if files.exists() else []


def item_count(api) -> int:
    return api.client.get("/api/items").json()["total"]


@pytest.mark.parametrize(
    ("maker", "name", "fmt", "media"),
    [
        (png_bytes, "a.png", "png", "image/png"),
        (jpeg_bytes, "b.jpg", "jpeg", "image/jpeg"),
        (glb_bytes, "c.glb", "glb", "model/gltf-binary"),
        (lambda: OBJ, "d.obj", "obj", "model/obj"),
        (lambda: MTL, "d.mtl", "mtl", "model/mtl"),
        (lambda: PLY, "e.ply", "ply", "model/ply"),
        (lambda: PTM, "f.ptm", "ptm", "application/x-ptm"),
        (png_bytes, "mislabelled.glb", "png", "image/png"),
        (lambda: OBJ, "mesh.jpg", "obj", "model/obj"),
    ],
)
def test_upload_formats_from_content(api, inst, maker, name, fmt, media) -> None:
    content = maker()
    r = upload(api, content, name)
    assert r.status_code == 201, r.text
    item = r.json()["item"]
    assert item["file_format"] == fmt and item["media_type"] == media
    assert item["byte_size"] == len(content)
    path = api.ctx.files_dir / item["id"] / name
    assert path.read_bytes() == content
    assert api.client.get(f"/files/{item['id']}/{name}").content == content
    if fmt == "png":
        assert (item["pixel_width"], item["pixel_height"]) == (32, 24)


@pytest.mark.parametrize(
    "content",
    [
        b"just some words, not a model or an image\n" * 10,
        b"newmtl Glaze\nKd 1 1 1\nrm -rf /\n",  # a material block with a line MTL does not have
    ],
)
def test_unknown_content_is_415_and_nothing_stored(api, inst, content) -> None:
    r = upload(api, content, "notes.png")
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("application/problem+json")
    assert item_count(api) == 0 and stored_files(api) == []


def test_path_traversal_name_is_made_safe(api, inst, tmp_path) -> None:
    r = upload(api, png_bytes(), "../../x.png")
    assert r.status_code == 201, r.text
    item = r.json()["item"]
    assert item["file_name"] == "x.png"
    assert (api.ctx.files_dir / item["id"] / "x.png").is_file()
    assert not (api.data.parent / "x.png").exists() and not (api.data / "x.png").exists()


def test_oversized_upload_413_nothing_left(small_upload_api) -> None:
    api = small_upload_api
    c, h = api.client, api.auth
    c.post("/api/works", json={"id": "w1", "title": "Jar"}, headers=h)
    c.post("/api/instances", json={"id": "i1", "title": "P", "represents": "w1"}, headers=h)
    out = io.BytesIO()
    Image.frombytes("L", (100, 100), random.Random(1).randbytes(10_000)).save(out, "PNG")
    big = out.getvalue()
    assert len(big) > 4096
    r = upload(api, big, "big.png")
    assert r.status_code == 413
    chunks = (big[i : i + 1024] for i in range(0, len(big), 1024))  # no Content-Length: limit while streaming
    r = api.client.post("/api/instances/i1/files", params={"name": "big.png"}, content=chunks, headers=h)
    assert r.status_code == 413
    assert item_count(api) == 0 and stored_files(api) == []


def test_truncated_upload_refused(api, inst) -> None:
    body = png_bytes()
    r = upload(api, body, "cut.png", **{"Content-Length": str(len(body) + 10)})
    assert r.status_code == 400 and "truncated" in r.json()["detail"]
    r = upload(api, body[:50], "cut.png", **{"Content-Length": str(len(body))})
    assert 400 <= r.status_code < 500
    assert item_count(api) == 0 and stored_files(api) == []


@pytest.mark.slow
def test_client_gone_mid_upload_on_real_server(api, inst) -> None:
    """A raw socket announces 100 kB, sends 2 kB and hangs up: nothing is stored."""
    import socket
    import threading

    import uvicorn

    from tests.kg.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api.client.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            head = (
                f"POST /api/instances/i1/files?name=cut.png HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {api.auth['Authorization']}\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Length: 100000\r\n\r\n"
            )
            sock.sendall(head.encode() + png_bytes()[:2000].ljust(2000, b"\0"))
            time.sleep(0.3)
        deadline = time.monotonic() + 10
        while stored_files(api) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert item_count(api) == 0 and stored_files(api) == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_decompression_bomb_refused(api, inst) -> None:
    r = upload(api, bomb_png(), "bomb.png")
    assert 400 <= r.status_code < 500, r.text
    assert "bomb" in r.json()["detail"]
    assert item_count(api) == 0 and stored_files(api) == []


def test_job_done_and_announced_over_sse(api, inst) -> None:
    r = upload(api, png_bytes(), "a.png")
    job = r.json()["job"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = api.client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state
    assert state["result"]["format"] == "png"
    events = []
    with api.client.stream("GET", "/api/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "job":
                events.append(json.loads(line.split(":", 1)[1]))
                if events[-1]["id"] == job["id"]:
                    break
    assert events[-1]["id"] == job["id"] and events[-1]["status"] == "done"
