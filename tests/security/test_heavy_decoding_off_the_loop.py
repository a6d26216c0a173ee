"""Decoding an uploaded image runs off the event loop on the anonymous image endpoints: a 160 KB
PNG of 49 megapixels took 1.6 s in ``/api/similar/image``, during which the server answered
nobody else. Checked structurally (no timing): the decoder must not find a running event loop
in its thread."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.test_upload import png_bytes


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def seen(monkeypatch):
    """Replace the decoders with spies that record whether they ran on the event loop."""
    calls: list[bool] = []

    import api.routes_ml as routes_ml
    import api.routes_restore as routes_restore

    real_load = routes_restore.load_image

    def load_image(data, *args, **kwargs):
        calls.append(_on_the_loop())
        return real_load(data, *args, **kwargs)

    def explore_image(ctx, data, k=10):
        calls.append(_on_the_loop())
        return {"neighbours": []}

    monkeypatch.setattr(routes_restore, "load_image", load_image)
    monkeypatch.setattr(routes_ml.explorer, "explore_image", explore_image)
    return calls


def test_similar_image_decodes_off_the_loop(app_api, seen):
    response = app_api.client.post("/api/similar/image", files={"image": ("a.png", png_bytes(), "image/png")})
    assert response.status_code == 200
    assert seen == [False]


def test_restore_and_style_decode_off_the_loop(app_api, seen):
    image = ("a.png", png_bytes(), "image/png")
    assert app_api.client.post("/api/restore", files={"image": image}).status_code == 202
    assert app_api.client.post("/api/style", files={"image": image, "style": image}).status_code == 202
    assert seen == [False, False, False]
