"""Crosswalk out: a Work (with Instances and Items) → BIBFRAME 2.0 RDF (RDF/XML or Turtle).

``bf:Work`` ← hg:Work, ``bf:Instance`` ← hg:Instance (``bf:instanceOf``), ``bf:Item`` ← hg:Item
(``bf:itemOf``). Titles, identifiers and contributions are BIBFRAME's structured nodes; they get
IRIs under the entity (``{work}#title-ko``) instead of blank nodes so the output is stable.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from mappings.graph_view import GraphView, dimension_texts

BF = "http://id.loc.gov/ontologies/bibframe/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
N = ox.NamedNode


def bf(name: str) -> ox.NamedNode:
    return N(BF + name)


def to_bibframe_triples(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> list[ox.Triple]:
    """BIBFRAME triples for the one Work in ``quads``."""
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"BIBFRAME export needs exactly one Work, got {len(works)}")
    work = works[0]
    out: list[ox.Triple] = []

    def add(s: str, p: ox.NamedNode, o: ox.Term) -> None:
        out.append(ox.Triple(N(s), p, o))

    def titled(subject: str, pairs: list[tuple[str, str | None]]) -> None:
        for i, (text, lang) in enumerate(pairs):
            node = f"{subject}#title-{lang or i}"
            add(subject, bf("title"), N(node))
            add(node, RDF_TYPE, bf("Title"))
            add(node, bf("mainTitle"), ox.Literal(text, language=lang) if lang else ox.Literal(text))

    def concept(subject: str, prop: str, iri: str, cls: str) -> None:
        add(subject, bf(prop), N(iri))
        add(iri, RDF_TYPE, bf(cls))
        for text, lang in view.labels(iri):
            add(iri, RDFS_LABEL, ox.Literal(text, language=lang) if lang else ox.Literal(text))

    add(work, RDF_TYPE, bf("Work"))
    titled(work, view.langs(work, "title"))
    for prop, cls in (("identifier", "Local"), ("collectionNumber", "Identifier")):
        if v := view.value(work, prop):
            node = f"{work}#{prop}"
            add(work, bf("identifiedBy"), N(node))
            add(node, RDF_TYPE, bf(cls))
            add(node, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#value"), ox.Literal(v))
    for text, lang in view.langs(work, "description"):
        node = f"{work}#summary-{lang}"
        add(work, bf("summary"), N(node))
        add(node, RDF_TYPE, bf("Summary"))
        add(node, RDFS_LABEL, ox.Literal(text, language=lang) if lang else ox.Literal(text))
    for t in view.objects(work, "objectType"):
        concept(work, "genreForm", t.value, "GenreForm")
    for prop in ("use", "culture"):
        for c in view.objects(work, prop):
            concept(work, "subject", c.value, "Topic")
    for e in view.objects(work, "era"):
        concept(work, "subject", e.value, "Temporal")
    for p in view.objects(work, "placeOfOrigin"):
        concept(work, "originPlace", p.value, "Place")
    if v := view.value(work, "dateStatement"):
        add(work, bf("originDate"), ox.Literal(v))
    for i, agent in enumerate(view.objects(work, "creator")):
        node = f"{work}#contribution-{i + 1}"
        add(work, bf("contribution"), N(node))
        add(node, RDF_TYPE, bf("Contribution"))
        add(node, bf("agent"), agent)
        add(agent.value, RDF_TYPE, bf("Agent"))
        add(agent.value, RDFS_LABEL, ox.Literal(view.label(agent.value)))
    for source in view.objects(work, "derivedFrom"):
        add(work, bf("derivativeOf"), source)
    for inst in view.subjects_with("represents", work):
        add(work, bf("hasInstance"), N(inst))
        add(inst, RDF_TYPE, bf("Instance"))
        add(inst, bf("instanceOf"), N(work))
        titled(inst, view.langs(inst, "title"))
        if rights := view.value(inst, "rights"):
            add(inst, bf("usageAndAccessPolicy"), N(rights))
        for item in view.subjects_with("partOf", inst):
            add(inst, bf("hasItem"), N(item))
            add(item, RDF_TYPE, bf("Item"))
            add(item, bf("itemOf"), N(inst))
            if url := view.value(item, "contentUrl"):
                add(item, bf("electronicLocator"), N(url))
            for museum in view.objects(work, "heldBy"):
                add(item, bf("heldBy"), museum)
    # bf:dimensions is text only: the statement, else the structured dimensions written out
    if v := view.value(work, "dimensionStatement") or "; ".join(dimension_texts(view, work)):
        add(work, bf("dimensions"), ox.Literal(v))
    if rights := view.value(work, "rights"):
        add(work, bf("usageAndAccessPolicy"), N(rights))
    return out


def to_bibframe(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = (), fmt: str = "xml") -> bytes:
    """Serialised BIBFRAME: ``fmt`` "xml" (RDF/XML, the LC convention) or "ttl"."""
    triples = to_bibframe_triples(quads, reference)
    rdf_format = ox.RdfFormat.RDF_XML if fmt == "xml" else ox.RdfFormat.TURTLE
    return ox.serialize(
        triples, format=rdf_format, prefixes={"bf": BF, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    )
