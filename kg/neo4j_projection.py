"""RDF → property graph, as pure data: quads in, Cypher statements and parameter batches out.

Nothing here talks to a server, so the mapping is testable without one and every transport
(Bolt, FalkorDB native) sends exactly the same statements. Labels and relationship types come
from fixed whitelists below; every value travels as a query parameter, never inside Cypher text.

The graph:
* every projected node has the label ``Resource`` (the one ``iri`` index / uniqueness constraint)
  plus one label from ``LABELS`` (``Museum`` nodes are also ``Agent``);
* literals become properties; language-tagged ones get the tag as suffix (``title_ko``,
  ``label_en``); ``hg:Dimension`` nodes fold into their Work as ``dim_{type}`` / ``dim_{type}_unit``;
* object properties in ``RELATIONS`` become relationships between projected nodes;
* ``hg:Similarity`` / ``hg:Prediction`` nodes of run graphs become ``SIMILAR_TO {score, run}`` /
  ``PREDICTED {attribute, confidence, run}`` (the direct triples in run graphs are skipped, so a
  prediction is one relationship, not two).
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import HG, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
PROV = PREFIXES["prov"]
BASE_LABEL = "Resource"

# class IRI → node label (the whitelist; anything else is not a node)
LABELS: dict[str, str] = {
    str(HG.Work): "Work",
    str(HG.Project): "Project",
    str(HG.Instance): "Instance",
    str(HG.Item): "Item",
    str(HG.Agent): "Agent",
    str(HG.Museum): "Museum",
    SKOS + "Concept": "Concept",
    SKOS + "ConceptScheme": "Scheme",
}
KIND_OF_LABEL = {"Work": "work", "Project": "project", "Instance": "instance", "Item": "item",
                 "Concept": "concept", "Agent": "agent", "Museum": "museum", "Scheme": "scheme"}  # fmt: skip
# predicate IRI → relationship type (the whitelist)
RELATIONS: dict[str, str] = {
    str(HG.material): "HAS_MATERIAL",
    str(HG.era): "FROM_ERA",
    str(HG.use): "HAS_USE",
    str(HG.objectType): "HAS_TYPE",
    str(HG.culture): "HAS_CULTURE",
    str(HG.placeOfOrigin): "FROM_PLACE",
    str(HG.findSpot): "FOUND_AT",
    str(HG.heldBy): "HELD_BY",
    str(HG.creator): "CREATED_BY",
    str(HG.carriedOutBy): "CARRIED_OUT_BY",
    str(HG.represents): "REPRESENTS",
    str(HG.producedBy): "PRODUCED_BY",
    str(HG.partOf): "PART_OF",
    str(HG.derivedFrom): "DERIVED_FROM",
    str(HG.projectType): "HAS_PROJECT_TYPE",
    str(HG.instanceType): "HAS_INSTANCE_TYPE",
    SKOS + "inScheme": "IN_SCHEME",
    SKOS + "broader": "BROADER",
}
RUN_RELATIONS = ("SIMILAR_TO", "PREDICTED")
REL_TYPES = frozenset(RELATIONS.values()) | frozenset(RUN_RELATIONS)
NODE_LABELS = frozenset(LABELS.values())

# literal predicates whose name differs from their local name
_PROP_NAMES = {SKOS + "prefLabel": "label", SKOS + "altLabel": "alt_label", RDFS + "label": "label"}
_SKIP_LITERALS = {SKOS + "notation"}
# plain strings: rdflib terms built per quad cost more than the projection itself
_HG = str(HG)
_DIMENSION = str(HG.Dimension)
_HAS_DIMENSION = str(HG.dimension)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_LANG_SAFE = re.compile(r"[^a-z0-9]")


@functools.lru_cache(maxsize=4096)
def prop_name(predicate: str) -> str:
    """``hg:byteSize`` → ``byte_size``: Cypher-friendly snake case of the local name."""
    if predicate in _PROP_NAMES:
        return _PROP_NAMES[predicate]
    local = re.split(r"[#/]", predicate)[-1]
    return _CAMEL.sub("_", local).lower()


def literal_value(lit: ox.Literal) -> object:
    """Typed Python value for a literal (ints, floats, booleans stay numbers in the graph)."""
    dt = lit.datatype.value.rsplit("#", 1)[-1]
    try:
        if dt in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger", "gYear"):
            return int(lit.value)
        if dt in ("decimal", "double", "float"):
            return float(lit.value)
        if dt == "boolean":
            return lit.value == "true"
    except ValueError:
        pass
    return lit.value


@dataclass
class Projection:
    """Nodes (iri → labels, props) and relationships (source, type, target, props)."""

    nodes: dict[str, tuple[set[str], dict[str, object]]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, dict[str, object]]] = field(default_factory=list)

    def node_rows(self) -> dict[tuple[str, ...], list[dict]]:
        """Rows grouped by sorted label set (labels are part of the statement text)."""
        groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for iri, (labels, props) in sorted(self.nodes.items()):
            groups[tuple(sorted(labels))].append({"iri": iri, "props": {**props, "iri": iri}})
        return groups

    def edge_rows(self, known: set[str] | None = None) -> dict[str, list[dict]]:
        """Rows grouped by relationship type; ``known`` limits targets to projected nodes."""
        groups: dict[str, list[dict]] = defaultdict(list)
        for src, rel, dst, props in self.edges:
            if known is None or (src in known and dst in known):
                groups[rel].append({"src": src, "dst": dst, "props": props})
        return groups


def _add_prop(props: dict[str, object], name: str, value: object) -> None:
    if name in props:
        old = props[name]
        values = old if isinstance(old, list) else [old]
        if value not in values:
            props[name] = sorted([*values, value], key=str)
    else:
        props[name] = value


def project_graph(quads: Iterable[ox.Quad], run: str | None = None) -> Projection:
    """Project one graph's quads (a record graph, the schemes graph, or a run graph if ``run``)."""
    by_subject: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode):
            by_subject[quad.subject.value].append(quad)
    out = Projection()
    if run is not None:
        _project_run(by_subject, run, out)
        return out
    dimensions: dict[str, dict[str, object]] = {}
    for subject, sq in by_subject.items():
        types = {q.object.value for q in sq if q.predicate.value == RDF_TYPE}
        if _DIMENSION in types:
            dimensions[subject] = {prop_name(q.predicate.value): literal_value(q.object)
                                   for q in sq if isinstance(q.object, ox.Literal)}  # fmt: skip
            continue
        labels = {LABELS[t] for t in types if t in LABELS}
        if not labels:
            continue
        if "Museum" in labels:
            labels.add("Agent")
        props: dict[str, object] = {}
        for q in sq:
            pred, obj = q.predicate.value, q.object
            if isinstance(obj, ox.Literal):
                if pred in _SKIP_LITERALS:
                    continue
                name = prop_name(pred)
                if obj.language:
                    name = f"{name}_{_LANG_SAFE.sub('_', obj.language.lower())}"
                _add_prop(props, name, literal_value(obj))
            elif pred in RELATIONS and isinstance(obj, ox.NamedNode):
                out.edges.append((subject, RELATIONS[pred], obj.value, {}))
            elif (
                isinstance(obj, ox.NamedNode)
                and pred not in (RDF_TYPE, _HAS_DIMENSION)
                and pred.startswith(_HG)
            ):
                _add_prop(props, prop_name(pred), obj.value)  # IRIs like hg:rights, hg:sourceUrl
        out.nodes[subject] = (labels, props)
    for subject, sq in by_subject.items():
        if subject not in out.nodes:
            continue
        for q in sq:
            if q.predicate.value == _HAS_DIMENSION and q.object.value in dimensions:
                dim = dimensions[q.object.value]
                kind = str(dim.get("dimension_type", "size"))
                if "value" in dim:
                    out.nodes[subject][1][f"dim_{kind}"] = dim["value"]
                if "unit" in dim:
                    out.nodes[subject][1][f"dim_{kind}_unit"] = dim["unit"]
    return out


