"""Generate ``ontology/heritage.ttl`` (the OWL ontology) from the term table in ``ontology_terms.py``.

Why generated: every hg: term needs ko and en labels and definitions plus alignment axioms to six
vocabularies; a table keeps that regular and reviewable, and rdflib writes valid Turtle. The Turtle
is committed, so nothing at run time depends on this script (``python -m ontology.build_ontology``).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ontology.ontology_terms import CLASSES, DISJOINT, PREFIXES, PROPERTIES

HG = Namespace("https://w3id.org/heritage-graph/ontology#")
OUT = Path(__file__).resolve().parent / "heritage.ttl"


def expand(curie: str) -> URIRef:
    """``crm:E22_Human-Made_Object`` → full IRI (prefixes from ``PREFIXES``)."""
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def build() -> Graph:
    """The ontology graph: classes, properties, labels, definitions and alignments."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, Namespace(ns))
    onto = URIRef("https://w3id.org/heritage-graph/ontology")
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, DCTERMS.title, Literal("Heritage Graph ontology", lang="en")))
    g.add((onto, DCTERMS.title, Literal("헤리티지 그래프 온톨로지", lang="ko")))
    g.add((onto, OWL.versionInfo, Literal("1.0")))
    for ann in (SKOS.definition, SKOS.closeMatch):
        g.add((ann, RDF.type, OWL.AnnotationProperty))
    g.add(
        (
            onto,
            RDFS.comment,
            Literal(
                "Work-Project-Instance-Item model for museum data, aligned to CIDOC-CRM (+CRMdig), EDM, DCMI Terms, "
                "Schema.org, CARARE and BIBFRAME 2.0.",
                lang="en",
            ),
        )
    )
    for c in CLASSES:
        iri = HG[c.name]
        g.add((iri, RDF.type, OWL.Class))
        _describe(g, iri, c.en, c.ko, c.def_en, c.def_ko)
        for sup in c.sub:
            g.add((iri, RDFS.subClassOf, expand(sup)))
        for eq in c.equivalent:
            g.add((iri, OWL.equivalentClass, expand(eq)))
        for m in c.match:
            g.add((iri, SKOS.closeMatch, expand(m)))
    for group in DISJOINT:
        members = [HG[n] for n in group]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                g.add((a, OWL.disjointWith, b))
    for p in PROPERTIES:
        iri = HG[p.name]
        kind = {"object": OWL.ObjectProperty, "data": OWL.DatatypeProperty}[p.kind]
        g.add((iri, RDF.type, kind))
        _describe(g, iri, p.en, p.ko, p.def_en, p.def_ko)
        if p.domain:
            g.add((iri, RDFS.domain, expand(p.domain)))
        if p.range:
            g.add((iri, RDFS.range, expand(p.range)))
        if p.functional:
            g.add((iri, RDF.type, OWL.FunctionalProperty))
        for sup in p.sub:
            g.add((iri, RDFS.subPropertyOf, expand(sup)))
        for m in p.match:
            g.add((iri, SKOS.closeMatch, expand(m)))
    return g


def _describe(g: Graph, iri: URIRef, en: str, ko: str, def_en: str, def_ko: str) -> None:
    g.add((iri, RDFS.label, Literal(en, lang="en")))
    g.add((iri, RDFS.label, Literal(ko, lang="ko")))
    g.add((iri, SKOS.definition, Literal(def_en, lang="en")))
    g.add((iri, SKOS.definition, Literal(def_ko, lang="ko")))
    g.add((iri, RDFS.isDefinedBy, URIRef("https://w3id.org/heritage-graph/ontology")))


def main() -> None:
    """Write ``ontology/heritage.ttl``."""
    build().serialize(OUT, format="turtle")


if __name__ == "__main__":
    main()
