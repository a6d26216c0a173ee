"""The endpoint's limits: a result cap, a configurable timeout that answers with a clear error
(never a silently empty result), and a query that stops being worked on when its client leaves.
Small synthetic stores: a cross product of a few thousand triples runs as long as we need."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from api.app import create_app
from sparql.execute import running_queries
from tests.api.conftest import Api, _api
from tests.api.w3c.live import live_server

G = "<http://example.org/g>"
# rows for hours; the LIMIT lets it past the cost check (sparql.cost), as a stream that stops
FOREVER = f"SELECT * WHERE {{ GRAPH {G} {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} }} LIMIT 1000000000"
# one long step, no rows: about 1 s for 2 million pairs on an idle core (COUNT alone is too quick);
# a small VALUES table times the graph is the product the cost check lets through
_NUMBERS = " ".join(map(str, range(1000)))
COUNT_PAIRS = (
    f"SELECT (SUM(STRLEN(CONCAT(STR(?c), STR(?x), STR(?a)))) AS ?n) "
    f"WHERE {{ VALUES ?x {{ {_NUMBERS} }} GRAPH {G} {{ ?a ?b ?c }} }}"
)


def _fill(api: Api, n: int) -> None:
    graph = ox.NamedNode("http://example.org/g")
    p = ox.NamedNode("http://example.org/p")
    api.ctx.store.extend(
        ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i)), graph) for i in range(n)
    )


def _wait_idle(seconds: float) -> bool:
    """True once no query thread is running (polled; a background query may still be finishing)."""
    deadline = time.monotonic() + seconds
    while running_queries() and time.monotonic() < deadline:
        time.sleep(0.05)
    return running_queries() == 0


@pytest.fixture(scope="module")
def capped(tmp_path_factory) -> Iterator[Api]:
    for api in _api(tmp_path_factory.mktemp("capped"), sparql_result_cap=50):
        _fill(api, 200)
        yield api


@pytest.fixture(scope="module")
def impatient(tmp_path_factory) -> Iterator[Api]:
    for api in _api(tmp_path_factory.mktemp("impatient"), sparql_timeout_s=0.25, sparql_result_cap=10**9):
        _fill(api, 2000)
        yield api


@pytest.fixture(scope="module")
def patient(tmp_path_factory) -> Iterator[tuple[str, Api]]:
    for api in _api(tmp_path_factory.mktemp("patient"), sparql_timeout_s=120, sparql_result_cap=10**9):
        _fill(api, 2000)
        with live_server(create_app(api.ctx.settings, ctx=api.ctx)) as base:
            yield base, api


def test_select_is_capped_and_says_so(capped) -> None:
    response = capped.client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    rows = json.loads(response.text)["results"]["bindings"]
    assert response.status_code == 200 and len(rows) == 50
    assert response.headers["x-result-truncated"] == "true" and response.headers["x-result-cap"] == "50"


def test_construct_is_capped_too(capped) -> None:
    response = capped.client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(list(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))) == 50
    assert response.headers["x-result-truncated"] == "true"


def test_under_the_cap_is_complete_and_unmarked(capped) -> None:
    response = capped.client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 49"})
    assert len(json.loads(response.text)["results"]["bindings"]) == 49
    assert "x-result-truncated" not in response.headers


def test_streaming_query_times_out_with_a_clear_error_and_stops(impatient) -> None:
    assert _wait_idle(30)
    response = impatient.client.get("/sparql", params={"query": FOREVER})
    problem = json.loads(response.text)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["title"] == "Query timeout" and "sparql_timeout_s" in problem["detail"]
    # the worker sees the cancel flag at its next row: without it this query would run for hours
    assert _wait_idle(10), "the timed-out query is still running"


def test_single_step_query_times_out_with_a_clear_error(impatient) -> None:
    """An aggregate evaluates inside Oxigraph without yielding rows, so it cannot be stopped
    early; the request still gets the timeout error instead of waiting or an empty answer."""
    assert _wait_idle(30)
    response = impatient.client.get("/sparql", params={"query": COUNT_PAIRS})
    assert response.status_code == 503 and json.loads(response.text)["title"] == "Query timeout"
    assert impatient.client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert _wait_idle(60)  # it finishes in the background (2 million pairs), freeing its slot


def test_query_stops_when_the_client_goes_away(patient) -> None:
    base, _api_ = patient
    assert _wait_idle(30)
    outcome: list[str] = []

    def impatient_client() -> None:
        try:
            httpx.get(f"{base}/sparql", params={"query": FOREVER}, timeout=1.5)
            outcome.append("answered")
        except httpx.TimeoutException:
            outcome.append("gave up")  # httpx closes the connection here

    client = threading.Thread(target=impatient_client)
    client.start()
    deadline = time.monotonic() + 5
    while not running_queries() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running_queries() == 1, "the query never started"
    client.join(10)
    assert outcome == ["gave up"]
    # the server's timeout is 120 s: only the disconnect can stop this query now
    assert _wait_idle(10), "the query kept running after its client left"
    after = httpx.get(
        f"{base}/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {G} {{ ?s ?p ?o }} }}"}
    )
    assert after.status_code == 200
    assert json.loads(after.text)["results"]["bindings"][0]["n"]["value"] == "2000"


@pytest.mark.parametrize(("n", "truncated"), [(50, False), (51, True)])
def test_cap_counts_solutions_not_lines(capped, n, truncated) -> None:
    """Values with newlines, tabs and quotes: the cap is exact at its boundary and every value
    comes back intact in every results format."""
    values = " ".join(f'"line {i}\\nnext\\t\\"q\\""' for i in range(n))
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"
    response = capped.client.get("/sparql", params={"query": query})
    rows = [b["x"]["value"] for b in json.loads(response.text)["results"]["bindings"]]
    assert len(rows) == min(n, 50)
    assert set(rows) <= {f'line {i}\nnext\t"q"' for i in range(n)} and len(set(rows)) == len(rows)
    assert (response.headers.get("x-result-truncated") == "true") is truncated
    xml = capped.client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert xml.text.count("<result>") == min(n, 50)


@pytest.mark.parametrize(("n", "truncated"), [(50, False), (51, True)])
def test_construct_cap_counts_triples_not_lines(capped, n, truncated) -> None:
    values = " ".join(f'"line {i}\\nnext"' for i in range(n))
    query = f"CONSTRUCT {{ <http://example.org/s> <http://example.org/p> ?x }} WHERE {{ VALUES ?x {{ {values} }} }}"
    response = capped.client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    objects = {q.object.value for q in ox.parse(response.content, ox.RdfFormat.TURTLE)}
    assert len(objects) == min(n, 50) and objects <= {f"line {i}\nnext" for i in range(n)}
    assert (response.headers.get("x-result-truncated") == "true") is truncated
