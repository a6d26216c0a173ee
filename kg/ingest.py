"""``heritage ingest``: CSV, Excel and any RDF serialisation into record graphs, streamed in
batches (one transaction each), with a rejects report naming row and reason.

Re-ingesting the same file is idempotent: unchanged records keep their graphs and datestamps.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.context import HeritageContext
from kg.errors import ParseError, UnsupportedFormat
from kg.namespaces import LAYER_CLASSES, RDF
from kg.records import Rejected, WriteResult
from mappings.csv_record import Mapping, RowError, load_mapping, row_to_record

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
_LAYER_BY_CLASS = {str(cls): kind for kind, cls in LAYER_CLASSES.items()}
Progress = Callable[[int], None]


@dataclass
class IngestReport:
    ingested: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, result: WriteResult) -> None:
        self.ingested += len(result.written)
        self.unchanged += len(result.unchanged)
        self.rejected.extend(result.rejected)

    def summary(self) -> str:
        text = f"{self.ingested + self.unchanged} ingested, {len(self.rejected)} rejected"
        if self.unchanged:
            text += f" ({self.unchanged} unchanged)"
        return text

    def write_rejects(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "id", "reason"])
            for r in self.rejected:
                writer.writerow([r.row if r.row is not None else "", r.id, r.reason])


def detect_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in RDF_FORMATS:
        return "rdf"
    raise UnsupportedFormat(
        f"{path.name}: unsupported file type {suffix or '(none)'}; use .csv, .xlsx or an RDF "
        "serialisation (.ttl .nt .nq .trig .jsonld .rdf)"
    )


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist before a bulk ingest out of the garbage collector's full
    passes while it runs: the ingest allocates enough containers to trigger about a dozen of them,
    each re-walking every module, class and cached graph in the process (measured: ~0.2 of ~2.6
    CPU-s of mapping and validation for the shared CSV). Cycles made during the ingest are still
    collected; everything is handed back to the collector afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# ---- tabular ----------------------------------------------------------------------------------
def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    handle = path.open("r", encoding="utf-8-sig", newline="")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(f"{path.name}: the file is empty") from None
    except csv.Error as exc:
        raise ParseError(f"{path.name}: line 1: {exc}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    # a broken quote swallows the rest of the file: report it and stop here
                    yield reader.line_num, ["\x00error", str(exc)]
                    return
                yield reader.line_num, row

    return header, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise ParseError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = ["" if v is None else str(v).strip() for v in next(values)]
    except StopIteration:
        raise ParseError(f"{path.name}: the first sheet is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, start=2):
            cells = [
                "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in row
            ]
            if any(cells):
                yield number, cells

    return header, rows()


def ingest_table(
    ctx: HeritageContext, path: Path, mapping: Mapping, progress: Progress | None = None
) -> IngestReport:
    report = IngestReport()
    header, rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    if mapping.missing_id(header):
        raise ParseError(f"{path.name}: no column maps to the record id (header: {', '.join(header)})")
    unknown = mapping.unknown_columns(header)
    if unknown:
        report.warnings.append(f"unknown columns ignored (not in the mapping): {', '.join(unknown)}")
    batch: list[dict] = []
    batch_rows: list[int] = []
    # the first transaction is a fifth of the others: the writer thread starts sooner, so less
    # of the mapping and validation runs before any write overlaps it
    limit = max(1, ctx.settings.ingest_batch // 5)

    def flush() -> None:
        nonlocal limit
        limit = ctx.settings.ingest_batch
        if batch:
            report.add(ctx.records.put(batch, mode="upsert", rows=batch_rows))
            if progress:
                done = len(batch)
                ctx.records.after_commit(lambda: progress(done))
            batch.clear()
            batch_rows.clear()

    # batch N commits in a background thread while batch N+1 is read, mapped and validated
    with _older_objects_frozen(), ctx.records.pipelined():
        for line, cells in rows:
            if cells and cells[0] == "\x00error":
                report.rejected.append(Rejected("", f"malformed CSV from here on: {cells[1]}", line))
                continue
            if len(cells) != len(header):
                report.rejected.append(
                    Rejected(
                        cells[0] if cells else "",
                        f"row has {len(cells)} fields, the header has {len(header)}",
                        line,
                    )
                )
                continue
            try:
                record = row_to_record(dict(zip(header, cells, strict=True)), mapping)
            except RowError as exc:
                report.rejected.append(Rejected(cells[0], str(exc), line))
                continue
            batch.append(record)
            batch_rows.append(line)
            if len(batch) >= limit:
                flush()
        flush()
    return report


# ---- RDF ----------------------------------------------------------------------------------------
def group_records(
    quads: list[ox.Quad], ctx: HeritageContext
) -> tuple[dict[str, tuple[str, list[ox.Quad]]], list[str]]:
    """Split parsed RDF into records: quads already in record graphs keep them; loose triples go to
    the layer entity they describe (its own IRI, IRIs under it, or nodes only it points at)."""
    iris = ctx.iris
    records: dict[str, tuple[str, list[ox.Quad]]] = {}
    roots: dict[str, str] = {}  # subject IRI → record id
    kinds: dict[str, str] = {}
    for q in quads:
        if q.predicate.value == str(RDF.type) and q.object.value in _LAYER_BY_CLASS:
            parsed = iris.parse_entity(q.subject.value)
            ident = parsed[1] if parsed else None
            if ident is None:
                continue
            roots[q.subject.value] = ident
            kinds[ident] = _LAYER_BY_CLASS[q.object.value]
    problems: list[str] = []
    owner_of: dict[str, str] = dict(roots)
    for q in quads:
        if q.subject.value in roots and isinstance(q.object, ox.NamedNode | ox.BlankNode):
            owner_of.setdefault(q.object.value, roots[q.subject.value])
    for q in quads:
        graph_id = (
            iris.record_id_of_graph(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None
        )
        subject = q.subject.value
        owner = graph_id or owner_of.get(subject)
        if owner is None:
            for root, ident in roots.items():
                if subject.startswith(root + "/"):
                    owner = ident
                    break
        if owner is None:
            problems.append(f"{subject} is not part of any Work, Project, Instance or Item record")
            continue
        kind = kinds.get(owner, "work")
        records.setdefault(owner, (kind, []))[1].append(q)
    return records, sorted(set(problems))


def ingest_rdf(ctx: HeritageContext, path: Path, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    fmt = RDF_FORMATS[path.suffix.lower()]
    if fmt == ox.RdfFormat.RDF_XML:
        from mappings.xml_safety import refuse_dtd_in_file

        refuse_dtd_in_file(path)  # the whole file: pyoxigraph expands internal entities
    try:
        quads = list(ox.parse(path=str(path), format=fmt, base_iri=ctx.iris.base + "/"))
    except SyntaxError as exc:
        raise ParseError(f"{path.name}: {exc}") from None
    # skolemise blank nodes so that dumps round-trip byte for byte
    skolem: dict[str, ox.NamedNode] = {}

    def sk(term):
        if isinstance(term, ox.BlankNode):
            return skolem.setdefault(
                term.value, ox.NamedNode(f"{ctx.iris.base}/.well-known/genid/{path.stem}-{term.value}")
            )
        return term

    quads = [ox.Quad(sk(q.subject), q.predicate, sk(q.object), q.graph_name) for q in quads]
    records, problems = group_records(quads, ctx)
    for problem in problems[:20]:
        report.rejected.append(Rejected("", problem))
    items = list(records.items())
    size = ctx.settings.ingest_batch
    for start in range(0, len(items), size):
        chunk = dict(items[start : start + size])
        report.add(ctx.records.put_quads(chunk))
        if progress:
            progress(len(chunk))
    return report


def ingest_standard(
    ctx: HeritageContext, path: Path, standard: str, progress: Progress | None = None
) -> IngestReport:
    """EDM, oai_dc or Linked Art through its crosswalk into records, in batches like a CSV.
    The whole file is parsed first: a malformed one raises ``ParseError`` and writes nothing."""
    from mappings.standard_in import standard_records

    records = standard_records(path, standard, ctx.iris.base)
    report = IngestReport()
    size = ctx.settings.ingest_batch
    for start in range(0, len(records), size):
        batch = records[start : start + size]
        report.add(ctx.records.put(batch, mode="upsert"))
        if progress:
            progress(len(batch))
    return report


def ingest_file(
    ctx: HeritageContext, path: str | Path, mapping_path: Path | None = None, progress: Progress | None = None
) -> IngestReport:
    """Ingest one file; raises ``ParseError``/``UnsupportedFormat`` for files that cannot be read
    at all (nothing is written then), and reports per-row rejects otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ParseError(f"{path}: no such file")
    kind = detect_kind(path)
    if kind == "rdf":
        from mappings.standard_in import sniff_standard

        standard = sniff_standard(path)
        if standard:
            return ingest_standard(ctx, path, standard, progress)
        return ingest_rdf(ctx, path, progress)
    return ingest_table(ctx, path, load_mapping(mapping_path), progress)


def count_rows(path: Path) -> int | None:
    """Rows in a CSV (for the progress bar); None for other formats."""
    if path.suffix.lower() not in (".csv", ".tsv"):
        return None
    with path.open("rb") as fh:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)


__all__ = ["IngestReport", "ingest_file", "count_rows", "io"]
