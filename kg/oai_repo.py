"""What the OAI-PMH provider needs from the store: Work headers from the change log, sets, and the
record bundles to disseminate, plus the ``oai_dc`` / ``edm`` rendering of a bundle.

Why a cached index: every page of a harvest is a range of the change log ordered by (datestamp,
id). Asking the store to filter and sort typed dateTimes for every page costs far more than the
page itself, so the Work headers are read once into a sorted list and re-read only when the
change log moves (its MAX datestamp and size, checked per request; every write, delete included,
stamps a new, larger datestamp).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from lxml import etree

from kg.namespaces import HG, Iris
from kg.records import parse_datestamp
from kg.shared import bundle
from kg.store import Store
from mappings.dc import to_dc_element
from mappings.edm import to_edm
from mappings.xml_safety import xml_safe_quads
from sparql.queries import load

_SPEC_SAFE = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
SET_KINDS = ("museum", "type", "project")
_KIND_PROPERTY = {"museum": str(HG.heldBy), "type": str(HG.objectType)}
_P = {name: str(HG[name]) for name in ("recordId", "recordKind", "datestamp", "deleted")}


@dataclass(frozen=True)
class Header:
    id: str
    datestamp: datetime
    deleted: bool

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.datestamp, self.id)


@dataclass(frozen=True)
class OaiSet:
    spec: str
    name: str
    kind: str
    iri: str | None  # None for the three top-level sets


@dataclass(frozen=True)
class Item:
    specs: list[str]
    payload: bytes | None  # None for headers-only lists


@dataclass
class OaiIndex:
    """Every Work ever written (deleted ones too), sorted by (datestamp, id)."""

    version: tuple
    headers: list[Header]
    keys: list[tuple[datetime, str]] = field(init=False)
    by_id: dict[str, Header] = field(init=False)
    stamps: dict[str, datetime] = field(default_factory=dict)  # every record, any kind
    members: dict[str, frozenset[str]] = field(default_factory=dict)
    sets: list[OaiSet] | None = None

    def __post_init__(self) -> None:
        self.headers.sort(key=lambda h: h.key)
        self.keys = [h.key for h in self.headers]
        self.by_id = {h.id: h for h in self.headers}

    def after(self, cursor: tuple[datetime, str] | None) -> int:
        """Position of the first header strictly after ``cursor``."""
        return 0 if cursor is None else bisect.bisect_right(self.keys, cursor)


def set_spec(kind: str, iri: str) -> str:
    """``museum:carnegie-museum-of-art`` from the set's IRI; a hash when its last segment has
    characters a setSpec cannot hold (Hangul, %-escapes)."""
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    if not _SPEC_SAFE.match(tail):
        tail = "h" + hashlib.sha1(iri.encode()).hexdigest()[:12]
    return f"{kind}:{tail}"


class OaiRepository:
    """Read side of the provider over one store; safe to share between request threads."""

    def __init__(self, store: Store, iris: Iris, cache_size: int = 10_000) -> None:
        self.store = store
        self.iris = iris
        self.cache_size = cache_size  # rendered Works kept (EDM ~5 kB each)
        self._cache: OrderedDict[tuple, Item] = OrderedDict()
        self._lock = threading.Lock()
        self._index: OaiIndex | None = None
        self._reference: dict[str, list[ox.Quad]] | None = None

    # ---- headers ------------------------------------------------------------------------
    def _version(self) -> tuple:
        rows = self.store.select(
            f"SELECT (MAX(?d) AS ?m) (COUNT(?d) AS ?c) WHERE "
            f"{{ GRAPH <{self.iris.changelog_graph}> {{ ?s hg:datestamp ?d }} }}"
        )
        row = rows[0] if rows else {}
        return (row["m"].value if "m" in row else "", row["c"].value if "c" in row else "0")

    def index(self) -> OaiIndex:
        """The header index, rebuilt when the change log has moved since the last call."""
        version = self._version()
        with self._lock:
            if self._index is None or self._index.version != version:
                headers, stamps = self._read_log()
                self._index = OaiIndex(version, headers, stamps)
            return self._index

    def _read_log(self) -> tuple[list[Header], dict[str, datetime]]:
        """Work headers, and the datestamp of every record. A Work's OAI datestamp is the latest
        of its own record's and of its Instances' and Items' (they are part of its EDM), so an
        incremental harvest sees a new or edited scan of the Work."""
        entries: dict[str, dict[str, str]] = defaultdict(dict)
        for q in self.store.quads(self.iris.changelog_graph):
            entries[q.subject.value][q.predicate.value] = q.object.value
        works: list[tuple[str, bool]] = []
        stamps: dict[str, datetime] = {}
        for e in entries.values():
            if _P["datestamp"] not in e or _P["recordId"] not in e:
                continue
            stamps[e[_P["recordId"]]] = parse_datestamp(e[_P["datestamp"]])
            if e.get(_P["recordKind"]) == "work":
                works.append((e[_P["recordId"]], e[_P["deleted"]] == "true"))
        latest = dict(stamps)
        for linked, target in self._links():  # Items first, then Instances (query order)
            if linked in latest and target in latest:
                latest[target] = max(latest[target], latest[linked])
        return [Header(i, stamps[i] if deleted else latest[i], deleted) for i, deleted in works], stamps

    def _links(self) -> list[tuple[str, str]]:
        """(Item id, Instance id) pairs, then (Instance id, Work id) pairs."""
        pairs: list[tuple[str, str]] = []
        for prop in ("partOf", "represents"):
            for row in self.store.select(f"SELECT ?x ?t WHERE {{ ?x hg:{prop} ?t }}"):
                x, t = self.iris.parse_entity(row["x"].value), self.iris.parse_entity(row["t"].value)
                if x and t:
                    pairs.append((x[1], t[1]))
        return pairs

    # ---- sets ---------------------------------------------------------------------------
    def sets(self) -> list[OaiSet]:
        """The three top-level sets, then one per museum, object type and project."""
        index = self.index()
        if index.sets is None:
            found = [
                OaiSet("museum", "Works by holding museum", "museum", None),
                OaiSet("type", "Works by object type", "type", None),
                OaiSet("project", "Works by digitisation project", "project", None),
            ]
            seen = {s.spec for s in found}
            for row in self.store.select(load("oai_sets")):
                kind, iri = row["kind"].value, row["set"].value
                spec = set_spec(kind, iri)
                if spec not in seen:
                    seen.add(spec)
                    label = row["label"].value if "label" in row else iri
                    found.append(OaiSet(spec, f"{kind}: {label}", kind, iri))
            index.sets = found
        return index.sets

    def find_set(self, spec: str) -> OaiSet | None:
        return next((s for s in self.sets() if s.spec == spec), None)

    def members(self, spec: str) -> frozenset[str] | None:
        """Ids of the live Works in a set (None when no such set)."""
        index = self.index()
        if spec in index.members:
            return index.members[spec]
        oai_set = self.find_set(spec)
        if oai_set is None:
            return None
        target = f"<{oai_set.iri}>" if oai_set.iri else "?any"
        if oai_set.kind == "project":
            where = f"?i hg:represents ?w ; hg:producedBy {target} ."
        else:
            where = f"?w <{_KIND_PROPERTY[oai_set.kind]}> {target} ."
        rows = self.store.select(f"SELECT DISTINCT ?w WHERE {{ {where} ?w a hg:Work }}")
        prefix = f"{self.iris.base}/id/work/"
        ids = frozenset(r["w"].value[len(prefix) :] for r in rows if r["w"].value.startswith(prefix))
        index.members[spec] = ids
        return ids

    # ---- records ------------------------------------------------------------------------
    def reference(self) -> dict[str, list[ox.Quad]]:
        """Scheme quads by subject: the labels, years and coordinates a crosswalk looks up."""
        if self._reference is None:
            ref: dict[str, list[ox.Quad]] = defaultdict(list)
            for q in self.store.quads(self.iris.schemes_graph):
                ref[q.subject.value].append(q)
            self._reference = dict(ref)
        return self._reference

    def _linked(self, prop: str, targets: list[str]) -> dict[str, list[str]]:
        """target → subjects that point at it with hg:{prop} (one query for a whole page)."""
        if not targets:
            return {}
        values = " ".join(f"<{t}>" for t in targets)
        rows = self.store.select(f"SELECT ?x ?t WHERE {{ VALUES ?t {{ {values} }} ?x hg:{prop} ?t }}")
        out: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            out[r["t"].value].append(r["x"].value)
        return out

    def items(self, ids: list[str], prefix: str | None) -> dict[str, Item]:
        """Set specs and (with ``prefix``) the rendered metadata of live Works, from the cache
        when neither the Work's record nor those of its Instances and Items have changed since
        they were rendered; missing ids were deleted after their header was read."""
        index = self.index()
        works = {i: self.iris.entity("work", i) for i in ids}
        instances = self._linked("represents", list(works.values()))
        parts = self._linked("partOf", sorted({x for xs in instances.values() for x in xs}))
        out: dict[str, Item] = {}
        todo: dict[str, tuple] = {}
        for ident, work in works.items():
            linked = [
                (iri, self.iris.parse_entity(iri))
                for i in instances.get(work, [])
                for iri in [i, *parts.get(i, [])]
            ]
            linked_ids = sorted(p[1] for _iri, p in linked if p)
            key = (ident, index.stamps.get(ident), *((i, index.stamps.get(i)) for i in linked_ids))
            with self._lock:
                cached = self._cache.get((prefix, key))
                if cached is not None:
                    self._cache.move_to_end((prefix, key))
            if cached is not None:
                out[ident] = cached
            else:
                todo[ident] = (key, linked_ids)
        for ident, (key, linked_ids) in todo.items():
            quads = bundle(self.store, self.iris, self.iris.record_graph(ident))
            if not quads:
                continue
            for linked_id in linked_ids:
                quads += bundle(self.store, self.iris, self.iris.record_graph(linked_id))
            item = Item(self.set_specs(ident, quads), self.render(prefix, quads) if prefix else None)
            out[ident] = item
            with self._lock:
                self._cache[(prefix, key)] = item
        with self._lock:
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def set_specs(self, ident: str, quads: list[ox.Quad]) -> list[str]:
        """The setSpecs a Work belongs to, read from its bundle."""
        work = self.iris.entity("work", ident)
        specs: list[str] = []
        produced = str(HG.producedBy)
        for q in quads:
            p = q.predicate.value
            if q.subject.value == work and p == _KIND_PROPERTY["museum"]:
                specs.append(set_spec("museum", q.object.value))
            elif q.subject.value == work and p == _KIND_PROPERTY["type"]:
                specs.append(set_spec("type", q.object.value))
            elif p == produced:
                specs.append(set_spec("project", q.object.value))
        return sorted(set(specs))

    def render(self, prefix: str, quads: list[ox.Quad]) -> bytes:
        """The metadata of one Work in ``oai_dc`` or ``edm``, as an XML fragment (no declaration)
        ready to be spliced into the response (re-parsing each payload would cost more than
        rendering it)."""
        quads = xml_safe_quads(quads)
        ref_index = self.reference()
        wanted = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}
        reference = [r for iri in wanted if iri in ref_index for r in ref_index[iri]]
        if prefix == "oai_dc":
            return etree.tostring(to_dc_element(quads, reference), encoding="UTF-8")
        xml = to_edm(quads, reference)
        return xml[xml.index(b"?>") + 2 :].strip() if xml.startswith(b"<?xml") else xml
