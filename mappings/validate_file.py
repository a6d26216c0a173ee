"""Validate a file against the SHACL shapes without storing anything (``heritage validate FILE``).

RDF files (any serialisation pyoxigraph reads; RDF/XML through the XML safety checks) are grouped
into records: each Work/Project/Instance/Item with the nodes it points at that are not layer entities
themselves (dimension nodes, agents, local concepts). CSV files go through the default CSV mapping.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.concepts import ConceptResolver, load_scheme_quads
from kg.errors import ParseError, UnsupportedFormat, ValidationError
from kg.namespaces import Iris
from kg.validation import Validator, Violation
from mappings.xml_safety import refuse_dtd

HG = "https://w3id.org/heritage-graph/ontology#"
LAYERS = {HG + c for c in ("Work", "Project", "Instance", "Item")}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
            ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
            ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}  # fmt: skip


def read_rdf(path: Path) -> list[ox.Quad]:
    """All quads of an RDF file, or ``ParseError``/``UnsupportedFormat`` naming the file."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(f"{path.name}: unknown RDF file type {path.suffix!r}")
    data = path.read_bytes()
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_dtd(data, path.name)
    try:
        return [
            q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object)
            for q in ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
        ]
    except SyntaxError as exc:
        raise ParseError(f"{path.name}: {exc}") from exc


def group_records(quads: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Layer entity IRI → its quads plus those of the non-layer nodes it points at."""
    by_subject: dict[str, list[ox.Quad]] = defaultdict(list)
    layer: set[str] = set()
    for q in quads:
        by_subject[q.subject.value].append(q)
        if q.predicate.value == RDF_TYPE and q.object.value in LAYERS:
            layer.add(q.subject.value)
    records: dict[str, list[ox.Quad]] = {}
    claimed: set[str] = set()
    for entity in sorted(layer):
        records[entity] = list(by_subject[entity])
        for q in by_subject[entity]:
            target = q.object.value
            if (
                isinstance(q.object, ox.NamedNode)
                and target in by_subject
                and target not in layer
                and target not in claimed
            ):
                claimed.add(target)
                records[entity].extend(by_subject[target])
    return records


def validate_quads(quads: list[ox.Quad], validator: Validator | None = None) -> dict[str, list[Violation]]:
    """Violations per record (named by the entity IRI)."""
    validator = validator or Validator(schemes_quads=load_scheme_quads())
    return validator.validate(group_records(quads), context=quads)


def validate_table(
    path: Path, base: str, mapping_path: Path | None = None, validator: Validator | None = None
) -> dict[str, list[Violation]]:
    """CSV/XLSX rows through a column mapping (default: ``mappings/csv/default.toml``), then the
    shapes; a row the mapping rejects is a violation named by its id (or row number)."""
    from kg.ingest import _csv_rows, _xlsx_rows
    from mappings.csv_record import load_mapping, row_to_record
    from mappings.record import record_to_quads

    schemes = load_scheme_quads()
    validator = validator or Validator(schemes_quads=schemes)
    iris, resolver, mapping = (
        Iris(base),
        ConceptResolver.from_quads(base, schemes),
        load_mapping(mapping_path),
    )
    header, rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    batch: dict[str, list[ox.Quad]] = {}
    problems: dict[str, list[Violation]] = {}
    for line, cells in rows:
        row = dict(zip(header, cells, strict=False))
        try:
            if len(cells) != len(header):
                raise ValueError(f"row has {len(cells)} fields, the header has {len(header)}")
            record = row_to_record(row, mapping)
            batch[record["id"]] = record_to_quads(record, iris, resolver)
        except (ValidationError, ValueError, KeyError) as exc:
            name = (cells[0] if cells and cells[0] != "\x00error" else "") or f"row {line}"
            problems[name] = [
                Violation(record=name, focus="", field="", message=str(exc), severity="Violation")
            ]
    context = [q for quads in batch.values() for q in quads if q.predicate.value == RDF_TYPE]
    problems.update(validator.validate(batch, context))
    return problems


def validate_standard(path: Path, standard: str, base: str) -> dict[str, list[Violation]]:
    """EDM, oai_dc or Linked Art: through the crosswalk in (as ``heritage ingest`` would), then the shapes."""
    from mappings.record import record_to_quads
    from mappings.standard_in import standard_records

    schemes = load_scheme_quads()
    iris, resolver = Iris(base), ConceptResolver.from_quads(base, schemes)
    batch: dict[str, list[ox.Quad]] = {}
    problems: dict[str, list[Violation]] = {}
    for record in standard_records(path, standard, base):
        try:
            batch[record["id"]] = record_to_quads(record, iris, resolver)
        except ValidationError as exc:
            problems[record["id"]] = [
                Violation(record=record["id"], focus="", field=v.get("field", ""), message=v["message"],
                          severity="Violation")
                for v in exc.violations
            ]  # fmt: skip
    context = [q for quads in batch.values() for q in quads if q.predicate.value == RDF_TYPE]
    problems.update(Validator(schemes_quads=schemes).validate(batch, context))
    return problems


def validate_file(path: Path, base: str, mapping_path: Path | None = None) -> dict[str, list[Violation]]:
    """Dispatch on the file type (EDM, oai_dc and Linked Art are recognised by their content)."""
    from mappings.standard_in import sniff_standard

    if path.suffix.lower() in (".csv", ".tsv", ".xlsx"):
        return validate_table(path, base, mapping_path)
    if standard := sniff_standard(path):
        return validate_standard(path, standard, base)
    return validate_quads(read_rdf(path))
