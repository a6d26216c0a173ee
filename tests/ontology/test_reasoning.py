"""Reasoned views: CRM/EDM/Schema.org class queries find Works through the materialised alignment."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.reasoning import entailed_graph, materialise_types
from kg.store import OxigraphStore

BASE = "http://127.0.0.1:8000"
HG = "https://w3id.org/heritage-graph/ontology#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _store_with(kinds: dict[str, str]) -> OxigraphStore:
    store = OxigraphStore(None)
    iris = Iris(BASE)
    store.extend(
        ox.Quad(
            ox.NamedNode(iris.entity(kind, ident)),
            TYPE,
            ox.NamedNode(HG + cls),
            ox.NamedNode(iris.record_graph(ident)),
        )
        for ident, (kind, cls) in ((i, (k.split(":")[0], k.split(":")[1])) for i, k in kinds.items())
    )
    return store


def test_alignment_queries_find_works() -> None:
    store = _store_with({"w1": "work:Work", "i1": "instance:Instance", "a1": "agent:Museum"})
    iris = Iris(BASE)
    assert not store.ask("ASK { ?x a crm:E22_Human-Made_Object }")
    n = materialise_types(store, iris)
    assert n > 0
    for cls in ("crm:E22_Human-Made_Object", "edm:ProvidedCHO", "schema:CreativeWork", "bf:Work"):
        rows = store.select(f"SELECT ?x WHERE {{ ?x a {cls} }}")
        assert [r["x"].value for r in rows] == [f"{BASE}/id/work/w1"], cls
    # transitive: a Museum is an hg:Agent and therefore a crm:E39_Actor
    assert store.ask(f"ASK {{ <{BASE}/id/agent/a1> a hg:Agent, crm:E39_Actor }}")
    assert store.ask(f"ASK {{ <{BASE}/id/instance/i1> a crm:E73_Information_Object }}")
    # nothing is written into record graphs
    assert not store.ask(f"ASK {{ GRAPH <{iris.record_graph('w1')}> {{ ?x a crm:E22_Human-Made_Object }} }}")


def test_rebuild_drops_stale_entailments() -> None:
    store = _store_with({"w1": "work:Work"})
    iris = Iris(BASE)
    materialise_types(store, iris)
    store.update(f"DROP GRAPH <{iris.record_graph('w1')}>")
    assert materialise_types(store, iris) == 0
    assert not store.ask(f"ASK {{ GRAPH <{entailed_graph(iris)}> {{ ?s ?p ?o }} }}")
