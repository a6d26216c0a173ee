"""SPARQL 1.1 Protocol at ``/sparql``: queries by GET and POST, results by ``Accept``, a service
description, stored queries, a timeout, a result cap, cancellation when the client leaves, and
curator-only updates. The work itself is in ``sparql.execute`` (running and serializing),
``sparql.formats`` (negotiation) and ``sparql.update`` (updates through the record layer)."""

from __future__ import annotations

import asyncio
import threading

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from api.deps import get_ctx, require_curator
from kg.context import HeritageContext
from kg.errors import ParseError, QueryTimeout, UnsupportedFormat
from kg.namespaces import SD
from mappings.xml_safety import xml_safe_bytes
from sparql import queries
from sparql.execute import Answer, QueryCancelled, execute, spawn
from sparql.formats import GRAPH_TYPES, RESULT_TYPES, NotAcceptable, negotiate, serialize_triples
from sparql.update import apply_update

router = APIRouter(tags=["sparql"])
_FORMATS_NS = "http://www.w3.org/ns/formats/"


def acceptable_any(header: str | None) -> bool:
    """Whether ``Accept`` allows any format this endpoint serves (checked before running)."""
    return negotiate(header, [*RESULT_TYPES, *GRAPH_TYPES]) is not None


async def run_with_timeout(request: Request, ctx: HeritageContext, sparql: str, **kwargs) -> Answer:
    """Run ``execute`` in the pool; stop waiting on timeout (503) or when the client leaves, and
    tell the worker to stop at its next row either way."""
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    accept = request.headers.get("accept")
    future = asyncio.wrap_future(spawn(lambda: execute(ctx, sparql, accept, cancel=cancel, **kwargs)))
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


def _answer_response(answer: Answer, ctx: HeritageContext) -> Response:
    headers = {"Vary": "Accept"}
    if answer.capped:
        headers["X-Result-Cap"] = str(ctx.settings.sparql_result_cap)
        headers["X-Result-Truncated"] = "true"
    media, body = answer.media_type, answer.body
    if media.endswith("xml"):
        body = xml_safe_bytes(body)  # a stored control character must not make the XML ill-formed
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers=headers)


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
