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


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear")
# datatype IRI → converter; looked up once per literal instead of splitting the IRI each time
_CONVERTERS: dict[str, object] = {_XSD + t: int for t in _INT_TYPES}
_CONVERTERS.update({_XSD + t: float for t in ("decimal", "double", "float")})
_CONVERTERS[_XSD + "boolean"] = lambda v: v == "true"
_LANG_STRING = PREFIXES["rdf"] + "langString"
_NamedNode, _Literal = ox.NamedNode, ox.Literal


def literal_value(lit: ox.Literal) -> object:
    """Typed Python value for a literal (ints, floats, booleans stay numbers in the graph)."""
    convert = _CONVERTERS.get(lit.datatype.value)
    if convert is None:
        return lit.value
    try:
        return convert(lit.value)  # type: ignore[operator]
    except ValueError:
        return lit.value


@functools.lru_cache(maxsize=256)
def _lang_suffix(lang: str) -> str:
    return "_" + _LANG_SAFE.sub("_", lang.lower())


@dataclass
class Projection:
    """Nodes (iri → labels, props) and relationships (source, type, target, props)."""

    nodes: dict[str, tuple[set[str], dict[str, object]]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, dict[str, object]]] = field(default_factory=list)

    def node_rows(self) -> dict[tuple[str, ...], list[dict]]:
        """Rows (each node's properties, ``iri`` included) grouped by sorted label set (labels
        are part of the statement text, so one statement per label set)."""
        groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for iri, (labels, props) in self.nodes.items():
            groups[tuple(sorted(labels))].append({**props, "iri": iri})
        return groups

    def edge_rows(self, known: set[str] | dict | None = None) -> dict[str, list[list]]:
        """Rows ``[source, target]`` (``[source, target, props]`` for model-run edges) grouped by
        type; ``known`` limits both ends to projected nodes. Lists, not maps: a third smaller on
        the wire and cheaper to encode."""
        groups: dict[str, list[list]] = defaultdict(list)
        for src, rel, dst, props in self.edges:
            if known is None or (src in known and dst in known):
                groups[rel].append([src, dst, props] if rel in RUN_RELATIONS else [src, dst])
        return groups


