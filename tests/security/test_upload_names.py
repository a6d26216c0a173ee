"""Hostile upload names: every one is stored inside the item's folder under a visible, bounded
name, downloadable under that name. Before, a long Korean name (150 characters, 450 bytes) was a
500 that left an empty item folder behind, and bidi overrides (U+202E) and zero-width
characters were kept, so a name could display as something it is not."""

from __future__ import annotations

import os
import unicodedata
from urllib.parse import quote

import pytest

from tests.api.test_upload import png_bytes

HOSTILE = {
    "traversal": "../../etc/passwd.png",
    "absolute": "/etc/passwd.png",
    "windows": "..\\..\\C:\\evil.png",
    "fullwidth": "．．／．．／x.png",
    "nul": "a\x00b.png",
    "rtl-override": "photo\u202egnp.exe",
    "zero-width": "a\u200bb\ufeffc.png",
    "c1-control": "a\x85b\x9b.png",
    "dots-only": "....",
    "korean-long": "한" * 200 + ".png",
    "emoji-long": "\U0001f600" * 100 + ".png",
    "ascii-long": "x" * 5000 + ".png",
}


@pytest.fixture
def instance_api(app_api):
    auth = app_api.auth
    assert app_api.client.post("/api/works", json={"id": "w1", "title": "w"}, headers=auth).status_code == 201
    body = {"id": "i1", "title": "scan", "represents": "w1"}
    assert app_api.client.post("/api/instances", json=body, headers=auth).status_code == 201
    return app_api


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_upload_names(instance_api, name):
    api = instance_api
    data = png_bytes()
    response = api.client.post(
        "/api/instances/i1/files", params={"name": name}, content=data, headers=api.auth
    )
    assert response.status_code == 201, response.text
    item = response.json()["item"]
    stored = item["file_name"]
    assert "/" not in stored and "\\" not in stored and stored not in ("", ".", "..")
    assert len(stored) <= 150 and len(stored.encode()) <= 200
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in stored)
    if name.endswith(".png"):
        assert stored.endswith(".png")
    folder = api.ctx.files_dir / item["id"]
    assert os.listdir(folder) and stored in os.listdir(folder)
    assert folder.resolve().parent == api.ctx.files_dir.resolve()
    download = api.client.get(f"/files/{item['id']}/{quote(stored)}")
    assert download.status_code == 200 and download.content == data
