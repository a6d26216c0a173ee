"""The fast rebuild path (TSV reads, ``GRAPH.BULK`` writes) against the reference path (quad
reads, Cypher ``UNWIND`` writes): same projection, and the same graph on a real FalkorDB."""

from __future__ import annotations

import struct
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.graph_transport import BoltTransport, FalkorDBTransport, open_transport
from kg.neo4j_bulk import NotBulkable, _value, bulk_calls
from kg.neo4j_read import parse_literal, read_projection
from kg.neo4j_sync import GraphSync
from tests.kg.graph_server import demo_store, falkordb_server, insert  # noqa: F401 - fixture

XSD = "http://www.w3.org/2001/XMLSchema#"
HG = "https://w3id.org/heritage-graph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _reads(store, iris, tmp_path: Path):
    """(reference projection, fast projection) of every record / scheme / shared graph."""
    sync = GraphSync(store, iris, None, tmp_path / "cp.json", fast=False)
    graphs, excluded, _runs = sync.read_plan()
    slow = sync._read_graphs(graphs).projection
    fast = read_projection(store, graphs, excluded).projection
    return slow, fast


def _same(slow, fast) -> None:
    assert fast.nodes == slow.nodes
    assert sorted(map(repr, fast.edges)) == sorted(map(repr, slow.edges))


