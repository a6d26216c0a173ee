"""Crosswalk out: a Work → Linked Art JSON-LD (the CIDOC-CRM application profile).

Shapes follow the Linked Art model for objects: ``HumanMadeObject`` with ``identified_by`` (Name,
Identifier), ``classified_as`` (object type), ``made_of`` (Material), ``produced_by`` (Production
with timespan, ``during`` the era, place and agents), ``dimension``, ``current_owner`` and
``referred_to_by`` statements. AAT IRIs used as Linked Art's standard classifications are constants
below. The inverse is ``linked_art_in.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from mappings.graph_view import GraphView

CONTEXT = "https://linked.art/ns/v1/linked-art.json"
AAT = "http://vocab.getty.edu/aat/"
PRIMARY_NAME = AAT + "300404670"
ACCESSION_NUMBER = AAT + "300312355"
SYSTEM_NUMBER = AAT + "300404621"
DESCRIPTION = AAT + "300435416"
MATERIAL_STATEMENT = AAT + "300435429"
DIMENSION_STATEMENT = AAT + "300435430"
DATE_STATEMENT = AAT + "300435447"  # "creation date description"
RIGHTS_STATEMENT = AAT + "300435434"
DIMENSION_TYPES = {"height": AAT + "300055644", "width": AAT + "300055647", "depth": AAT + "300072633",
                   "diameter": AAT + "300055624", "weight": AAT + "300056240", "length": AAT + "300055645"}  # fmt: skip
UNITS = {"cm": AAT + "300379098", "mm": AAT + "300379097", "m": AAT + "300379099", "in": AAT + "300379100",
         "kg": AAT + "300379226", "g": AAT + "300379225"}  # fmt: skip
LANGUAGES = {"en": AAT + "300388277", "ko": AAT + "300388633"}


def _ref(view: GraphView, iri: str, kind: str) -> dict:
    return {"id": iri, "type": kind, "_label": view.label(iri)}


def _statement(content: str, classification: str, label: str) -> dict:
    return {"type": "LinguisticObject", "content": content,
            "classified_as": [{"id": classification, "type": "Type", "_label": label}]}  # fmt: skip


def to_linked_art(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> dict:
    """The Linked Art JSON-LD dict of the one Work in ``quads``."""
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"Linked Art export needs exactly one Work, got {len(works)}")
    work = works[0]
    titles = view.langs(work, "title")
    doc: dict = {
        "@context": CONTEXT,
        "id": work,
        "type": "HumanMadeObject",
        "_label": titles[0][0] if titles else work,
    }
    names = []
    for text, lang in titles:
        name: dict = {"type": "Name", "content": text,
                      "classified_as": [{"id": PRIMARY_NAME, "type": "Type", "_label": "Primary Name"}]}  # fmt: skip
        if lang in LANGUAGES:
            name["language"] = [{"id": LANGUAGES[lang], "type": "Language", "_label": lang}]
        names.append(name)
    for prop, cls, label in (("identifier", SYSTEM_NUMBER, "System-Assigned Number"),
                             ("collectionNumber", ACCESSION_NUMBER, "Accession Number")):  # fmt: skip
        if v := view.value(work, prop):
            names.append({"type": "Identifier", "content": v,
                          "classified_as": [{"id": cls, "type": "Type", "_label": label}]})  # fmt: skip
    doc["identified_by"] = names
    if types := view.objects(work, "objectType"):
        doc["classified_as"] = [_ref(view, t.value, "Type") for t in types]
    if mats := view.objects(work, "material"):
        doc["made_of"] = [_ref(view, m.value, "Material") for m in mats]
    statements = [_statement(t, DESCRIPTION, "Description") for t, _ in view.langs(work, "description")]
    for prop, cls, label in (("materialStatement", MATERIAL_STATEMENT, "Material Statement"),
                             ("dimensionStatement", DIMENSION_STATEMENT, "Dimension Statement"),
                             ("rightsStatement", RIGHTS_STATEMENT, "Rights Statement")):  # fmt: skip
        if v := view.value(work, prop):
            statements.append(_statement(v, cls, label))
    if statements:
        doc["referred_to_by"] = statements
    production: dict = {"id": f"{work}/production", "type": "Production"}
    begin, end = view.value(work, "beginYear"), view.value(work, "endYear")
    statement = view.value(work, "dateStatement")
    if begin or end or statement:
        span: dict = {"id": f"{work}/production/timespan", "type": "TimeSpan"}
        if begin:
            span["begin_of_the_begin"] = f"{int(begin):04d}-01-01T00:00:00Z"
        if end:
            span["end_of_the_end"] = f"{int(end):04d}-12-31T23:59:59Z"
        if statement:
            span["identified_by"] = [{"type": "Name", "content": statement}]
        production["timespan"] = span
    if eras := view.objects(work, "era"):
        production["during"] = [_ref(view, e.value, "Period") for e in eras]
    if places := view.objects(work, "placeOfOrigin"):
        production["took_place_at"] = [_ref(view, p.value, "Place") for p in places]
    if creators := view.objects(work, "creator"):
        production["carried_out_by"] = [_ref(view, c.value, "Person") for c in creators]
    if uses := view.objects(work, "use"):
        doc["used_for"] = [{"type": "Activity", "classified_as": [_ref(view, u.value, "Type") for u in uses]}]
    if len(production) > 2:
        doc["produced_by"] = production
    if spots := view.objects(work, "findSpot"):
        doc["encountered_by"] = [
            {"type": "Encounter", "took_place_at": [_ref(view, p.value, "Place") for p in spots]}
        ]
    if cultures := view.objects(work, "culture"):
        doc.setdefault("classified_as", []).extend(_ref(view, c.value, "Type") for c in cultures)
    dims = []
    for dim in view.objects(work, "dimension"):
        kind, value, unit = (view.value(dim.value, p) for p in ("dimensionType", "value", "unit"))
        if value is None:
            continue
        d: dict = {"type": "Dimension", "value": float(value)}
        if kind in DIMENSION_TYPES:
            d["classified_as"] = [{"id": DIMENSION_TYPES[kind], "type": "Type", "_label": kind}]
        if unit:
            d["unit"] = {
                "id": UNITS.get(unit, f"{AAT}unit-{unit}"),
                "type": "MeasurementUnit",
                "_label": unit,
            }
        dims.append(d)
    if dims:
        doc["dimension"] = dims
    if museums := view.objects(work, "heldBy"):
        doc["current_owner"] = [_ref(view, m.value, "Group") for m in museums]
    if rights := view.value(work, "rights"):
        doc["subject_to"] = [
            {"type": "Right", "classified_as": [{"id": rights, "type": "Type", "_label": "license"}]}
        ]
    if url := view.value(work, "sourceUrl"):
        doc["subject_of"] = [{"type": "LinguisticObject", "digitally_carried_by": [
            {"type": "DigitalObject", "access_point": [{"id": url, "type": "DigitalObject"}]}]}]  # fmt: skip
    return doc
