"""The ``Store`` surface on the embedded backend: query, update, quads, bulk load, errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import ParseError
from kg.store import OxigraphStore

G = "http://127.0.0.1:8000/graph/record/a"
W = "http://127.0.0.1:8000/id/work/a"


def _insert(store) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{W}> a hg:Work ; hg:identifier "a" }} }}')


def test_update_then_query_sees_named_graph_as_union() -> None:
    store = OxigraphStore()
    _insert(store)
    assert store.count("?w a hg:Work") == 1
    assert store.ask(f"ASK {{ <{W}> hg:identifier 'a' }}")
    rows = store.select("SELECT ?id WHERE { ?w hg:identifier ?id }")
    assert [r["id"].value for r in rows] == ["a"]
    assert store.triple_count() == 2


def test_quads_of_one_graph_and_all() -> None:
    store = OxigraphStore()
    _insert(store)
    store.update("INSERT DATA { GRAPH <http://x/g2> { <http://x/s> <http://x/p> 'o' } }")
    assert {q.graph_name.value for q in store.quads(G)} == {G}
    assert len(list(store.quads(G))) == 2
    assert len(list(store.quads())) == 3


def test_bad_sparql_raises_parse_error() -> None:
    store = OxigraphStore()
    with pytest.raises(ParseError):
        store.query("SELECT WHERE {")
    with pytest.raises(ParseError):
        store.update("INSERT DATA {")


def test_load_quads_and_disk_persistence(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.load_quads(f'<{W}> <http://x/p> "v" <{G}> .\n'.encode(), ox.RdfFormat.N_QUADS)
    store.close()
    again = OxigraphStore(tmp_path / "s")
    assert again.triple_count() == 1
    again.close()


def test_select_requires_select() -> None:
    with pytest.raises(TypeError):
        OxigraphStore().select("ASK { ?s ?p ?o }")
