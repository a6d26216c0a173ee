"""Generate the SKOS concept schemes in ``ontology/schemes/*.ttl`` from the tables below.

Why a generator: the schemes are data that people extend (a new material, a Korean alt label) and
the tables here are easier to review than hand-written Turtle; the Turtle files are committed so
nothing at run time depends on this script. Run ``python -m ontology.build_schemes`` after editing.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD

from ontology.scheme_data import SCHEMES, Concept

HG = Namespace("https://w3id.org/heritage-graph/ontology#")
HGS = Namespace("https://w3id.org/heritage-graph/scheme/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
OUT_DIR = Path(__file__).resolve().parent / "schemes"


def concept_iri(scheme: str, slug: str) -> URIRef:
    """``hgs:{scheme}/{slug}``: the contract every other area resolves against."""
    return HGS[f"{scheme}/{slug}"]


def build_scheme(scheme: str, title: tuple[str, str], concepts: list[Concept]) -> Graph:
    """One scheme as an rdflib graph (labels in ko and en, broader links, time spans, coordinates)."""
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("hg", HG)
    g.bind("hgs", HGS)
    g.bind("geo", GEO)
    g.bind("dcterms", DCTERMS)
    s = HGS[scheme]
    g.add((s, RDF.type, SKOS.ConceptScheme))
    g.add((s, SKOS.prefLabel, Literal(title[0], lang="en")))
    g.add((s, SKOS.prefLabel, Literal(title[1], lang="ko")))
    slugs = {c.slug for c in concepts}
    for c in concepts:
        iri = concept_iri(scheme, c.slug)
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.inScheme, s))
        g.add((iri, SKOS.prefLabel, Literal(c.en, lang="en")))
        g.add((iri, SKOS.prefLabel, Literal(c.ko, lang="ko")))
        for alt in c.alt_en:
            g.add((iri, SKOS.altLabel, Literal(alt, lang="en")))
        for alt in c.alt_ko:
            g.add((iri, SKOS.altLabel, Literal(alt, lang="ko")))
        if c.broader:
            if c.broader not in slugs:
                raise ValueError(f"{scheme}/{c.slug}: broader {c.broader} is not in the scheme")
            g.add((iri, SKOS.broader, concept_iri(scheme, c.broader)))
        else:
            g.add((iri, SKOS.topConceptOf, s))
            g.add((s, SKOS.hasTopConcept, iri))
        for match in c.exact:
            g.add((iri, SKOS.exactMatch, URIRef(match)))
        if c.begin is not None:
            g.add((iri, HG.beginYear, Literal(c.begin, datatype=XSD.integer)))
        if c.end is not None:
            g.add((iri, HG.endYear, Literal(c.end, datatype=XSD.integer)))
        if c.lat is not None and c.long is not None:
            g.add((iri, GEO.lat, Literal(c.lat, datatype=XSD.decimal)))
            g.add((iri, GEO.long, Literal(c.long, datatype=XSD.decimal)))
    g.add((s, OWL.versionInfo, Literal("1.0")))
    return g


def main() -> None:
    """Write every scheme to ``ontology/schemes/{scheme}.ttl``."""
    OUT_DIR.mkdir(exist_ok=True)
    for scheme, (title, concepts) in SCHEMES.items():
        build_scheme(scheme, title, concepts).serialize(OUT_DIR / f"{scheme}.ttl", format="turtle")


if __name__ == "__main__":
    main()
