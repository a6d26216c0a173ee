"""SERVICE and LOAD make Oxigraph fetch URLs from the server (a server-side request forgery on a
public endpoint): both are refused with 403 before any store sees them, however spelled."""

from __future__ import annotations

import socket
import threading

import pytest

from kg.errors import Forbidden
from sparql.guard import refuse_network

UPDATE = {"Content-Type": "application/sparql-update"}
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def listener():
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    hits.append(conn.recv(1024))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", hits
    stop.set()
    thread.join(timeout=2)
    sock.close()


def test_service_query_is_refused_and_makes_no_connection(app_api, listener):
    url, hits = listener
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{url}/> SELECT * WHERE {{ SERVICE SILENT r:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c .service#comment\n<{url}/q> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}/q> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        for response in (
            app_api.client.get("/sparql", params={"query": query}, headers=JSON),
            app_api.client.post("/sparql", data={"query": query}, headers=JSON),
        ):
            assert response.status_code == 403, (query, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert "SERVICE" in response.json()["detail"]
    assert hits == []


def test_load_and_service_in_updates_are_refused(app_api, listener):
    url, hits = listener
    updates = [
        f"LOAD <{url}/x.ttl>",
        f"PREFIX r: <{url}/> LOAD r:x.ttl",
        f"load silent <{url}/x.ttl> INTO GRAPH <http://127.0.0.1:8000/graph/record/w1>",
        f"INSERT {{ <http://127.0.0.1:8000/id/work/w1> <http://x/p> ?o }} "
        f"WHERE {{ SERVICE <{url}/s> {{ ?s ?p ?o }} }}",
    ]
    for update in updates:
        response = app_api.client.post("/sparql/update", content=update, headers={**UPDATE, **app_api.auth})
        assert response.status_code == 403, (update, response.text)
    assert hits == []


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s <http://purl.org/dc/terms/title> "room service" }',
        "SELECT * WHERE { ?s <http://x/service> ?load }",
        "PREFIX service: <http://x/> SELECT * WHERE { ?s service:load ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment",
        'INSERT DATA { <http://x/a> <http://x/b> """load <http://x> and\nSERVICE""" }',
    ],
)
def test_the_words_inside_iris_literals_names_and_comments_are_allowed(text):
    refuse_network(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE {SERVICE<http://x/>{}}",
        "LoAd <http://x/>",
    ],
)
def test_escaped_or_unspaced_keywords_are_refused(text):
    with pytest.raises(Forbidden):
        refuse_network(text)
