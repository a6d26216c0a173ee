"""Projection into a real FalkorDB process: rebuild, incremental sync, check, bad input."""

from __future__ import annotations

import pytest

from kg.graph_transport import BoltTransport, FalkorDBTransport, GraphServerUnavailable, open_transport
from kg.neo4j_sync import GraphSync
from tests.kg.graph_server import (
    demo_store,
    falkordb_server,  # noqa: F401 - fixture
    log_change,
    put_instance,
    put_run,
    put_work,
    start_falkordb,
    stop_falkordb,
)

pytestmark = pytest.mark.slow


def _sync(server, tmp_path, store, iris) -> GraphSync:
    transport = open_transport(server.native_uri, database="heritage")
    return GraphSync(store, iris, transport, tmp_path / "neo4j-sync.json", batch_records=2)


def test_rebuild_native_matches_sparql_counts(falkordb_server, tmp_path):  # noqa: F811
    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    report = sync.rebuild()
    assert report.nodes == 19 and report.checkpoint
    check = sync.check()
    assert check.ok, check.mismatches
    assert check.actual["SIMILAR_TO"] == 2 and check.actual["HELD_BY"] == 5
    rows = sync.transport.run(
        "MATCH (w:Work {iri: $iri})-[e:HAS_MATERIAL]->(c:Concept) RETURN w.title_ko AS ko, w.title_en AS en, "
        "w.dim_height AS h, w.dim_height_unit AS u, c.label_en AS mat, c.label_ko AS matko",
        {"iri": iris.entity("work", "w3")},
    )
    assert rows == [{"ko": "돌", "en": "O'Brien's stone", "h": 12.5, "u": "cm",
                     "mat": "O'Brien's \"stone\" \\ 石", "matko": "돌"}]  # fmt: skip
    sim = sync.transport.run("MATCH (a)-[e:SIMILAR_TO]->(b) RETURN a.identifier AS a, e.score AS s, e.run AS r "
                             "ORDER BY s DESC")  # fmt: skip
    assert sim[0] == {"a": "w1", "s": 0.91, "r": iris.entity("run", "sim-1")}
    pred = sync.transport.run("MATCH (w)-[e:PREDICTED]->(c) RETURN e.attribute AS a, e.confidence AS c")
    assert pred == [{"a": "https://w3id.org/heritage-graph/ontology#material", "c": 0.7}]


def test_incremental_sync_changes_and_deletes(falkordb_server, tmp_path):  # noqa: F811
    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    sync.sync()  # first sync = rebuild
    put_work(store, iris, "w2", "Bronze mirror (re-catalogued)", "청동 거울", "ceramic", "new-museum", 2)
    put_instance(store, iris, "i9", "w9")  # represents a Work that does not exist yet
    put_work(store, iris, "w9", "Late work", "늦은", "bronze", "nmk", 9)
    store.update(f"DROP GRAPH <{iris.record_graph('w5')}>")
    log_change(store, iris, "work", "w5", deleted=True)
    report = sync.sync()
    assert report.records == 3 and report.deleted == 1
    check = sync.check()
    assert check.ok, check.mismatches
    t = sync.transport
    assert t.run("MATCH (w:Work {identifier: 'w2'})-[:HAS_MATERIAL]->(c) RETURN c.label_ko AS m") == [
        {"m": "도자기"}
    ]
    assert t.run("MATCH (w:Work {identifier: 'w2'}) RETURN w.title_en AS t") == [
        {"t": "Bronze mirror (re-catalogued)"}
    ]
    assert t.run("MATCH (:Instance {identifier: 'i9'})-[:REPRESENTS]->(w) RETURN w.identifier AS w") == [
        {"w": "w9"}
    ]
    assert t.run("MATCH (w:Work {identifier: 'w5'}) RETURN count(w) AS c") == [{"c": 0}]
    assert sync.sync().records == 0  # nothing new


def test_interrupted_projection_is_completed_by_next_sync(falkordb_server, tmp_path):  # noqa: F811
    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    sync.rebuild()
    for k in range(6):
        put_work(store, iris, f"n{k}", f"New {k}", f"새 {k}", "bronze", "nmk", k)
    real_query = sync.transport._query  # every statement, direct or pipelined, goes through it
    calls = {"n": 0}

    def failing_query(text):  # the real server, cut off after a few statements
        calls["n"] += 1
        if calls["n"] > 9:
            raise GraphServerUnavailable("connection lost")
        return real_query(text)

    sync.transport._query = failing_query
    before = sync.checkpoint()
    with pytest.raises(GraphServerUnavailable):
        sync.sync()
    mid = sync.checkpoint()
    assert mid != before  # the first batch was committed and checkpointed
    sync.transport._query = real_query
    assert not sync.check().ok  # half-way: some new works are missing
    sync.sync()
    assert sync.check().ok


