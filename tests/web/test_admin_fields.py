"""The Work form's registrar fields through the real app: makers, culture, place of creation,
display date and dimensions are entered, stored as the record model stores them (agents in the
shared graph, concepts resolved from labels, Dimension nodes), changed one at a time on edit, and
refused with 422 beside their input when invalid."""

from __future__ import annotations

import re

import pytest

from mappings.record import CONCEPT_FIELDS
from tests.web.test_admin import errors_of, logged_in

HG = "https://w3id.org/heritage-graph/ontology#"
SCHEME = "https://w3id.org/heritage-graph/scheme/"


@pytest.fixture
def c(client):
    client.cookies.clear()
    yield client
    client.cookies.clear()


def api_work(c, ident: str) -> dict:
    r = c.get(f"/api/works/{ident}", headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def sparql(c, query: str) -> list[dict[str, str]]:
    r = c.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def form_inputs(text: str) -> dict[str, str]:
    """The values an edit form shows: text inputs and the selected option of each select."""
    values = dict(re.findall(r'<input type="[a-z]+" name="([a-z_]+)" value="([^"]*)"', text))
    for name, body in re.findall(r'<select name="([a-z_]+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


WORK = {
    "id": "w-fields-1",
    "title_en": "Buncheong flask",
    "culture": "Korean",
    "place_of_origin": "Seoul",
    "creators": "Kim Potter; Workshop of Gwangju",
    "date_statement": "late 15th century",
    "begin_year": "1450",
    "end_year": "1500",
    "dim_height": "23.5",
    "dim_width": "18",
    "dim_diameter": "95 mm",
    "dim_unit": "cm",
}


def test_register_and_edit_a_work_with_makers_culture_place_and_dimensions(c, curator_token):
    csrf = logged_in(c, curator_token)
    r = c.post("/admin/works", data=dict(WORK, csrf=csrf))
    assert r.status_code == 200, errors_of(r.text)

    got = api_work(c, "w-fields-1")
    assert sorted(got["creators"]) == ["Kim Potter", "Workshop of Gwangju"]
    assert [v["iri"] for v in got["culture"]] == [f"{SCHEME}culture/korean"]
    assert [v["iri"] for v in got["place_of_origin"]] == [f"{SCHEME}place/seoul"]
    assert got["date_statement"] == "late 15th century"
    assert got["dimensions"] == [
        {"type": "diameter", "value": 95.0, "unit": "mm"},
        {"type": "height", "value": 23.5, "unit": "cm"},
        {"type": "width", "value": 18.0, "unit": "cm"},
    ]

    work = f"<{got['iri']}>"
    makers = sparql(
        c,
        f"SELECT ?name WHERE {{ {work} <{HG}creator> ?a . ?a <http://www.w3.org/2000/01/rdf-schema#label> ?name }}",
    )
    assert sorted(m["name"] for m in makers) == ["Kim Potter", "Workshop of Gwangju"]
    dims = sparql(
        c,
        f"SELECT ?t ?v ?u WHERE {{ {work} <{HG}dimension> ?d . ?d <{HG}dimensionType> ?t ; "
        f"<{HG}value> ?v ; <{HG}unit> ?u }} ORDER BY ?t",
    )
    assert [(d["t"], float(d["v"]), d["u"]) for d in dims] == [
        ("diameter", 95.0, "mm"),
        ("height", 23.5, "cm"),
        ("width", 18.0, "cm"),
    ]
    where = sparql(c, f"SELECT ?c ?p WHERE {{ {work} <{HG}culture> ?c ; <{HG}placeOfOrigin> ?p }}")
    assert where == [{"c": f"{SCHEME}culture/korean", "p": f"{SCHEME}place/seoul"}]

    # the edit form shows what was entered; change the height only
    page = c.get("/admin/edit/work/w-fields-1")
    shown = form_inputs(page.text)
    assert shown["creators"] == "Kim Potter; Workshop of Gwangju"
    assert (shown["culture"], shown["place_of_origin"]) == ("Korean", "Seoul")
    assert (shown["dim_height"], shown["dim_diameter"], shown["dim_unit"]) == ("23.5", "95 mm", "cm")
    shown.update(csrf=csrf, dim_height="24")
    r = c.post("/admin/edit/work/w-fields-1", data=shown)
    assert r.status_code == 200, errors_of(r.text)
    after = api_work(c, "w-fields-1")
    assert {d["type"]: (d["value"], d["unit"]) for d in after["dimensions"]} == {
        "height": (24.0, "cm"),
        "width": (18.0, "cm"),
        "diameter": (95.0, "mm"),
    }
    for kept in ("creators", "culture", "place_of_origin", "date_statement", "begin_year", "end_year"):
        assert after[kept] == got[kept], kept

    # then the makers: one replaced, the old agent no longer linked
    r = c.post("/admin/edit/work/w-fields-1", data=dict(shown, creators="Kim Potter; Lee Glazer"))
    assert r.status_code == 200, errors_of(r.text)
    assert sorted(api_work(c, "w-fields-1")["creators"]) == ["Kim Potter", "Lee Glazer"]
    makers = sparql(
        c,
        f"SELECT ?name WHERE {{ {work} <{HG}creator> ?a . ?a <http://www.w3.org/2000/01/rdf-schema#label> ?name }}",
    )
    assert sorted(m["name"] for m in makers) == ["Kim Potter", "Lee Glazer"]


def test_edit_keeps_dimensions_the_form_does_not_show(c, curator_token):
    csrf = logged_in(c, curator_token)
    records = c.app.state.ctx.records
    record = records.get("nt-083", "work")
    record["dimensions"] = [*record.get("dimensions", []), {"type": "weight", "value": 1.2, "unit": "kg"}]
    record = {  # as a client writes it: concepts by IRI
        k: [x["iri"] if isinstance(x, dict) else x for x in v] if k in CONCEPT_FIELDS else v
        for k, v in record.items()
        if k != "iri"
    }
    records.put([record], "replace")
    shown = form_inputs(c.get("/admin/edit/work/nt-083").text)
    assert "dim_weight" not in shown and shown["dim_height"]
    r = c.post("/admin/edit/work/nt-083", data=dict(shown, csrf=csrf, dim_width="7.5"))
    assert r.status_code == 200, errors_of(r.text)
    dims = {d["type"]: (d["value"], d["unit"]) for d in records.get("nt-083", "work")["dimensions"]}
    assert dims["weight"] == (1.2, "kg") and dims["width"] == (7.5, "cm")
    assert dims["height"] == (float(shown["dim_height"]), "cm")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"dim_height": "-3"}, "dim_height", "positive"),
        ({"dim_width": "wide"}, "dim_width", "a number"),
        ({"dim_depth": "4 parsecs"}, "dim_depth", "unit"),
        ({"begin_year": "1600"}, "end_year", "before the begin year"),
    ],
)
def test_invalid_registrar_fields_are_422_beside_their_input(c, curator_token, change, field, message):
    csrf = logged_in(c, curator_token)
    typed = dict(WORK, id="w-fields-bad", csrf=csrf, **change)
    r = c.post("/admin/works", data=typed)
    assert r.status_code == 422
    errors = errors_of(r.text)
    assert set(errors) == {field} and message in errors[field]
    assert re.search(rf'name="{field}" value="{re.escape(typed[field])}"[^>]*aria-invalid="true"', r.text)
    assert 'value="Kim Potter; Workshop of Gwangju"' in r.text  # the rest of what was typed is kept
    assert not c.app.state.ctx.records.exists("w-fields-bad")


def test_an_invalid_edit_stores_nothing(c, curator_token):
    csrf = logged_in(c, curator_token)
    before = c.app.state.ctx.records.get("nt-097", "work")
    shown = form_inputs(c.get("/admin/edit/work/nt-097").text)
    r = c.post("/admin/edit/work/nt-097", data=dict(shown, csrf=csrf, dim_height="0", creators="Someone"))
    assert r.status_code == 422 and "positive" in errors_of(r.text)["dim_height"]
    assert c.app.state.ctx.records.get("nt-097", "work") == before
