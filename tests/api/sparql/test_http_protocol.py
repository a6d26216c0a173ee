"""The protocol with a raw HTTP client (httpx) on a real server: the three ways to send a query,
dataset parameters, the service description, content negotiation with q-values and 406."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON_RESULTS = "application/sparql-results+json"


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_direct_agree(live_demo) -> None:
    base, api = live_demo
    query = 'SELECT ?t WHERE { ?w hg:identifier "t-0980" ; hg:title ?t } ORDER BY ?t'
    with httpx.Client(base_url=base) as http:
        answers = [
            http.get("/sparql", params={"query": query}),
            http.post("/sparql", data={"query": query}),
            http.post(
                "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
            ),
        ]
    bodies = [json.loads(r.text) for r in answers]
    assert all(r.headers["content-type"].startswith(JSON_RESULTS) for r in answers)
    assert bodies[0] == bodies[1] == bodies[2]
    titles = {b["t"]["value"] for b in bodies[0]["results"]["bindings"]}
    assert titles == {"Lacquered Sutra Box with Mother-of-pearl Inlay", "나전칠기 경함"}


def test_default_and_named_graph_parameters(live_demo) -> None:
    base, api = live_demo
    g1, g2 = api.ctx.iris.record_graph("t-1799"), api.ctx.iris.record_graph("t-0980")
    # the graphs as stored (records.quads adds the shared museum and maker descriptions)
    sizes = {g: len(list(api.ctx.store.quads(g))) for g in (g1, g2)}
    with httpx.Client(base_url=base) as http:
        one = _count(http.get("/sparql", params={"query": COUNT, "default-graph-uri": g1}))
        both = _count(
            http.get(
                "/sparql", params=[("query", COUNT), ("default-graph-uri", g1), ("default-graph-uri", g2)]
            )
        )
        everything = _count(http.get("/sparql", params={"query": COUNT}))
        named = http.post(
            "/sparql",
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": [g1, g2]},
        )
        # a named-graph-uri alone leaves an empty default graph (SPARQL 1.1 Protocol 2.1.4)
        empty_default = _count(http.get("/sparql", params={"query": COUNT, "named-graph-uri": g1}))
    assert one == sizes[g1]
    assert both == sizes[g1] + sizes[g2]  # no triple is shared by these two records
    assert everything > both
    graphs = {b["g"]["value"] for b in json.loads(named.text)["results"]["bindings"]}
    assert graphs == {g1, g2}
    assert empty_default == 0


def test_from_clauses_define_the_dataset(live_demo) -> None:
    """A query's own FROM / FROM NAMED choose its dataset (SPARQL 1.1 Query 13.2); the union
    default graph is only the default when a query names none. pyoxigraph's union switch would
    override FROM, so a FROM of an unknown graph used to see every triple."""
    base, api = live_demo
    g1 = api.ctx.iris.record_graph("t-1799")
    size = len(list(api.ctx.store.quads(g1)))
    from_g1 = f"SELECT (COUNT(*) AS ?n) FROM <{g1}> WHERE {{ ?s ?p ?o }}"
    from_nowhere = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/no-such-graph> WHERE { ?s ?p ?o }"
    named = f"SELECT DISTINCT ?g FROM NAMED <{g1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    # the word inside a literal, an IRI or a comment is not a FROM clause
    decoy = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "from <x>") } # FROM <y>'
    with httpx.Client(base_url=base) as http:
        assert _count(http.get("/sparql", params={"query": from_g1})) == size
        assert _count(http.get("/sparql", params={"query": from_nowhere})) == 0
        graphs = json.loads(http.get("/sparql", params={"query": named}).text)["results"]["bindings"]
        assert [b["g"]["value"] for b in graphs] == [g1]
        assert _count(http.get("/sparql", params={"query": decoy})) > size
        # protocol parameters still win over the query's FROM (SPARQL 1.1 Protocol 2.1.4)
        assert _count(http.get("/sparql", params={"query": from_nowhere, "default-graph-uri": g1})) == size


def test_service_description_parses_and_names_the_endpoint(live_demo) -> None:
    base, api = live_demo
    with httpx.Client(base_url=base) as http:
        response = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(response.content, ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(f"{api.ctx.settings.base_url.rstrip('/')}/sparql")
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    formats = {t.object.value for t in triples if t.predicate.value == sd + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, text/*;q=0.3", "text/csv"),
        ("text/tab-separated-values, text/*;q=0.1", "text/tab-separated-values"),
        ("application/xml", "application/xml"),
    ],
)
def test_accept_q_values(live_demo, accept, expected) -> None:
    base, _api = live_demo
    headers = {"Accept": accept} if accept else {}
    with httpx.Client(base_url=base) as http:
        response = http.get(
            "/sparql", params={"query": "SELECT ?x WHERE { VALUES ?x { 1 } }"}, headers=headers
        )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT ?x WHERE { VALUES ?x { 1 } }", "image/png"),
        ("SELECT ?x WHERE { VALUES ?x { 1 } }", "text/turtle"),  # a graph format for solutions
        ("CONSTRUCT WHERE { ?s hg:identifier ?o } LIMIT 1", "application/sparql-results+json"),
        ("ASK {}", "application/sparql-results+json;q=0"),
    ],
)
def test_unacceptable_is_406_and_the_server_stays_up(live_demo, query, accept) -> None:
    base, _api = live_demo
    with httpx.Client(base_url=base) as http:
        response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 406
        assert response.headers["content-type"].startswith("application/problem+json")
        assert json.loads(response.text)["status"] == 406
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_malformed_query_names_the_position(live_demo) -> None:
    base, _api = live_demo
    with httpx.Client(base_url=base) as http:
        response = http.post("/sparql", data={"query": "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }"})
    problem = json.loads(response.text)
    assert response.status_code == 400
    assert problem["line"] == 3 and problem["column"] > 0  # the FILTER line, as Oxigraph reports it
    assert f"{problem['line']}:{problem['column']}" in problem["detail"]
