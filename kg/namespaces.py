"""Every namespace and IRI pattern the project uses, in one place.

Terms are built through rdflib's ``Namespace`` objects or the helpers below, never by
string concatenation at call sites, so that a misspelt term is a single place to fix.
"""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

HG = Namespace("https://w3id.org/heritage-graph/ontology#")
HGS = Namespace("https://w3id.org/heritage-graph/scheme/")  # SKOS concept schemes and their concepts
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
CRMDIG = Namespace("http://www.ics.forth.gr/isl/CRMdig/")
EDM = Namespace("http://www.europeana.eu/schemas/edm/")
ORE = Namespace("http://www.openarchives.org/ore/terms/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
SCHEMA = Namespace("https://schema.org/")
BF = Namespace("http://id.loc.gov/ontologies/bibframe/")
CARARE = Namespace("http://www.carare.eu/carareSchema")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "hg": str(HG),
    "hgs": str(HGS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dc": str(DC),
    "prov": str(PROV),
    "crm": str(CRM),
    "crmdig": str(CRMDIG),
    "edm": str(EDM),
    "ore": str(ORE),
    "schema": str(SCHEMA),
    "bf": str(BF),
    "void": str(VOID),
}

# The four layers of the data model (DESIGN §2) and the other kinds that get /id/{kind}/{id} IRIs.
LAYER_CLASSES = {"work": HG.Work, "project": HG.Project, "instance": HG.Instance, "item": HG.Item}
KINDS = ("work", "project", "instance", "item", "concept", "agent", "run")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")


def sparql_prefixes() -> str:
    """The PREFIX block every stored query may assume (prefixes come from one place)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def is_valid_id(value: str) -> bool:
    """Record ids are IRI-safe slugs: they appear unescaped in IRIs, graph names and file paths."""
    return bool(_ID_RE.match(value)) and ".." not in value


class Iris:
    """Mints instance-data IRIs under the configured base: ``{base}/id/{kind}/{id}``."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def entity(self, kind: str, ident: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return f"{self.base}/id/{kind}/{ident}"

    def record_graph(self, ident: str) -> str:
        return f"{self.base}/graph/record/{ident}"

    def run_graph(self, run_id: str) -> str:
        return f"{self.base}/graph/run/{run_id}"

    @property
    def changelog_graph(self) -> str:
        return f"{self.base}/graph/changelog"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}/graph/ontology"

    @property
    def schemes_graph(self) -> str:
        return f"{self.base}/graph/schemes"

    @property
    def shared_graph(self) -> str:
        """Where agents, museums and local concepts are described, once each (see kg.shared)."""
        return f"{self.base}/graph/shared"

    @property
    def shared_prefixes(self) -> tuple[str, str]:
        """IRIs of entities many records point at: described in ``shared_graph``, not per record."""
        return f"{self.base}/id/agent/", f"{self.base}/id/concept/"

    def record_graph_test(self, var: str = "?g") -> str:
        """SPARQL expression: ``var`` is a record graph."""
        return f'STRSTARTS(STR({var}), "{self.record_graph("")}")'

    def description_filter(self, var: str = "?g") -> str:
        """FILTER keeping ``var`` to the graphs that describe entities: record graphs and the
        shared graph (not runs, the change log or derived graphs)."""
        return f"FILTER({self.record_graph_test(var)} || {var} = <{self.shared_graph}>)"

    def projected_filter(self, var: str = "?g") -> str:
        """FILTER keeping ``var`` to the graphs the property-graph projection reads: those of
        ``description_filter`` plus the concept schemes."""
        return (
            f"FILTER({self.record_graph_test(var)} || {var} = <{self.schemes_graph}> "
            f"|| {var} = <{self.shared_graph}>)"
        )

    def parse_entity(self, iri: str) -> tuple[str, str] | None:
        """(kind, id) for an IRI minted under this base, else None."""
        prefix = f"{self.base}/id/"
        if not iri.startswith(prefix):
            return None
        kind, _, ident = iri[len(prefix) :].partition("/")
        if kind not in KINDS or not ident:
            return None
        return kind, ident

    def record_id_of_graph(self, graph_iri: str) -> str | None:
        prefix = f"{self.base}/graph/record/"
        return graph_iri[len(prefix) :] if graph_iri.startswith(prefix) else None
