"""Running a SPARQL query for the endpoint: on the embedded store (or a remote one), on a few
long-lived worker threads, serialized by Oxigraph with a result cap and a cancel flag.

Why threads and not worker processes: pyoxigraph documents that opening ``Store.read_only`` while
another process writes the same RocksDB directory is undefined behaviour, and in-memory stores
cannot be shared with a process at all. pyoxigraph releases the GIL while evaluating and
serializing, so the event loop stays free; the worker checks the cancel flag at every chunk of
output, so a query stops soon after its request gives up. One long step inside Oxigraph (an
aggregate or ORDER BY over everything) cannot be interrupted and finishes in the background.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import threading
import traceback
from concurrent.futures import Future
from dataclasses import dataclass

import pyoxigraph as ox

from kg.context import HeritageContext
from kg.errors import ParseError, StoreUnavailable
from kg.namespaces import PREFIXES
from kg.store import OxigraphStore
from sparql.cost import refuse_costly
from sparql.formats import GRAPH_TYPES, RESULT_TYPES, pick, serialize_triples
from sparql.guard import has_dataset_clause, refuse_network

MAX_RUNNING = 8  # query threads at once, including timed-out ones still finishing
_running = threading.BoundedSemaphore(MAX_RUNNING)
_active = [0]  # query threads alive now (for /sparql health and the cancellation test)
_active_lock = threading.Lock()


def running_queries() -> int:
    """How many query threads are still working, including ones whose request gave up."""
    with _active_lock:
        return _active[0]


class QueryCancelled(Exception):
    """Raised inside the worker when the request gave up (timeout or client gone)."""


@dataclass
class Answer:
    """A serialized result: what the endpoint sends, and whether the cap cut it."""

    body: bytes
    media_type: str
    capped: bool = False
    rows: int = 0


class _CapReached(Exception):
    """Raised by ``_RowSink`` to stop Oxigraph's serializer once the cap is passed."""


class _RowSink:
    """Write target for Oxigraph's TSV results and N-Triples serializers. Both have exactly one
    line per solution or triple (newlines inside literals are escaped), so counting lines enforces
    the cap in rows; the cancel flag is checked at every chunk. Solutions are serialized by Oxigraph, never term by term in
    Python (that re-encoding made a 1 MB result cost 1.7x the bare query), and TSV converts
    losslessly to any other results format through Oxigraph's parser."""

    def __init__(self, cap: int, cancel: threading.Event, header: int = 1) -> None:
        self.parts: list[bytes] = []
        self.lines = 0  # the header line(s), then one per solution or triple
        self.header = header
        self.cap, self.cancel, self.capped = cap, cancel, False

    @property
    def rows(self) -> int:
        return max(0, self.lines - self.header)

    def write(self, data: bytes) -> int:
        if self.cancel.is_set():
            raise QueryCancelled
        data = bytes(data)
        newlines = data.count(b"\n")
        room = self.cap + self.header - self.lines
        if newlines > room:
            cut = -1
            for _ in range(room):
                cut = data.index(b"\n", cut + 1)
            self.parts.append(data[: cut + 1])
            self.lines += room
            self.capped = True
            raise _CapReached
        self.parts.append(data)
        self.lines += newlines
        return len(data)

    def flush(self) -> None:
        """Oxigraph flushes its output at the end; everything is in ``parts`` already."""


def _run_local(store: OxigraphStore, sparql: str, default_graphs: list[str], named_graphs: list[str]):
    """The embedded store: protocol dataset parameters replace the query's own FROM clauses (as
    SPARQL 1.1 Protocol says); else the query's FROM clauses define its dataset; without either
    the default graph is the union of named graphs."""
    kwargs: dict = {"prefixes": PREFIXES}
    try:
        if default_graphs or named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        return store._store.query(sparql, **kwargs)
    except SyntaxError as exc:
        raise syntax_error("SPARQL syntax error", exc) from exc
    except ValueError as exc:
        raise ParseError(f"bad dataset IRI: {exc}") from exc


_POSITION_RE = re.compile(r"\bat (\d+):(\d+)")


def syntax_error(what: str, exc: SyntaxError) -> ParseError:
    """A ``ParseError`` whose problem details carry Oxigraph's ``line:column`` as fields too, so
    clients can point at the spot without parsing the message."""
    message = str(exc)
    found = _POSITION_RE.search(message)
    extra = {"line": int(found[1]), "column": int(found[2])} if found else {}
    return ParseError(f"{what}: {message}", **extra)


