"""Queries whose cost is unbounded (a cross product of unlinked pattern groups, a sorted
transitive closure) are refused with 400 before any store sees them; bounded queries, including
products under a plain LIMIT, still run. Through the app and through ``sparql.cost`` itself."""

from __future__ import annotations

import time

import pytest

from sparql.cost import MAX_CHECKED_CHARS, QueryTooCostly, refuse_costly

JSON = {"Accept": "application/sparql-results+json"}
SORTED_PRODUCT = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c"
# the filter is never true but only a full evaluation can tell, so no row ever reaches the cancel check
FILTERED_PRODUCT = (
    "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STRLEN(CONCAT(STR(?a), STR(?d), STR(?g))) < 0) }"
)
P = "<http://purl.org/dc/terms/title>"


class _Tripwire:
    """Stands in for the pyoxigraph store: any query reaching it fails the test."""

    def query(self, *args, **kwargs):
        raise AssertionError(f"the store was asked to evaluate {args[:1]}")


@pytest.mark.parametrize("query", [SORTED_PRODUCT, FILTERED_PRODUCT])
def test_cross_products_are_refused_before_the_store(work_api, monkeypatch, query):
    monkeypatch.setattr(work_api.ctx.store, "_store", _Tripwire())
    for headers in (JSON, {**JSON, **work_api.auth}):  # curators are not exempted
        for response in (
            work_api.client.get("/sparql", params={"query": query}, headers=headers),
            work_api.client.post("/sparql", data={"query": query}, headers=headers),
        ):
            assert response.status_code == 400, response.text
            assert response.headers["content-type"] == "application/problem+json"
            body = response.json()
            assert body["title"] == "Query too costly"
            assert "share no variable" in body["detail"] and "LIMIT" in body["detail"]
            assert "{ ?a ?b ?c }" in body["detail"] and "{ ?d ?e ?f }" in body["detail"]
            assert len(body["groups"]) == (2 if query == SORTED_PRODUCT else 3)


@pytest.mark.parametrize(
    ("query", "rows"),
    [  # dcterms:title is on the ontology's own node (always loaded) and on nothing else here
        (f"SELECT ?w ?t ?m {{ ?w {P} ?t . ?w ?p ?m }} ORDER BY ?t", None),  # connected join
        (  # VALUES fix one free position in each group, so both are small lookups
            f'SELECT * {{ VALUES ?t {{ "Heritage Graph ontology"@en }} VALUES ?u {{ "헤리티지 그래프 온톨로지"@ko }} '
            f"?w {P} ?t . ?x {P} ?u }} "
            "ORDER BY ?t",
            1,
        ),
        (f"SELECT * {{ ?w {P} ?t OPTIONAL {{ ?w ?p ?o }} }} ORDER BY ?t", None),
        (f"SELECT ?t {{ {{ ?w {P} ?t }} UNION {{ ?w <http://x/none> ?t }} }} ORDER BY ?t", 2),
        (f"SELECT * {{ {{ SELECT ?w {{ ?w {P} ?t }} LIMIT 1 }} ?w {P} ?u }} ORDER BY ?u", 2),
        ("SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 7", 7),  # streams and stops
        ("ASK { ?a ?b ?c . ?d ?e ?f }", None),  # stops at the first solution
    ],
)
def test_bounded_queries_still_run(work_api, query, rows):
    response = work_api.client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    if rows is not None:
        assert len(body["results"]["bindings"]) == rows
    elif "boolean" in body:
        assert body["boolean"] is True
    else:
        assert body["results"]["bindings"], query


def test_a_syntax_error_is_still_oxigraphs_to_report(work_api):
    response = work_api.client.get("/sparql", params={"query": "SELEC * { ?a ?b ?c }"}, headers=JSON)
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed input"


