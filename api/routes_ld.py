"""Linked Data: ``/id/{kind}/{id}`` answers 303 to an HTML page or a data document chosen by
``Accept``; ``/data/{kind}/{id}.{ext}`` serves the record graph (plus the labels of the concepts it
links to); ``/dump`` the whole dataset gzipped; ``/void`` a VoID description of it."""

from __future__ import annotations

import asyncio
import gzip
import io
import queue
import threading
from collections.abc import AsyncIterator

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from api.deps import get_ctx
from kg.context import HeritageContext
from kg.dump import dump_bytes
from kg.errors import NotFound, UnsupportedFormat
from kg.namespaces import KINDS, LAYER_CLASSES, PREFIXES, VOID, is_valid_id
from kg.store import OxigraphStore
from mappings.xml_safety import xml_safe_bytes
from sparql.formats import NotAcceptable, negotiate

router = APIRouter(tags=["linked data"])

EXTENSIONS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}
_BY_MEDIA = {media: ext for ext, (media, _fmt) in EXTENSIONS.items()}
DUMPS = {"nquads": ("dump.nq.gz", "application/n-quads"), "trig": ("dump.trig.gz", "application/trig")}
_DCTERMS = "http://purl.org/dc/terms/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _entity_graph_query(ctx: HeritageContext, kind: str, ident: str) -> str:
    """CONSTRUCT for what an IRI means: a layer record's whole graph, or for concepts, agents and
    runs every triple about them; plus labels of the concepts and agents they link to, the
    shared description (types, labels) of the agents and local concepts (see ``kg.shared``), and
    for a run the description of its model and metric nodes."""
    iri = ox.NamedNode(ctx.iris.entity(kind, ident))
    if kind in LAYER_CLASSES:
        graph = ox.NamedNode(ctx.iris.record_graph(ident))
        core, links = f"GRAPH {graph} {{ ?s ?p ?o }}", f"GRAPH {graph} {{ ?x ?q ?c }}"
    else:
        core, links = f"BIND({iri} AS ?s) ?s ?p ?o", f"{iri} ?q ?c"
    shared = ox.NamedNode(ctx.iris.shared_graph)
    # a run's own nodes (its model, its metrics) have no /id/ IRI of their own: describe them inline
    parts = ""
    if kind == "run":
        parts = (
            f" UNION {{ {iri} ?q ?c . FILTER(isIRI(?c) && STRSTARTS(STR(?c), {ox.Literal(iri.value + '/')})) "
            "?c ?cp ?co }"
        )
    return (
        "CONSTRUCT { ?s ?p ?o . ?c skos:prefLabel ?l . ?c rdfs:label ?rl . ?c ?cp ?co } WHERE { "
        f"{{ {core} }} UNION {{ {{ SELECT DISTINCT ?c WHERE {{ {links} FILTER(isIRI(?c)) }} }} "
        f"{{ ?c skos:prefLabel ?l }} UNION {{ ?c rdfs:label ?rl }} UNION {{ GRAPH {shared} {{ ?c ?cp ?co }} }} }}"
        f"{parts} }}"
    )


def _exists(ctx: HeritageContext, kind: str, ident: str) -> bool:
    if kind not in KINDS or not is_valid_id(ident):
        return False
    if kind in LAYER_CLASSES:
        return ctx.records.kind_of(ident) == kind
    return ctx.store.ask(f"ASK {{ {ox.NamedNode(ctx.iris.entity(kind, ident))} ?p ?o }}")


def _require(ctx: HeritageContext, kind: str, ident: str) -> None:
    if not _exists(ctx, kind, ident):
        raise NotFound(f"no {kind} with id {ident!r}")


@router.get("/id/{kind}/{ident}", summary="Dereference an entity IRI (303 See Other)")
def dereference(kind: str, ident: str, request: Request, ctx: HeritageContext = Depends(get_ctx)):
    _require(ctx, kind, ident)
    # data formats first: Turtle wins for */* (curl, crawlers); browsers rank text/html above */*
    accept = request.headers.get("accept")
    chosen = negotiate(accept, [*_BY_MEDIA, "text/html"])
    if chosen is None:
        offers = ", ".join([*_BY_MEDIA, "text/html"])
        raise NotAcceptable(
            f"no representation of {kind}/{ident} matches Accept: {accept}; offered: {offers}"
        )
    target = f"/page/{kind}/{ident}" if chosen == "text/html" else f"/data/{kind}/{ident}.{_BY_MEDIA[chosen]}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get("/data/{kind}/{name}", summary="The RDF of one entity: .ttl, .jsonld, .rdf or .nt")
def entity_data(kind: str, name: str, ctx: HeritageContext = Depends(get_ctx)):
    ident, _, ext = name.rpartition(".")
    if ext not in EXTENSIONS or not ident:
        raise NotFound(f"{name}: use one of .{', .'.join(EXTENSIONS)}")
    _require(ctx, kind, ident)
    media, fmt = EXTENSIONS[ext]
    body = ctx.store.query_serialized(_entity_graph_query(ctx, kind, ident), fmt)
    if fmt == ox.RdfFormat.RDF_XML:
        body = xml_safe_bytes(body)  # a control character stored by an update must not break the XML
    iri = ctx.iris.entity(kind, ident)
    return Response(body, media_type=media, headers={"Link": f'<{iri}>; rel="describes"'})


