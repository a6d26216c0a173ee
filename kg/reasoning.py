"""Reasoned views: materialise the ``rdf:type`` triples the ontology's class alignment entails.

Why materialise instead of reasoning at query time: the store answers plain SPARQL (Oxigraph, Fuseki,
GraphDB, Virtuoso) with no common inference switch, and linked-data consumers and harvesters send
plain queries. Writing the entailed types (``hg:Work`` ⊑ ``crm:E22_Human-Made_Object``,
``edm:ProvidedCHO``, ``schema:CreativeWork``, ...) into one derived graph ``{base}/graph/entailed``
makes ``?x a crm:E22_Human-Made_Object`` find Works on every backend, keeps curated record graphs
untouched, and is rebuilt in full (cheaply) after ingest or when the ontology changes.
Only the class hierarchy (rdfs:subClassOf and owl:equivalentClass, transitively) is applied: it is
the part of the alignment queries rely on, and it cannot produce surprising facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.store import Store

ONTOLOGY_PATH = Path(__file__).resolve().parents[1] / "ontology" / "heritage.ttl"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
OWL_EQUIVALENT = "http://www.w3.org/2002/07/owl#equivalentClass"
HG = "https://w3id.org/heritage-graph/ontology#"


def entailed_graph(iris: Iris) -> str:
    """The derived graph's name (not a record graph: never edited, only rebuilt)."""
    return f"{iris.base}/graph/entailed"


def superclass_closure(triples: Iterable[ox.Triple]) -> dict[str, set[str]]:
    """Class → every strict superclass (equivalentClass counts both ways)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if not isinstance(t.object, ox.NamedNode) or not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate.value == RDFS_SUBCLASS:
            parents[t.subject.value].add(t.object.value)
        elif t.predicate.value == OWL_EQUIVALENT:
            parents[t.subject.value].add(t.object.value)
            parents[t.object.value].add(t.subject.value)
    closure: dict[str, set[str]] = {}
    for cls in list(parents):
        seen: set[str] = set()
        todo = list(parents[cls])
        while todo:
            sup = todo.pop()
            if sup not in seen and sup != cls:
                seen.add(sup)
                todo.extend(parents.get(sup, ()))
        closure[cls] = seen
    return closure


def materialise_types(store: Store, iris: Iris, ontology_path: Path = ONTOLOGY_PATH) -> int:
    """Rebuild ``{base}/graph/entailed`` with the entailed types of every typed entity; returns its size.

    Asserted types are read from all graphs except the derived one itself, so a rebuild after deletes
    drops stale entailments.
    """
    closure = superclass_closure(ox.parse(path=str(ontology_path), format=ox.RdfFormat.TURTLE))
    graph = ox.NamedNode(entailed_graph(iris))
    store.update(f"DROP SILENT GRAPH {graph}")
    pairs = [
        f"({ox.NamedNode(cls)} {ox.NamedNode(sup)})"
        for cls, sups in sorted(closure.items())
        if cls.startswith(HG)
        for sup in sorted(sups)
    ]
    if pairs:
        store.update(
            f"INSERT {{ GRAPH {graph} {{ ?s a ?super }} }} WHERE {{\n"
            f"  VALUES (?cls ?super) {{ {' '.join(pairs)} }}\n"
            f"  GRAPH ?g {{ ?s a ?cls }} FILTER(?g != {graph})\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?g2 {{ ?s a ?super }} FILTER(?g2 != {graph}) }}\n"
            f"}}"
        )
    return store.count(f"GRAPH {graph} {{ ?s ?p ?o }}")
