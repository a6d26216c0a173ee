"""A SPARQL Update adds to the records it touches and never truncates them, however it spells
their IRIs: a prefixed name, a relative IRI under ``BASE`` or an IRI built in the WHERE clause.
(Before, only ``<...>`` IRIs put a record in the update's scratch copy, so ``PREFIX w: <.../id/work/>
INSERT DATA { w:w1 ... }`` replaced Work w1 with the inserted triple and lost every other field.)"""

from __future__ import annotations

import pytest

UPDATE = {"Content-Type": "application/sparql-update"}
HG = "PREFIX hg: <https://w3id.org/heritage-graph/ontology#> "
WORK = "http://127.0.0.1:8000/id/work/"


def _update(api, text: str):
    return api.client.post("/sparql/update", content=text, headers={**UPDATE, **api.auth})


@pytest.mark.parametrize(
    "update",
    [
        f'PREFIX w: <{WORK}> {HG} INSERT DATA {{ w:w1 hg:exhibition "Hall 3" }}',
        f'BASE <{WORK}> {HG} INSERT DATA {{ <w1> hg:exhibition "Hall 3" }}',
        f'{HG} INSERT {{ ?w hg:exhibition "Hall 3" }} WHERE {{ BIND(IRI(CONCAT("{WORK}", "w1")) AS ?w) }}',
    ],
    ids=["prefixed-name", "base-relative", "built-iri"],
)
def test_an_insert_keeps_every_other_field(work_api, update):
    before = work_api.client.get("/api/works/w1").json()
    response = _update(work_api, update)
    assert response.status_code == 200, response.text
    after = work_api.client.get("/api/works/w1").json()
    assert after["exhibition"] == "Hall 3"
    assert after["title"] == {"en": "Bowl", "ko": "그릇"}
    assert after["material"] == before["material"] and after["material"]
    assert {k: v for k, v in after.items() if k != "exhibition"} == before


def test_a_prefixed_delete_reaches_its_record(work_api):
    text = f'PREFIX w: <{WORK}> {HG}DELETE DATA {{ w:w1 hg:title "그릇"@ko }}'
    response = _update(work_api, text)
    assert response.status_code == 200, response.text
    assert response.json()["written"] == ["w1"]
    assert work_api.client.get("/api/works/w1").json()["title"] == {"en": "Bowl"}


@pytest.mark.parametrize("graph", ["changelog", "shared", "entailed", "ontology"])
def test_house_graphs_stay_closed_by_prefixed_name(work_api, graph):
    text = f"PREFIX g: <http://127.0.0.1:8000/graph/> INSERT DATA {{ GRAPH g:{graph} {{ <{WORK}w1> <http://x/p> 1 }} }}"
    response = _update(work_api, text)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert work_api.client.get("/api/works/w1").json()["title"]["ko"] == "그릇"


@pytest.mark.parametrize("ident", ["a/b", "a%20b", "../../x", ""])
def test_an_update_cannot_mint_an_invalid_record_id(work_api, ident):
    """REST refuses these ids; an update naming them by graph used to write them."""
    base = "http://127.0.0.1:8000"
    text = (
        f"{HG} INSERT DATA {{ GRAPH <{base}/graph/record/{ident}> {{ <{WORK}{ident}> a hg:Work ; "
        f'hg:title "t"@en ; hg:identifier "t" }} }}'
    )
    response = _update(work_api, text)
    assert response.status_code == 422, response.text
    assert "not a valid identifier" in response.json()["detail"]
    assert work_api.client.get("/api/works").json()["total"] == 1


def test_a_record_graph_cannot_describe_another_record(work_api):
    body = {"id": "w2", "title": {"en": "Cup"}}
    assert work_api.client.post("/api/works", json=body, headers=work_api.auth).status_code == 201
    text = f'{HG} INSERT DATA {{ GRAPH <http://127.0.0.1:8000/graph/record/w1> {{ <{WORK}w2> hg:title "hijack"@en }} }}'
    response = _update(work_api, text)
    assert response.status_code == 403
    query = f"SELECT ?t WHERE {{ <{WORK}w2> <https://w3id.org/heritage-graph/ontology#title> ?t }}"
    rows = work_api.client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"}).text
    assert "hijack" not in rows and "Cup" in rows