def _project_run(by_subject: dict[str, list[ox.Quad]], run: str, out: Projection) -> None:
    for sq in by_subject.values():
        types = {q.object.value for q in sq if q.predicate.value == RDF_TYPE}
        values = {q.predicate.value: q.object for q in sq}
        if str(HG.Similarity) in types and str(HG.source) in values and str(HG.target) in values:
            props: dict[str, object] = {"run": run}
            if str(HG.score) in values:
                props["score"] = literal_value(values[str(HG.score)])
            if str(HG.rank) in values:
                props["rank"] = literal_value(values[str(HG.rank)])
            out.edges.append(
                (values[str(HG.source)].value, "SIMILAR_TO", values[str(HG.target)].value, props)
            )
        elif (
            str(HG.Prediction) in types
            and str(HG.predictionOf) in values
            and str(HG.predictedValue) in values
        ):
            props = {
                "run": run,
                "attribute": values[str(HG.attribute)].value if str(HG.attribute) in values else "",
            }
            if str(HG.confidence) in values:
                props["confidence"] = literal_value(values[str(HG.confidence)])
            out.edges.append(
                (values[str(HG.predictionOf)].value, "PREDICTED", values[str(HG.predictedValue)].value, props)
            )


def merge(projections: Iterable[Projection]) -> Projection:
    """One projection from many graphs (agents and concepts shared by records merge by IRI)."""
    out = Projection()
    for proj in projections:
        for iri, (labels, props) in proj.nodes.items():
            if iri in out.nodes:
                out.nodes[iri][0].update(labels)
                for k, v in props.items():
                    out.nodes[iri][1].setdefault(k, v)
            else:
                out.nodes[iri] = (set(labels), dict(props))
        out.edges.extend(proj.edges)
    seen: set[tuple] = set()
    unique = []
    for edge in out.edges:
        key = (edge[0], edge[1], edge[2], json.dumps(edge[3], sort_keys=True))
        if key not in seen:
            seen.add(key)
            unique.append(edge)
    out.edges = unique
    return out