def test_server_down_leaves_store_untouched_and_sync_resumes(tmp_path):
    store, iris = demo_store()
    server = start_falkordb(tmp_path / "db", persist=True)
    try:
        sync = _sync(server, tmp_path, store, iris)
        sync.rebuild()
        put_work(store, iris, "late", "Late", "늦게", "bronze", "nmk", 7)
        before_quads = sorted(map(str, store.quads()))
        checkpoint = sync.checkpoint()
    finally:
        stop_falkordb(server)
    with pytest.raises(GraphServerUnavailable, match="unreachable"):
        sync.sync()
    assert sync.checkpoint() == checkpoint
    assert sorted(map(str, store.quads())) == before_quads
    with pytest.raises(GraphServerUnavailable):
        open_transport("bolt://127.0.0.1:1").run("RETURN 1")
    server = start_falkordb(tmp_path / "db", ports=(server.port, server.bolt_port), persist=True)
    try:  # the server is back with the data it had: the sync picks up from the checkpoint
        sync.transport = open_transport(server.native_uri, database="heritage")
        assert sync.checkpoint() == checkpoint
        report = sync.sync()
        assert report.records == 1 and sync.check().ok
    finally:
        stop_falkordb(server)


def test_bolt_transport_end_to_end_within_falkordb_limit(falkordb_server, tmp_path):  # noqa: F811
    """The neo4j driver path for real: small batches stay under FalkorDB's ~4 KB Bolt limit."""
    store, iris = demo_store(bolt_safe=True)
    transport = BoltTransport(falkordb_server.bolt_uri, database="heritage", dialect="falkordb",
                              max_rows=10, max_bytes=1500)  # fmt: skip
    sync = GraphSync(store, iris, transport, tmp_path / "cp.json")
    sync.rebuild()
    check = sync.check()
    assert check.ok, check.mismatches
    rows = transport.run("MATCH (c:Concept {iri: $iri}) RETURN c.label_en AS l",
                         {"iri": "https://w3id.org/heritage-graph/scheme/material/obrien-stone"})  # fmt: skip
    assert rows == [{"l": 'OBriens "stone" 石'}]
    assert falkordb_server.alive()
    transport.close()


def test_unknown_uri_scheme_is_a_clear_error():
    with pytest.raises(ValueError, match="unsupported graph server URI"):
        open_transport("http://example.org")
    with pytest.raises(GraphServerUnavailable, match="unreachable"):
        FalkorDBTransport("127.0.0.1", 1).run("RETURN 1")


def test_uri_schemes_pick_transport_and_dialect():
    memgraph = open_transport("memgraph://127.0.0.1:1")
    neo4j = open_transport("neo4j://127.0.0.1:1", database="neo4j")
    try:
        assert isinstance(memgraph, BoltTransport) and memgraph.dialect == "memgraph"
        assert memgraph.uri == "bolt://127.0.0.1:1"
        assert isinstance(neo4j, BoltTransport) and neo4j.dialect == "neo4j"
        with pytest.raises(GraphServerUnavailable, match="unreachable"):
            memgraph.ensure_schema()  # the first statement fails cleanly, not as a dialect error
    finally:
        memgraph.close()
        neo4j.close()


def test_sync_after_write_when_auto_sync_is_on(falkordb_server, tmp_path):  # noqa: F811
    from kg.neo4j_sync import sync_after_write
    from kg.settings import load_settings

    store, iris = demo_store()

    class Ctx:  # the attributes of HeritageContext that sync_after_write reads
        def __init__(self, settings) -> None:
            self.settings, self.store, self.iris = settings, store, iris

    off = Ctx(load_settings(tmp_path, neo4j_uri=falkordb_server.native_uri))
    assert sync_after_write(off) is None
    on = Ctx(load_settings(tmp_path, neo4j_uri=falkordb_server.native_uri, neo4j_auto_sync=True))
    assert sync_after_write(on).nodes == 19
    put_work(store, iris, "w7", "Seventh", "일곱", "bronze", "nmk", 7)
    assert sync_after_write(on).records == 1


def test_dialect_statements():
    from kg.graph_transport import SCHEMA_STATEMENTS

    assert SCHEMA_STATEMENTS["neo4j"] == [
        "CREATE CONSTRAINT resource_iri IF NOT EXISTS FOR (n:Resource) REQUIRE n.iri IS UNIQUE"
    ]
    transport = BoltTransport("bolt://127.0.0.1:1")
    assert transport.dialect == "neo4j" and transport.max_bytes is None
    transport.close()


