"""SPARQLWrapper, an unmodified standard client, against the endpoint on a real server: every
result and graph format it can ask for, by GET and POST."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

WORKS = "SELECT ?w ?id WHERE { ?w a hg:Work ; hg:identifier ?id } ORDER BY ?id"
ASK_TRUE = 'ASK { ?w hg:identifier "t-1799" }'
ASK_FALSE = 'ASK { ?w hg:identifier "no-such-id" }'
HG = "https://w3id.org/heritage-graph/ontology#"
PREFIX = f"PREFIX hg: <{HG}>\n"  # a client does not know the endpoint's predeclared prefixes


def _client(base: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(PREFIX + query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


def _expected_ids(ctx) -> list[str]:
    return sorted(
        r["id"].value for r in ctx.store.select("SELECT ?id WHERE { ?w a hg:Work ; hg:identifier ?id }")
    )


@pytest.mark.parametrize("method", [GET, POST])
def test_select_json(live_demo, method) -> None:
    base, api = live_demo
    doc = _client(base, WORKS, JSON, method).queryAndConvert()
    ids = [b["id"]["value"] for b in doc["results"]["bindings"]]
    assert ids == _expected_ids(api.ctx) and len(ids) == 30
    assert doc["head"]["vars"] == ["w", "id"]
    assert doc["results"]["bindings"][0]["w"]["type"] == "uri"


def test_select_xml(live_demo) -> None:
    base, api = live_demo
    dom = _client(base, WORKS, XML).queryAndConvert()
    ids = [node.firstChild.data for node in dom.getElementsByTagName("literal")]
    assert ids == _expected_ids(api.ctx)


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(live_demo, fmt, delimiter) -> None:
    base, api = live_demo
    text = _client(base, WORKS, fmt, POST).queryAndConvert().decode()
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] in (["w", "id"], ["?w", "?id"])
    ids = [r[1].strip('"') for r in rows[1:] if r]
    assert ids == _expected_ids(api.ctx)


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_every_results_format(live_demo, fmt) -> None:
    base, _api = live_demo
    answers = []
    for query in (ASK_TRUE, ASK_FALSE):
        result = _client(base, query, fmt).queryAndConvert()
        if fmt == JSON:
            answers.append(result["boolean"])
        elif fmt == XML:
            answers.append(result.getElementsByTagName("boolean")[0].firstChild.data == "true")
        else:
            answers.append(result.decode().strip().splitlines()[-1].lower() == "true")
    assert answers == [True, False]


GRAPH_QUERIES = {
    "construct": 'CONSTRUCT { ?w hg:title ?t } WHERE { ?w hg:identifier "t-1799" ; hg:title ?t }',
    "describe": 'DESCRIBE ?w WHERE { ?w hg:identifier "t-1799" }',
}


@pytest.mark.parametrize("form", list(GRAPH_QUERIES))
@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_construct_describe_graph_formats(live_demo, form, fmt) -> None:
    base, api = live_demo
    sparql = _client(base, GRAPH_QUERIES[form], fmt)
    if fmt == N3:  # SPARQLWrapper has no N-Triples constant: ask for it, parse it as N3/Turtle
        sparql.addCustomHttpHeader("Accept", "application/n-triples")
    response = sparql.query()
    ctype = response.info()["content-type"].split(";")[0]
    graph = response.convert()
    if isinstance(graph, bytes):  # SPARQLWrapper hands Turtle/N3 back as text for the caller to parse
        graph = rdflib.Graph().parse(
            data=graph, format="nt" if ctype == "application/n-triples" else "turtle"
        )
    assert isinstance(graph, rdflib.Graph)
    work = rdflib.URIRef(api.ctx.iris.entity("work", "t-1799"))
    titles = {str(t) for t in graph.objects(work, rdflib.URIRef(HG + "title"))}
    assert titles == {"Imperial Seal of the Korean Empire", "대한제국 황제 어보"}
    expected_type = {TURTLE: "text/turtle", N3: "application/n-triples", JSONLD: "application/ld+json"}
    assert ctype == expected_type.get(fmt, "application/rdf+xml")
    if form == "describe":  # the whole record's description, not just the titles
        assert (work, rdflib.RDF.type, rdflib.URIRef(HG + "Work")) in graph
        assert len(graph) >= 15
