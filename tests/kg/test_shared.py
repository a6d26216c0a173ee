"""Museums, makers and local concepts are described once, in the shared graph: counts over the
default graph are right, records still read as self-contained documents, descriptions nothing
points at any more are dropped with their entailed types, and old stores are migrated on open."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.context import HeritageContext
from kg.reasoning import entailed_graph
from kg.settings import load_settings
from kg.store import OxigraphStore

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def work(ident: str, museum: str, creator: str = "Kim Hong-do", **extra) -> dict:
    return {"kind": "work", "id": ident, "title": {"en": f"Work {ident}"}, "museum": museum,
            "creators": [creator], "rights": CC0, **extra}  # fmt: skip


@pytest.fixture
def ctx(tmp_path):
    context = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    yield context
    context.close()


def count(ctx, where: str) -> int:
    return int(ctx.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"].value)


def described(ctx, label: str) -> dict[str, int]:
    """Quads about the agent with this label, by graph kind (record / shared / entailed)."""
    rows = ctx.store.select(
        f'SELECT ?g WHERE {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> "{label}" . GRAPH ?g {{ ?a ?p ?o }} }}'
    )
    out: dict[str, int] = {}
    for r in rows:
        g = r["g"].value
        key = "record" if "/graph/record/" in g else g.rsplit("/", 1)[-1]
        out[key] = out.get(key, 0) + 1
    return out


def test_counts_over_the_default_graph_are_not_multiplied(ctx) -> None:
    works = [work(f"w-{n}", "Gansong Art Museum") for n in range(5)] + [work("w-9", "Leeum")]
    assert not ctx.records.put(works).rejected
    assert count(ctx, "?m a hg:Museum") == 2
    assert count(ctx, "?a a hg:Agent") == 3  # two museums and one maker
    assert count(ctx, "?w a hg:Work ; hg:heldBy/rdfs:label ?l") == 6
    rows = ctx.store.select(
        "SELECT ?l (COUNT(?w) AS ?n) WHERE { ?w a hg:Work ; hg:heldBy/rdfs:label ?l } GROUP BY ?l"
    )
    assert {r["l"].value: int(r["n"].value) for r in rows} == {"Gansong Art Museum": 5, "Leeum": 1}
    # the entailed museum class (hg:Museum ⊑ crm:E74_Group) is there once per museum too
    assert count(ctx, "?m a crm:E74_Group") == 2
    assert described(ctx, "Leeum").get("record", 0) == 0


def test_a_record_still_reads_as_one_document(ctx) -> None:
    assert not ctx.records.put([work("w-1", "Leeum", material=["hwagang-stone-nobody-knows"])]).rejected
    record = ctx.records.get("w-1")
    assert record["museum"] == "Leeum" and record["creators"] == ["Kim Hong-do"]
    assert record["material"]  # the local concept came back with its label
    quads = ctx.records.quads("w-1")
    graph = ctx.iris.record_graph("w-1")
    assert {q.graph_name.value for q in quads} == {graph}
    labels = {q.object.value for q in quads if q.predicate.value.endswith("#label")}
    assert {"Leeum", "Kim Hong-do"} <= labels
    # re-writing the same record is recognised as unchanged (the hash covers the same triples)
    assert ctx.records.put([work("w-1", "Leeum", material=["hwagang-stone-nobody-knows"])]).unchanged == [
        "w-1"
    ]


def test_descriptions_nobody_points_at_are_dropped(ctx) -> None:
    assert not ctx.records.put(
        [work("w-1", "Gansong Art Museum"), work("w-2", "Gansong Art Museum")]
    ).rejected
    entailed = ctx.iris.shared_graph, entailed_graph(ctx.iris)
    assert described(ctx, "Gansong Art Museum")["shared"] >= 3  # two types and a label

    # w-1 moves to Leeum: Gansong is still w-2's museum, so it stays
    assert ctx.records.put([work("w-1", "Leeum")]).written == ["w-1"]
    assert "shared" in described(ctx, "Gansong Art Museum") and "shared" in described(ctx, "Leeum")

    # w-2 moves too: nothing points at Gansong any more, its description and entailed types go
    assert ctx.records.put([work("w-2", "Leeum")]).written == ["w-2"]
    assert described(ctx, "Gansong Art Museum") == {}
    assert count(ctx, "?m a hg:Museum") == 1

    # deleting the last works referencing Leeum and the maker drops them as well
    ctx.records.delete("w-1")
    assert "shared" in described(ctx, "Leeum")
    ctx.records.delete("w-2")
    assert described(ctx, "Leeum") == {} and described(ctx, "Kim Hong-do") == {}
    for graph in entailed:
        assert (
            count(
                ctx, f"GRAPH <{graph}> {{ ?s a ?t }} FILTER(STRSTARTS(STR(?s), '{ctx.iris.base}/id/agent/'))"
            )
            == 0
        )


def test_a_store_written_before_the_shared_graph_is_migrated_on_open(tmp_path) -> None:
    data = tmp_path / "old"
    ctx = HeritageContext.open(load_settings(data))
    assert not ctx.records.put([work("w-1", "Leeum"), work("w-2", "Leeum")]).rejected
    # put the shared descriptions back into each record graph, as older versions wrote them
    shared = ox.NamedNode(ctx.iris.shared_graph)
    moved = list(ctx.store.quads(ctx.iris.shared_graph))
    ctx.store.update(f"DROP GRAPH {shared}")
    for ident in ("w-1", "w-2"):
        graph = ox.NamedNode(ctx.iris.record_graph(ident))
        ctx.store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in moved)
    assert count(ctx, "?m a hg:Museum") == 2  # the old, multiplied count
    ctx.close()

    ctx = HeritageContext.open(load_settings(data))
    try:
        assert count(ctx, "?m a hg:Museum") == 1
        assert described(ctx, "Leeum").get("record", 0) == 0
        assert ctx.records.get("w-2")["museum"] == "Leeum"
    finally:
        ctx.close()
