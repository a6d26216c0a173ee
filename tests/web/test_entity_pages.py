"""Agent, local-concept and model-run IRIs dereference in a browser: 303 to a page that shows
their labels, every statement about them, the Works pointing at them (paged) and, for a run, its
PROV summary; their Turtle and JSON-LD documents parse and carry the label."""

from __future__ import annotations

import re

import pytest
import rdflib

from kg.runs import Run, Similarity, write_run

HTML = {"accept": "text/html"}
EVIL = "<script>alert(1)</script> Kim"
RUN_ID = "similar-entitytest"


@pytest.fixture(scope="module")
def ids(client) -> dict[str, str]:
    """A work by a maker with markup in the name and a material no scheme knows (a local
    concept), and a similarity run over two demo works, written through the app's own store."""
    ctx = client.app.state.ctx
    ctx.records.put(
        [
            {
                "kind": "work",
                "id": "x5-odd",
                "identifier": "x5-odd",
                "title": {"en": "Odd vessel", "ko": "이상한 그릇"},
                "creators": [EVIL],
                "material": ["unobtainium"],
            }
        ]
    )
    work = ctx.iris.entity("work", "x5-odd")
    [maker] = ctx.store.select(f"SELECT ?a WHERE {{ <{work}> hg:creator ?a }}")
    [material] = ctx.store.select(f"SELECT ?c WHERE {{ <{work}> hg:material ?c }}")
    assert material["c"].value.startswith(ctx.iris.base + "/id/concept/")  # a local concept
    w = lambda i: ctx.iris.entity("work", i)  # noqa: E731
    write_run(
        ctx.store,
        ctx.iris,
        Run(
            run_id=RUN_ID,
            kind="similar",
            model="hand-made test encoder",
            model_version="t-1",
            parameters={"k": 2, "metric": "cosine"},
            metrics={"material_map_at_k": 0.625, "material_precision_at_k": 0.375},
            similarities=[
                Similarity(w("nt-078"), w("nt-083"), 0.9, 1),
                Similarity(w("nt-083"), w("nt-078"), 0.9, 1),
            ],
        ),
    )
    return {
        "agent": "national-museum-of-korea",
        "maker": maker["a"].value.rsplit("/", 1)[-1],
        "concept": material["c"].value.rsplit("/", 1)[-1],
        "run": RUN_ID,
    }


@pytest.mark.parametrize(
    ("kind", "key", "label"),
    [
        ("agent", "agent", "National Museum of Korea"),
        ("concept", "concept", "unobtainium"),
        ("run", "run", "hand-made test encoder"),
    ],
)
def test_iri_303_to_page_and_data(client, ids, kind, key, label):
    ident = ids[key]
    res = client.get(f"/id/{kind}/{ident}", headers=HTML, follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"] == f"/page/{kind}/{ident}"
    page = client.get(res.headers["location"], headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert label in page.text and f"/data/{kind}/{ident}.ttl" in page.text
    data = client.get(f"/id/{kind}/{ident}", headers={"accept": "text/turtle"}, follow_redirects=False)
    assert data.headers["location"] == f"/data/{kind}/{ident}.ttl"
    ttl = client.get(data.headers["location"])
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert label in {str(o) for o in graph.objects()}
    jsonld = client.get(f"/data/{kind}/{ident}.jsonld")
    assert jsonld.status_code == 200
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)


def test_agent_page_lists_its_works_paged(client, ids):
    first = client.get(f"/page/agent/{ids['agent']}", headers=HTML).text
    assert "Works held here" in first and "hg:heldBy" in first
    total = int(re.search(r'id="works-heading">[^<]*<span class="count">(\d+)<', first).group(1))
    assert total == 16  # the demo's works at the National Museum of Korea
    first_cards = re.findall(r'href="/page/work/([^"]+)"', first)
    assert len(first_cards) == 12 and 'rel="next"' in first
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(nxt, headers=HTML).text
    second_cards = re.findall(r'href="/page/work/([^"]+)"', second)
    assert len(second_cards) == 4 and not set(first_cards) & set(second_cards)
    # every statement is shown; the type links out, the label is plain text
    assert "rdf:type" in first and "rdfs:label" in first


def test_maker_page_escapes_markup_and_links_its_work(client, ids):
    page = client.get(f"/page/agent/{ids['maker']}", headers=HTML).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Kim" in page
    assert "Works by this maker" in page and 'href="/page/work/x5-odd"' in page


def test_concept_page_lists_works_with_the_concept(client, ids):
    page = client.get(f"/page/concept/{ids['concept']}", headers=HTML).text
    assert "Works with this concept" in page and 'href="/page/work/x5-odd"' in page
    ko = client.get(f"/page/concept/{ids['concept']}?lang=ko", headers=HTML).text
    assert "이 개념의 유물" in ko and "이상한 그릇" in ko


def test_run_page_shows_provenance_metrics_and_counts(client, ids):
    page = client.get(f"/page/run/{RUN_ID}", headers=HTML).text
    assert "hand-made test encoder" in page and "t-1" in page
    assert "material_map_at_k" in page and "0.625" in page and "material_precision_at_k" in page
    assert re.search(r'id="run-similarities">2<', page) and re.search(r'id="run-predictions">0<', page)
    assert "prov:startedAtTime" in page and "cosine" in page


def test_unknown_entities_are_friendly_404s(client):
    for path in ("/page/agent/no-such-agent", "/page/concept/nope", "/page/run/nope", "/page/museum/x"):
        res = client.get(path, headers=HTML)
        assert res.status_code == 404 and "text/html" in res.headers["content-type"], path
        assert "error-page" in res.text
    assert client.get("/id/agent/no-such-agent", headers=HTML, follow_redirects=False).status_code == 404
    assert client.get("/data/concept/nope.ttl").status_code == 404


def test_run_turtle_describes_its_model_and_metrics(client, ids):
    graph = rdflib.Graph().parse(data=client.get(f"/data/run/{RUN_ID}.ttl").text, format="turtle")
    hg = rdflib.Namespace("https://w3id.org/heritage-graph/ontology#")
    metrics = {
        str(graph.value(m, hg.metricName)): graph.value(m, hg.value).toPython()
        for m in graph.objects(None, hg.metric)
    }
    assert metrics == {"material_map_at_k": 0.625, "material_precision_at_k": 0.375}
    run = rdflib.URIRef(client.app.state.ctx.iris.entity("run", RUN_ID))
    model = graph.value(run, hg.model)
    assert str(graph.value(model, rdflib.RDFS.label)) == "hand-made test encoder"
    assert str(graph.value(model, hg.modelVersion)) == "t-1"
