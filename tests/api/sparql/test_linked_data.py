"""Linked Data: ``/id/{kind}/{id}`` 303s by ``Accept``, 404 for unknown IRIs, gzipped N-Quads and
TriG dumps that parse back to the store's quads, and a VoID description."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest

DATA_TYPES = {
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
}
VOID = "http://rdfs.org/ns/void#"


def _one_of_each(ctx) -> dict[str, str]:
    """An existing id per kind, found through the store, not hard-coded."""
    found = {"work": "t-1799"}
    for kind in ("project", "instance", "item"):
        found[kind] = next(c.id for c in ctx.records.changes(kind=kind))
    for kind, cls in (("concept", "skos:Concept"), ("agent", "hg:Agent")):
        rows = ctx.store.select(
            f'SELECT ?e WHERE {{ ?e a {cls} FILTER(STRSTARTS(STR(?e), "{ctx.iris.base}/id/{kind}/")) }} LIMIT 1'
        )
        if rows:
            found[kind] = ctx.iris.parse_entity(rows[0]["e"].value)[1]
    return found


@pytest.fixture(scope="module")
def entities(demo) -> dict[str, str]:
    return _one_of_each(demo.ctx)


def test_html_clients_are_sent_to_the_page(demo, entities) -> None:
    for kind, ident in entities.items():
        response = demo.client.get(
            f"/id/{kind}/{ident}",
            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
            follow_redirects=False,
        )
        assert response.status_code == 303, (kind, response.text)
        assert response.headers["location"] == f"/page/{kind}/{ident}"
        assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("media", list(DATA_TYPES))
def test_data_clients_are_sent_to_data_that_describes_the_iri(demo, entities, media) -> None:
    ext, fmt = DATA_TYPES[media]
    for kind, ident in entities.items():
        response = demo.client.get(f"/id/{kind}/{ident}", headers={"Accept": media}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/data/{kind}/{ident}.{ext}"
        data = demo.client.get(response.headers["location"])
        assert data.status_code == 200 and data.headers["content-type"].startswith(media)
        iri = ox.NamedNode(demo.ctx.iris.entity(kind, ident))
        triples = [q.triple for q in ox.parse(data.content, fmt)]
        assert any(t.subject == iri for t in triples), (kind, media)


def test_work_data_is_the_whole_record(demo) -> None:
    data = demo.client.get("/data/work/t-1799.nt")
    triples = {q.triple for q in ox.parse(data.content, ox.RdfFormat.N_TRIPLES)}
    assert {q.triple for q in demo.ctx.records.quads("t-1799")} <= triples


@pytest.mark.parametrize(
    "path", ["/id/work/no-such-work", "/id/concept/no-such-concept", "/id/nonsense/t-1799", "/id/item/t-1799"]
)
def test_unknown_iris_are_404(demo, path) -> None:
    for accept in ("text/html", "text/turtle"):
        response = demo.client.get(path, headers={"Accept": accept}, follow_redirects=False)
        assert response.status_code == 404, (path, accept)
    assert demo.client.get("/data/work/no-such-work.ttl").status_code == 404


@pytest.mark.parametrize(("name", "fmt"), [("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)])
def test_dump_parses_back_to_the_stores_quads(demo, name, fmt) -> None:
    response = demo.client.get("/dump", params={"format": name})
    assert response.status_code == 200 and response.headers["content-type"] == "application/gzip"
    assert response.headers["link"].startswith("</void>")
    quads = set(ox.parse(gzip.decompress(response.content), fmt))
    assert quads == set(demo.ctx.store.quads())
    assert len(quads) == demo.ctx.store.triple_count() > 1000


def test_dump_refuses_unknown_formats(demo) -> None:
    assert demo.client.get("/dump", params={"format": "csv"}).status_code == 415


def test_void_describes_the_dataset(demo) -> None:
    response = demo.client.get("/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = [q.triple for q in ox.parse(response.content, ox.RdfFormat.TURTLE)]
    base = demo.ctx.iris.base
    ds = ox.NamedNode(f"{base}/void#dataset")

    def values(pred: str) -> list[str]:
        return [t.object.value for t in triples if t.subject == ds and t.predicate.value == pred]

    assert values(VOID + "triples") == [str(len(set(demo.ctx.store.quads())))]
    layers = sum(demo.ctx.records.count(k) for k in ("work", "project", "instance", "item"))
    assert values(VOID + "entities") == [str(layers)]
    assert values(VOID + "sparqlEndpoint") == [f"{base}/sparql"]
    assert "http://creativecommons.org/publicdomain/zero/1.0/" in values("http://purl.org/dc/terms/license")
    assert f"{base}/dump?format=nquads" in values(VOID + "dataDump")
    works = [t for t in triples if t.predicate.value == VOID + "class" and t.object.value.endswith("#Work")]
    assert len(works) == 1
    part = works[0].subject
    assert [
        t.object.value for t in triples if t.subject == part and t.predicate.value == VOID + "entities"
    ] == ["30"]


def test_unacceptable_accept_is_406(demo) -> None:
    response = demo.client.get("/id/work/t-1799", headers={"Accept": "image/png"}, follow_redirects=False)
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "text/turtle" in response.json()["detail"]  # says what it offers


def test_no_accept_header_gets_turtle(demo) -> None:
    response = demo.client.get("/id/work/t-1799", headers={"Accept": ""}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/data/work/t-1799.ttl"
