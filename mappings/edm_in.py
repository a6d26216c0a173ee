"""Crosswalk in: Europeana EDM RDF/XML → work record dicts (for ``mappings.record.record_to_quads``).

The inverse of ``mappings.edm``: every field EDM carries comes back (see docs/mapping-table.md); a
concept IRI from our schemes is kept as the IRI, a foreign one is passed on as its label so the
resolver can match it to our schemes. Input is untrusted: it goes through ``xml_safety`` first.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from lxml import etree

from kg.errors import ParseError
from mappings.edm import NS
from mappings.graph_view import GraphView, scheme_of
from mappings.xml_safety import parse_xml

EDM, DC, DCT, ORE = NS["edm"], NS["dc"], NS["dcterms"], NS["ore"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KNOWN_NAMESPACES = {
    *NS.values(),
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://xmlns.com/foaf/0.1/",
    "http://creativecommons.org/ns#",
    "http://www.w3.org/ns/odrl/2/",
    "http://rdfs.org/sioc/services#",
    "http://usefulinc.com/ns/doap#",
    "http://rdvocab.info/ElementsGr2/",
    "http://www.w3.org/ns/dcat#",
    "http://www.europeana.eu/schemas/edm/enrichment/",
}
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
CONCEPT_FIELDS = {"type": "object_type", "use": "use", "culture": "culture", "material": "material",
                  "era": "era", "place": "place_of_origin"}  # fmt: skip


def check_edm_xml(data: bytes, name: str = "EDM") -> etree._Element:
    """Safe parse + structural checks: an ``rdf:RDF`` root and only namespaces EDM uses."""
    root = parse_xml(data, name)
    if root.tag != f"{{{NS['rdf']}}}RDF":
        raise ParseError(f"{name}: the root element must be rdf:RDF, got {root.tag}")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns = etree.QName(el).namespace
        if ns not in KNOWN_NAMESPACES:
            raise ParseError(
                f"{name}: unknown namespace {ns!r} (element {etree.QName(el).localname}, line {el.sourceline})"
            )
    return root


def _record_id(iri: str) -> str:
    tail = (
        iri.rstrip("/").split("/id/work/", 1)[-1]
        if "/id/work/" in iri
        else iri.rstrip("/").rsplit("/", 1)[-1]
    )
    return _ID_SAFE.sub("-", tail).strip("-") or "record"


def edm_to_records(data: bytes, name: str = "EDM") -> list[dict]:
    """Work record dicts, one per ``edm:ProvidedCHO`` in the document."""
    check_edm_xml(data, name)
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.RDF_XML))
    except SyntaxError as exc:
        raise ParseError(f"{name}: invalid RDF/XML: {exc}") from exc
    view = GraphView(triples)
    chos = sorted(
        s for s, p in view.index.items() if any(o.value == EDM + "ProvidedCHO" for o in p.get(RDF_TYPE, []))
    )
    if not chos:
        raise ParseError(f"{name}: no edm:ProvidedCHO in the document")
    return [_cho_record(view, cho) for cho in chos]


def _concept_value(view: GraphView, term: ox.Term) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if scheme_of(term.value) else view.label(term.value)


def _cho_record(view: GraphView, cho: str) -> dict:
    rec: dict = {"kind": "work", "id": _record_id(cho)}
    idents = [o.value for o in view.objects(cho, DC + "identifier")]
    if idents:
        rec["identifier"] = idents[0]
    if len(idents) > 1:
        rec["collection_number"] = idents[1]
    for field, prop in (("title", DC + "title"), ("description", DC + "description")):
        pairs = view.langs(cho, prop)
        if pairs:
            rec[field] = {lang or "en": text for text, lang in pairs}
    creators = [
        view.label(o.value) if isinstance(o, ox.NamedNode) else o.value
        for o in view.objects(cho, DC + "creator")
    ]
    if creators:
        rec["creators"] = creators

    def add(field: str, value: str) -> None:
        rec.setdefault(field, []).append(value)

    for term in view.objects(cho, DC + "type"):
        add("object_type", _concept_value(view, term))
    for term in view.objects(cho, DC + "subject"):
        scheme = scheme_of(term.value) if isinstance(term, ox.NamedNode) else None
        if scheme in ("use", "culture"):
            add(scheme, term.value)
        else:
            add("theme", _concept_value(view, term))
    for term in view.objects(cho, DCT + "medium"):
        if isinstance(term, ox.Literal):
            rec["material_statement"] = term.value
        else:
            add("material", _concept_value(view, term))
    for term in view.objects(cho, DC + "coverage"):
        add("find_spot", _concept_value(view, term))
    for term in view.objects(cho, DCT + "spatial"):
        add("place_of_origin", _concept_value(view, term))
    for term in view.objects(cho, DCT + "temporal"):
        if term.value == f"{cho}/timespan":
            for field, prop in (("begin_year", EDM + "begin"), ("end_year", EDM + "end")):
                if (v := view.value(term.value, prop)) and re.fullmatch(r"-?\d+", v):
                    rec[field] = int(v)
        else:
            add("era", _concept_value(view, term))
    for field, prop in (("rights_statement", DC + "rights"), ("date_statement", DCT + "created"),
                        ("dimension_statement", DCT + "extent")):  # fmt: skip
        if v := view.value(cho, prop):
            rec[field] = v
    derived = [_record_id(o.value) for o in view.objects(cho, EDM + "isDerivativeOf")]
    if derived:
        rec["derived_from"] = derived
    for agg, props in view.index.items():
        if not any(o.value == cho for o in props.get(EDM + "aggregatedCHO", [])):
            continue
        provider = next(iter(props.get(EDM + "dataProvider", [])), None)
        if provider is not None:
            rec["museum"] = (
                view.label(provider.value) if isinstance(provider, ox.NamedNode) else provider.value
            )
        if v := view.value(agg, EDM + "rights"):
            rec["rights"] = v
        if v := view.value(agg, EDM + "isShownAt"):
            rec["source_url"] = v
    return rec
