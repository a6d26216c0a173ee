"""Graph explorer endpoints: thin wrappers over ``kg.graph_api`` (graph server when configured,
SPARQL over the store otherwise; same JSON either way)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Query, Request

from api.deps import get_ctx
from kg.context import HeritageContext
from kg.errors import HeritageError
from kg.graph_api import GraphBackend, backend_for, clusters, neighbourhood, shortest_path

router = APIRouter(prefix="/api/graph", tags=["graph"])
_lock = threading.Lock()


def graph_backend(request: Request, ctx: HeritageContext) -> GraphBackend:
    """One backend per app (a graph-server connection is reused across requests)."""
    with _lock:
        backend = getattr(request.app.state, "graph_backend", None)
        if backend is None:
            backend = backend_for(ctx)
            request.app.state.graph_backend = backend
        return backend


def _iri(ctx: HeritageContext, ref: str) -> str:
    """An entity IRI, or ``kind/id`` under this server's base."""
    if ref.startswith(("http://", "https://")):
        return ref
    kind, _, ident = ref.partition("/")
    try:
        return ctx.iris.entity(kind, ident)
    except ValueError as exc:
        raise HeritageError(f"{ref!r} is neither an IRI nor kind/id ({exc})") from exc


def _split(values: list[str] | None) -> list[str] | None:
    """``?relations=A,B`` and ``?relations=A&relations=B`` both work."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _call(fn, *args, **kwargs) -> dict:
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise HeritageError(str(exc)) from exc


@router.get("/neighbourhood")
def get_neighbourhood_of_iri(
    request: Request,
    iri: str = Query(..., description="any entity IRI, e.g. a scheme concept, or kind/id"),
    depth: int = Query(1, ge=0, le=5),
    relations: list[str] | None = Query(None),
    layers: list[str] | None = Query(None),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    """Like ``/neighbourhood/{kind}/{id}``, for IRIs outside this server's base (scheme concepts)."""
    return _call(
        neighbourhood, graph_backend(request, ctx), _iri(ctx, iri), depth, _split(relations), _split(layers)
    )


@router.get("/neighbourhood/{kind}/{ident}")
def get_neighbourhood(
    request: Request,
    kind: str,
    ident: str,
    depth: int = Query(1, ge=0, le=5),
    relations: list[str] | None = Query(None, description="relationship types, e.g. HAS_MATERIAL,SIMILAR_TO"),
    layers: list[str] | None = Query(
        None, description="node kinds: work,project,instance,item,concept,agent,museum"
    ),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    """Nodes and relationships within ``depth`` hops of one entity."""
    iri = _iri(ctx, f"{'agent' if kind == 'museum' else kind}/{ident}")
    return _call(neighbourhood, graph_backend(request, ctx), iri, depth, _split(relations), _split(layers))


@router.get("/path")
def get_path(
    request: Request,
    source: str = Query(..., alias="from", description="IRI or kind/id"),
    target: str = Query(..., alias="to", description="IRI or kind/id"),
    relations: list[str] | None = Query(None),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    """A shortest path between two entities (empty lists when none within 6 hops)."""
    return _call(
        shortest_path, graph_backend(request, ctx), _iri(ctx, source), _iri(ctx, target), _split(relations)
    )


@router.get("/clusters")
def get_clusters(
    request: Request,
    relations: list[str] | None = Query(None),
    min_size: int = Query(2, ge=1),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    """Groups of related Works (label propagation over shared concepts and similarity)."""
    return _call(clusters, graph_backend(request, ctx), _split(relations), min_size)
