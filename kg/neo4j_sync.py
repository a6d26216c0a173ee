"""Keep the property-graph read model in step with the RDF store.

* ``rebuild``: drop the graph and project everything (schemes, record graphs, run graphs).
* ``sync``: incremental, driven by the change log graph: created / changed / deleted records
  since the checkpoint (the last datestamp projected), in batches; the checkpoint file
  ``{data_dir}/neo4j-sync.json`` is written only after a batch succeeded, so an interrupted or
  failed sync resumes where it stopped (re-sending a batch is harmless: nodes ``MERGE`` by iri,
  relationships ``MERGE``). Model runs are synced by run id (new runs added, dropped runs removed).
* ``check``: node counts per label and relationship counts per type on the server against SPARQL
  counts over the store, with the same projection rules.

The RDF store is only read here, never written.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from kg.graph_transport import FalkorDBTransport, GraphTransport
from kg.namespaces import Iris
from kg.neo4j_bulk import NotBulkable, bulk_load
from kg.neo4j_projection import (
    DELETE_NODES,
    DELETE_ORPHANS,
    DELETE_OUTGOING,
    DELETE_RUN_EDGES,
    DROP_ALL,
    LABELS,
    LIST_RUNS,
    NODE_LABELS,
    RELATIONS,
    Projection,
    Projector,
    count_edges_statement,
    count_nodes_statement,
    edge_statement,
    mark_local_concepts,
    node_statement,
)
from kg.neo4j_read import parse_select, read_projection, term_text, term_value
from kg.shared import bundle
from kg.store import RemoteStore, Store
from sparql.queries import load as load_query

CHECKPOINT_FILE = "neo4j-sync.json"


@dataclass
class SyncReport:
    nodes: int = 0
    edges: int = 0
    records: int = 0
    deleted: int = 0
    runs: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # reading the store and projecting (rebuild)
    write_seconds: float = 0.0  # sending statements to the server (rebuild)
    checkpoint: str | None = None


@dataclass
class CheckReport:
    expected: dict[str, int] = field(default_factory=dict)
    actual: dict[str, int] = field(default_factory=dict)

    @property
    def mismatches(self) -> dict[str, tuple[int, int]]:
        keys = set(self.expected) | set(self.actual)
        return {k: (self.expected.get(k, 0), self.actual.get(k, 0)) for k in sorted(keys)
                if self.expected.get(k, 0) != self.actual.get(k, 0)}  # fmt: skip

    @property
    def ok(self) -> bool:
        return not self.mismatches


class GraphSync:
    """Projects one store into one graph server through a transport."""

    def __init__(self, store: Store, iris: Iris, transport: GraphTransport, checkpoint_path: Path,
                 batch_records: int = 500, read_threads: int = 2, fast: bool = True,
                 reader: str = "auto") -> None:  # fmt: skip
        self.store = store
        self.read_threads = read_threads
        # rebuild on FalkorDB: write by GRAPH.BULK (kg.neo4j_bulk); False: Cypher UNWIND writes
        self.fast = fast
        # rebuild read: "quads" (graph by graph) or "tsv" (one SELECT per predicate, serialised by
        # the store on a worker thread: kg.neo4j_read); the same projection. "auto": quads from the
        # embedded store (the TSV reader measured 1.1-1.2x its CPU there, docs/neo4j.md), TSV from
        # a remote SPARQL server (a few dozen queries instead of one request per record graph)
        if reader not in ("auto", "quads", "tsv"):
            raise ValueError(f"unknown reader {reader!r} (auto, quads or tsv)")
        if reader == "auto":
            reader = "tsv" if isinstance(store, RemoteStore) else "quads"
        self.reader = reader
        self.iris = iris
        self.transport = transport
        self.checkpoint_path = Path(checkpoint_path)
        self.batch_records = batch_records

    # ---- checkpoint ----------------------------------------------------------------------
    def checkpoint(self) -> str | None:
        """The last change-log datestamp projected into this server (None: never synced)."""
        if not self.checkpoint_path.is_file():
            return None
        data = json.loads(self.checkpoint_path.read_text())
        if data.get("server") != self._server_key():
            return None  # a checkpoint for another server means nothing here
        return data.get("datestamp")

    def _save_checkpoint(self, stamp: str) -> None:
        tmp = self.checkpoint_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"server": self._server_key(), "datestamp": stamp}))
        tmp.replace(self.checkpoint_path)  # atomic: a crash leaves the old checkpoint

    def _server_key(self) -> str:
        return f"{getattr(self.transport, 'uri', '')}#{getattr(self.transport, 'database', '')}"

    # ---- reading the store -----------------------------------------------------------------
    def _latest_stamp(self) -> str | None:
        rows = self.store.select(
            f"SELECT (MAX(?d) AS ?m) WHERE {{ GRAPH <{self.iris.changelog_graph}> {{ ?s hg:datestamp ?d }} }}"
        )
        return rows[0]["m"].value if rows and "m" in rows[0] else None

    def _changes(self, since: str | None) -> list[tuple[str, str, str, bool]]:
        """(id, entity iri, datestamp, deleted) after ``since``, oldest first."""
        flt = (
            f"FILTER(?d > {ox.Literal(since, datatype=ox.NamedNode(PREFIX_XSD + 'dateTime'))})"
            if since
            else ""
        )
        rows = self.store.select(
            f"SELECT ?s ?id ?d ?del WHERE {{ GRAPH <{self.iris.changelog_graph}> {{ ?s hg:recordId ?id ; "
            f"hg:datestamp ?d ; hg:deleted ?del }} {flt} }} ORDER BY ?d ?id"
        )
        return [(r["id"].value, r["s"].value, r["d"].value, r["del"].value == "true") for r in rows]

    def _run_graphs(self) -> dict[str, str]:
        """run graph IRI → run id for every run graph in the store (from the list of named
        graphs: matching ``GRAPH ?g { ?s ?p ?o }`` would scan every quad)."""
        prefix = self.iris.run_graph("")
        return {g: g[len(prefix) :] for g in self._named_graphs() if g.startswith(prefix)}

    def _run_projection(self, graph: str) -> Projection:
        projector = Projector()
        self._add_runs(projector, [graph])
        return projector.projection

    def _read_graphs(self, graphs: list[str]) -> Projector:
        """Project record and scheme graphs, graph by graph (the per-graph index scan is the
        fastest read), split over ``read_threads`` threads in contiguous chunks: the store
        releases the GIL while it reads, and reading the quads is most of a rebuild's cost.
        Chunks are absorbed in graph order, so the result equals a sequential read."""
        threads = max(1, min(self.read_threads, len(graphs) // 250))
        size = -(-len(graphs) // threads) if graphs else 1
        chunks = [graphs[i : i + size] for i in range(0, len(graphs), size)] or [[]]

        def read(chunk: list[str]) -> Projector:
            projector = Projector()
            for graph in chunk:
                projector.add_graph(self.store.quads(graph))
            return projector

        if len(chunks) == 1:
            return read(chunks[0])
        with ThreadPoolExecutor(max_workers=len(chunks), thread_name_prefix="graph-read") as pool:
            parts = list(pool.map(read, chunks))
        for part in parts[1:]:
            parts[0].absorb(part.projection)
        return parts[0]

    def _add_runs(self, projector: Projector, graphs: list[str] | None = None) -> None:
        """Similarity and prediction edges of the run graphs (all, or ``graphs``), by two stored
        SELECTs: a run graph holds ~7 quads per edge, and reading them one by one cost three
        times the CPU of one row per edge."""
        prefix = self.iris.run_graph("")
        values = (
            "" if graphs is None else "VALUES ?g { " + " ".join(str(ox.NamedNode(g)) for g in graphs) + " }"
        )
        runs: dict[str, str] = {}

        def run_of(g: str) -> str | None:
            if g not in runs:
                runs[g] = self.iris.base + "/id/run/" + g[len(prefix) :] if g.startswith(prefix) else ""
            return runs[g] or None

        tsv = ox.QueryResultsFormat.TSV  # rows as bytes: a dict of terms per row cost more than the edge
        data = self.store.query_serialized(load_query("neo4j_similarities").replace("#GRAPHS", values), tsv)
        for g, a, b, score, rank in parse_select(data):
            run = run_of(g[1:-1])
            if run and a[:1] == "<" and b[:1] == "<":
                projector.add_similarity(run, a[1:-1], b[1:-1], term_value(score), term_value(rank))
        data = self.store.query_serialized(load_query("neo4j_predictions").replace("#GRAPHS", values), tsv)
        for g, w, v, attribute, confidence in parse_select(data):
            run = run_of(g[1:-1])
            if run and w[:1] == "<" and v[:1] == "<":
                projector.add_prediction(run, w[1:-1], v[1:-1], term_text(attribute), term_value(confidence))

    # ---- writing ---------------------------------------------------------------------------
    def _write(self, proj: Projection, rebuild: bool = False) -> tuple[int, int]:
        """Nodes then relationships, pipelined; a rebuild ``CREATE``s into the empty graph and
        sends only relationships whose two ends are projected nodes."""
        mark_local_concepts(proj, self.iris.base)
        node_groups = proj.node_rows()
        edge_groups = proj.edge_rows(known=proj.nodes if rebuild else None)
        nodes = self.transport.run_many(
            (node_statement(labels, create=rebuild), rows) for labels, rows in node_groups.items()
        )
        edges = self.transport.run_many(
            (edge_statement(rel, merge=not rebuild), rows) for rel, rows in edge_groups.items()
        )
        return nodes, edges

    def _named_graphs(self) -> list[str]:
        return [row["g"].value for row in self.store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]

    def _projected_graphs(self, named: list[str] | None = None) -> list[tuple[str, str | None]]:
        """(graph IRI, run IRI or None) for every graph the projection reads, out of ``named`` (the
        store's named graphs, listed here when not given): the schemes, the record graphs, the
        shared graph (agents, museums, local concepts) and the run graphs (not the change log or
        the ontology)."""
        record_prefix = self.iris.record_graph("")
        run_prefix = self.iris.run_graph("")
        out: list[tuple[str, str | None]] = []
        for g in self._named_graphs() if named is None else named:
            if g.startswith(record_prefix) or g in (self.iris.schemes_graph, self.iris.shared_graph):
                out.append((g, None))
            elif g.startswith(run_prefix):
                out.append((g, self.iris.base + "/id/run/" + g[len(run_prefix) :]))
        return out

    def read_plan(self) -> tuple[list[str], list[str], int]:
        """What a rebuild reads, from one listing of the named graphs: the record, scheme and
        shared graphs (projected graph by graph), every other graph (which the TSV reader's
        SELECTs exclude: run graphs are read by ``_add_runs``), and the number of run graphs."""
        named = self._named_graphs()
        graphs = self._projected_graphs(named)
        records = [g for g, run in graphs if run is None]
        projected = set(records)
        return records, [g for g in named if g not in projected], sum(1 for _g, run in graphs if run)

    def rebuild(self) -> SyncReport:
        """Drop and reload everything; the checkpoint becomes the change log's latest datestamp."""
        start = time.perf_counter()
        stamp = self._latest_stamp()  # read first: changes made during the rebuild are re-synced
        bulk = self.fast and isinstance(self.transport, FalkorDBTransport)
        if isinstance(self.transport, FalkorDBTransport):
            self.transport.drop_graph()
        else:
            self.transport.run(DROP_ALL)
        if not bulk:
            self.transport.ensure_schema()  # before loading: the edge MATCHes use the iri index
        records, excluded, runs = self.read_plan()
        if self.reader == "tsv":
            projector = read_projection(self.store, records, excluded, threads=self.read_threads)
        else:
            projector = self._read_graphs(records)
        if runs:
            self._add_runs(projector)
        read_seconds = time.perf_counter() - start
        nodes = edges = -1
        if bulk:
            mark_local_concepts(projector.projection, self.iris.base)
            with contextlib.suppress(NotBulkable):  # a value the binary format cannot carry: Cypher
                nodes, edges = bulk_load(self.transport, projector.projection)
            self.transport.ensure_schema()  # after the load: one index build, not 8,000 inserts
        if nodes < 0:
            nodes, edges = self._write(projector.projection, rebuild=True)
        report = SyncReport(nodes=nodes, edges=edges, records=len(records), runs=runs,
                            read_seconds=read_seconds)  # fmt: skip
        if stamp:
            self._save_checkpoint(stamp)
        report.checkpoint = stamp
        report.seconds = time.perf_counter() - start
        report.write_seconds = report.seconds - read_seconds
        return report

    def sync(self) -> SyncReport:
        """Project the records changed since the checkpoint (a full rebuild the first time)."""
        since = self.checkpoint()
        if since is None:
            return self.rebuild()
        start = time.perf_counter()
        report = SyncReport(checkpoint=since)
        changes = self._changes(since)
        for i in range(0, len(changes), self.batch_records):
            batch = changes[i : i + self.batch_records]
            self._sync_batch(batch, report)
            self._save_checkpoint(batch[-1][2])
            report.checkpoint = batch[-1][2]
        report.runs = self._sync_runs()
        report.seconds = time.perf_counter() - start
        return report

    def _sync_batch(self, batch: list[tuple[str, str, str, bool]], report: SyncReport) -> None:
        deleted = [{"iri": iri} for _id, iri, _d, gone in batch if gone]
        changed = [(ident, iri) for ident, iri, _d, gone in batch if not gone]
        if deleted:
            self.transport.run_rows(DELETE_NODES, deleted)
            report.deleted += len(deleted)
        if changed:
            self.transport.run_rows(DELETE_OUTGOING, [{"iri": iri} for _i, iri in changed])
            projector = Projector()
            for ident, _iri in changed:
                projector.add_graph(bundle(self.store, self.iris, self.iris.record_graph(ident)))
            for edge in self._incoming(changed):
                projector.add_edge(*edge)
            nodes, edges = self._write(projector.projection)
            report.nodes += nodes
            report.edges += edges
            report.records += len(changed)
        self.transport.run(DELETE_ORPHANS)

    def _incoming(self, changed: list[tuple[str, str]]) -> list[tuple[str, str, str, dict]]:
        """Relationships from other records into the changed entities (a Work created after the
        Instance that represents it gets its REPRESENTS edge now)."""
        values = " ".join(str(ox.NamedNode(iri)) for _i, iri in changed)
        # the predicate is filtered here, not with a second VALUES: that made the store scan
        # every quad (~1 s on 6,000 records) instead of looking up each object
        rows = self.store.select(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.iris.base + '/graph/record/')})) }}"
        )
        return [
            (r["s"].value, RELATIONS[r["p"].value], r["o"].value, {})
            for r in rows
            if r["p"].value in RELATIONS and isinstance(r["s"], ox.NamedNode)
        ]

    def _sync_runs(self) -> int:
        """Add run graphs the server lacks; remove runs dropped from the store."""
        in_store = {self.iris.base + "/id/run/" + run: g for g, run in self._run_graphs().items()}
        on_server = {row["run"] for row in self.transport.run(LIST_RUNS)}
        gone = [{"run": r} for r in on_server - set(in_store)]
        if gone:
            self.transport.run_rows(DELETE_RUN_EDGES, gone)
        new = sorted(set(in_store) - on_server)
        for run in new:
            self._write(self._run_projection(in_store[run]))
        return len(new)

    # ---- check -----------------------------------------------------------------------------
    def check(self) -> CheckReport:
        """Counts per label and relationship type: SPARQL over the store vs the graph server."""
        report = CheckReport(expected=expected_counts(self.store, self.iris))
        for label in sorted(NODE_LABELS):
            report.actual[label] = _int(self.transport.run(count_nodes_statement(label)))
        for rel in sorted(set(RELATIONS.values()) | {"SIMILAR_TO", "PREDICTED"}):
            report.actual[rel] = _int(self.transport.run(count_edges_statement(rel)))
        report.actual = {k: v for k, v in report.actual.items() if v or k in report.expected}
        return report