def test_agent_that_becomes_a_museum_gains_the_label(falkordb_server, tmp_path):  # noqa: F811
    import pyoxigraph as ox

    from kg.namespaces import HG
    from tests.kg.graph_server import insert

    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    agent = ox.NamedNode(iris.entity("agent", "kim"))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    insert(store, iris.record_graph("w1"), [(agent, rdf_type, ox.NamedNode(str(HG.Agent))),
                                            (ox.NamedNode(iris.entity("work", "w1")), ox.NamedNode(str(HG.creator)), agent)])  # fmt: skip
    log_change(store, iris, "work", "w1")
    sync.sync()
    insert(store, iris.record_graph("w2"), [(agent, rdf_type, ox.NamedNode(str(HG.Museum))),
                                            (ox.NamedNode(iris.entity("work", "w2")), ox.NamedNode(str(HG.heldBy)), agent)])  # fmt: skip
    log_change(store, iris, "work", "w2")
    sync.sync()
    rows = sync.transport.run("MATCH (n:Resource {iri: $iri}) RETURN labels(n) AS l", {"iri": agent.value})
    assert len(rows) == 1 and set(rows[0]["l"]) == {"Resource", "Agent", "Museum"}
    assert sync.check().ok


def test_hangul_and_quote_iris_round_trip_through_parameters(falkordb_server, tmp_path):  # noqa: F811
    import pyoxigraph as ox

    from kg.namespaces import HG
    from tests.kg.graph_server import insert

    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    sync.rebuild()
    odd = ox.NamedNode(iris.entity("concept", "use-청자's')RETURN(1)//"))
    skos = "http://www.w3.org/2004/02/skos/core#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = '\'}) MATCH (n) DETACH DELETE n // "청자" \\'
    insert(store, iris.record_graph("w4"), [
        (odd, rdf_type, ox.NamedNode(skos + "Concept")),
        (odd, ox.NamedNode(skos + "prefLabel"), ox.Literal(label, language="ko")),
        (ox.NamedNode(iris.entity("work", "w4")), ox.NamedNode(str(HG.use)), odd),
    ])  # fmt: skip
    log_change(store, iris, "work", "w4")
    sync.sync()
    rows = sync.transport.run("MATCH (w:Work)-[:HAS_USE]->(c:Concept {iri: $iri}) RETURN w.identifier AS w, "
                              "c.label_ko AS l", {"iri": odd.value})  # fmt: skip
    assert rows == [{"w": "w4", "l": label}]
    assert sync.check().ok  # nothing was deleted by the injected text


def test_sync_adds_new_runs_and_removes_dropped_ones(falkordb_server, tmp_path):  # noqa: F811
    store, iris = demo_store()
    sync = _sync(falkordb_server, tmp_path, store, iris)
    sync.rebuild()
    put_run(store, iris, "sim-2", [("w3", "w4", 0.8), ("w4", "w5", 0.6), ("w1", "w5", 0.4)], [])
    report = sync.sync()
    assert report.runs == 1 and sync.check().ok
    runs = "MATCH ()-[e:SIMILAR_TO]->() RETURN e.run AS run, count(e) AS n ORDER BY run"
    assert sync.transport.run(runs) == [{"run": iris.entity("run", "sim-1"), "n": 2},
                                        {"run": iris.entity("run", "sim-2"), "n": 3}]  # fmt: skip
    store.update(f"DROP GRAPH <{iris.run_graph('sim-1')}>")
    assert sync.sync().runs == 0
    assert sync.transport.run(runs) == [{"run": iris.entity("run", "sim-2"), "n": 3}]
    assert sync.transport.run("MATCH ()-[e:PREDICTED]->() RETURN count(e) AS n") == [{"n": 0}]
    assert sync.check().ok


def test_threaded_read_equals_sequential_read(tmp_path):
    store, iris = demo_store()
    for k in range(520):  # enough graphs for two reader threads (at least 250 graphs each)
        put_work(store, iris, f"t{k}", f"Work {k}", f"작품 {k}", ("ceramic", "bronze")[k % 2], f"m{k % 7}", k)
    graphs = [
        g for g, run in GraphSync(store, iris, None, tmp_path / "c.json")._projected_graphs() if not run
    ]
    one = GraphSync(store, iris, None, tmp_path / "c.json", read_threads=1)._read_graphs(graphs).projection
    three = GraphSync(store, iris, None, tmp_path / "c.json", read_threads=3)._read_graphs(graphs).projection
    assert len(graphs) >= 500
    assert sum(1 for labels, _p in one.nodes.values() if "Work" in labels) == 525
    assert one.nodes == three.nodes
    assert sorted(map(str, one.edges)) == sorted(map(str, three.edges))
