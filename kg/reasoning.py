"""Reasoned views: materialise the ``rdf:type`` triples the ontology's class alignment entails.

Why materialise instead of rewriting queries: the store answers plain SPARQL (Oxigraph, Fuseki,
GraphDB, Virtuoso) with no common inference switch, and linked-data consumers, harvesters and the
``/sparql`` endpoint receive queries we do not write. Writing the entailed types (``hg:Work`` ⊑
``crm:E22_Human-Made_Object``, ``edm:ProvidedCHO``, ``schema:CreativeWork``, ...) into one derived
graph ``{base}/graph/entailed`` makes ``?x a crm:E22_Human-Made_Object`` find Works on every backend
and through every interface, and keeps curated record graphs (content hashes, exports, OAI) untouched.

The graph is kept current incrementally by the record layer: every record write or delete carries
the matching entailment changes inside the same SPARQL Update (or transactional ``extend``), so a
killed process never leaves a record without its entailed types or stale types behind. A full
rebuild (``materialise_types``) runs when a store is opened whose entailment was computed from a
different ontology (or never), recorded by a hash marker in the derived graph.
Only the class hierarchy (rdfs:subClassOf and owl:equivalentClass, transitively) is applied: it is
the part of the alignment queries rely on, and it cannot produce surprising facts. Only types asserted
in record graphs and the shared graph (``kg.shared``) are read: model-run graphs are dropped whole without passing through the record layer,
so entailing from them would leave stale types behind (runs state their PROV types themselves).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.store import Store

ONTOLOGY_PATH = Path(__file__).resolve().parents[1] / "ontology" / "heritage.ttl"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
OWL_EQUIVALENT = "http://www.w3.org/2002/07/owl#equivalentClass"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HG = "https://w3id.org/heritage-graph/ontology#"
_TYPE = ox.NamedNode(RDF_TYPE)
_MARKER = ox.NamedNode(HG + "entailedFrom")
# bump when what the derived graph holds changes: stores built under the old rule are rebuilt on open
_RULES = b"hg-entailment/record-and-shared-graphs/not-asserted/3\n"


def entailed_graph(iris: Iris) -> str:
    """The derived graph's name (not a record graph: only the record layer and rebuilds write it)."""
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


