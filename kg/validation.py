"""SHACL validation of record writes, compiled from ``ontology/shapes.ttl`` into fast checks.

Why compiled: every write, including a 6,000-record bulk ingest, goes through validation, and pyshacl
takes tens of milliseconds per record. The shapes stay the single source of truth: this module reads
``shapes.ttl`` and interprets the subset of SHACL Core it uses (targetClass; property shapes with one
IRI path and minCount, maxCount, datatype, nodeKind sh:IRI, class, in, pattern, node with hasValue).
An unsupported constraint raises at load time instead of being silently ignored, and a test checks
that this fast path and pyshacl agree on valid and invalid samples.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

SHAPES_PATH = Path(__file__).resolve().parents[1] / "ontology" / "shapes.ttl"
ONTOLOGY_PATH = Path(__file__).resolve().parents[1] / "ontology" / "heritage.ttl"

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SUPPORTED = {
    "path", "minCount", "maxCount", "datatype", "nodeKind", "class", "in", "pattern", "node", "message",
    "name", "description", "severity",
}  # fmt: skip
_LEXICAL = {
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"^[+-]?\d+$"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    "http://www.w3.org/2001/XMLSchema#date": re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(
        r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$"
    ),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"^(true|false|0|1)$"),
}


class Violation(TypedDict):
    record: str
    focus: str
    field: str
    message: str
    severity: str


@dataclass
class PropertyCheck:
    """One compiled property shape."""

    path: str
    field: str
    min_count: int = 0
    max_count: int | None = None
    datatype: str | None = None
    iri_only: bool = False
    cls: str | None = None
    allowed: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    in_scheme: str | None = None
    message: str | None = None


@dataclass
class NodeCheck:
    target_class: str
    properties: list[PropertyCheck] = field(default_factory=list)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _list_items(index: dict[tuple[str, str], list[ox.Term]], head: ox.Term) -> list[ox.Term]:
    items: list[ox.Term] = []
    node = head
    while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
        items.append(index[(str(node), RDF_FIRST)][0])
        node = index[(str(node), RDF_REST)][0]
    return items


def compile_shapes(triples: Iterable[ox.Triple]) -> list[NodeCheck]:
    """Turn the SHACL shapes graph into ``NodeCheck`` objects (raises on unsupported constraints)."""
    index: dict[tuple[str, str], list[ox.Term]] = defaultdict(list)
    by_subject: dict[str, list[tuple[str, ox.Term]]] = defaultdict(list)
    for t in triples:
        index[(str(t.subject), t.predicate.value)].append(t.object)
        by_subject[str(t.subject)].append((t.predicate.value, t.object))
    node_scheme: dict[str, str] = {}
    for subject, _pairs in by_subject.items():
        for prop in index.get((subject, SH + "property"), []):
            path = index.get((str(prop), SH + "path"), [])
            value = index.get((str(prop), SH + "hasValue"), [])
            if path and path[0].value.endswith("#inScheme") and value:
                node_scheme[subject] = value[0].value
    checks: list[NodeCheck] = []
    for subject in by_subject:
        targets = index.get((subject, SH + "targetClass"), [])
        if not targets:
            continue
        node = NodeCheck(targets[0].value)
        for prop in index.get((subject, SH + "property"), []):
            key = str(prop)
            for pred, _obj in by_subject[key]:
                if pred.startswith(SH) and pred[len(SH) :] not in _SUPPORTED:
                    raise ValueError(f"shapes: unsupported constraint {pred} on {subject}")
            path = index[(key, SH + "path")][0]
            if not isinstance(path, ox.NamedNode):
                raise ValueError(f"shapes: only single-IRI paths are supported ({subject})")

            def one(name: str, key: str = key) -> ox.Term | None:
                found = index.get((key, SH + name), [])
                return found[0] if found else None

            check = PropertyCheck(path.value, _local(path.value))
            if (v := one("minCount")) is not None:
                check.min_count = int(v.value)
            if (v := one("maxCount")) is not None:
                check.max_count = int(v.value)
            if (v := one("datatype")) is not None:
                check.datatype = v.value
            if (v := one("nodeKind")) is not None:
                if v.value != SH + "IRI":
                    raise ValueError(f"shapes: only sh:nodeKind sh:IRI is supported ({subject})")
                check.iri_only = True
            if (v := one("class")) is not None:
                check.cls = v.value
            if (v := one("in")) is not None:
                check.allowed = frozenset(t.value for t in _list_items(index, v))
            if (v := one("pattern")) is not None:
                check.pattern = re.compile(v.value)
            if (v := one("node")) is not None:
                if str(v) not in node_scheme:
                    raise ValueError(f"shapes: sh:node {v.value} is not a scheme-membership shape")
                check.in_scheme = node_scheme[str(v)]
            if (v := one("message")) is not None:
                check.message = v.value
            node.properties.append(check)
        checks.append(node)
    return checks


def _subclass_closure(triples: Iterable[ox.Triple]) -> dict[str, set[str]]:
    """class → itself and all its superclasses (so sh:class hg:Agent accepts an hg:Museum)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == RDFS_SUBCLASS and isinstance(t.object, ox.NamedNode):
            parents[t.subject.value].add(t.object.value)
    closure: dict[str, set[str]] = {}
    for cls in list(parents):
        seen, todo = {cls}, [cls]
        while todo:
            for sup in parents.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        closure[cls] = seen
    return closure


