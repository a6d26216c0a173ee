"""The pure projection: labels, properties, relationships and statements, without a server."""

from __future__ import annotations

import pytest

from kg.neo4j_projection import batches, edge_statement, merge, node_statement, project_graph
from tests.kg.graph_server import demo_store


def _all(store, iris):
    graphs = {q.graph_name.value for q in store.quads() if hasattr(q.graph_name, "value")}
    parts = []
    for g in graphs:
        if "/graph/record/" in g or g == iris.schemes_graph:
            parts.append(project_graph(store.quads(g)))
        elif "/graph/run/" in g:
            parts.append(project_graph(store.quads(g), run=g))
    return merge(parts)


def test_work_node_has_multilingual_titles_dimensions_and_typed_values():
    store, iris = demo_store()
    proj = _all(store, iris)
    labels, props = proj.nodes[iris.entity("work", "w1")]
    assert labels == {"Work"}
    assert props["title_en"] == 'Celadon "Maebyeong" vase' and props["title_ko"] == "청자 매병"
    assert props["dim_height"] == 12.5 and props["dim_height_unit"] == "cm" and props["begin_year"] == 1101
    museum_labels, museum_props = proj.nodes[iris.entity("agent", "nmk")]
    assert museum_labels == {"Museum", "Agent"} and museum_props["label_en"] == "Museum nmk"
    item = proj.nodes[iris.entity("item", "f1")][1]
    assert item["file_format"] == "glb" and item["byte_size"] == 123456


def test_relationships_and_run_edges():
    store, iris = demo_store()
    proj = _all(store, iris)
    rels = {(s.rsplit("/", 1)[-1], r, d.rsplit("/", 1)[-1]) for s, r, d, _p in proj.edges}
    assert ("w1", "HAS_MATERIAL", "ceramic") in rels and ("w1", "HELD_BY", "nmk") in rels
    assert ("i1", "REPRESENTS", "w1") in rels and ("f1", "PART_OF", "i1") in rels
    sims = [p for _s, r, _d, p in proj.edges if r == "SIMILAR_TO"]
    assert sorted(p["score"] for p in sims) == [0.5, 0.91]
    preds = [(d, p) for _s, r, d, p in proj.edges if r == "PREDICTED"]
    assert preds[0][0].endswith("material/bronze") and preds[0][1]["confidence"] == 0.7
    # the direct predicted triple in the run graph is not a second HAS_MATERIAL edge
    assert ("w4", "HAS_MATERIAL", "bronze") not in rels
    # the dimension node is folded, not a node
    assert not any("/dimension/" in iri for iri in proj.nodes)


def test_statements_use_parameters_and_whitelists():
    assert (
        node_statement(["Work"]) == "UNWIND $rows AS r MERGE (n:Resource {iri: r.iri}) SET n = r SET n:Work"
    )
    assert node_statement(["Agent", "Museum"], create=True) == (
        "UNWIND $rows AS r CREATE (n:Resource:Agent:Museum) SET n = r"
    )
    assert "MERGE (a)-[e:SIMILAR_TO {run: r[2].run}]->(b) SET e = r[2]" in edge_statement(
        "SIMILAR_TO", merge=True
    )
    assert edge_statement("HELD_BY").endswith("CREATE (a)-[e:HELD_BY]->(b)")
    with pytest.raises(ValueError):
        node_statement(["Work) DETACH DELETE (x"])
    with pytest.raises(ValueError):
        edge_statement("X]->() DELETE e //")


def test_batches_respect_row_and_byte_limits():
    rows = [{"iri": f"http://x/{i}", "props": {"t": "가" * 100}} for i in range(50)]
    small = list(batches(rows, max_rows=1000, max_bytes=1500))
    assert sum(len(b) for b in small) == 50 and all(len(str(b).encode()) < 4000 for b in small)
    assert [len(b) for b in batches(rows, max_rows=20)] == [20, 20, 10]


def test_rows_carry_iri_and_compact_edges():
    store, iris = demo_store()
    proj = _all(store, iris)
    works = proj.node_rows()[("Work",)]
    w1 = next(r for r in works if r["iri"] == iris.entity("work", "w1"))
    assert w1["title_ko"] == "청자 매병" and "iri" not in proj.nodes[w1["iri"]][1]
    edges = proj.edge_rows()
    assert [iris.entity("work", "w1"), iris.entity("agent", "nmk")] in edges["HELD_BY"]
    sim = sorted(edges["SIMILAR_TO"], key=lambda r: -r[2]["score"])[0]
    assert sim[0] == iris.entity("work", "w1") and sim[2]["rank"] == 1
    # ``known`` drops edges whose target is not a projected node
    dangling = proj.edge_rows(known={iris.entity("work", "w1")})
    assert "HELD_BY" not in dangling


def test_merge_deduplicates_nodes_and_edges_across_graphs():
    store, iris = demo_store()
    once = _all(store, iris)
    graphs = {
        q.graph_name.value for q in store.quads() if "/graph/record/" in getattr(q.graph_name, "value", "")
    }
    twice = merge([once, *(project_graph(store.quads(g)) for g in graphs)])
    assert len(twice.nodes) == len(once.nodes) and len(twice.edges) == len(once.edges)


def test_falkordb_parameter_encoding():
    from kg.graph_transport import cypher_value

    assert cypher_value([{"iri": 'a"b\\c', "n": 3, "x": 1.5, "ok": True, "l": ["가", None]}]) == (
        '[{`iri`:"a\\"b\\\\c",`n`:3,`x`:1.5,`ok`:true,`l`:["가",null]}]'
    )
    with pytest.raises(ValueError):
        cypher_value({"a`b": 1})
    with pytest.raises(TypeError):
        cypher_value(object())
