"""Server-rendered pages (Jinja2): home, search with facets, the Work page (layers, viewers,
related works, JSON-LD), simple Project/Instance/Item pages, Agent/Concept/Run pages (``web.entity``)
and friendly error pages. The admin console lives in ``web.admin`` and is included here, so the
app picks up one router."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from kg.context import HeritageContext
from kg.errors import NotFound
from kg.pyramid import pyramid_items
from kg.search import FACETS, search_works
from ml.semantic_search import hybrid_search, text_index_ready
from web import admin, entity, item_ml, views
from web.render import WEB_DIR, page_lang, render

router = APIRouter(include_in_schema=False)
router.include_router(admin.router)
PER_PAGE = 12
LAYER_KINDS = ("project", "instance", "item")


def install(app: FastAPI) -> None:
    """Serve ``web/static`` (CSS, JS modules and the vendored libraries; never a CDN)."""
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")


def _ctx(request: Request) -> HeritageContext:
    return request.app.state.ctx


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    """The friendly HTML error page browsers get (the API answers problem+json instead)."""
    return render(request, "error.html", status=status, code=status, detail=detail)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    ctx, lang = _ctx(request), page_lang(request)
    result = search_works(ctx.store, "", {}, 1, 8, lang)
    featured = views.work_cards(ctx, [h["iri"] for h in result.hits], lang)
    return render(request, "home.html", featured=featured, total=result.total)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", page: str = "1") -> HTMLResponse:
    ctx, lang = _ctx(request), page_lang(request)
    page = max(1, min(int(page), 10_000)) if page.isdigit() else 1  # a bad page number is page 1
    chosen = {name: request.query_params.getlist(name) for name in FACETS}
    # ranked by meaning (and filled in by it) once `heritage embed --text` has built the index;
    # without it, keyword search in title order, and the page says so
    ranked = text_index_ready(ctx)
    result = hybrid_search(ctx, q, chosen, page, PER_PAGE, lang, mode="hybrid" if ranked else "keyword")
    hits = [
        {**h, "thumbnail": views.local_url(h["thumbnail"], ctx.settings.base_url)} for h in result["hits"]
    ]
    total = result["total"]
    pages = max(1, -(-total // PER_PAGE))
    base = [("q", q)] + [(k, v) for k, vs in chosen.items() for v in vs]
    return render(
        request,
        "search.html",
        q=q,
        hits=[h for h in hits if h.get("match") != "meaning"],
        meaning_hits=[h for h in hits if h.get("match") == "meaning"],
        keyword_only=bool(q.strip()) and not ranked,
        total=total,
        facets=result["facets"],
        chosen=chosen,
        page=page,
        pages=pages,
        prev_params=base + [("page", str(page - 1))] if page > 1 else None,
        next_params=base + [("page", str(page + 1))] if page < pages else None,
    )


@router.get("/page/work/{ident}", response_class=HTMLResponse)
def work_page(request: Request, ident: str) -> HTMLResponse:
    ctx, lang = _ctx(request), page_lang(request)
    try:
        record = ctx.records.get(ident, "work")
    except NotFound:
        return error_page(request, 404, f"There is no work with the id “{ident}”.")
    layers = views.work_layers(ctx, record["iri"])
    media = views.media_of(layers)
    tiled = pyramid_items(ctx.files_dir, [i["id"] for inst in layers for i in inst["items"]])
    media["deepzoom"] = f"/iiif/3/{tiled[0]}/info.json" if tiled else None  # OpenSeadragon over IIIF
    names = views.labels(ctx, views.concept_iris(record), lang)
    origin = str(request.base_url).rstrip("/")
    absolute = {k: origin + v if v and v.startswith("/") else v for k, v in media.items()}
    doc = views.json_ld(ctx, ident, absolute, str(request.url.remove_query_params("lang")))
    return render(
        request,
        "work.html",
        record=record,
        names=names,
        layers=layers,
        media=media,
        related=views.related_works(ctx, record["iri"], lang),
        agents=views.agents_of(ctx, record["iri"], lang),
        json_ld=views.json_ld_script(doc),
        **item_ml.context(ctx, record, layers, lang),  # similar, predictions, restorations
    )


@router.get("/page/{kind}/{ident}", response_class=HTMLResponse)
def layer_page(request: Request, kind: str, ident: str) -> HTMLResponse:
    ctx, lang = _ctx(request), page_lang(request)
    if kind in entity.ENTITY_KINDS:
        return entity_page(request, kind, ident)
    if kind not in LAYER_KINDS:
        return error_page(request, 404, f"There are no pages of kind “{kind}”.")
    try:
        record = ctx.records.get(ident, kind)
    except NotFound:
        return error_page(request, 404, f"There is no {kind} with the id “{ident}”.")
    if kind == "item":
        record["href"] = views.local_url(record.get("content_url"), ctx.settings.base_url)
    names = views.labels(ctx, views.concept_iris(record), lang)
    return render(request, "layer.html", kind=kind, record=record, names=names)


def entity_page(request: Request, kind: str, ident: str) -> HTMLResponse:
    """An agent, a local concept or a model run: labels, every statement about it, the Works that
    point at it (one property at a time, ``?rel=``, paged) and, for a run, its PROV summary."""
    ctx, lang = _ctx(request), page_lang(request)
    if not entity.entity_exists(ctx, kind, ident):
        return error_page(request, 404, f"There is no {kind} with the id “{ident}”.")
    about = entity.describe(ctx, kind, ident, lang)
    rels = entity.relations(ctx, about["iri"])
    rel = next((r for r in rels if r["iri"] == request.query_params.get("rel")), rels[0] if rels else None)
    raw_page = request.query_params.get("page", "1")
    page = max(1, min(int(raw_page), 10_000)) if raw_page.isdigit() else 1
    pages = max(1, -(-rel["count"] // PER_PAGE)) if rel else 1
    page = min(page, pages)
    works = entity.works_pointing(ctx, about["iri"], rel["iri"], lang, page, PER_PAGE) if rel else []
    path = f"/page/{kind}/{ident}"
    return render(
        request,
        "entity.html",
        about=about,
        relations=rels,
        rel=rel,
        works=works,
        page=page,
        pages=pages,
        path=path,
        prev_params=[("rel", rel["iri"]), ("page", str(page - 1))] if rel and page > 1 else None,
        next_params=[("rel", rel["iri"]), ("page", str(page + 1))] if rel and page < pages else None,
        run=entity.run_summary(ctx, ident) if kind == "run" else None,
    )