def test_literal_forms_round_trip_like_pyoxigraph():
    """Every literal shape the store can hold parses to what pyoxigraph's own terms say."""
    store = ox.Store()
    s, g = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/g")
    lits = [ox.Literal('tab\there\nnew "quoted" back\\slash\r 청자 \u0001'), ox.Literal("hi", language="ko-Kore"),
            ox.Literal("012", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("-5", datatype=ox.NamedNode(XSD + "integer")),
            ox.Literal("12.50", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("1.5E3", datatype=ox.NamedNode(XSD + "double")),
            ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), ox.Literal("1990", datatype=ox.NamedNode(XSD + "gYear")),
            ox.Literal("abc", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("", language="en")]  # fmt: skip
    for i, lit in enumerate(lits):
        store.add(ox.Quad(s, ox.NamedNode(f"http://x/p{i}"), lit, g))
    data = store.query("SELECT ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(
        format=ox.QueryResultsFormat.TSV
    )
    got = {
        line.split("\t")[0][1:-1]: parse_literal(line.split("\t")[1])
        for line in data.decode().split("\n")[1:]
        if line
    }
    for q in store.quads_for_pattern(None, None, None, None):
        lit = q.object
        assert got[q.predicate.value] == (lit.value, lit.language, lit.datatype.value), lit


def test_fast_read_equals_quad_read_on_tricky_graphs(tmp_path):
    """Shared museums, quotes and Hangul, dimensions, and the per-graph rules the union read must
    keep: a subject described in two graphs (first graph's value wins, its other graph's untyped
    literals ignored), a dimension typed in another graph than its link, blank nodes, notations."""
    store, iris = demo_store()
    w1, w2 = iris.record_graph("w1"), iris.record_graph("w2")
    agent = ox.NamedNode(iris.entity("agent", "kim"))
    dim = ox.NamedNode(iris.entity("work", "w1") + "/dimension/width")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    insert(store, w1, [(agent, RDF_TYPE, ox.NamedNode(HG + "Agent")), (agent, label, ox.Literal("Kim", language="en")),
                       (ox.NamedNode(iris.entity("work", "w1")), ox.NamedNode(HG + "creator"), agent),
                       (ox.NamedNode(iris.entity("work", "w1")), ox.NamedNode(HG + "dimension"), dim),
                       (ox.BlankNode("b"), label, ox.Literal("blank")),
                       (agent, ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"), ox.Literal("K1"))])  # fmt: skip
    insert(store, w2, [(agent, label, ox.Literal("Kim (other)", language="en")),
                       (agent, ox.NamedNode(HG + "note"), ox.Literal("untyped here")),
                       (dim, RDF_TYPE, ox.NamedNode(HG + "Dimension")), (dim, ox.NamedNode(HG + "value"), ox.Literal("3.5", datatype=ox.NamedNode(XSD + "decimal"))),
                       (ox.NamedNode(iris.entity("work", "w2")), ox.NamedNode(HG + "creator"), agent)])  # fmt: skip
    slow, fast = _reads(store, iris, tmp_path)
    _same(slow, fast)
    assert slow.nodes[agent.value][1] == {"label_en": "Kim"}  # the checks above compare something real
    assert "dim_width" not in slow.nodes[iris.entity("work", "w1")][1]
    assert slow.nodes[iris.entity("work", "w3")][1]["dim_height"] == 12.5


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    from kg.context import HeritageContext
    from kg.demo import load_demo
    from kg.settings import load_settings

    ctx = HeritageContext.open(load_settings(tmp_path_factory.mktemp("demo")))
    load_demo(ctx)
    yield ctx
    ctx.close()


def test_fast_read_equals_quad_read_on_demo_collection(demo_ctx, tmp_path):
    slow, fast = _reads(demo_ctx.store, demo_ctx.iris, tmp_path)
    _same(slow, fast)
    assert sum(1 for labels, _p in slow.nodes.values() if "Work" in labels) == 30


def test_bulk_encoding_refuses_what_it_cannot_carry():
    q = struct.Struct("<q").pack
    assert _value(["a", 1, 2.5, True]) == (b"\x05" + q(4) + b"\x03a\x00" + b"\x04" + q(1)
                                           + b"\x02" + struct.pack("<d", 2.5) + b"\x01\x01")  # fmt: skip
    with pytest.raises(NotBulkable):
        _value("nul \x00 inside")
    with pytest.raises(NotBulkable):
        _value(2**70)
    calls = list(bulk_calls("g", [b"n" * 10, b"m" * 10], [3, 4], [b"e" * 10], [5], max_bytes=15))
    assert [c[:7] for c in calls] == [["GRAPH.BULK", "g", "BEGIN", 3, 0, 1, 0], ["GRAPH.BULK", "g", 4, 0, 1, 0, b"m" * 10],
                                      ["GRAPH.BULK", "g", 0, 5, 0, 1, b"e" * 10]]  # fmt: skip


def _dump(transport) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (ends, type, properties), sorted."""
    nodes = transport.run("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    edges = transport.run(
        "MATCH (a)-[e]->(b) RETURN a.iri AS a, type(e) AS t, properties(e) AS p, b.iri AS b"
    )
    norm = [(sorted(r["l"]), sorted(dict(r["p"]).items(), key=repr)) for r in nodes]
    enorm = [(r["a"], r["t"], r["b"], sorted(dict(r["p"]).items(), key=repr)) for r in edges]
    return sorted(norm, key=repr), sorted(enorm, key=repr)


def _rebuild_dump(store, iris, transport, path: Path, fast: bool, reader: str = "quads") -> tuple[list, list]:
    sync = GraphSync(store, iris, transport, path, fast=fast, reader=reader)
    sync.rebuild()
    check = sync.check()
    assert check.ok, check.mismatches
    return _dump(transport)


@pytest.mark.slow
@pytest.mark.parametrize("collection", ["demo", "tricky"])
def test_bulk_rebuild_equals_cypher_rebuild(collection, demo_ctx, falkordb_server, tmp_path):  # noqa: F811
    """Every node, label, property and relationship (with run-edge properties on the tricky store)
    is the same whether written by GRAPH.BULK or by Cypher, so a drift in either fails here."""
    store, iris = (demo_ctx.store, demo_ctx.iris) if collection == "demo" else demo_store()
    dumps = {}
    for name, fast, reader in (("fast", True, "quads"), ("tsv", True, "tsv"), ("cypher", False, "quads")):
        transport = open_transport(falkordb_server.native_uri, database=f"{collection}-{name}")
        dumps[name] = _rebuild_dump(store, iris, transport, tmp_path / f"{name}.json", fast, reader)
        transport.close()
    assert dumps["fast"] == dumps["cypher"] and dumps["tsv"] == dumps["cypher"]
    nodes, edges = dumps["fast"]
    assert len(nodes) > 15 and len(edges) > 15
    if collection == "tricky":
        assert {e[1] for e in edges} >= {"SIMILAR_TO", "PREDICTED", "HELD_BY"}


@pytest.mark.slow
def test_bulk_load_split_over_many_calls(falkordb_server, tmp_path, monkeypatch):  # noqa: F811
    """Blobs spread over several GRAPH.BULK calls (only the first says BEGIN; later edges point at
    nodes of earlier calls) build the same graph as one call."""
    import kg.neo4j_bulk

    store, iris = demo_store()
    one = open_transport(falkordb_server.native_uri, database="one-call")
    single = _rebuild_dump(store, iris, one, tmp_path / "1.json", fast=True)
    sent = []
    execute = FalkorDBTransport.execute
    monkeypatch.setattr(kg.neo4j_bulk, "MAX_CALL_BYTES", 200)
    monkeypatch.setattr(FalkorDBTransport, "execute",
                        lambda self, *args: sent.append(args) or execute(self, *args))  # fmt: skip
    many = open_transport(falkordb_server.native_uri, database="many-calls")
    assert _rebuild_dump(store, iris, many, tmp_path / "2.json", fast=True) == single
    assert len(sent) > 5 and [a[2] == "BEGIN" for a in sent].count(True) == 1
    one.close()
    many.close()


@pytest.mark.slow
def test_bolt_rebuild_falls_back_to_cypher(falkordb_server, tmp_path, monkeypatch):  # noqa: F811
    """Bolt servers have no GRAPH.BULK: a fast rebuild through Bolt writes by Cypher (in batches
    inside FalkorDB's Bolt limit) and builds the same graph as the native bulk load."""
    import kg.neo4j_sync

    store, iris = demo_store(bolt_safe=True)
    native = open_transport(falkordb_server.native_uri, database="bulk")
    bulk = _rebuild_dump(store, iris, native, tmp_path / "n.json", fast=True, reader="tsv")
    native.close()
    calls = []
    monkeypatch.setattr(kg.neo4j_sync, "bulk_load", lambda *a: calls.append(a) or (0, 0))
    bolt = BoltTransport(
        falkordb_server.bolt_uri, database="bolt", dialect="falkordb", max_rows=10, max_bytes=1500
    )
    assert _rebuild_dump(store, iris, bolt, tmp_path / "b.json", fast=True, reader="tsv") == bulk
    assert calls == [] and falkordb_server.alive()
    bolt.close()


@pytest.mark.slow
def test_unbulkable_value_falls_back_to_cypher(falkordb_server, tmp_path, monkeypatch):  # noqa: F811
    import kg.neo4j_sync

    def refuse(*_args):
        raise NotBulkable("a value the format cannot carry")

    store, iris = demo_store()
    monkeypatch.setattr(kg.neo4j_sync, "bulk_load", refuse)
    transport = open_transport(falkordb_server.native_uri, database="fallback")
    sync = GraphSync(store, iris, transport, tmp_path / "cp.json")
    report = sync.rebuild()
    assert report.nodes == 19 and sync.check().ok
    transport.close()


@pytest.mark.slow
def test_tsv_read_through_a_remote_sparql_server(oxigraph_server, tmp_path):
    """The TSV reader only needs SPARQL: through ``RemoteStore`` (a real ``oxigraph serve``) it
    gives the projection the quad reader gives from the same data held locally."""
    from kg.store import RemoteStore
    from tests.kg.conftest import clear_remote

    local, iris = demo_store()
    clear_remote(oxigraph_server)
    remote = RemoteStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/store")
    try:
        data = b"".join(str(q).encode() + b" .\n" for q in local.quads())
        remote.load_quads(data, ox.RdfFormat.N_QUADS)
        slow, _ = _reads(local, iris, tmp_path)
        _, fast = _reads(remote, iris, tmp_path)
        _same(slow, fast)
        assert len(fast.nodes) == 19
    finally:
        clear_remote(oxigraph_server)
        remote.close()


def test_run_edges_by_tsv_select_equal_the_run_graph_quads(tmp_path):
    """Model-run edges read by the two SELECTs (as TSV) equal those projected from the run graphs'
    quads, properties included: numbers typed as the literals say, a literal attribute by its text,
    a similarity without a rank, a prediction without a confidence."""
    from tests.kg.graph_server import put_run

    store, iris = demo_store()
    put_run(store, iris, "sim-2", [("w3", "w4", 0.8), ("w4", "w5", 0.6)], [("w1", "bronze", 0.25)])
    run2 = iris.entity("run", "sim-2")
    odd_sim, odd_pred = ox.NamedNode(run2 + "/similarity/x"), ox.NamedNode(run2 + "/prediction/x")
    work = ox.NamedNode(iris.entity("work", "w5"))
    insert(store, iris.run_graph("sim-2"), [
        (odd_sim, RDF_TYPE, ox.NamedNode(HG + "Similarity")), (odd_sim, ox.NamedNode(HG + "source"), work),
        (odd_sim, ox.NamedNode(HG + "target"), ox.NamedNode(iris.entity("work", "w1"))),
        (odd_sim, ox.NamedNode(HG + "score"), ox.Literal("0.125", datatype=ox.NamedNode(XSD + "decimal"))),
        (odd_pred, RDF_TYPE, ox.NamedNode(HG + "Prediction")), (odd_pred, ox.NamedNode(HG + "predictionOf"), work),
        (odd_pred, ox.NamedNode(HG + "predictedValue"), ox.NamedNode(iris.entity("concept", "x"))),
        (odd_pred, ox.NamedNode(HG + "attribute"), ox.Literal("era \"guess\"\t2")),
    ])  # fmt: skip
    sync = GraphSync(store, iris, None, tmp_path / "cp.json")
    from kg.neo4j_projection import Projector

    by_select = Projector()
    sync._add_runs(by_select)
    by_quads = Projector()
    for graph, run in sync._projected_graphs():
        if run:
            by_quads.add_graph(store.quads(graph), run=run)
    assert sorted(map(repr, by_select.projection.edges)) == sorted(map(repr, by_quads.projection.edges))
    props = {(e[0], e[2]): e[3] for e in by_select.projection.edges}
    assert props[(work.value, iris.entity("work", "w1"))] == {"run": run2, "score": 0.125}
    assert props[(work.value, iris.entity("concept", "x"))] == {"run": run2, "attribute": 'era "guess"\t2'}
    assert len(by_select.projection.edges) == 8  # sim-1: 2 + 1, sim-2: 3 + 2