PREFIX_XSD = "http://www.w3.org/2001/XMLSchema#"


def _int(rows: list[dict]) -> int:
    return int(next(iter(rows[0].values()))) if rows else 0


def expected_counts(store: Store, iris: Iris) -> dict[str, int]:
    """What the projection must hold, counted by SPARQL with the projection's rules."""
    out: dict[str, int] = {}
    classes_of: dict[str, list[str]] = defaultdict(list)
    for cls, label in LABELS.items():
        classes_of[label].append(cls)
    classes_of["Agent"].extend(classes_of["Museum"])
    for label, classes in classes_of.items():
        values = " ".join(str(ox.NamedNode(c)) for c in classes)
        n = store.count(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {values} }} GRAPH ?g {{ ?s a ?c }} {iris.projected_filter('?g')} }}"
        )
        if n:
            out[label] = n
    typed = " ".join(str(ox.NamedNode(c)) for c in LABELS)
    by_rel: dict[str, list[str]] = defaultdict(list)
    for pred, rel in RELATIONS.items():
        by_rel[rel].append(pred)
    for rel, preds in by_rel.items():
        values = " ".join(str(ox.NamedNode(p)) for p in preds)
        n = store.count(
            f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?o . ?s a ?c1 }} "
            f"VALUES ?c1 {{ {typed} }} {iris.projected_filter('?g')} "
            f"FILTER EXISTS {{ VALUES ?c2 {{ {typed} }} GRAPH ?g2 {{ ?o a ?c2 }} {iris.projected_filter('?g2')} }} }}"
        )
        if n:
            out[rel] = n
    run_prefix = ox.Literal(iris.run_graph(""))
    for rel, cls, src, dst in (("SIMILAR_TO", "Similarity", "source", "target"),
                               ("PREDICTED", "Prediction", "predictionOf", "predictedValue")):  # fmt: skip
        n = store.count(
            f"SELECT DISTINCT ?g ?a ?b WHERE {{ GRAPH ?g {{ ?n a hg:{cls} ; hg:{src} ?a ; hg:{dst} ?b }} "
            f"FILTER(STRSTARTS(STR(?g), {run_prefix})) "
            f"FILTER EXISTS {{ VALUES ?c2 {{ {typed} }} GRAPH ?g2 {{ ?a a ?c2 }} {iris.projected_filter('?g2')} }} "
            f"FILTER EXISTS {{ VALUES ?c3 {{ {typed} }} GRAPH ?g3 {{ ?b a ?c3 }} {iris.projected_filter('?g3')} }} }}"
        )
        if n:
            out[rel] = n
    return out


def sync_after_write(ctx: object) -> SyncReport | None:
    """For the lead: call after each write when ``settings.neo4j_auto_sync``; a down server is
    reported by the exception and the next sync catches up from the checkpoint."""
    settings = ctx.settings  # type: ignore[attr-defined]
    if not settings.neo4j_uri or not settings.neo4j_auto_sync:
        return None
    from kg.graph_transport import open_transport

    transport = open_transport(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password,
                               settings.neo4j_database)  # fmt: skip
    try:
        sync = GraphSync(ctx.store, ctx.iris, transport, settings.data_dir / CHECKPOINT_FILE)  # type: ignore[attr-defined]
        return sync.sync()
    finally:
        transport.close()


def last_synced(path: Path) -> datetime | None:
    """The checkpoint as a datetime (for status displays)."""
    if not path.is_file():
        return None
    stamp = json.loads(path.read_text()).get("datestamp")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None
