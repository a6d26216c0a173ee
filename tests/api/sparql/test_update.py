"""``POST /sparql/update``: a curator token, and writes through the record layer (SHACL
validation with the field named, nothing stored on refusal, a change-log entry on success)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.demo import load_demo
from kg.namespaces import HG

UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    from tests.api.conftest import _api

    for api in _api(tmp_path_factory.mktemp("update")):
        load_demo(api.ctx)
        yield api


def _work(api, ident: str = "t-0980") -> str:
    return api.ctx.iris.entity("work", ident)


def test_update_needs_a_token(writable) -> None:
    before = writable.ctx.records.quads("t-0980")
    text = f'INSERT DATA {{ <{_work(writable)}> hg:department "anonymous" }}'
    response = writable.client.post("/sparql/update", content=text, headers=UPDATE)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    bad = writable.client.post(
        "/sparql/update", content=text, headers={**UPDATE, "Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401
    assert writable.ctx.records.quads("t-0980") == before


def test_curator_update_writes_through_the_record_layer(writable) -> None:
    changes_before = len(writable.ctx.records.changes())
    last = writable.ctx.records.changes()[-1].datestamp
    text = f'INSERT DATA {{ <{_work(writable)}> hg:department "Lacquer gallery" }}'
    response = writable.client.post("/sparql/update", content=text, headers={**UPDATE, **writable.auth})
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["written"] == ["t-0980"]
    graph = ox.NamedNode(writable.ctx.iris.record_graph("t-0980"))
    dept = ox.Quad(
        ox.NamedNode(_work(writable)),
        ox.NamedNode(str(HG) + "department"),
        ox.Literal("Lacquer gallery"),
        graph,
    )
    assert dept in writable.ctx.records.quads("t-0980")  # in the record's own graph
    new = writable.ctx.records.changes(since=last)
    assert [c.id for c in new] == ["t-0980"] and not new[0].deleted
    assert len(writable.ctx.records.changes()) == changes_before  # one entry per record, moved forward
    assert writable.ctx.records.get("t-0980")["department"] == "Lacquer gallery"


def test_shape_breaking_update_is_refused_and_nothing_is_stored(writable) -> None:
    before = set(writable.ctx.records.quads("t-1799"))
    last = writable.ctx.records.changes()[-1].datestamp
    work = _work(writable, "t-1799")
    # a second begin year breaks sh:maxCount 1, and a plain-string year breaks sh:datatype
    text = f'INSERT DATA {{ <{work}> hg:beginYear "soon" ; hg:department "ok" }}'
    response = writable.client.post("/sparql/update", content=text, headers={**UPDATE, **writable.auth})
    problem = json.loads(response.text)
    assert response.status_code == 422, response.text
    assert "beginYear" in json.dumps(problem)
    assert set(writable.ctx.records.quads("t-1799")) == before
    assert writable.ctx.records.changes(since=last) == []


def test_deleting_a_required_field_is_refused(writable) -> None:
    before = set(writable.ctx.records.quads("t-1799"))
    text = f"DELETE WHERE {{ <{_work(writable, 't-1799')}> hg:title ?t }}"
    response = writable.client.post("/sparql/update", data={"update": text}, headers=writable.auth)
    assert response.status_code == 422 and "title" in response.text
    assert set(writable.ctx.records.quads("t-1799")) == before


def test_update_may_not_touch_other_graphs(writable) -> None:
    for target in (writable.ctx.iris.changelog_graph, "http://example.org/elsewhere"):
        text = f'INSERT DATA {{ GRAPH <{target}> {{ <{_work(writable)}> hg:department "x" }} }}'
        response = writable.client.post("/sparql/update", content=text, headers={**UPDATE, **writable.auth})
        assert response.status_code == 403, response.text
    load = writable.client.post(
        "/sparql/update", content="LOAD <http://example.org/x.ttl>", headers={**UPDATE, **writable.auth}
    )
    assert load.status_code == 403