@dataclass
class GraphPart:
    """One graph's triples about named subjects, as plain strings: ``types[s]`` (class IRIs),
    ``literals[s]`` (predicate, lexical form, language or None, datatype IRI) and ``links[s]``
    (predicate, object IRI). Blank nodes and ``skos:notation`` are already left out."""

    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    literals: dict[str, list[tuple[str, str, str | None, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    links: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))


class Projector:
    """Accumulates graph after graph into one ``Projection``, de-duplicating as it goes.

    One pass over each graph's quads, reading each term once: on the 6,000-record store the
    Python work per quad, not the server, is what bounds a rebuild.
    """

    def __init__(self) -> None:
        self.projection = Projection()
        self._edge_keys: set[tuple] = set()

    def add_edge(self, src: str, rel: str, dst: str, props: dict[str, object]) -> None:
        key = (src, rel, dst, props["run"]) if props else (src, rel, dst)
        if key not in self._edge_keys:
            self._edge_keys.add(key)
            self.projection.edges.append((src, rel, dst, props))

    def add_node(self, iri: str, labels: set[str], props: dict[str, object]) -> None:
        nodes = self.projection.nodes
        if iri in nodes:  # agents and concepts shared by records merge by IRI, first value wins
            nodes[iri][0].update(labels)
            old = nodes[iri][1]
            for k, v in props.items():
                old.setdefault(k, v)
        else:
            nodes[iri] = (labels, props)

    def absorb(self, proj: Projection) -> None:
        """Add another projection as if its graphs had been read after this one's."""
        for iri, (labels, props) in proj.nodes.items():
            self.add_node(iri, set(labels), dict(props))
        for edge in proj.edges:
            self.add_edge(*edge)

    def add_graph(self, quads: Iterable[ox.Quad], run: str | None = None) -> None:
        """Project one graph (a record graph, the schemes graph, or a run graph if ``run``)."""
        if run is not None:
            self._add_run(quads, run)
            return
        part = GraphPart()
        types, literals, links = part.types, part.literals, part.links
        for s, p, o, _g in quads:
            if type(s) is not _NamedNode:
                continue
            p = p.value
            if type(o) is _Literal:
                if p not in _SKIP_LITERALS:
                    literals[s.value].append((p, o.value, o.language, o.datatype.value))
            elif type(o) is _NamedNode:
                if p == RDF_TYPE:
                    types[s.value].append(o.value)
                else:
                    links[s.value].append((p, o.value))
        self.add_part(part)

    def add_part(self, part: GraphPart) -> None:
        """Project the subjects of one graph, already split into types, literals and links (the
        one place the mapping rules live; ``add_graph`` and the TSV reader both feed it)."""
        types, literals, links = part.types, part.literals, part.links
        dimensions = {s for s, ts in types.items() if _DIMENSION in ts}
        for subject, ts in types.items():
            if subject in dimensions:
                continue
            labels = {LABELS[t] for t in ts if t in LABELS}
            if not labels:
                continue
            if "Museum" in labels:
                labels.add("Agent")
            props: dict[str, object] = {}
            for pred, lex, lang, datatype in literals.get(subject, ()):
                name = prop_name(pred)
                if datatype == _LANG_STRING:
                    _add_prop(props, name + _lang_suffix(lang), lex)
                else:
                    convert = _CONVERTERS.get(datatype)
                    _add_prop(props, name, lex if convert is None else _convert(convert, lex))
            for pred, obj in links.get(subject, ()):
                rel = RELATIONS.get(pred)
                if rel is not None:
                    self.add_edge(subject, rel, obj, {})
                elif pred == _HAS_DIMENSION:
                    if obj in dimensions:
                        dim = {prop_name(p): _value(lex, dt) for p, lex, _lang, dt in literals.get(obj, ())}
                        kind = str(dim.get("dimension_type", "size"))
                        if "value" in dim:
                            props[f"dim_{kind}"] = dim["value"]
                        if "unit" in dim:
                            props[f"dim_{kind}_unit"] = dim["unit"]
                elif pred.startswith(_HG):
                    _add_prop(props, prop_name(pred), obj)  # IRIs like hg:rights, hg:sourceUrl
            self.add_node(subject, labels, props)

    def add_similarity(self, run: str, source: str, target: str, score: ox.Literal | object | None,
                       rank: ox.Literal | object | None) -> None:  # fmt: skip
        """One ``hg:Similarity`` node of a run as a ``SIMILAR_TO {score, rank, run}`` edge (score and
        rank as literals, or as values already converted)."""
        props: dict[str, object] = {"run": run}
        if score is not None:
            props["score"] = literal_value(score) if type(score) is _Literal else score
        if rank is not None:
            props["rank"] = literal_value(rank) if type(rank) is _Literal else rank
        self.add_edge(source, "SIMILAR_TO", target, props)

    def add_prediction(self, run: str, entity: str, value: str, attribute: str | None,
                       confidence: ox.Literal | object | None) -> None:  # fmt: skip
        """One ``hg:Prediction`` node of a run as a ``PREDICTED {attribute, confidence, run}`` edge."""
        props: dict[str, object] = {"run": run, "attribute": attribute or ""}
        if confidence is not None:
            props["confidence"] = literal_value(confidence) if type(confidence) is _Literal else confidence
        self.add_edge(entity, "PREDICTED", value, props)

    def _add_run(self, quads: Iterable[ox.Quad], run: str) -> None:
        by_subject: dict[str, dict[str, object]] = defaultdict(dict)
        for s, p, o, _g in quads:
            if type(s) is _NamedNode:
                by_subject[s.value][p.value] = o
        similarity, prediction = str(HG.Similarity), str(HG.Prediction)
        for values in by_subject.values():
            kind = values.get(RDF_TYPE)
            kind = kind.value if kind is not None else None
            if kind == similarity and _SOURCE in values and _TARGET in values:
                self.add_similarity(run, values[_SOURCE].value, values[_TARGET].value,
                                    values.get(_SCORE), values.get(_RANK))  # fmt: skip
            elif kind == prediction and _PREDICTION_OF in values and _PREDICTED_VALUE in values:
                attribute = values.get(_ATTRIBUTE)
                self.add_prediction(run, values[_PREDICTION_OF].value, values[_PREDICTED_VALUE].value,
                                    attribute.value if attribute is not None else None,
                                    values.get(_CONFIDENCE))  # fmt: skip


_SOURCE, _TARGET, _SCORE, _RANK = str(HG.source), str(HG.target), str(HG.score), str(HG.rank)
_PREDICTION_OF, _PREDICTED_VALUE = str(HG.predictionOf), str(HG.predictedValue)
_ATTRIBUTE, _CONFIDENCE = str(HG.attribute), str(HG.confidence)


def _value(lex: str, datatype: str) -> object:
    """``literal_value`` for a literal given as lexical form and datatype IRI."""
    convert = _CONVERTERS.get(datatype)
    return lex if convert is None else _convert(convert, lex)


def _convert(convert, value: str) -> object:
    try:
        return convert(value)
    except ValueError:
        return value


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
    projector = Projector()
    projector.add_graph(quads, run)
    return projector.projection


def merge(projections: Iterable[Projection]) -> Projection:
    """One projection from many graphs (agents and concepts shared by records merge by IRI)."""
    projector = Projector()
    for proj in projections:
        projector.absorb(proj)
    return projector.projection


# ---- statements -------------------------------------------------------------------------------
def _check_labels(labels: Iterable[str]) -> str:
    labels = list(labels)
    for label in labels:
        if label not in NODE_LABELS and label != BASE_LABEL:
            raise ValueError(f"label {label!r} is not on the whitelist")
    return ":".join([BASE_LABEL, *[lab for lab in labels if lab != BASE_LABEL]])


def node_statement(labels: Iterable[str], create: bool = False) -> str:
    """``UNWIND $rows AS r MERGE (n:Resource {iri: r.iri}) SET n = r SET n:Work``; a row is the
    node's property map, ``iri`` included.

    MERGE on ``Resource`` (the label carrying the iri index / uniqueness constraint), then add the
    kind labels: a node first seen as an ``Agent`` that later turns out to be a ``Museum`` gains
    the label instead of clashing with the constraint. ``SET n =`` (not ``+=``) so a changed
    record loses the properties it no longer has. A rebuild writes into an empty graph from
    already de-duplicated nodes and uses ``CREATE`` (no index lookup per row).
    """
    if create:
        return f"UNWIND $rows AS r CREATE (n:{_check_labels(labels)}) SET n = r"
    kinds = _check_labels(labels).removeprefix(BASE_LABEL)
    tail = f" SET n{kinds}" if kinds else ""
    return f"UNWIND $rows AS r MERGE (n:{BASE_LABEL} {{iri: r.iri}}) SET n = r{tail}"


def edge_statement(rel: str, merge: bool = False) -> str:
    """Batched relationship write between two existing ``Resource`` nodes; a row is
    ``[source iri, target iri]`` or, for model-run edges, ``[source, target, props]``.

    A rebuild writes into an empty graph and uses ``CREATE``; an incremental sync uses ``MERGE``
    (keyed by ``run`` for model-run edges) so re-sending an edge never duplicates it.
    """
    if rel not in REL_TYPES:
        raise ValueError(f"relationship type {rel!r} is not on the whitelist")
    match = f"UNWIND $rows AS r MATCH (a:{BASE_LABEL} {{iri: r[0]}}) MATCH (b:{BASE_LABEL} {{iri: r[1]}}) "
    is_run = rel in RUN_RELATIONS
    if not merge:
        return match + f"CREATE (a)-[e:{rel}]->(b)" + (" SET e = r[2]" if is_run else "")
    if is_run:
        return match + f"MERGE (a)-[e:{rel} {{run: r[2].run}}]->(b) SET e = r[2]"
    return match + f"MERGE (a)-[e:{rel}]->(b)"


DELETE_OUTGOING = (
    f"UNWIND $rows AS r MATCH (n:{BASE_LABEL} {{iri: r.iri}})-[e]->() WHERE e.run IS NULL DELETE e"
)
DELETE_NODES = f"UNWIND $rows AS r MATCH (n:{BASE_LABEL} {{iri: r.iri}}) DETACH DELETE n"
# model-run edges by type: scanning every relationship for ``e.run`` costs ~40,000 reads per sync
_RUN_TYPES = "|".join(RUN_RELATIONS)
DELETE_RUN_EDGES = f"UNWIND $rows AS r MATCH ()-[e:{_RUN_TYPES}]->() WHERE e.run = r.run DELETE e"
DELETE_ORPHANS = (
    f"MATCH (n:{BASE_LABEL}) WHERE (n:Agent OR (n:Concept AND n.local = true)) AND NOT (n)<--() "
    "DETACH DELETE n"
)
LIST_RUNS = f"MATCH ()-[e:{_RUN_TYPES}]->() WHERE e.run IS NOT NULL RETURN DISTINCT e.run AS run"
DROP_ALL = "MATCH (n) DETACH DELETE n"


def count_nodes_statement(label: str) -> str:
    _check_labels([label])
    return f"MATCH (n:{label}) RETURN count(n) AS c"


def count_edges_statement(rel: str) -> str:
    if rel not in REL_TYPES:
        raise ValueError(f"relationship type {rel!r} is not on the whitelist")
    return f"MATCH ()-[e:{rel}]->() RETURN count(e) AS c"


def batches(rows: list, max_rows: int, max_bytes: int | None = None) -> Iterator[list]:
    """Split rows by count and (for FalkorDB's Bolt limit) by serialised size."""
    if not max_bytes:
        for i in range(0, len(rows), max_rows):
            yield rows[i : i + max_rows]
        return
    batch: list = []
    size = 0
    for row in rows:
        row_size = len(json.dumps(row, ensure_ascii=False).encode())
        if batch and (len(batch) >= max_rows or size + row_size > max_bytes):
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
