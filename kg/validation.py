"""SHACL validation of record writes (first rough version; the ontology work replaces the checks
with ``ontology/shapes.ttl``). Interface: ``Validator.validate(records, context)``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from kg.namespaces import HG, RDF

_TYPE = str(RDF.type)


class Violation(TypedDict):
    record: str
    focus: str
    field: str
    message: str
    severity: str


_REQUIRED = {
    str(HG.Work): [("identifier", 1), ("title", 1)],
    str(HG.Project): [("identifier", 1), ("title", 1)],
    str(HG.Instance): [("identifier", 1), ("title", 1), ("represents", 1)],
    str(HG.Item): [("identifier", 1), ("partOf", 1)],
}


class Validator:
    def __init__(self, shapes_path: Path | None = None, schemes_quads: Iterable[ox.Quad] = ()) -> None:
        self.shapes_path = shapes_path

    def validate(
        self, records: dict[str, list[ox.Quad]], context: Iterable[ox.Quad] = ()
    ) -> dict[str, list[Violation]]:
        out: dict[str, list[Violation]] = {}
        for record_id, quads in records.items():
            by_subject: dict[str, list[ox.Quad]] = {}
            for q in quads:
                by_subject.setdefault(q.subject.value, []).append(q)
            for subject, sq in by_subject.items():
                for q in sq:
                    if q.predicate.value == _TYPE and q.object.value in _REQUIRED:
                        for prop, minimum in _REQUIRED[q.object.value]:
                            n = sum(1 for x in sq if x.predicate.value == str(HG[prop]))
                            if n < minimum:
                                out.setdefault(record_id, []).append(
                                    Violation(
                                        record=record_id,
                                        focus=subject,
                                        field=prop,
                                        message=f"{prop} is required",
                                        severity="Violation",
                                    )
                                )
        return out