def _run_remote(store, sparql: str, default_graphs: list[str], named_graphs: list[str], timeout: float):
    """Other backends get the dataset as protocol parameters of their own endpoint."""
    return store.query_dataset(sparql, default_graphs, named_graphs, timeout)


def execute(
    ctx: HeritageContext,
    sparql: str,
    accept: str | None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    cancel: threading.Event | None = None,
) -> Answer:
    """Run a query and serialise at most ``sparql_result_cap`` rows/triples in the negotiated
    format. Blocking: call it from a worker thread."""
    refuse_network(sparql)
    refuse_costly(sparql)  # before any store: Oxigraph cannot be stopped mid-sort
    # evaluated in a frame of its own: pyparsing (under refuse_costly) leaves reference cycles
    # that keep this frame alive until a GC pass, and a result held here would then be freed by
    # whichever thread runs that pass (pyoxigraph results must die on their own thread)
    return _evaluate(ctx, sparql, accept, default_graphs, named_graphs, cancel)


def _evaluate(
    ctx: HeritageContext,
    sparql: str,
    accept: str | None,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    cancel: threading.Event | None,
) -> Answer:
    cancel = cancel or threading.Event()
    cap = ctx.settings.sparql_result_cap
    default_graphs, named_graphs = default_graphs or [], named_graphs or []
    if isinstance(ctx.store, OxigraphStore):
        result = _run_local(ctx.store, sparql, default_graphs, named_graphs)
    else:
        result = _run_remote(ctx.store, sparql, default_graphs, named_graphs, ctx.settings.sparql_timeout_s)
    out = io.BytesIO()
    if isinstance(result, ox.QueryBoolean):
        media = pick(accept, list(RESULT_TYPES))
        result.serialize(out, RESULT_TYPES[media])
        return Answer(out.getvalue(), media, rows=1)
    if isinstance(result, ox.QuerySolutions):
        media = pick(accept, list(RESULT_TYPES))
        sink = _RowSink(cap, cancel)
        with contextlib.suppress(_CapReached):
            result.serialize(sink, ox.QueryResultsFormat.TSV)
        tsv, fmt = b"".join(sink.parts), RESULT_TYPES[media]
        if fmt == ox.QueryResultsFormat.TSV:
            return Answer(tsv, media, sink.capped, sink.rows)
        out = io.BytesIO()
        ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(out, fmt)
        return Answer(out.getvalue(), media, sink.capped, sink.rows)
    media = pick(accept, list(GRAPH_TYPES))
    fmt = GRAPH_TYPES[media]
    if not isinstance(result, ox.QueryTriples):  # a remote store's triples, already parsed
        triples = list(result)[: cap + 1]
        kept = triples[:cap]
        return Answer(serialize_triples(kept, fmt, PREFIXES), media, len(triples) > cap, len(kept))
    sink = _RowSink(cap, cancel, header=0)
    with contextlib.suppress(_CapReached):
        result.serialize(sink, ox.RdfFormat.N_TRIPLES)
    nt = b"".join(sink.parts)
    if fmt != ox.RdfFormat.N_TRIPLES:  # Oxigraph parses its own output back, then writes fmt
        nt = serialize_triples(ox.parse(nt, ox.RdfFormat.N_TRIPLES), fmt, PREFIXES)
    return Answer(nt, media, sink.capped, sink.rows)


def spawn(work) -> Future:
    """Run ``work`` on one of ``MAX_RUNNING`` long-lived daemon threads. Daemon, because a query
    that outlives its timeout must not keep the server from shutting down; long-lived, because a
    fresh thread per query cost about 13% on a 100 ms query (cold allocator arena and caches);
    the semaphore bounds how many can pile up, so a job never waits for a free thread."""
    if not _running.acquire(blocking=False):
        raise StoreUnavailable(f"{MAX_RUNNING} SPARQL queries are already running; try again shortly")
    future: Future = Future()
    with _active_lock:
        _active[0] += 1
        while len(_workers) < min(MAX_RUNNING, _active[0]):
            thread = threading.Thread(target=_work_loop, name=f"sparql-query-{len(_workers)}", daemon=True)
            thread.start()
            _workers.append(thread)
    _jobs.put((work, future))
    return future


_jobs: queue.SimpleQueue = queue.SimpleQueue()
_workers: list[threading.Thread] = []


def _work_loop() -> None:
    while True:
        work, future = _jobs.get()
        try:
            future.set_result(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
            # drop the frames' locals here: pyoxigraph results must be freed on their own thread
            traceback.clear_frames(exc.__traceback__)
            future.set_exception(exc)
        finally:
            with _active_lock:
                _active[0] -= 1
            _running.release()
            del work, future
