"""Crosswalk out: a Work (with its Instances and Items) → CARARE 2.0.6 XML.

One ``carareWrap`` with one ``carare`` record: ``collectionInformation`` (the holding museum),
``heritageAssetIdentification`` (the Work, generalType "Artefact") and a ``digitalResource`` per Item.
Element order follows ``carare-v2.0.6.xsd``, which the tests validate against.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from lxml import etree

from mappings.graph_view import GraphView

CARARE = "http://www.carare.eu/carareSchema"
EUROPEANA_RIGHTS = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "The Creative Commons CC0 1.0 Universal Public Domain Dedication (CC0)",
    "http://creativecommons.org/publicdomain/mark/1.0/": "The Public Domain Mark (PDM)",
    "http://creativecommons.org/licenses/by/4.0/": "Creative Commons - Attribution (BY)",
    "http://creativecommons.org/licenses/by-sa/4.0/": "Creative Commons - Attribution, ShareAlike (BY-SA)",
    "http://rightsstatements.org/vocab/InC/1.0/": "In Copyright (InC)",
    "http://rightsstatements.org/vocab/CNE/1.0/": "Copyright Not Evaluated (CNE)",
}  # fmt: skip


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CARARE}}}{name}")
    if text is not None:
        el.text = text
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _rights(parent: etree._Element, iri: str | None, statement: str | None) -> None:
    if not iri and not statement:
        return
    rights = _el(parent, "rights")
    if statement:
        _el(rights, "copyrightCreditLine", statement)
    if iri:
        _el(rights, "licence", iri)
        if iri in EUROPEANA_RIGHTS:
            _el(rights, "europeanaRights", EUROPEANA_RIGHTS[iri])


def to_carare(
    quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = (), provider: str = "Heritage Graph"
) -> bytes:
    """CARARE XML for the one Work in ``quads``."""
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"CARARE export needs exactly one Work, got {len(works)}")
    work = works[0]
    wrap = etree.Element(f"{{{CARARE}}}carareWrap", nsmap={"car": CARARE})
    record = _el(wrap, "carare", id=work)
    museum = next(iter(view.objects(work, "heldBy")), None)
    museum_label = view.label(museum.value) if museum else provider

    coll = _el(record, "collectionInformation")
    _el(coll, "title", museum_label, lang="en")
    _el(coll, "source", provider)

    asset = _el(record, "heritageAssetIdentification")
    info = _el(asset, "recordInformation")
    _el(info, "id", view.value(work, "identifier") or work)
    _el(info, "source", view.value(work, "sourceUrl") or provider)
    for text, lang in view.langs(work, "title"):
        app = _el(asset, "appellation")
        _el(app, "name", text, lang=lang or "en")
        _el(app, "id", view.value(work, "collectionNumber") or view.value(work, "identifier") or work)
    for text, lang in view.langs(work, "description"):
        _el(asset, "description", text, lang=lang or "en")
    _el(asset, "generalType", "Artefact")
    for agent in view.objects(work, "creator"):
        actors = _el(asset, "actors")
        _el(actors, "id", agent.value)
        _el(actors, "name", view.label(agent.value))
        _el(actors, "roles", "creator")
    chars = _el(asset, "characters")
    for t in view.objects(work, "objectType"):
        for text, lang in view.labels(t.value):
            _el(chars, "heritageAssetType", text, lang=lang or "en", termUID=t.value)
    eras = view.objects(work, "era")
    begin, end = view.value(work, "beginYear"), view.value(work, "endYear")
    if eras or begin or end:
        temporal = _el(chars, "temporal")  # XSD order: timeSpan, periodName, displayDate
        if begin or end:
            span = _el(temporal, "timeSpan")
            if begin:
                _el(span, "startDate", begin)
            if end:
                _el(span, "endDate", end)
        for e in eras:
            _el(temporal, "periodName", view.label(e.value), lang="en")
        if statement := view.value(work, "dateStatement"):
            _el(temporal, "displayDate", statement)
    for m in view.objects(work, "material"):
        _el(chars, "materials", view.label(m.value), lang="en")
    for dim in sorted(view.objects(work, "dimension"), key=lambda d: d.value):
        # structured dimensions: CARARE's own dimensions element (XSD order: type, units, value)
        if (value := view.value(dim.value, "value")) is None:
            continue
        dims = _el(chars, "dimensions")
        _el(dims, "measurementType", view.value(dim.value, "dimensionType") or "", lang="en")
        _el(dims, "units", view.value(dim.value, "unit") or "cm")
        _el(dims, "value", value)
    if len(chars) == 0:
        asset.remove(chars)
    for place in view.objects(work, "placeOfOrigin") + view.objects(work, "findSpot"):
        spatial = _el(asset, "spatial")
        _el(_el(spatial, "locationSet"), "namedLocation", view.label(place.value), lang="en")
    if museum:
        _el(asset, "repositoryLocation", museum_label)
    _rights(asset, view.value(work, "rights"), view.value(work, "rightsStatement"))

    for inst in view.subjects_with("represents", work):
        for item in view.subjects_with("partOf", inst):
            res = _el(record, "digitalResource")
            rinfo = _el(res, "recordInformation")
            _el(rinfo, "id", view.value(item, "identifier") or item)
            app = _el(res, "appellation")
            _el(app, "name", view.value(item, "fileName") or item, lang="en")
            _el(app, "id", item)
            kind = (view.value(inst, "instanceType") or "").rstrip("/").rsplit("/", 1)[-1]
            _el(res, "type", "3D" if "3d" in kind or "nexus" in kind else "Image")  # XSD enumeration
            if media := view.value(item, "mediaType"):
                _el(res, "format", media)
            if size := view.value(item, "byteSize"):
                _el(res, "extent", f"{size} bytes")
            _el(res, "object", view.value(item, "contentUrl") or item)
            if url := view.value(work, "sourceUrl"):
                _el(res, "isShownAt", url)
            _rights(
                res,
                view.value(item, "rights") or view.value(inst, "rights") or view.value(work, "rights"),
                None,
            )
            _el(res, "isRepresentationOf", work)
    return etree.tostring(wrap, xml_declaration=True, encoding="UTF-8", pretty_print=True)
