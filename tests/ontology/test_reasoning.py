"""Reasoned views: CRM/EDM/Schema.org class queries find Works through the materialised alignment,
kept current by every write path (CLI ingest, REST, SPARQL Update, delete, replace)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from heritage.cli import app
from kg.context import HeritageContext
from kg.namespaces import Iris
from kg.reasoning import ensure_current, entailed_graph, materialise_types
from kg.settings import load_settings
from kg.store import OxigraphStore
from tests.api.conftest import Api, _api
from tests.kg.conftest import backend_ctx, oxigraph_server  # noqa: F401 - fixtures

BASE = "http://127.0.0.1:8000"
HG = "https://w3id.org/heritage-graph/ontology#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ALIGNED = ("crm:E22_Human-Made_Object", "edm:ProvidedCHO", "schema:CreativeWork")
HEADER = (
    "id,accession_number,title,object_type,material,material_categories,era_or_date,date_earliest,"
    "date_latest,period_bucket,culture,maker,function_or_use,department,museum,dimensions,license,"
    "source_url,remote_image_url,image_path"
)
ROWS = [
    "w-bowl,1.1,Bowl,containers,silver,metal,c. 1930,1920-01-01,1945-01-01,20th century,Danish,,,,"
    '"Carnegie Museum of Art, Pittsburgh",H 6 in (15.2 cm),CC0-1.0 (metadata),,,',
    "w-jar,1.2,Jar,containers,porcelain,ceramic,1750,1750-01-01,1750-01-01,18th century,Korean,,,,"
    "National Museum of Korea,,CC0-1.0 (metadata),,,",
]


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


def _works_as(store, cls: str) -> set[str]:
    return {r["x"].value for r in store.select(f"SELECT ?x WHERE {{ ?x a {cls} }}")}


def test_alignment_queries_find_works() -> None:
    store = _store_with({"w1": "work:Work", "i1": "instance:Instance", "a1": "agent:Museum"})
    iris = Iris(BASE)
    assert not store.ask("ASK { ?x a crm:E22_Human-Made_Object }")
    n = materialise_types(store, iris)
    assert n > 0
    for cls in (*ALIGNED, "bf:Work"):
        assert _works_as(store, cls) == {f"{BASE}/id/work/w1"}, cls
    # transitive: a Museum is an hg:Agent and therefore a crm:E39_Actor
    assert store.ask(f"ASK {{ <{BASE}/id/agent/a1> a hg:Agent, crm:E39_Actor }}")
    assert store.ask(f"ASK {{ <{BASE}/id/instance/i1> a crm:E73_Information_Object }}")
    # nothing is written into record graphs
    assert not store.ask(f"ASK {{ GRAPH <{iris.record_graph('w1')}> {{ ?x a crm:E22_Human-Made_Object }} }}")


def test_rebuild_drops_stale_entailments_and_ensure_current_is_cheap() -> None:
    store = _store_with({"w1": "work:Work"})
    iris = Iris(BASE)
    assert ensure_current(store, iris)  # never computed: rebuilds
    assert not ensure_current(store, iris)  # marker matches the ontology: nothing to do
    store.update(f"DROP GRAPH <{iris.record_graph('w1')}>")
    assert materialise_types(store, iris) == 0
    assert not store.ask(f"ASK {{ GRAPH <{entailed_graph(iris)}> {{ ?s a ?o }} }}")


def test_model_run_graphs_are_not_entailed_from() -> None:
    # run graphs are dropped whole, outside the record layer: entailing from them would go stale
    store = _store_with({"w1": "work:Work"})
    iris = Iris(BASE)
    pred = ox.NamedNode(f"{BASE}/id/prediction/p1")
    store.extend([ox.Quad(pred, TYPE, ox.NamedNode(HG + "Prediction"), ox.NamedNode(f"{BASE}/graph/run/r1"))])
    materialise_types(store, iris)
    assert not store.ask(f"ASK {{ {pred} a prov:Entity }}")
    assert store.ask(f"ASK {{ <{BASE}/id/work/w1> a crm:E22_Human-Made_Object }}")


def test_cli_ingest_then_sparql(tmp_path: Path) -> None:
    csv_file = tmp_path / "works.csv"
    csv_file.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    res = CliRunner().invoke(app, ["ingest", str(csv_file), "--data", str(data)])
    assert res.exit_code == 0, res.output
    ctx = HeritageContext.open(load_settings(data))
    try:
        works = {ctx.iris.entity("work", i) for i in ("w-bowl", "w-jar")}
        for cls in ALIGNED:
            assert _works_as(ctx.store, cls) == works, cls
        # museums are hg:Museum in each Work's graph: entailed as CRM groups and EDM agents
        assert ctx.store.count("?m a crm:E74_Group") == 2
    finally:
        ctx.close()


@pytest.fixture
def api(tmp_path: Path):
    yield from _api(tmp_path)


def _sparql(api: Api, query: str) -> set[str]:
    res = api.client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert res.status_code == 200, res.text
    return {b["x"]["value"] for b in res.json()["results"]["bindings"]}


def test_rest_create_replace_delete_keep_sparql_current(api: Api) -> None:
    base = api.ctx.iris.base
    for ident, museum in (("a", "Museum One"), ("b", "Museum One")):
        body = {"id": ident, "identifier": ident, "title": {"en": ident.upper()}, "museum": museum}
        assert api.client.post("/api/works", json=body, headers=api.auth).status_code == 201
    works = {f"{base}/id/work/a", f"{base}/id/work/b"}
    for cls in ALIGNED:
        assert _sparql(api, f"SELECT ?x WHERE {{ ?x a {cls} }}") == works, cls
    actors = "SELECT ?x WHERE { ?x a crm:E39_Actor }"
    [museum_one] = _sparql(api, actors)

    # replacing a moves it to another museum: Museum One is still typed by b, so it stays an actor
    body = {"identifier": "a", "title": {"en": "A"}, "museum": "Museum Two"}
    assert api.client.put("/api/works/a", json=body, headers=api.auth).status_code == 200
    assert museum_one in _sparql(api, actors) and len(_sparql(api, actors)) == 2

    # deleting b removes its entailed types, and Museum One's (nothing types it any more)
    assert api.client.delete("/api/works/b", headers=api.auth).status_code == 204
    for cls in ALIGNED:
        assert _sparql(api, f"SELECT ?x WHERE {{ ?x a {cls} }}") == {f"{base}/id/work/a"}, cls
    assert museum_one not in _sparql(api, actors)


def test_sparql_update_write_is_entailed(api: Api) -> None:
    base = api.ctx.iris.base
    work = f"{base}/id/work/u1"
    update = (
        f"INSERT DATA {{ GRAPH <{base}/graph/record/u1> {{ <{work}> a hg:Work ; "
        f'hg:identifier "u1" ; hg:title "U1"@en }} }}'
    )
    res = api.client.post("/sparql/update", data={"update": update}, headers=api.auth)
    assert res.status_code in (200, 204), res.text
    assert _sparql(api, "SELECT ?x WHERE { ?x a edm:ProvidedCHO }") == {work}


def test_a_store_opened_without_entailments_is_brought_up_to_date(tmp_path: Path) -> None:
    store = OxigraphStore(None)
    ctx = HeritageContext.open(load_settings(tmp_path), store=store)
    assert not ctx.records.put(
        [{"kind": "work", "id": "w", "identifier": "w", "title": {"en": "W"}}]
    ).rejected
    store.update(f"DROP GRAPH <{entailed_graph(ctx.iris)}>")  # e.g. a store written before this existed
    assert not store.ask("ASK { ?x a schema:CreativeWork }")
    again = HeritageContext.open(load_settings(tmp_path), store=store)
    assert _works_as(again.store, "schema:CreativeWork") == {again.iris.entity("work", "w")}


@pytest.mark.slow
def test_every_backend_keeps_the_view_current(backend_ctx: HeritageContext) -> None:  # noqa: F811
    """The same write/replace/delete sequence on the embedded store and a real SPARQL server
    (where every write is a SPARQL Update carrying its entailment operations)."""
    records = backend_ctx.records
    work = {"kind": "work", "id": "w", "identifier": "w", "title": {"en": "W"}, "museum": "Museum A"}
    assert not records.put([work, {**work, "id": "v", "identifier": "v"}]).rejected
    assert _works_as(backend_ctx.store, "edm:ProvidedCHO") == {
        backend_ctx.iris.entity("work", i) for i in "wv"
    }
    assert not records.put([{**work, "museum": "Museum B"}], mode="replace").rejected
    assert backend_ctx.store.count("?m a crm:E74_Group") == 2  # A (still held by v) and B
    records.delete("v")
    assert _works_as(backend_ctx.store, "schema:CreativeWork") == {backend_ctx.iris.entity("work", "w")}
    assert backend_ctx.store.count("?m a crm:E74_Group") == 1


def test_harvest_then_sparql_and_a_harvested_deletion(tmp_path: Path) -> None:
    from kg.harvest import harvest

    for source in _api(tmp_path / "source"):
        for ident in ("h1", "h2"):
            body = {"id": ident, "identifier": ident, "title": {"en": ident}, "museum": "Provider Museum",
                    "rights": "http://creativecommons.org/publicdomain/zero/1.0/"}  # fmt: skip
            assert source.client.post("/api/works", json=body, headers=source.auth).status_code == 201
        target = HeritageContext.open(load_settings(tmp_path / "target"), store=OxigraphStore())
        try:
            report = harvest(target, "http://testserver/oai", client=source.client)
            assert report.written == 2, report.summary()
            assert _works_as(target.store, "edm:ProvidedCHO") == {
                target.iris.entity("work", i) for i in ("h1", "h2")
            }
            assert source.client.delete("/api/works/h1", headers=source.auth).status_code == 204
            harvest(target, "http://testserver/oai", client=source.client)  # incremental: the deletion
            assert _works_as(target.store, "crm:E22_Human-Made_Object") == {target.iris.entity("work", "h2")}
        finally:
            target.close()