@pytest.mark.parametrize(
    "query",
    [
        SORTED_PRODUCT,
        FILTERED_PRODUCT,
        "SELECT * { ?a ?b ?c . ?d ?e ?f FILTER(?a = ?d) } LIMIT 10",  # a filter above: no streaming
        "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 10",
        "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 10 OFFSET 1000000",
        "SELECT DISTINCT ?a { ?a ?b ?c . ?d ?e ?f } LIMIT 10",
        "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }",
        "SELECT * { ?a ?b ?c . ?d ?b ?f } ORDER BY ?c",  # only the predicate shared
        "SELECT * { GRAPH ?g { ?a ?b ?c } GRAPH ?g { ?d ?e ?f } } ORDER BY ?c",
        "SELECT * { ?a ?b ?c OPTIONAL { ?d ?e ?f } } ORDER BY ?c",
        "SELECT * { ?a ?b ?c OPTIONAL { ?a <http://x/none> ?x } ?x ?e ?f } ORDER BY ?c",  # unbound ?x
        "SELECT * { ?a ?b ?c FILTER NOT EXISTS { ?d ?e ?f FILTER(?d = ?a && ?f = ?c) } }",  # per row
        "SELECT * { { ?a ?b ?c } UNION { ?x <http://x/p> ?y } ?a ?e ?f } ORDER BY ?c",
        "SELECT * { { SELECT * { ?a ?b ?c } } { SELECT * { ?d ?e ?f } } } ORDER BY ?f",
        "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . _:x ?e ?f }",
        "ASK { ?a ?b ?c . ?d ?e ?f FILTER(?a = ?f && false) }",
        "SELECT * { ?a ?b ?c . ?d ?e ?f BIND(<<( <x:a> <x:b> <x:c> )>> AS ?t) } ORDER BY ?c",
    ],
)
def test_unbounded_products_are_refused(query):
    with pytest.raises(QueryTooCostly, match="share no variable|cannot read"):
        refuse_costly(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?a <http://x/p>* ?b } ORDER BY ?a",
        "SELECT DISTINCT ?a { ?a (<http://x/p>|!<http://x/p>)+ ?b }",
        "SELECT ?a (COUNT(*) AS ?n) { ?a <http://x/p>/<http://x/q>+ ?b } GROUP BY ?a",
    ],
)
def test_sorted_transitive_paths_between_variables_are_refused(query):
    with pytest.raises(QueryTooCostly, match="transitive path"):
        refuse_costly(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?a (<http://x/p>|!<http://x/p>)+ ?b } LIMIT 3",
        "SELECT * { <http://x/a> <http://x/p>* ?b } ORDER BY ?b",
        "SELECT * { ?a ?b ?c . ?c ?e ?f } ORDER BY ?c",
        "SELECT * { ?s ?p ?o . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l",
        "SELECT * { ?w a hg:Work ; rdfs:label ?l } ORDER BY ?l",  # the endpoint's own prefixes
        "SELECT * { ?a <http://x/p> <http://x/o> . ?b <http://x/q> <http://x/o> } ORDER BY ?a",
        "SELECT * { ?a ?b ?c OPTIONAL { ?c <http://x/p> ?x } ?a ?e ?f } ORDER BY ?c",
        "SELECT * { ?w a hg:Work FILTER NOT EXISTS { ?w ?p ?deleted FILTER(?p = hg:deleted) } }",
        "SELEC * { ?a ?b ?c . ?d ?e ?f }",  # not SPARQL at all: left to Oxigraph's message
    ],
)
def test_bounded_shapes_pass_the_check(query):
    refuse_costly(query)


def test_overlong_and_overdeep_texts_are_refused_not_skipped():
    padded = SORTED_PRODUCT + " #" + "x" * MAX_CHECKED_CHARS
    with pytest.raises(QueryTooCostly, match="characters long"):
        refuse_costly(padded)
    chain = " . ".join(f"?s{i} <http://x/p> ?o{i}" for i in range(300))  # 300 unlinked patterns
    with pytest.raises(QueryTooCostly, match="too many patterns"):
        refuse_costly(f"SELECT * {{ {chain} }} ORDER BY ?o1")


@pytest.mark.slow
def test_parse_time_of_a_100_kb_query_is_measured():
    """A VALUES block is the most tokens per byte; printed, not asserted (no wall-clock tests)."""
    values = " ".join(f'"v{i}"' for i in range(12_000))
    query = f"SELECT * {{ VALUES ?x {{ {values} }} ?x ?p ?o . ?y ?q ?x }} ORDER BY ?o"
    assert 90_000 < len(query) <= MAX_CHECKED_CHARS
    started = time.perf_counter()
    refuse_costly(query)  # linked through ?x: allowed
    print(f"\ncost check of a {len(query):,}-character query: {time.perf_counter() - started:.2f} s")
