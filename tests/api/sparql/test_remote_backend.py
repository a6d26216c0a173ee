"""The endpoint over the remote backend (a real ``oxigraph serve`` process): the same protocol,
formats, dataset parameters, cap and errors as over the embedded store."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.context import HeritageContext
from kg.settings import load_settings
from kg.store import RemoteStore
from tests.kg.conftest import clear_remote, oxigraph_server  # noqa: F401 - a fixture, used by name

EX = "http://example.org/"


@pytest.fixture(scope="module")
def remote(oxigraph_server, tmp_path_factory) -> Iterator[TestClient]:  # noqa: F811
    clear_remote(oxigraph_server)
    store = RemoteStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/store")
    settings = load_settings(tmp_path_factory.mktemp("remote-api"), sparql_result_cap=5)
    ctx = HeritageContext.open(settings, store=store)
    rows = " ".join(f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(8))
    ctx.store.update(
        f'INSERT DATA {{ GRAPH <{EX}g1> {{ {rows} }} GRAPH <{EX}g2> {{ <{EX}x> <{EX}p> "x" }} }}'
    )
    with TestClient(create_app(settings, ctx=ctx)) as client:
        yield client
    clear_remote(oxigraph_server)
    ctx.close()


def test_select_formats_and_the_cap(remote) -> None:
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o"
    doc = json.loads(remote.get("/sparql", params={"query": query}).text)
    assert [b["o"]["value"] for b in doc["results"]["bindings"]] == ["0", "1", "2", "3", "4"]
    response = remote.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.headers["x-result-truncated"] == "true"
    assert response.text.splitlines() == ["s,o", *[f"{EX}s{i},{i}" for i in range(5)]]


def test_dataset_parameters_reach_the_server(remote) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_g2 = remote.get("/sparql", params={"query": query, "default-graph-uri": f"{EX}g2"})
    assert json.loads(only_g2.text)["results"]["bindings"][0]["n"]["value"] == "1"


def test_construct_and_ask(remote) -> None:
    construct = remote.get(
        "/sparql",
        params={"query": f"CONSTRUCT WHERE {{ <{EX}x> ?p ?o }}"},
        headers={"Accept": "text/turtle"},
    )
    triples = [q.triple for q in ox.parse(construct.content, ox.RdfFormat.TURTLE)]
    assert triples == [ox.Triple(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal("x"))]
    ask = remote.post("/sparql", data={"query": f"ASK {{ <{EX}x> ?p ?o }}"})
    assert json.loads(ask.text)["boolean"] is True


def test_a_syntax_error_from_the_server_is_400(remote) -> None:
    response = remote.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
