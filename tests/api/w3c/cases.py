"""Hand-written cases in the spirit of the W3C SPARQL 1.1 test suites that apply to an endpoint:
the protocol tests (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/, named
after their ``query_*`` / ``bad_*`` / ``update_*`` manifest entries where one matches) and a few
query-evaluation tests (aggregates, grouping, paths, negation, functions, ordering, datasets).

Placeholders ``{work}``, ``{graph}``, ``{graph2}`` and ``{changelog}`` are filled from the demo
data; every other brace is SPARQL's own. Evaluation cases take their expected answers from
``kg/demo_data/works.csv`` (the demo's source), never from the store under test."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SELECT = "SELECT ?w WHERE { ?w a hg:Work } LIMIT 3"
ASK = "ASK { ?w a hg:Work }"
CONSTRUCT = "CONSTRUCT { ?w hg:title ?t } WHERE { ?w hg:title ?t } LIMIT 5"
DESCRIBE = "DESCRIBE <{work}>"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


@dataclass
class Case:
    """One protocol request and what a conforming server answers."""

    name: str
    method: str
    path: str = "/sparql"
    params: dict[str, str | list[str]] = field(default_factory=dict)
    form: dict[str, str | list[str]] | None = None
    body: str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    content_type: str | None = None  # expected media type prefix
    contains: str | None = None  # expected substring of the body (spaces ignored)
    lacks: str | None = None  # a substring the body must not have
    auth: bool = False  # send the curator token


PROTOCOL = [
    Case("query_get", "GET", params={"query": SELECT}, content_type="application/sparql-results+json"),
    Case("query_post_form", "POST", form={"query": SELECT}, content_type="application/sparql-results+json"),
    Case(
        "query_post_direct",
        "POST",
        body=SELECT,
        headers=SPARQL_QUERY,
        content_type="application/sparql-results+json",
    ),
    Case(
        "query_content_type_select (XML)",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "application/sparql-results+xml"},
        content_type="application/sparql-results+xml",
        contains="<sparql",
    ),
    Case(
        "query_content_type_select (CSV)",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "text/csv"},
        content_type="text/csv",
        contains="w\r\n",
    ),
    Case(
        "query_content_type_select (TSV)",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "text/tab-separated-values"},
        content_type="text/tab-separated-values",
        contains="?w",
    ),
    Case(
        "query_content_type_ask",
        "GET",
        params={"query": ASK},
        headers={"Accept": "application/sparql-results+json"},
        content_type="application/sparql-results+json",
        contains='"boolean":true',
    ),
    Case(
        "query_content_type_ask (XML)",
        "POST",
        form={"query": ASK},
        headers={"Accept": "application/sparql-results+xml"},
        content_type="application/sparql-results+xml",
        contains="<boolean>true</boolean>",
    ),
    Case("query_content_type_construct", "GET", params={"query": CONSTRUCT}, content_type="text/turtle"),
    Case(
        "query_content_type_construct (JSON-LD)",
        "GET",
        params={"query": CONSTRUCT},
        headers={"Accept": "application/ld+json"},
        content_type="application/ld+json",
    ),
    Case(
        "query_content_type_construct (RDF/XML)",
        "GET",
        params={"query": CONSTRUCT},
        headers={"Accept": "application/rdf+xml"},
        content_type="application/rdf+xml",
        contains="rdf:RDF",
    ),
    Case(
        "query_content_type_describe",
        "GET",
        params={"query": DESCRIBE},
        headers={"Accept": "application/n-triples"},
        content_type="application/n-triples",
        contains="<{work}>",
    ),
    Case(
        "conneg: q-values pick the preferred format",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "application/sparql-results+xml;q=0.1, text/csv;q=0.8"},
        content_type="text/csv",
    ),
    Case(
        "conneg: q=0 refuses a format",
        "GET",
        params={"query": ASK},
        headers={"Accept": "application/sparql-results+json;q=0, */*;q=0.5"},
        content_type="application/sparql-results+xml",
    ),
    Case(
        "conneg: unacceptable Accept is 406",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "image/png"},
        status=406,
    ),
    Case(
        "conneg: a graph format for a SELECT is 406",
        "GET",
        params={"query": SELECT},
        headers={"Accept": "text/turtle"},
        status=406,
    ),
    Case(
        "query_dataset_default_graph",
        "GET",
        params={"query": "SELECT ?p WHERE { <{work}> ?p ?o }", "default-graph-uri": "{graph2}"},
        lacks="title",
    ),
    Case(
        "query_dataset_default_graphs_get",
        "GET",
        params={"query": "ASK { <{work}> a hg:Work }", "default-graph-uri": ["{graph2}", "{graph}"]},
        contains='"boolean":true',
    ),
    Case(
        "query_dataset_default_graphs_post",
        "POST",
        form={"query": "ASK { <{work}> a hg:Work }", "default-graph-uri": ["{graph2}", "{graph}"]},
        contains='"boolean":true',
    ),
    Case(
        "query_dataset_named_graphs_post",
        "POST",
        form={"query": GRAPHS, "named-graph-uri": ["{graph}", "{graph2}"]},
        contains="{graph2}",
        lacks="{changelog}",
    ),
    Case(
        "query_dataset_named_graphs_get",
        "GET",
        params={"query": GRAPHS, "named-graph-uri": "{graph}"},
        contains="{graph}",
        lacks="{graph2}",
    ),
    Case(
        "query_dataset_full",
        "GET",
        params={
            "query": "SELECT ?g WHERE { <{work}> a hg:Work . GRAPH ?g { ?s a hg:Work } }",
            "default-graph-uri": "{graph}",
            "named-graph-uri": "{graph2}",
        },
        contains="{graph2}",
    ),
    Case(
        "query_multiple_dataset (protocol overrides FROM)",
        "GET",
        params={"query": "ASK FROM <{graph2}> { <{work}> a hg:Work }", "default-graph-uri": "{graph}"},
        contains='"boolean":true',
    ),
    Case("service description without a query", "GET", content_type="text/turtle", contains="sd:Service"),
    Case(
        "service description as N-Triples",
        "GET",
        headers={"Accept": "application/n-triples"},
        content_type="application/n-triples",
        contains="http://www.w3.org/ns/sparql-service-description#endpoint",
    ),
    Case("bad_query_method (PUT)", "PUT", body=SELECT, headers=SPARQL_QUERY, status=405),
    Case("bad_multiple_queries", "GET", params={"query": [ASK, SELECT]}, status=400),
    Case(
        "bad_query_wrong_media_type", "POST", body=SELECT, headers={"Content-Type": "text/plain"}, status=415
    ),
    Case("bad_query_missing_form_type", "POST", body=f"query={ASK}", status=415),
    Case(
        "bad_query_non_utf8",
        "POST",
        body=ASK.encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        status=400,
    ),
    Case(
        "bad_query_syntax (with position)",
        "GET",
        params={"query": "SELECT * WHERE { ?s ?p }"},
        status=400,
        content_type="application/problem+json",
        contains='"line":1,"column":25',
    ),
    Case("bad_query_syntax (direct POST)", "POST", body="ASK {{", headers=SPARQL_QUERY, status=400),
    Case("missing query (empty parameter)", "GET", params={"query": ""}, status=400),
    Case("bad_update_get", "GET", params={"update": "CLEAR ALL"}, status=400),
    Case("update via the query endpoint is refused", "POST", form={"update": "CLEAR ALL"}, status=400),
    Case(
        "update without a token is 401",
        "POST",
        path="/sparql/update",
        body='INSERT DATA { <{work}> hg:department "x" }',
        headers=SPARQL_UPDATE,
        status=401,
    ),
    Case(
        "bad_multiple_updates",
        "POST",
        path="/sparql/update",
        auth=True,
        form={"update": ["CLEAR ALL", "CLEAR ALL"]},
        status=400,
    ),
    Case(
        "bad_update_wrong_media_type",
        "POST",
        path="/sparql/update",
        auth=True,
        body="CLEAR ALL",
        headers={"Content-Type": "text/plain"},
        status=415,
    ),
    Case(
        "bad_update_syntax",
        "POST",
        path="/sparql/update",
        auth=True,
        body="INSERT DATA { <{work}> }",
        headers=SPARQL_UPDATE,
        status=400,
        contains='"line":1',
    ),
    Case(
        "bad_update_dataset_conflict",
        "POST",
        path="/sparql/update",
        auth=True,
        params={"using-graph-uri": "{graph}"},
        body="DELETE { ?s hg:department ?o } USING <{graph2}> WHERE { ?s hg:department ?o }",
        headers=SPARQL_UPDATE,
        status=400,
    ),
    Case(
        "update of the change log is 403",
        "POST",
        path="/sparql/update",
        auth=True,
        body="INSERT DATA { GRAPH <{changelog}> { <{work}> hg:deleted true } }",
        headers=SPARQL_UPDATE,
        status=403,
    ),
    Case(
        "update_post_direct",
        "POST",
        path="/sparql/update",
        auth=True,
        body='INSERT DATA { <{work}> hg:department "W3C suite" }',
        headers=SPARQL_UPDATE,
        contains='"written":["t-1799"]',
    ),
    Case(
        "update is visible to the next query",
        "GET",
        params={"query": 'ASK { GRAPH <{graph}> { <{work}> hg:department "W3C suite" } }'},
        contains='"boolean":true',
    ),
    Case(
        "update_post_form",
        "POST",
        path="/sparql/update",
        auth=True,
        form={"update": 'DELETE DATA { <{work}> hg:department "W3C suite" }'},
        contains='"written":["t-1799"]',
    ),
]


# ---- query evaluation --------------------------------------------------------------------
WORKS_CSV = Path(__file__).resolve().parents[3] / "kg" / "demo_data" / "works.csv"
Expected = bool | list[dict[str, str]]


@dataclass
class EvalCase:
    """A SELECT or ASK and its answer: a boolean, or rows of variable -> lexical value
    (compared as a multiset unless ``ordered``)."""

    name: str
    query: str
    expected: Callable[[list[dict[str, str]]], Expected]
    ordered: bool = False


def works() -> list[dict[str, str]]:
    with WORKS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _by_museum(rows: list[dict[str, str]], more_than: int = 0) -> list[dict[str, str]]:
    counts = Counter(r["museum"] for r in rows)
    return [{"m": m, "n": str(n)} for m, n in counts.items() if n > more_than]


MUSEUM_COUNTS = "SELECT ?m (COUNT(?w) AS ?n) WHERE { ?w a hg:Work ; hg:heldBy/rdfs:label ?m } GROUP BY ?m"

EVALUATION = [
    EvalCase(
        "aggregates: COUNT", "SELECT (COUNT(?w) AS ?n) WHERE { ?w a hg:Work }", lambda r: [{"n": str(len(r))}]
    ),
    EvalCase("grouping with a path: GROUP BY over hg:heldBy/rdfs:label", MUSEUM_COUNTS, _by_museum),
    EvalCase(
        "grouping: COUNT(DISTINCT) over hg:heldBy/rdfs:label",
        MUSEUM_COUNTS.replace("COUNT(?w)", "COUNT(DISTINCT ?w)"),
        _by_museum,
    ),
    EvalCase("grouping: HAVING", MUSEUM_COUNTS + " HAVING (COUNT(?w) > 2)", lambda r: _by_museum(r, 2)),
    EvalCase(
        "subquery: MAX over a grouped subselect",
        f"SELECT (MAX(?n) AS ?max) WHERE {{ {{ {MUSEUM_COUNTS} }} }}",
        lambda r: [{"max": str(max(Counter(x["museum"] for x in r).values()))}],
    ),
    EvalCase(
        "solution modifiers: ORDER BY DESC, LIMIT, OFFSET",
        "SELECT ?id WHERE { ?w a hg:Work ; hg:identifier ?id } ORDER BY DESC(?id) LIMIT 4 OFFSET 3",
        lambda r: [{"id": i} for i in sorted((x["id"] for x in r), reverse=True)[3:7]],
        ordered=True,
    ),
    EvalCase(
        "FILTER on typed integers",
        "SELECT ?id WHERE { ?w a hg:Work ; hg:identifier ?id ; hg:beginYear ?b FILTER(?b >= 1392) }",
        lambda r: [{"id": x["id"]} for x in r if int(x["begin_year"]) >= 1392],
    ),
    EvalCase(
        "negation: MINUS",
        "SELECT ?id WHERE { ?w a hg:Work ; hg:identifier ?id MINUS { ?w hg:beginYear ?b FILTER(?b < 1000) } }",
        lambda r: [{"id": x["id"]} for x in r if int(x["begin_year"]) >= 1000],
    ),
    EvalCase(
        "negation: FILTER NOT EXISTS",
        "SELECT ?id WHERE { ?w a hg:Work ; hg:identifier ?id "
        'FILTER NOT EXISTS { ?w hg:heldBy/rdfs:label "National Museum of Korea" } }',
        lambda r: [{"id": x["id"]} for x in r if x["museum"] != "National Museum of Korea"],
    ),
    EvalCase(
        "functions: langMatches and lang",
        'SELECT ?t WHERE { ?w hg:identifier "t-1799" ; hg:title ?t FILTER(langMatches(lang(?t), "ko")) }',
        lambda r: [{"t": x["title_ko"]} for x in r if x["id"] == "t-1799"],
    ),
    EvalCase(
        "functions: BIND, UCASE, CONCAT, STRLEN",
        'SELECT ?s ?n WHERE { ?w hg:identifier "t-0980" ; hg:collectionNumber ?c '
        'BIND(CONCAT(UCASE(?c), "/", STR(STRLEN(?c))) AS ?s) BIND(STRLEN(?c) AS ?n) }',
        lambda r: [
            {
                "s": f"{x['collection_number'].upper()}/{len(x['collection_number'])}",
                "n": str(len(x["collection_number"])),
            }
            for x in r
            if x["id"] == "t-0980"
        ],
    ),
    EvalCase(
        "aggregates over VALUES: SUM and AVG",
        "SELECT (SUM(?x) AS ?s) (AVG(?x) AS ?a) WHERE { VALUES ?x { 1 2 3 4 } }",
        lambda r: [{"s": "10", "a": "2.5"}],
    ),
    EvalCase(
        "negation: MINUS over VALUES",
        "SELECT ?x WHERE { { VALUES ?x { 1 2 3 } } MINUS { VALUES ?x { 2 } } }",
        lambda r: [{"x": "1"}, {"x": "3"}],
    ),
    EvalCase(
        "GRAPH ?g finds the record graph",
        'SELECT ?g WHERE { GRAPH ?g { ?w hg:identifier "t-1799" ; a hg:Work } }',
        lambda r: [{"g": "{graph}"}],
    ),
    EvalCase("ASK false", 'ASK { ?w a hg:Work ; hg:identifier "no-such-work" }', lambda r: False),
    EvalCase(
        "DISTINCT over a join",
        'SELECT DISTINCT ?m WHERE { ?w hg:heldBy/rdfs:label ?m FILTER(STRSTARTS(?m, "National")) }',
        lambda r: [{"m": m} for m in sorted({x["museum"] for x in r if x["museum"].startswith("National")})],
    ),
]
