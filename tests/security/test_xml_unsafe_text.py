"""Text XML 1.0 cannot carry (NUL and other C0 controls, lone surrogates, U+FFFE/FFFF) and
malformed language tags. Before: a language tag like ``"x y"`` or a lone surrogate was a 500 on
create; a NUL in a title was stored, after which every OAI-PMH ListRecords page containing it
was a 500 (the whole repository unharvestable) and ``/data/...rdf`` was not well-formed XML.
Now the record layer's mapping refuses them (422, naming the field), and a literal stored another
way (SPARQL Update) is made safe (U+FFFD) when rendered as XML."""

from __future__ import annotations

import pytest
from lxml import etree

UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": {"en": "a\u0000b"}}, "title"),
        ({"title": "ok", "description": {"ko": "a\u0007b"}}, "description"),
        ({"title": "ok", "exhibition": "hall\uffff"}, "exhibition"),
        ({"title": {"x y": "b"}}, "title"),
        ({"title": {'en"@x': "b"}}, "title"),
        ({"title": {"e" * 300: "b"}}, "title"),
        # well-formed to a simple pattern, not BCP 47 (an empty extension; a one-letter language)
        ({"title": {"en-a": "b"}}, "title"),
        ({"title": {"a-b": "b"}}, "title"),
    ],
)
def test_unsafe_text_is_refused_naming_the_field(app_api, body, field):
    response = app_api.client.post("/api/works", json={"id": "w1", **body}, headers=app_api.auth)
    assert response.status_code == 422, response.text
    assert response.json()["violations"][0]["field"] == field
    assert app_api.client.get("/api/works").json()["total"] == 0


def test_a_lone_surrogate_is_refused(app_api):
    body = b'{"id": "w1", "title": "a\\ud800b"}'
    headers = {**app_api.auth, "Content-Type": "application/json"}
    response = app_api.client.post("/api/works", content=body, headers=headers)
    assert response.status_code == 422, response.text


def test_tabs_newlines_and_korean_are_fine(app_api):
    body = {"id": "w1", "title": {"ko": "금동\t미륵\n반가사유상", "ko-Latn": "Geumdong"}}
    assert app_api.client.post("/api/works", json=body, headers=app_api.auth).status_code == 201


def test_a_control_character_stored_by_update_does_not_break_xml_exports(work_api):
    text = (
        "PREFIX hg: <https://w3id.org/heritage-graph/ontology#> INSERT DATA { "
        '<http://127.0.0.1:8000/id/work/w1> hg:description "bad\\u0000byte"@en }'
    )
    response = work_api.client.post("/sparql/update", content=text, headers={**UPDATE, **work_api.auth})
    assert response.status_code == 200, response.text
    for prefix in ("oai_dc", "edm"):
        page = work_api.client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}")
        assert page.status_code == 200
        root = etree.fromstring(page.content)
        assert "bad\ufffdbyte" in etree.tostring(root, encoding="unicode")
    rdf = work_api.client.get("/data/work/w1.rdf")
    assert rdf.status_code == 200
    assert etree.fromstring(rdf.content) is not None


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        ("application/sparql-results+xml", "SELECT ?o WHERE { ?s hg:description ?o }"),
        ("application/rdf+xml", "CONSTRUCT WHERE { ?s hg:description ?o }"),
    ],
)
def test_sparql_xml_results_stay_well_formed(work_api, accept, query):
    text = (
        "PREFIX hg: <https://w3id.org/heritage-graph/ontology#> INSERT DATA { "
        '<http://127.0.0.1:8000/id/work/w1> hg:description "bad\\u0001byte"@en }'
    )
    assert (
        work_api.client.post("/sparql/update", content=text, headers={**UPDATE, **work_api.auth}).status_code
        == 200
    )
    response = work_api.client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert "bad\ufffdbyte" in etree.tostring(etree.fromstring(response.content), encoding="unicode")
