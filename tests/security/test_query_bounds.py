"""Out-of-range query parameters are a 422 that names the parameter, never an internal error
text: a page number past the range of a SPARQL OFFSET used to surface as "SPARQL syntax error"."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("plural", ["works", "projects", "instances", "items"])
@pytest.mark.parametrize("page", ["99999999999999999999", "1000001", "0", "-1", "x"])
def test_list_page_out_of_range(app_api, plural, page):
    response = app_api.client.get(f"/api/{plural}", params={"page": page})
    assert response.status_code == 422, response.text
    assert response.json()["violations"][0]["field"] == "page"
    assert "SPARQL" not in response.text


def test_the_last_allowed_page_is_empty_not_an_error(work_api):
    response = work_api.client.get("/api/works", params={"page": 1_000_000, "per_page": 200})
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["total"] == 1
