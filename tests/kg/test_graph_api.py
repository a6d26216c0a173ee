"""The explorer's graph queries give identical JSON from the graph server and from SPARQL."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kg.errors import NotFound
from kg.graph_api import CypherBackend, SparqlBackend, clusters, neighbourhood, shortest_path
from kg.graph_transport import open_transport
from kg.neo4j_sync import GraphSync
from tests.kg.graph_server import demo_store, falkordb_server  # noqa: F401 - fixture


@pytest.fixture
def backends(falkordb_server, tmp_path):  # noqa: F811
    store, iris = demo_store()
    transport = open_transport(falkordb_server.native_uri, database="heritage")
    GraphSync(store, iris, transport, tmp_path / "cp.json").rebuild()
    yield store, iris, SparqlBackend(store, iris), CypherBackend(transport)
    transport.close()


@pytest.mark.slow
def test_neighbourhood_identical_on_both_backends(backends):
    store, iris, sparql, cypher = backends
    w1 = iris.entity("work", "w1")
    for kwargs in ({"depth": 1}, {"depth": 2}, {"depth": 2, "relations": ["HAS_MATERIAL"]},
                   {"depth": 3, "layers": ["work", "instance", "item"]}):  # fmt: skip
        a, b = neighbourhood(sparql, w1, **kwargs), neighbourhood(cypher, w1, **kwargs)
        assert a == b, kwargs
    one = neighbourhood(sparql, w1, depth=1)
    ids = {n["id"].rsplit("/", 1)[-1]: n for n in one["nodes"]}
    assert ids["w1"] == {"id": w1, "label": 'Celadon "Maebyeong" vase', "kind": "work"}
    assert ids["nmk"]["kind"] == "museum" and ids["ceramic"]["label"] == 'Ceramic "stoneware"'
    assert {"i1", "w2"} <= set(ids)  # incoming REPRESENTS, outgoing SIMILAR_TO
    sim = [e for e in one["edges"] if e["type"] == "SIMILAR_TO"]
    assert sim == [{"source": w1, "target": iris.entity("work", "w2"), "type": "SIMILAR_TO",
                    "props": {"run": iris.entity("run", "sim-1"), "score": 0.91, "rank": 1}}]  # fmt: skip
    layered = neighbourhood(sparql, w1, depth=3, layers=["work", "instance", "item"])
    assert {n["kind"] for n in layered["nodes"]} == {"work", "instance", "item"}


@pytest.mark.slow
def test_path_and_clusters_identical_on_both_backends(backends):
    store, iris, sparql, cypher = backends
    f1, w3 = iris.entity("item", "f1"), iris.entity("work", "w3")
    a, b = shortest_path(sparql, f1, w3), shortest_path(cypher, f1, w3)
    assert a == b
    assert [n["id"].rsplit("/", 1)[-1] for n in a["nodes"]] == ["f1", "i1", "w1", "w2", "w3"]
    assert [e["type"] for e in a["edges"]] == ["PART_OF", "REPRESENTS", "SIMILAR_TO", "SIMILAR_TO"]
    assert shortest_path(sparql, f1, w3, relations=["PART_OF"]) == {"nodes": [], "edges": []}
    for rels in (None, ["HAS_MATERIAL"]):
        ca, cb = clusters(sparql, relations=rels), clusters(cypher, relations=rels)
        assert ca == cb
    assert _groups(clusters(sparql)) == [["w1", "w2", "w3", "w4", "w5"]]  # similarity joins the materials
    by_material = clusters(sparql, relations=["HAS_MATERIAL"])
    assert _groups(by_material) == [["w1", "w4", "w5"]]  # bronze and stone have one work each
    assert {e["type"] for e in by_material["edges"]} == {"HAS_MATERIAL"}


def _groups(result: dict) -> list[list[str]]:
    groups: dict[str, set[str]] = {}
    for n in result["nodes"]:
        if n["kind"] == "work":
            groups.setdefault(n["cluster"], set()).add(n["id"].rsplit("/", 1)[-1])
    return sorted(sorted(g) for g in groups.values())


def test_bad_input_is_rejected():
    store, iris = demo_store()
    sparql = SparqlBackend(store, iris)
    with pytest.raises(NotFound):
        neighbourhood(sparql, iris.entity("work", "nope"))
    with pytest.raises(ValueError, match="unknown relation"):
        neighbourhood(sparql, iris.entity("work", "w1"), relations=["DROP"])
    with pytest.raises(ValueError, match="unknown layer"):
        neighbourhood(sparql, iris.entity("work", "w1"), layers=["planet"])


class _Ctx:
    """The parts of ``HeritageContext`` the graph routes use, over a real store and settings."""

    def __init__(self, store, iris, settings) -> None:
        self.store, self.iris, self.settings = store, iris, settings


def _client(ctx) -> TestClient:
    from api import problems
    from api.routes_graph import router

    app = FastAPI()
    problems.install(app)
    app.include_router(router)
    app.state.ctx = ctx
    return TestClient(app)


@pytest.mark.slow
def test_routes_same_json_from_graph_server_and_store(falkordb_server, tmp_path):  # noqa: F811
    from kg.settings import load_settings

    store, iris = demo_store()
    transport = open_transport(falkordb_server.native_uri, database="heritage")
    GraphSync(store, iris, transport, tmp_path / "cp.json").rebuild()
    plain = _client(_Ctx(store, iris, load_settings(tmp_path / "a")))
    graph = _client(_Ctx(store, iris, load_settings(tmp_path / "b", neo4j_uri=falkordb_server.native_uri)))
    urls = [
        "/api/graph/neighbourhood/work/w1?depth=2",
        "/api/graph/neighbourhood/work/w1?depth=2&relations=HAS_MATERIAL,SIMILAR_TO&layers=work,concept",
        "/api/graph/neighbourhood/museum/nmk?depth=1",
        "/api/graph/path?from=item/f1&to=work/w3",
        f"/api/graph/path?from={iris.entity('work', 'w4')}&to=work/w2",
        "/api/graph/clusters",
        "/api/graph/clusters?relations=HAS_MATERIAL",
    ]
    for url in urls:
        a, b = plain.get(url), graph.get(url)
        assert a.status_code == 200, (url, a.text)
        assert a.json() == b.json(), url
        assert set(a.json()) == {"nodes", "edges"}
    assert len(plain.get(urls[3]).json()["nodes"]) == 5
    # Any IRI by query parameter, e.g. a concept outside this server's base.
    nodes = plain.get("/api/graph/neighbourhood/work/w1").json()["nodes"]
    work_iri = iris.entity("work", "w1")
    concept = next(n["id"] for n in nodes if n["kind"] == "concept")
    a = plain.get("/api/graph/neighbourhood", params={"iri": concept})
    b = graph.get("/api/graph/neighbourhood", params={"iri": concept})
    assert a.status_code == 200 and a.json() == b.json()
    assert work_iri in {n["id"] for n in a.json()["nodes"]}
    assert plain.get("/api/graph/neighbourhood/work/nope").status_code == 404
    assert plain.get("/api/graph/neighbourhood/work/w1?relations=BOGUS").status_code == 400
    assert plain.get("/api/graph/path?from=planet/x&to=work/w1").status_code == 400
    transport.close()
