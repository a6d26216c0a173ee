"""Shared entities: agents, museums and local concepts are described once, in one graph.

Why: a record graph used to repeat the type and label of its museum and makers. Oxigraph's union
default graph does not merge a triple held by several named graphs (oxigraph/oxigraph#1919), so
``SELECT (COUNT(?m) AS ?n) { ?m a hg:Museum }`` counted one museum per Work, and a join through
``hg:heldBy/rdfs:label`` multiplied rows by the museum's number of Works. Describing each shared
entity once in ``{base}/graph/shared`` makes every query over the default graph count right.

Readers still see a record as one self-contained bundle: ``bundle`` adds the shared descriptions
of what a record points at (so content hashes, exports, OAI-PMH and record dicts are unchanged).
Writes split a record's quads (``split``) inside the record layer's transaction, and a write or
delete drops the descriptions no record points at any more (``prune_ops``)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.store import Store


def is_shared(term: ox.Term, iris: Iris) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(iris.shared_prefixes)


def split(quads: Iterable[ox.Quad], iris: Iris) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(the record's own quads, shared-entity descriptions moved into the shared graph)."""
    own: list[ox.Quad] = []
    shared: list[ox.Quad] = []
    graph = ox.NamedNode(iris.shared_graph)
    prefixes = iris.shared_prefixes
    named = ox.NamedNode
    for q in quads:
        subject = q.subject
        if type(subject) is named and subject.value.startswith(prefixes):  # the ingest hot path
            shared.append(ox.Quad(subject, q.predicate, q.object, graph))
        else:
            own.append(q)
    return own, shared


def referenced(quads: Iterable[ox.Quad], iris: Iris) -> set[str]:
    """The shared entities ``quads`` point at."""
    return {q.object.value for q in quads if is_shared(q.object, iris)}


def bundle(store: Store, iris: Iris, graph: str) -> list[ox.Quad]:
    """A record graph's quads plus the shared descriptions of what it points at, all named
    ``graph``: the record as one self-contained document."""
    own = list(store.quads(graph))
    targets = referenced(own, iris)
    if not targets:
        return own
    values = " ".join(str(ox.NamedNode(t)) for t in sorted(targets))
    rows = store.select(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH <{iris.shared_graph}> {{ ?s ?p ?o }} }}"
    )
    name = ox.NamedNode(graph)
    return own + [ox.Quad(r["s"], r["p"], r["o"], name) for r in rows]


def referenced_in_store(store: Store, iris: Iris, graphs: list[str]) -> set[str]:
    """Shared entities the stored ``graphs`` point at (what a replace or delete may orphan)."""
    if not graphs:
        return set()
    names = " ".join(str(ox.NamedNode(g)) for g in graphs)
    agent, concept = (ox.Literal(p) for p in iris.shared_prefixes)
    rows = store.select(
        f"SELECT DISTINCT ?o WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(isIRI(?o) && (STRSTARTS(STR(?o), {agent}) || STRSTARTS(STR(?o), {concept}))) }}"
    )
    return {r["o"].value for r in rows}


def prune_ops(iris: Iris, candidates: Iterable[str], entailed_graph: str) -> list[str]:
    """Update operations dropping the shared descriptions (and their entailed types) of the
    ``candidates`` no record graph points at any more. Run after the write, in the same update."""
    values = " ".join(str(ox.NamedNode(c)) for c in sorted(candidates))
    if not values:
        return []
    unused = f"FILTER NOT EXISTS {{ GRAPH ?r {{ ?x ?y ?s }} FILTER({iris.record_graph_test('?r')}) }}"
    return [
        f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {values} }} "
        f"GRAPH <{graph}> {{ ?s ?p ?o }} {unused} }}"
        for graph in (entailed_graph, iris.shared_graph)
    ]


_LAYOUT = "https://w3id.org/heritage-graph/ontology#layout"
_LAYOUT_VERSION = "shared-entities/1"


def migrate(store: Store, iris: Iris) -> bool:
    """Move shared descriptions out of record graphs written before the shared graph existed.
    One update (atomic), then a marker in the shared graph so later opens skip the scan (it
    reads every record graph: about a second for 6,000 records). True if it moved anything."""
    marker = f"<{iris.shared_graph}> <{_LAYOUT}> {ox.Literal(_LAYOUT_VERSION)}"
    if store.ask(f"ASK {{ GRAPH <{iris.shared_graph}> {{ {marker} }} }}"):
        return False
    agent, concept = (ox.Literal(p) for p in iris.shared_prefixes)
    where = (
        f"GRAPH ?g {{ ?s ?p ?o }} FILTER({iris.record_graph_test()} "
        f"&& (STRSTARTS(STR(?s), {agent}) || STRSTARTS(STR(?s), {concept})))"
    )
    moved = store.ask(f"ASK {{ {where} }}")
    ops = (
        [
            f"INSERT {{ GRAPH <{iris.shared_graph}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}",
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {where} }}",
        ]
        if moved
        else []
    )
    store.update(" ;\n".join([*ops, f"INSERT DATA {{ GRAPH <{iris.shared_graph}> {{ {marker} }} }}"]))
    return moved
