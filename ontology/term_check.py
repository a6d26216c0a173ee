"""Check that every external class or property the ontology names exists in the official files.

Why: an alignment to a misspelt term (``crm:E22_Man-Made_Object``) is silently useless; loading the
vocabularies shipped in ``../shared/vocab`` catches it. CARARE has only an XSD, so CARARE names are
checked against its element names; CRMdig, PROV-O, SKOS and ORE have no official file there and sit on
an explicit allowlist.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from lxml import etree

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
EDM = "http://www.europeana.eu/schemas/edm/"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
BF = "http://id.loc.gov/ontologies/bibframe/"
CARARE = "http://www.carare.eu/carareSchema#"
HG_PREFIX = "https://w3id.org/heritage-graph/"

ALLOWLIST = (
    "http://www.ics.forth.gr/isl/CRMdig/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.openarchives.org/ore/terms/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)

_FILES = {
    CRM: [("cidoc-crm/CIDOC_CRM_v7.1.3.rdf", ox.RdfFormat.RDF_XML)],
    EDM: [("edm/edm.ttl", ox.RdfFormat.TURTLE)],
    DCTERMS: [("dcterms/dcterms.nq", ox.RdfFormat.N_QUADS)],
    SCHEMA: [("schemaorg/schemaorg-current-https.ttl", ox.RdfFormat.TURTLE)],
    BF: [("bibframe/bibframe.rdf", ox.RdfFormat.RDF_XML)],
}


@cache
def defined_terms(vocab_dir: Path, namespace: str) -> frozenset[str]:
    """IRIs declared (as a subject) in the official file(s) of ``namespace``."""
    if namespace == CARARE:
        tree = etree.parse(str(vocab_dir / "carare" / "carare-v2.0.6.xsd"))
        names = tree.xpath("//*[local-name()='element' or local-name()='complexType']/@name")
        return frozenset(CARARE + n for n in names)
    out: set[str] = set()
    for rel, fmt in _FILES[namespace]:
        for quad in ox.parse(path=str(vocab_dir / rel), format=fmt):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(namespace):
                out.add(quad.subject.value)
    return frozenset(out)


def external_terms(triples: Iterable[ox.Triple]) -> set[str]:
    """Every IRI in subject, predicate or object position outside our own namespaces."""
    out: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode) and not term.value.startswith(HG_PREFIX):
                out.add(term.value)
    return out


def missing_terms(triples: Iterable[ox.Triple], vocab_dir: Path) -> list[str]:
    """External IRIs that neither exist in their vocabulary's file nor sit on the allowlist.

    An IRI in a namespace we have no file for (and which is not allowlisted) is reported too, so
    a new vocabulary cannot slip in unchecked.
    """
    missing = []
    for iri in sorted(external_terms(triples)):
        if iri.startswith(ALLOWLIST):
            continue
        namespace = next((ns for ns in (*_FILES, CARARE) if iri.startswith(ns)), None)
        if namespace is None or iri not in defined_terms(vocab_dir, namespace):
            missing.append(iri)
    return missing
