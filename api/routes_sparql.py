"""SPARQL 1.1 Protocol at ``/sparql``: queries by GET and POST, results by ``Accept``, a service
description, stored queries, a timeout, a result cap, and curator-only updates that go through the
record layer (validation + change log) instead of touching the store directly.

Why a thread and not a worker process: pyoxigraph documents that opening ``Store.read_only`` while
another process writes the same RocksDB directory is undefined behaviour, and in-memory stores
cannot be shared with a process at all. pyoxigraph releases the GIL while evaluating, so a query
runs in a bounded thread pool and the request stops waiting when ``sparql_timeout_s`` passes
(503). The thread checks a cancel flag between result rows, so most queries stop soon after; a
single long step (an ORDER BY or aggregate over everything) still finishes in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import queue
import re
import threading
import traceback
from concurrent.futures import Future
from dataclasses import dataclass

import httpx
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from api.deps import get_ctx, require_curator
from kg.context import HeritageContext
from kg.errors import (
    Forbidden,
    HeritageError,
    ParseError,
    QueryTimeout,
    StoreUnavailable,
    UnsupportedFormat,
    ValidationError,
)
from kg.namespaces import LAYER_CLASSES, PREFIXES, SD, sparql_prefixes
from kg.store import OxigraphStore
from sparql import queries

router = APIRouter(tags=["sparql"])

RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
_FORMATS_NS = "http://www.w3.org/ns/formats/"
MAX_RUNNING = 8  # query threads at once, including timed-out ones still finishing
_running = threading.BoundedSemaphore(MAX_RUNNING)
_active = [0]  # query threads alive now (for /sparql health and the cancellation test)
_active_lock = threading.Lock()


def running_queries() -> int:
    """How many query threads are still working, including ones whose request gave up."""
    with _active_lock:
        return _active[0]


class NotAcceptable(HeritageError):
    status = 406
    title = "Not acceptable"


class QueryCancelled(Exception):
    """Raised inside the worker when the request gave up (timeout or client gone)."""


# ---- content negotiation -----------------------------------------------------------------
def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 1."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer with the highest q (the most specific matching range sets it; ties go to the
    earlier offer, so put the default first). No header means the first offer; None = 406."""
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        q, specificity = None, -1
        for media, mq in ranges:
            spec = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if spec > specificity:
                q, specificity = mq, spec
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


def acceptable_any(header: str | None) -> bool:
    return negotiate(header, [*RESULT_TYPES, *GRAPH_TYPES]) is not None


# ---- execution -----------------------------------------------------------------------------
@dataclass
class Answer:
    body: bytes
    media_type: str
    capped: bool = False
    rows: int = 0


class _CapReached(Exception):
    """Raised by ``_RowSink`` to stop Oxigraph's serializer once the cap is passed."""


