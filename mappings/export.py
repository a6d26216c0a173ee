"""Export records from the store through the crosswalks (the library behind ``heritage export``).

A Work's export needs more than its own record graph: EDM, Schema.org, BIBFRAME and CARARE describe
its digital surrogates too, so the bundle adds the records of the Instances that represent it and of
their Items (found by ``hg:represents`` / ``hg:partOf``), and the concept schemes as reference data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.errors import NotFound
from kg.namespaces import Iris
from kg.shared import bundle
from kg.store import Store
from mappings.bibframe import to_bibframe
from mappings.carare import to_carare
from mappings.dc import to_dc
from mappings.edm import to_edm
from mappings.linked_art import to_linked_art
from mappings.schema_org import to_schema_org

Exporter = Callable[[list[ox.Quad], list[ox.Quad]], bytes]


def _json(fn: Callable[[list[ox.Quad], list[ox.Quad]], dict]) -> Exporter:
    return lambda quads, ref: (json.dumps(fn(quads, ref), ensure_ascii=False, indent=2) + "\n").encode()


FORMATS: dict[str, tuple[str, Exporter]] = {
    "edm": (".xml", to_edm),
    "dc": (".xml", to_dc),
    "schema": (".jsonld", _json(to_schema_org)),
    "linkedart": (".jsonld", _json(to_linked_art)),
    "bibframe": (".rdf", to_bibframe),
    "carare": (".xml", to_carare),
}


def _linked(store: Store, prop: str, targets: Iterable[str]) -> list[str]:
    out: list[str] = []
    for target in targets:
        rows = store.select(
            f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x hg:{prop} {ox.NamedNode(target)} }} }}"
        )
        out.extend(r["x"].value for r in rows)
    return sorted(set(out))


def work_bundle(store: Store, iris: Iris, work_id: str) -> list[ox.Quad]:
    """The Work's record plus its Instances' and Items' records."""
    work = iris.entity("work", work_id)
    quads = bundle(store, iris, iris.record_graph(work_id))
    if not any(q.subject.value == work for q in quads):
        raise NotFound(f"no work with id {work_id!r}")
    instances = _linked(store, "represents", [work])
    items = _linked(store, "partOf", instances)
    for iri in instances + items:
        parsed = iris.parse_entity(iri)
        if parsed:
            quads += bundle(store, iris, iris.record_graph(parsed[1]))
    return quads


def work_ids(store: Store, iris: Iris) -> list[str]:
    """Ids of every Work in the record graphs, sorted."""
    prefix = f"{iris.base}/graph/record/"
    rows = store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?w a hg:Work }} FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}"
    )
    return sorted(r["g"].value[len(prefix) :] for r in rows)


def export_work(store: Store, iris: Iris, work_id: str, fmt: str, reference: list[ox.Quad]) -> bytes:
    """One Work in one format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt][1](work_bundle(store, iris, work_id), reference)
