"""``GET /sparql/stored/{name}``: every ``sparql/*.rq`` runs by name; unknown names are 404."""

from __future__ import annotations

import json

import pytest

from sparql import queries


def test_the_list_names_every_file_with_what_it_returns(demo) -> None:
    listed = demo.client.get("/sparql/stored").json()["queries"]
    assert [q["name"] for q in listed] == queries.names() and len(listed) >= 5
    assert all(q["description"] for q in listed)  # each file opens with a comment


@pytest.mark.parametrize("name", queries.names())
def test_each_stored_query_runs(demo, name) -> None:
    response = demo.client.get(f"/sparql/stored/{name}")
    assert response.status_code == 200, response.text
    doc = json.loads(response.text)
    assert "boolean" in doc or doc["head"]["vars"]


def test_counts_match_the_record_layer(demo) -> None:
    rows = demo.client.get("/sparql/stored/counts").json()["results"]["bindings"]
    got = {r["class"]["value"].rsplit("#", 1)[1].lower(): int(r["n"]["value"]) for r in rows}
    assert got["work"] == demo.ctx.records.count("work") == 30
    assert got["item"] == demo.ctx.records.count("item")


def test_stored_query_honours_accept(demo) -> None:
    response = demo.client.get("/sparql/stored/counts", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "class,n"


@pytest.mark.parametrize("name", ["no-such-query", "..%2Fpyproject", "COUNTS", "counts.rq"])
def test_unknown_names_are_404(demo, name) -> None:
    response = demo.client.get(f"/sparql/stored/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