class _RowSink:
    """Write target for Oxigraph's TSV results serializer. TSV has exactly one line per solution
    (newlines inside literals are escaped), so counting lines enforces the cap in rows; the cancel
    flag is checked at every chunk. Solutions are serialized by Oxigraph, never term by term in
    Python (that re-encoding made a 1 MB result cost 1.7x the bare query), and TSV converts
    losslessly to any other results format through Oxigraph's parser."""

    def __init__(self, cap: int, cancel: threading.Event) -> None:
        self.parts: list[bytes] = []
        self.lines = 0  # the header line, then one per solution
        self.cap, self.cancel, self.capped = cap, cancel, False

    @property
    def rows(self) -> int:
        return max(0, self.lines - 1)

    def write(self, data: bytes) -> int:
        if self.cancel.is_set():
            raise QueryCancelled
        data = bytes(data)
        newlines = data.count(b"\n")
        room = self.cap + 1 - self.lines
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
    kwargs: dict = {"prefixes": PREFIXES}
    try:
        if default_graphs or named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        else:
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
    data = [("query", sparql_prefixes() + sparql)]
    data += [("default-graph-uri", g) for g in default_graphs]
    data += [("named-graph-uri", g) for g in named_graphs]
    try:
        response = httpx.post(
            store.query_url,
            data=data,
            headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.9"},
            timeout=timeout,
        )
    except httpx.TimeoutException as exc:
        raise QueryTimeout(f"the query ran longer than {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise StoreUnavailable(f"cannot reach the SPARQL server: {exc}") from exc
    if response.status_code == 400:
        raise ParseError(f"SPARQL error: {response.text.strip()[:500]}")
    if response.status_code >= 300:
        raise StoreUnavailable(f"SPARQL server answered {response.status_code}")
    if response.headers.get("content-type", "").startswith("application/n-triples"):
        return [q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)


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
    cancel = cancel or threading.Event()
    cap = ctx.settings.sparql_result_cap
    default_graphs, named_graphs = default_graphs or [], named_graphs or []
    if isinstance(ctx.store, OxigraphStore):
        result = _run_local(ctx.store, sparql, default_graphs, named_graphs)
    else:
        result = _run_remote(ctx.store, sparql, default_graphs, named_graphs, ctx.settings.sparql_timeout_s)
    out = io.BytesIO()
    if isinstance(result, ox.QueryBoolean):
        media = _pick(accept, list(RESULT_TYPES))
        result.serialize(out, RESULT_TYPES[media])
        return Answer(out.getvalue(), media, rows=1)
    if isinstance(result, ox.QuerySolutions):
        media = _pick(accept, list(RESULT_TYPES))
        sink = _RowSink(cap, cancel)
        with contextlib.suppress(_CapReached):
            result.serialize(sink, ox.QueryResultsFormat.TSV)
        tsv, fmt = b"".join(sink.parts), RESULT_TYPES[media]
        if fmt == ox.QueryResultsFormat.TSV:
            return Answer(tsv, media, sink.capped, sink.rows)
        out = io.BytesIO()
        ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(out, fmt)
        return Answer(out.getvalue(), media, sink.capped, sink.rows)
    media = _pick(accept, list(GRAPH_TYPES))
    triples, capped = [], False
    for triple in result:
        if cancel.is_set():
            raise QueryCancelled
        if len(triples) == cap:
            capped = True
            break
        triples.append(triple)
    return Answer(serialize_triples(triples, GRAPH_TYPES[media], PREFIXES), media, capped, len(triples))


def serialize_triples(triples: list[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """Oxigraph's serializer, with prefixes where the format has them (Turtle, RDF/XML, JSON-LD)."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        try:
            return ox.serialize(triples, format=fmt, prefixes=prefixes)
        except (TypeError, ValueError):  # a prefix the format cannot use: plain output instead
            pass
    return ox.serialize(triples, format=fmt)


def _pick(accept: str | None, offers: list[str]) -> str:
    media = negotiate(accept, offers)
    if media is None:
        raise NotAcceptable(f"no acceptable format for this result; offered: {', '.join(offers)}")
    return media


def _solutions(names: list[str], bindings: list[dict], media: str, capped: bool) -> Answer:
    """SELECT results go through the JSON results format (a library parser, not hand-written
    RDF), which lets any other results format be produced from the capped rows."""
    doc = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()
    fmt = RESULT_TYPES[media]
    if fmt == ox.QueryResultsFormat.JSON:
        return Answer(doc, media, capped, len(bindings))
    out = io.BytesIO()
    ox.parse_query_results(doc, ox.QueryResultsFormat.JSON).serialize(out, fmt)
    return Answer(out.getvalue(), media, capped, len(bindings))


async def run_with_timeout(request: Request, ctx: HeritageContext, sparql: str, **kwargs) -> Answer:
    """Run ``execute`` in the pool; stop waiting on timeout (503) or when the client leaves, and
    tell the worker to stop at its next row either way."""
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    accept = request.headers.get("accept")
    future = asyncio.wrap_future(_spawn(lambda: execute(ctx, sparql, accept, cancel=cancel, **kwargs)))
    gone = asyncio.ensure_future(_client_gone(request))
    timeout = ctx.settings.sparql_timeout_s
    deadline = loop.time() + timeout
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise QueryTimeout(
                    f"the query ran longer than the {timeout:g} s limit (sparql_timeout_s); "
                    "narrow it or add a LIMIT"
                )
            done, _ = await asyncio.wait(
                {future, gone}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if future in done:
                return future.result()
            if gone in done:
                raise QueryCancelled
    finally:
        gone.cancel()
        if not future.done():
            cancel.set()
            future.add_done_callback(_discard)


def _discard(future: asyncio.Future) -> None:
    """Retrieve the outcome nobody waits for any more (else asyncio logs it as never retrieved)."""
    if not future.cancelled():
        future.exception()


async def _client_gone(request: Request) -> None:
    """Returns when the client disconnects. Reads ``receive`` directly: the request body has
    been read by now, so the next message is the disconnect. (``Request.is_disconnected`` polls
    under a cancelled scope, which never gets through Starlette's ``BaseHTTPMiddleware``.)"""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _spawn(work) -> Future:
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


def _answer_response(answer: Answer, ctx: HeritageContext) -> Response:
    headers = {"Vary": "Accept"}
    if answer.capped:
        headers["X-Result-Cap"] = str(ctx.settings.sparql_result_cap)
        headers["X-Result-Truncated"] = "true"
    media = answer.media_type
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return Response(answer.body, media_type=media, headers=headers)


async def _respond(request: Request, ctx: HeritageContext, sparql: str, dg: list[str], ng: list[str]):
    if not acceptable_any(request.headers.get("accept")):
        raise NotAcceptable("Accept names no SPARQL results or RDF format this endpoint serves")
    try:
        answer = await run_with_timeout(request, ctx, sparql, default_graphs=dg, named_graphs=ng)
    except QueryCancelled:
        return Response(status_code=499)
    return _answer_response(answer, ctx)


# ---- service description -------------------------------------------------------------------
def service_description(ctx: HeritageContext, endpoint: str) -> list[ox.Triple]:
    """A ``sd:Service`` description of this endpoint (SPARQL 1.1 Service Description)."""
    node, sd = ox.NamedNode(endpoint), str(SD)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(node, rdf_type, ox.NamedNode(sd + "Service")),
        ox.Triple(node, ox.NamedNode(sd + "endpoint"), node),
        ox.Triple(node, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(node, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Update")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "BasicFederatedQuery")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"):
        triples.append(ox.Triple(node, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(_FORMATS_NS + name)))
    for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(node, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(_FORMATS_NS + name)))
    return triples


def _endpoint(request: Request, ctx: HeritageContext) -> str:
    return f"{ctx.settings.base_url.rstrip('/')}/sparql"


# ---- updates ------------------------------------------------------------------------------
_IRI_RE = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_LOAD_RE = re.compile(r"\bLOAD\s+(SILENT\s+)?<", re.IGNORECASE)


def _named_records(ctx: HeritageContext, text: str) -> set[str]:
    """Record ids an update names, through a record graph IRI or a layer entity IRI; refuses
    (403) any other graph of this dataset (change log, ontology, schemes, runs)."""
    base = ctx.iris.base
    ids = set()
    for iri in _IRI_RE.findall(text):
        if iri.startswith(f"{base}/graph/"):
            ident = ctx.iris.record_id_of_graph(iri)
            if ident is None:
                raise Forbidden(f"updates may only touch record graphs, not <{iri}>")
            ids.add(ident)
        parsed = ctx.iris.parse_entity(iri)
        if parsed and parsed[0] in LAYER_CLASSES:
            ids.add(parsed[1])
    return ids


_DATASET_WORDS = re.compile(r"\b(GRAPH|WITH|USING)\b", re.IGNORECASE)
_QUOTED = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def _names_graphs(text: str) -> bool:
    """Whether an update addresses graphs itself (outside IRIs and string literals)."""
    return bool(_DATASET_WORDS.search(_QUOTED.sub(" ", text)))


def apply_update(ctx: HeritageContext, text: str) -> dict:
    """Run an update on a scratch copy of the record graphs it names, then write the changed
    records through ``RecordStore.put_quads`` (SHACL validation and change log, as REST does).

    An update without GRAPH/WITH/USING sees the named records' triples as its default graph, so
    ``DELETE DATA { <work> hg:p "x" }`` removes the triple from the record that holds it and an
    inserted triple goes to the record of its subject. The update sees only the records it names,
    so ``DELETE WHERE { GRAPH ?g {...} }`` over everything changes nothing."""
    if _LOAD_RE.search(text):
        raise Forbidden("LOAD is not allowed in updates here; ingest files with POST /api/... or the CLI")
    ids = _named_records(ctx, text)
    as_default = not _names_graphs(text)
    scratch = ox.Store()
    before: dict[str, list[ox.Quad]] = {}
    home: dict[ox.Triple, set[str]] = {}  # triple -> records holding it (default-graph mode)
    for ident in ids:
        before[ident] = ctx.records.quads(ident)
        if as_default:
            scratch.extend(ox.Quad(q.subject, q.predicate, q.object) for q in before[ident])
            for quad in before[ident]:
                home.setdefault(quad.triple, set()).add(ident)
        else:
            scratch.extend(before[ident])
    try:
        scratch.update(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise syntax_error("SPARQL Update syntax error", exc) from exc
    after: dict[str, list[ox.Quad]] = {}
    for quad in scratch:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph):
            owners = home.get(quad.triple) or {_owner(ctx, quad)}
        else:
            ident = ctx.iris.record_id_of_graph(graph.value) if isinstance(graph, ox.NamedNode) else None
            if ident is None:
                raise Forbidden(f"updates may only write record graphs, not {graph}")
            owners = {ident}
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise ValidationError(f"record {min(owners)}: blank nodes are not allowed in records ({quad})")
        for ident in owners:
            graph_node = ox.NamedNode(ctx.iris.record_graph(ident))
            after.setdefault(ident, []).append(ox.Quad(quad.subject, quad.predicate, quad.object, graph_node))
    changed = {i: q for i, q in after.items() if set(q) != set(before.get(i, []))}
    emptied = [i for i, q in before.items() if q and i not in after]
    graphs = {}
    for ident, quads in changed.items():
        kind = ctx.records.kind_of(ident) or _kind_from_quads(ctx, ident, quads)
        graphs[ident] = (kind, quads)
    result = ctx.records.put_quads(graphs) if graphs else None
    if result is not None and result.rejected:
        violations = [v for r in result.rejected for v in (getattr(r, "violations", None) or [])]
        detail = "; ".join(r.reason for r in result.rejected)
        raise ValidationError(f"the update leaves invalid records: {detail}", violations)
    for ident in emptied:
        ctx.records.delete(ident)
    return {
        "written": sorted(result.written) if result else [],
        "unchanged": sorted(result.unchanged) if result else [],
        "deleted": sorted(emptied),
    }


def _owner(ctx: HeritageContext, quad: ox.Quad) -> str:
    """The record a new default-graph triple belongs to: the one its subject IRI is minted in
    (``/id/work/w1`` and ``/id/work/w1/dimension/height`` both belong to w1)."""
    parsed = ctx.iris.parse_entity(quad.subject.value) if isinstance(quad.subject, ox.NamedNode) else None
    if not parsed or parsed[0] not in LAYER_CLASSES:
        raise Forbidden(
            f"a triple outside GRAPH clauses must be about a work, project, instance or item: {quad}"
        )
    return parsed[1].split("/")[0]


def _kind_from_quads(ctx: HeritageContext, ident: str, quads: list[ox.Quad]) -> str:
    for kind in LAYER_CLASSES:
        if any(q.subject.value == ctx.iris.entity(kind, ident) for q in quads):
            return kind
    raise ValidationError(f"record {ident}: no work, project, instance or item with this id in the update")


# ---- routes -------------------------------------------------------------------------------
def _one(values: list[str], name: str) -> str | None:
    """The protocol allows exactly one ``query`` (or ``update``) parameter per request."""
    if len(values) > 1:
        raise ParseError(f"{len(values)} '{name}' parameters given; send exactly one")
    return values[0] if values else None


async def _utf8_body(request: Request) -> str:
    """A direct POST body: the protocol fixes UTF-8, so another charset or bytes that do not
    decode are a client error rather than something to guess at."""
    ctype = request.headers.get("content-type", "")
    for param in ctype.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise ParseError(f"the body must be UTF-8, not {value.strip()}")
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"the body is not valid UTF-8 (byte {exc.start})") from exc


@router.get("/sparql", summary="SPARQL 1.1 query (GET), or the service description without a query")
async def sparql_get(request: Request, ctx: HeritageContext = Depends(get_ctx)):
    params = request.query_params
    if "update" in params:
        raise ParseError("updates are not allowed by GET; POST them to /sparql/update")
    query = _one(params.getlist("query"), "query")
    if query is None:
        media = negotiate(request.headers.get("accept"), list(GRAPH_TYPES)) or "text/turtle"
        triples = service_description(ctx, _endpoint(request, ctx))
        body = serialize_triples(triples, GRAPH_TYPES[media], {"sd": str(SD), "formats": _FORMATS_NS})
        return Response(body, media_type=media, headers={"Vary": "Accept"})
    if not query.strip():
        raise ParseError("no query given (the 'query' parameter is empty)")
    return await _respond(
        request, ctx, query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    )


@router.post("/sparql", summary="SPARQL 1.1 query (POST urlencoded or application/sparql-query)")
async def sparql_post(request: Request, ctx: HeritageContext = Depends(get_ctx)):
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    dg, ng = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    if ctype == "application/sparql-query":
        query = await _utf8_body(request)
    elif ctype == "application/x-www-form-urlencoded":
        form = await request.form()
        if form.get("update") is not None:
            raise ParseError("updates go to POST /sparql/update")
        query = _one([str(v) for v in form.getlist("query")], "query")
        dg += [str(v) for v in form.getlist("default-graph-uri")]
        ng += [str(v) for v in form.getlist("named-graph-uri")]
    else:
        raise UnsupportedFormat(
            f"POST /sparql takes application/sparql-query or a urlencoded form, not {ctype or 'nothing'}"
        )
    if not query or not query.strip():
        raise ParseError("no query given (the 'query' parameter is empty)")
    return await _respond(request, ctx, query, dg, ng)


@router.post("/sparql/update", summary="SPARQL 1.1 Update on record graphs (curator token)")
async def sparql_update(
    request: Request, ctx: HeritageContext = Depends(get_ctx), role=Depends(require_curator)
):
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    dataset = [k for k in ("using-graph-uri", "using-named-graph-uri") if k in request.query_params]
    if ctype == "application/sparql-update":
        text = await _utf8_body(request)
    elif ctype == "application/x-www-form-urlencoded":
        form = await request.form()
        text = _one([str(v) for v in form.getlist("update")], "update") or ""
        dataset += [k for k in ("using-graph-uri", "using-named-graph-uri") if k in form]
    else:
        raise UnsupportedFormat("POST /sparql/update takes application/sparql-update or a urlencoded form")
    if not text.strip():
        raise ParseError("no update given")
    if dataset:
        # updates act on the record graphs they name; a protocol dataset would widen that
        raise ParseError(f"{dataset[0]} is not supported here; name the graphs in the update itself")
    summary = await asyncio.to_thread(apply_update, ctx, text)
    return JSONResponse(summary)


@router.get("/sparql/stored", summary="The stored queries, with what each returns")
def stored_list() -> dict:
    return {"queries": [{"name": n, "description": queries.describe(n)} for n in queries.names()]}


@router.get("/sparql/stored/{name}", summary="Run a stored query by name")
async def stored_run(name: str, request: Request, ctx: HeritageContext = Depends(get_ctx)):
    return await _respond(request, ctx, queries.load(name), [], [])