class Validator:
    """Validates batches of records (id → quads) against the compiled shapes."""

    def __init__(self, shapes_path: Path | None = None, schemes_quads: Iterable[ox.Quad] = ()) -> None:
        path = shapes_path or SHAPES_PATH
        self.shapes_path = path
        self.checks = compile_shapes(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        self.by_class = {c.target_class: c for c in self.checks}
        onto = (
            list(ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE))
            if ONTOLOGY_PATH.exists()
            else []
        )
        self.superclasses = _subclass_closure(onto)
        self._class_cache: dict[frozenset[str], frozenset[str]] = {}
        self.scheme_of: dict[str, set[str]] = defaultdict(set)
        self._add_schemes(schemes_quads, self.scheme_of)

    @staticmethod
    def _add_schemes(quads: Iterable[ox.Quad | ox.Triple], into: dict[str, set[str]]) -> None:
        for q in quads:
            if q.predicate.value.endswith("#inScheme"):
                into[q.subject.value].add(q.object.value)

    def _classes(self, types: set[str]) -> frozenset[str]:
        key = frozenset(types)
        cached = self._class_cache.get(key)
        if cached is None:
            out = set(types)
            for t in types:
                out |= self.superclasses.get(t, set())
            cached = self._class_cache[key] = frozenset(out)
        return cached

    def validate(
        self, records: dict[str, list[ox.Quad]], context: Iterable[ox.Quad] = ()
    ) -> dict[str, list[Violation]]:
        """Violations per record id; records without violations are absent from the result.

        The whole batch plus ``context`` is the data graph: a link to an entity written in the same
        batch, or described in ``context`` (its rdf:type, a local concept's scheme), is resolved.
        """
        types: dict[str, set[str]] = defaultdict(set)
        extra_scheme: dict[str, set[str]] = defaultdict(set)
        context = list(context)
        for q in context:
            if q.predicate.value == RDF_TYPE:
                types[q.subject.value].add(q.object.value)
        self._add_schemes(context, extra_scheme)
        grouped: dict[str, dict[str, dict[str, list[ox.Term]]]] = {}
        for record_id, quads in records.items():
            subjects: dict[str, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
            for q in quads:
                s, p = q.subject.value, q.predicate.value
                subjects[s][p].append(q.object)
                if p == RDF_TYPE:
                    types[s].add(q.object.value)
                elif p.endswith("#inScheme"):
                    extra_scheme[s].add(q.object.value)
            grouped[record_id] = subjects
        out: dict[str, list[Violation]] = {}
        for record_id, subjects in grouped.items():
            found: list[Violation] = []
            for subject, props in subjects.items():
                for cls in self._classes(types.get(subject, set())):
                    node = self.by_class.get(cls)
                    if node is not None:
                        for check in node.properties:
                            values = props.get(check.path)
                            if not values and not check.min_count:
                                continue  # an absent optional property: nothing to check
                            for message in self._check(check, values or [], types, extra_scheme):
                                found.append(
                                    Violation(
                                        record=record_id,
                                        focus=subject,
                                        field=check.field,
                                        message=check.message or message,
                                        severity="Violation",
                                    )  # fmt: skip
                                )
            if found:
                out[record_id] = found
        return out

    def _check(
        self,
        check: PropertyCheck,
        values: list[ox.Term],
        types: dict[str, set[str]],
        extra_scheme: dict[str, set[str]],
    ) -> list[str]:
        msgs: list[str] = []
        if len(values) < check.min_count:
            msgs.append(
                f"{check.field} is required" if check.min_count == 1 else f"needs ≥ {check.min_count} values"
            )
        if check.max_count is not None and len(values) > check.max_count:
            msgs.append(f"{check.field} allows at most {check.max_count} value(s), got {len(values)}")
        for v in values:
            shown = v.value
            if check.datatype is not None:
                if not isinstance(v, ox.Literal):
                    msgs.append(f"{shown!r} must be a literal of type {_local(check.datatype)}")
                    continue
                dt = LANG_STRING if v.language else v.datatype.value
                if dt != check.datatype:
                    msgs.append(f"{shown!r} must be {_local(check.datatype)}, not {_local(dt)}")
                elif check.datatype in _LEXICAL and not _LEXICAL[check.datatype].match(v.value):
                    msgs.append(f"{shown!r} is not a valid {_local(check.datatype)}")
            if check.iri_only and not isinstance(v, ox.NamedNode):
                msgs.append(f"{shown!r} must be an IRI")
                continue
            if check.cls is not None and check.cls not in self._classes(types.get(v.value, set())):
                msgs.append(f"<{shown}> must be a {_local(check.cls)} (is it registered?)")
            if check.allowed is not None and v.value not in check.allowed:
                msgs.append(f"{shown!r} is not one of {sorted(check.allowed)}")
            if check.pattern is not None and not check.pattern.search(v.value):
                msgs.append(f"{shown!r} does not match {check.pattern.pattern}")
            if check.in_scheme is not None:
                schemes = self.scheme_of.get(v.value, set()) | extra_scheme.get(v.value, set())
                if check.in_scheme not in schemes:
                    msgs.append(f"<{shown}> is not a concept of the {_local(check.in_scheme)} scheme")
        return msgs
