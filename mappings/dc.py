"""Crosswalk out: a Work → ``oai_dc`` (simple Dublin Core, what every OAI-PMH harvester accepts).

Simple DC carries only text: concepts become their labels (ko and en), agents their names. The
inverse is ``dc_in.py``; what is lost is listed in docs/mapping-table.md.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from lxml import etree

from mappings.graph_view import GraphView

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def to_dc_element(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> etree._Element:
    """The ``oai_dc:dc`` element (for embedding in an OAI-PMH ``metadata`` element)."""
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"oai_dc export needs exactly one Work, got {len(works)}")
    work = works[0]
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

    def add(name: str, text: str | None, lang: str | None = None) -> None:
        if text:
            el = etree.SubElement(root, f"{{{DC}}}{name}")
            el.text = text
            if lang and lang != "und":
                el.set(XML_LANG, lang)

    def concepts(name: str, prop: str) -> None:
        for c in view.objects(work, prop):
            for text, lang in view.labels(c.value):
                add(name, text, lang)

    for text, lang in view.langs(work, "title"):
        add("title", text, lang)
    for agent in view.objects(work, "creator"):
        add("creator", view.label(agent.value))
    for prop in ("use", "culture"):
        concepts("subject", prop)
    for text, lang in view.langs(work, "theme"):
        add("subject", text, lang)
    for text, lang in view.langs(work, "description"):
        add("description", text, lang)
    for museum in view.objects(work, "heldBy"):
        add("publisher", view.label(museum.value))
    add("date", view.value(work, "dateStatement"))
    concepts("type", "objectType")
    add("format", view.value(work, "materialStatement"))
    concepts("format", "material")
    add("format", view.value(work, "dimensionStatement"))
    add("identifier", view.value(work, "identifier"))
    add("identifier", view.value(work, "collectionNumber"))
    add("identifier", view.value(work, "sourceUrl"))
    add("source", work)
    concepts("coverage", "era")
    concepts("coverage", "placeOfOrigin")
    concepts("coverage", "findSpot")
    add("rights", view.value(work, "rights"))
    add("rights", view.value(work, "rightsStatement"))
    return root


def to_dc(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> bytes:
    """A standalone ``oai_dc`` XML document."""
    return etree.tostring(
        to_dc_element(quads, reference), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
