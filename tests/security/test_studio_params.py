"""The public restoration and style endpoints validate their ``params`` JSON: deep nesting and
non-integer ``steps``/``size`` are a 422 naming the problem (they were 500s) and start no job."""

from __future__ import annotations

import pytest

from tests.api.test_upload import png_bytes


@pytest.mark.parametrize(
    "params",
    [
        "[" * 100_000,
        '{"steps": "abc"}',
        '{"steps": 1e999}',
        '{"size": null}',
        '{"steps": [1]}',
        '{"size": 64.5}',
    ],
    ids=["deep", "string", "inf", "null", "list", "fraction"],
)
def test_bad_style_params_are_422(app_api, params):
    image = ("a.png", png_bytes(), "image/png")
    response = app_api.client.post(
        "/api/style", files={"image": image, "style": image}, data={"params": params}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert app_api.client.get("/api/jobs").json() == []


def test_deeply_nested_restore_params_are_422(app_api):
    files = {"image": ("a.png", png_bytes(), "image/png")}
    response = app_api.client.post("/api/restore", files=files, data={"params": "[" * 100_000})
    assert response.status_code == 422
    assert "nested" in response.json()["detail"]