# ---- statements -------------------------------------------------------------------------------
def _check_labels(labels: Iterable[str]) -> str:
    labels = list(labels)
    for label in labels:
        if label not in NODE_LABELS and label != BASE_LABEL:
            raise ValueError(f"label {label!r} is not on the whitelist")
    return ":".join([BASE_LABEL, *[lab for lab in labels if lab != BASE_LABEL]])


def node_statement(labels: Iterable[str], create: bool = False) -> str:
    """``UNWIND $rows AS r MERGE (n:Resource {iri: r.iri}) SET n = r.props SET n:Work``.

    MERGE on ``Resource`` (the label carrying the iri index / uniqueness constraint), then add the
    kind labels: a node first seen as an ``Agent`` that later turns out to be a ``Museum`` gains
    the label instead of clashing with the constraint. ``SET n =`` (not ``+=``) so a changed
    record loses the properties it no longer has. A rebuild writes into an empty graph from
    already de-duplicated nodes and may ``CREATE`` (faster).
    """
    if create:
        return f"UNWIND $rows AS r CREATE (n:{_check_labels(labels)}) SET n = r.props"
    kinds = _check_labels(labels).removeprefix(BASE_LABEL)
    tail = f" SET n{kinds}" if kinds else ""
    return f"UNWIND $rows AS r MERGE (n:{BASE_LABEL} {{iri: r.iri}}) SET n = r.props{tail}"


def edge_statement(rel: str, merge: bool = False) -> str:
    """Batched relationship write between two existing ``Resource`` nodes.

    A rebuild writes into an empty graph and uses ``CREATE`` (fast); an incremental sync uses
    ``MERGE`` (keyed by ``run`` for model-run edges) so re-sending an edge never duplicates it.
    """
    if rel not in REL_TYPES:
        raise ValueError(f"relationship type {rel!r} is not on the whitelist")
    match = f"UNWIND $rows AS r MATCH (a:{BASE_LABEL} {{iri: r.src}}) MATCH (b:{BASE_LABEL} {{iri: r.dst}}) "
    if not merge:
        return match + f"CREATE (a)-[e:{rel}]->(b) SET e = r.props"
    key = " {run: r.props.run}" if rel in RUN_RELATIONS else ""
    return match + f"MERGE (a)-[e:{rel}{key}]->(b) SET e = r.props"


DELETE_OUTGOING = (
    f"UNWIND $rows AS r MATCH (n:{BASE_LABEL} {{iri: r.iri}})-[e]->() WHERE e.run IS NULL DELETE e"
)
DELETE_NODES = f"UNWIND $rows AS r MATCH (n:{BASE_LABEL} {{iri: r.iri}}) DETACH DELETE n"
DELETE_RUN_EDGES = "UNWIND $rows AS r MATCH ()-[e]->() WHERE e.run = r.run DELETE e"
DELETE_ORPHANS = (
    f"MATCH (n:{BASE_LABEL}) WHERE (n:Agent OR (n:Concept AND n.local = true)) AND NOT (n)<--() "
    "DETACH DELETE n"
)
LIST_RUNS = "MATCH ()-[e]->() WHERE e.run IS NOT NULL RETURN DISTINCT e.run AS run"
DROP_ALL = "MATCH (n) DETACH DELETE n"


def count_nodes_statement(label: str) -> str:
    _check_labels([label])
    return f"MATCH (n:{label}) RETURN count(n) AS c"


def count_edges_statement(rel: str) -> str:
    if rel not in REL_TYPES:
        raise ValueError(f"relationship type {rel!r} is not on the whitelist")
    return f"MATCH ()-[e:{rel}]->() RETURN count(e) AS c"


def batches(rows: list[dict], max_rows: int, max_bytes: int | None = None) -> Iterator[list[dict]]:
    """Split rows by count and (for FalkorDB's Bolt limit) by serialised size."""
    batch: list[dict] = []
    size = 0
    for row in rows:
        row_size = len(json.dumps(row, ensure_ascii=False).encode()) if max_bytes else 0
        if batch and (len(batch) >= max_rows or (max_bytes and size + row_size > max_bytes)):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += row_size
    if batch:
        yield batch


def mark_local_concepts(proj: Projection, base: str) -> None:
    """Locally minted concepts (``{base}/id/concept/...``) are deleted with their last user."""
    prefix = f"{base.rstrip('/')}/id/concept/"
    for iri, (labels, props) in proj.nodes.items():
        if "Concept" in labels and iri.startswith(prefix):
            props["local"] = True