@router.get("/dump", summary="The whole dataset as gzipped N-Quads or TriG")
async def dump(format: str = Query("nquads", description="nquads or trig"), ctx=Depends(get_ctx)):
    if format not in DUMPS:
        raise UnsupportedFormat(f"dump format {format!r}: use nquads or trig")
    filename, inner = DUMPS[format]
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Link": '</void>; rel="describedby"; type="text/turtle"',
        "X-Content-Media-Type": inner,
    }
    if isinstance(ctx.store, OxigraphStore):
        fmt = ox.RdfFormat.N_QUADS if format == "nquads" else ox.RdfFormat.TRIG
        return StreamingResponse(
            _streamed_dump(ctx.store, fmt), media_type="application/gzip", headers=headers
        )
    data = await asyncio.to_thread(lambda: gzip.compress(dump_bytes(ctx.store, format), compresslevel=6))
    return Response(data, media_type="application/gzip", headers=headers)


class _ChunkQueue(io.RawIOBase):
    """What ``gzip`` writes to: compressed chunks go to a bounded queue that the response drains,
    so memory stays flat however large the dataset; once the response is gone, writing raises
    and Oxigraph's dump stops."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
        self.gone = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if not self.send(bytes(data)):
            raise BrokenPipeError("the client left during the dump")
        return len(data)

    def send(self, item: bytes | BaseException | None) -> bool:
        """Queue ``item`` unless the response has gone (then False: nobody will read it)."""
        while not self.gone.is_set():
            try:
                self.chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def take(self) -> bytes | BaseException | None:
        """The next item; None at the end or once the response has gone (so no thread waits on
        an abandoned queue)."""
        while not self.gone.is_set():
            try:
                return self.chunks.get(timeout=0.5)
            except queue.Empty:
                continue
        return None


async def _streamed_dump(store: OxigraphStore, fmt: ox.RdfFormat) -> AsyncIterator[bytes]:
    """Oxigraph's own dump of every graph (one consistent snapshot), gzipped on a thread while
    the response streams: the first bytes leave at once instead of after the whole dataset has
    been sorted and compressed in memory."""
    sink = _ChunkQueue()

    def produce() -> None:
        try:
            with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6) as zipped:
                prefixes = PREFIXES if fmt == ox.RdfFormat.TRIG else None
                store._store.dump(zipped, fmt, prefixes=prefixes)
            sink.send(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the response (or dropped if it left)
            sink.send(exc)

    threading.Thread(target=produce, name="dump", daemon=True).start()
    try:
        while True:
            item = await asyncio.to_thread(sink.take)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        sink.gone.set()


def void_triples(ctx: HeritageContext) -> list[ox.Triple]:
    """VoID for the dataset: sizes from the store, licences from the records' ``hg:rights``."""
    base = ctx.iris.base
    ds, void = ox.NamedNode(f"{base}/void#dataset"), str(VOID)
    entities = ctx.store.count("?e a ?c . VALUES ?c { hg:Work hg:Project hg:Instance hg:Item } ")
    licences = ctx.store.select("SELECT DISTINCT ?r WHERE { ?e hg:rights ?r . FILTER(isIRI(?r)) }")
    triples = [
        ox.Triple(ds, _RDF_TYPE, ox.NamedNode(void + "Dataset")),
        ox.Triple(ds, ox.NamedNode(_DCTERMS + "title"), ox.Literal("Heritage Graph", language="en")),
        ox.Triple(
            ds, ox.NamedNode(void + "triples"), ox.Literal(str(ctx.store.triple_count()), datatype=_INT)
        ),
        ox.Triple(ds, ox.NamedNode(void + "entities"), ox.Literal(str(entities), datatype=_INT)),
        ox.Triple(ds, ox.NamedNode(void + "sparqlEndpoint"), ox.NamedNode(f"{base}/sparql")),
        ox.Triple(ds, ox.NamedNode(void + "uriSpace"), ox.Literal(f"{base}/id/")),
        ox.Triple(ds, ox.NamedNode(void + "feature"), ox.NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        ox.Triple(ds, ox.NamedNode(void + "feature"), ox.NamedNode("http://www.w3.org/ns/formats/TriG")),
    ]
    for fmt in DUMPS:
        triples.append(
            ox.Triple(ds, ox.NamedNode(void + "dataDump"), ox.NamedNode(f"{base}/dump?format={fmt}"))
        )
    for row in licences:
        triples.append(ox.Triple(ds, ox.NamedNode(_DCTERMS + "license"), row["r"]))
    for kind, cls in LAYER_CLASSES.items():
        part = ox.NamedNode(f"{base}/void#{kind}s")
        n = ctx.store.count(f"?e a {ox.NamedNode(str(cls))}")
        triples += [
            ox.Triple(ds, ox.NamedNode(void + "classPartition"), part),
            ox.Triple(part, ox.NamedNode(void + "class"), ox.NamedNode(str(cls))),
            ox.Triple(part, ox.NamedNode(void + "entities"), ox.Literal(str(n), datatype=_INT)),
        ]
    return triples


_INT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@router.get("/void", summary="VoID description of the dataset (Turtle by default)")
def void_description(request: Request, ctx: HeritageContext = Depends(get_ctx)):
    media = negotiate(request.headers.get("accept"), list(_BY_MEDIA)) or "text/turtle"
    fmt = EXTENSIONS[_BY_MEDIA[media]][1]
    out = ox.serialize(void_triples(ctx), format=fmt, prefixes={**PREFIXES, "void": str(VOID)})
    return Response(out, media_type=media)
