"""``RemoteStore`` against a real ``oxigraph serve`` process (SPARQL Query/Update + Graph Store)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import ParseError, StoreUnavailable
from kg.store import RemoteStore
from tests.kg.conftest import clear_remote, free_port

pytestmark = pytest.mark.slow
G = "http://127.0.0.1:8000/graph/record/r1"
W = "http://127.0.0.1:8000/id/work/r1"


@pytest.fixture
def remote(oxigraph_server: str) -> RemoteStore:
    clear_remote(oxigraph_server)
    store = RemoteStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/store")
    yield store
    store.close()


def test_update_query_union_default_graph(remote: RemoteStore) -> None:
    remote.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{W}> a hg:Work ; hg:title "T"@en }} }}')
    assert remote.count("?w a hg:Work") == 1
    assert remote.ask(f"ASK {{ <{W}> hg:title ?t }}")
    triples = list(remote.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"))
    assert len(triples) == 2


def test_quads_via_graph_store_and_sparql(remote: RemoteStore) -> None:
    remote.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{W}> hg:identifier "r1" }} }}')
    one = list(remote.quads(G))
    assert len(one) == 1 and one[0].graph_name == ox.NamedNode(G)
    assert len(list(remote.quads())) == 1
    assert list(remote.quads("http://127.0.0.1:8000/graph/record/absent")) == []


def test_load_quads(remote: RemoteStore) -> None:
    remote.load_quads(f'<{W}> <http://x/p> "v" <{G}> .\n'.encode(), ox.RdfFormat.N_QUADS)
    assert remote.triple_count() == 1


def test_errors(remote: RemoteStore) -> None:
    with pytest.raises(ParseError):
        remote.query("SELECT WHERE {")
    dead = RemoteStore(f"http://127.0.0.1:{free_port()}/query", f"http://127.0.0.1:{free_port()}/update")
    with pytest.raises(StoreUnavailable):
        dead.ask("ASK {}")