@dataclass(frozen=True)
class Entailment:
    """The ``hg:`` class closure and the operations that keep ``{base}/graph/entailed`` current."""

    closure: dict[str, tuple[str, ...]]
    digest: str

    @classmethod
    def load(cls, ontology_path: Path = ONTOLOGY_PATH) -> Entailment:
        """Read the ontology once per process (cached: every context shares it)."""
        return _load(str(ontology_path))

    def pairs(self) -> str:
        """``(?cls ?super)`` VALUES rows of the closure."""
        return " ".join(
            f"({ox.NamedNode(c)} {ox.NamedNode(s)})" for c, sups in sorted(self.closure.items()) for s in sups
        )

    def quads_for(self, quads: Iterable[ox.Quad], iris: Iris) -> list[ox.Quad]:
        """Entailed type quads of the asserted ``hg:`` types among ``quads`` (for pure inserts)."""
        graph = ox.NamedNode(entailed_graph(iris))
        # a museum typed in every record of a batch is entailed once (saves the store the duplicates)
        asserted = {(q.subject, q.object.value) for q in quads if q.predicate.value == RDF_TYPE}
        pairs = {
            (s, sup)
            for s, cls in asserted
            if cls in self.closure
            for sup in self.closure[cls]
            if (s, sup) not in asserted  # an asserted type twice would count twice in the union
        }
        return [ox.Quad(s, _TYPE, ox.NamedNode(sup), graph) for s, sup in pairs]

    def typed_subjects(self, store: Store, graphs: Iterable[str]) -> set[str]:
        """Subjects with an ``hg:`` type in the given graphs (what a replace or delete touches)."""
        names = " ".join(str(ox.NamedNode(g)) for g in graphs)
        if not names:
            return set()
        rows = store.select(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s a ?c }} "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?c), {ox.Literal(HG)})) }}"
        )
        return {r["s"].value for r in rows}

    def clear_ops(self, iris: Iris, subjects: Iterable[str]) -> list[str]:
        """Update operations dropping the entailed types of ``subjects`` (run before the write)."""
        values = " ".join(str(ox.NamedNode(s)) for s in sorted(subjects))
        if not values:
            return []
        graph = ox.NamedNode(entailed_graph(iris))
        return [
            f"DELETE {{ GRAPH {graph} {{ ?s a ?t }} }} WHERE {{ VALUES ?s {{ {values} }} GRAPH {graph} {{ ?s a ?t }} }}"
        ]

    def derive_ops(self, iris: Iris, subjects: Iterable[str]) -> list[str]:
        """Update operations re-deriving the types of ``subjects`` from every record graph (run
        after the write: a subject another record still types keeps its entailments)."""
        values = " ".join(str(ox.NamedNode(s)) for s in sorted(subjects))
        if not values or not self.closure:
            return []
        graph = ox.NamedNode(entailed_graph(iris))
        return [
            f"INSERT {{ GRAPH {graph} {{ ?s a ?super }} }} WHERE {{ VALUES ?s {{ {values} }} "
            f"VALUES (?cls ?super) {{ {self.pairs()} }} GRAPH ?g {{ ?s a ?cls }} {iris.description_filter()} "
            f"{not_asserted(iris)} }}"
        ]

    def is_current(self, store: Store, iris: Iris) -> bool:
        """Whether the derived graph was computed from this ontology."""
        graph = ox.NamedNode(entailed_graph(iris))
        return store.ask(f"ASK {{ GRAPH {graph} {{ {graph} {_MARKER} {ox.Literal(self.digest)} }} }}")


def not_asserted(iris: Iris) -> str:
    """FILTER dropping ``?s a ?super`` when a record or the shared graph asserts it already: Oxigraph's
    union default graph would return the triple once per graph holding it (oxigraph#1919)."""
    return f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s a ?super }} {iris.description_filter('?h')} }}"


@lru_cache(maxsize=4)
def _load(path: str) -> Entailment:
    data = Path(path).read_bytes()
    closure = superclass_closure(ox.parse(data, format=ox.RdfFormat.TURTLE))
    return Entailment(
        {c: tuple(sorted(s)) for c, s in sorted(closure.items()) if c.startswith(HG) and s},
        hashlib.sha256(_RULES + data).hexdigest(),
    )


def materialise_types(store: Store, iris: Iris, ontology_path: Path = ONTOLOGY_PATH) -> int:
    """Rebuild ``{base}/graph/entailed`` from every typed entity; returns the number of entailed types.

    Asserted types are read from the record graphs, so a rebuild after deletes drops stale
    entailments. One update: readers see the old graph or the new one, never half.
    """
    entailment = Entailment.load(ontology_path)
    graph = ox.NamedNode(entailed_graph(iris))
    ops = [f"DROP SILENT GRAPH {graph}"]
    if entailment.closure:
        ops.append(
            f"INSERT {{ GRAPH {graph} {{ ?s a ?super }} }} WHERE {{\n"
            f"  VALUES (?cls ?super) {{ {entailment.pairs()} }}\n"
            f"  GRAPH ?g {{ ?s a ?cls }} {iris.description_filter()} {not_asserted(iris)}\n"
            f"}}"
        )
    ops.append(f"INSERT DATA {{ GRAPH {graph} {{ {graph} {_MARKER} {ox.Literal(entailment.digest)} }} }}")
    store.update(" ;\n".join(ops))
    return store.count(f"GRAPH {graph} {{ ?s a ?o }}")


def ensure_current(store: Store, iris: Iris) -> bool:
    """Rebuild the derived graph if it is missing or from another ontology; True if it rebuilt."""
    if Entailment.load().is_current(store, iris):
        return False
    materialise_types(store, iris)
    return True
