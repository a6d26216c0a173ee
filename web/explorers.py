"""The explorer pages: the graph explorer, the similarity explorer and the restoration studio,
plus the few JSON helpers their scripts need beside the public APIs (localised graph labels,
work thumbnails, the studio's automatic damage mask and the curator-only "save as derived Item").

The heavy lifting stays in the backends: ``kg.graph_api`` (the same functions and backend the
graph API uses), ``ml.explorer`` through ``/api/similar`` and ``/api/map``, and ``ml.restore``
through the ``/api/restore`` job API. Saving reuses the admin console's session and CSRF token.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid

import pyoxigraph as ox
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.problems import problem
from api.routes_graph import graph_backend
from kg.context import HeritageContext
from kg.errors import NotFound, ValidationError
from kg.graph_api import FACET_RELATIONS, KINDS, neighbourhood
from kg.search import search_works
from web import session, views
from web.i18n import t
from web.render import page_lang, render

router = APIRouter(include_in_schema=False)
# what the legend shows and the filter offers (IN_SCHEME and BROADER only add scheme noise)
RELATIONS = (
    "REPRESENTS",
    "PRODUCED_BY",
    "PART_OF",
    "DERIVED_FROM",
    "HELD_BY",
    "CREATED_BY",
    "CARRIED_OUT_BY",
    *FACET_RELATIONS,
    "FOUND_AT",
    "HAS_PROJECT_TYPE",
    "HAS_INSTANCE_TYPE",
    "SIMILAR_TO",
    "PREDICTED",
)
STUDIO_METHODS = ("auto", "telea", "ns", "biharmonic", "exemplar", "blend", "shadow", "sr")
STYLE_METHODS = ("reinhard", "gatys")
MAX_MASK_UPLOAD = 32 * 1024 * 1024
ATTRIBUTE_KEYS = {"material": "material", "era": "era", "use": "use", "type": "type"}
JOB_ID = re.compile(r"^[0-9a-f]{8,32}$")


def _ctx(request: Request) -> HeritageContext:
    return request.app.state.ctx


def _error(request: Request, status: int, detail: str) -> HTMLResponse:
    from web.pages import error_page

    return error_page(request, status, detail)


def _json_script(value: object) -> str:
    """JSON for a ``<script type="application/json">`` block; no value can close the element."""
    return views.json_ld_script(value)  # same escaping rules as the JSON-LD block


def _picks(ctx: HeritageContext, lang: str, limit: int = 400) -> list[dict]:
    """Original (not derived) collection images: work id, title, item id, local URL, era."""
    rows = ctx.store.select(views.query("image_items", lang=ox.Literal(lang), limit=int(limit)))
    base = ctx.settings.base_url
    return [
        {
            "work": r["w"].value.rsplit("/", 1)[-1],
            "title": r["title"].value if "title" in r else r["w"].value.rsplit("/", 1)[-1],
            "item": r["item"].value.rsplit("/", 1)[-1],
            "url": views.local_url(r["url"].value, base),
            "era": r["era"].value if "era" in r else None,
        }
        for r in rows
    ]


# ---- graph explorer ---------------------------------------------------------------------------
def _graph_page(request: Request, start: str | None) -> HTMLResponse:
    ctx = _ctx(request)
    if start:
        try:
            found = ctx.store.ask(f"ASK {{ {ox.NamedNode(start)} ?p ?o }}")
        except ValueError:  # not a valid IRI
            found = False
        if not found:
            return _error(request, 404, f"There is nothing in the graph with the IRI “{start}”.")
    return render(
        request,
        "graph.html",
        start=start or "",
        relations=RELATIONS,
        kinds=KINDS,
        kind_labels={k: t(f"kind_{k}", page_lang(request)) for k in KINDS},
        kinds_json=_json_script({k: t(f"kind_{k}", page_lang(request)) for k in KINDS}),
    )


@router.get("/explore/graph", response_class=HTMLResponse)
def graph_explorer(request: Request, iri: str = "") -> HTMLResponse:
    """The graph explorer, starting from ``?iri=`` (or empty, with a search box and clusters)."""
    iri = iri.strip()
    if iri and not iri.startswith(("http://", "https://")):
        return _error(request, 404, f"“{iri}” is not an IRI.")
    return _graph_page(request, iri or None)


@router.get("/explore/graph/{kind}/{ident}", response_class=HTMLResponse)
def graph_explorer_at(request: Request, kind: str, ident: str) -> HTMLResponse:
    """The graph explorer starting from an entity of this server (``work/nt-097``)."""
    if kind not in KINDS:
        return _error(request, 404, f"There are no entities of kind “{kind}”.")
    return _graph_page(request, _ctx(request).iris.entity("agent" if kind == "museum" else kind, ident))


def _localise(ctx: HeritageContext, graph: dict, lang: str) -> dict:
    """Node labels in the page language (the graph API answers in English first)."""
    iris = [n["id"] for n in graph["nodes"] if n["id"].startswith(("http://", "https://"))]
    if not iris:
        return graph
    rows = ctx.store.select(
        views.query("node_labels", nodes=" ".join(str(ox.NamedNode(i)) for i in iris), lang=ox.Literal(lang))
    )
    rank = {lang: 0, "en": 1, "": 2}
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        score, key = rank.get(r["lang"].value, 3), r["n"].value
        if key not in best or score < best[key][0]:
            best[key] = (score, r["label"].value)
    items = [n["id"] for n in graph["nodes"] if n["kind"] == "item"]
    files = {}
    if items:
        rows = ctx.store.select(
            views.query("item_files", items=" ".join(str(ox.NamedNode(i)) for i in items))
        )
        files = {r["item"].value: views.local_url(r["url"].value, ctx.settings.base_url) for r in rows}
    for node in graph["nodes"]:
        if node["id"] in best:
            node["label"] = best[node["id"]][1]
        parsed = ctx.iris.parse_entity(node["id"])
        if parsed and parsed[0] in ("work", "project", "instance", "item"):
            node["page"] = f"/page/{parsed[0]}/{parsed[1]}"
        if node["id"] in files:
            node["file"] = files[node["id"]]
    return graph


@router.get("/explore/graph-data/neighbourhood")
def graph_neighbourhood(
    request: Request,
    iri: str,
    depth: int = Query(1, ge=0, le=3),
    relations: str = "",
    lang: str = "",
    layers: str = "",
) -> JSONResponse:
    """The graph API's neighbourhood for any IRI (scheme concepts too), with localised labels;
    ``layers=work,item`` keeps only nodes of those kinds (the start node always)."""
    ctx = _ctx(request)
    rels = [r for r in relations.split(",") if r.strip()] or None
    kinds = [k.strip().lower() for k in layers.split(",") if k.strip()] or None
    try:
        graph = neighbourhood(graph_backend(request, ctx), iri, depth, rels, kinds)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return JSONResponse(_localise(ctx, graph, lang if lang in ("ko", "en") else page_lang(request)))


@router.get("/explore/graph-data/find")
def graph_find(request: Request, q: str = "", lang: str = "") -> JSONResponse:
    """Works matching a search box text (concept labels included), for the explorer's start box."""
    ctx = _ctx(request)
    lang = lang if lang in ("ko", "en") else page_lang(request)
    result = search_works(ctx.store, q[:200], {}, 1, 12, lang)
    return JSONResponse([{"iri": h["iri"], "id": h["id"], "title": h["title"]} for h in result.hits])


# ---- similarity explorer -------------------------------------------------------------------------
def _concept_labels(ctx: HeritageContext, lang: str) -> dict[str, str]:
    rows = ctx.store.select(views.query("all_concept_labels", lang=ox.Literal(lang)))
    out: dict[str, str] = {}
    for r in rows:
        if r["lang"].value == lang or r["c"].value not in out:
            out[r["c"].value] = r["label"].value
    return out


@router.get("/explore/similar", response_class=HTMLResponse)
def similarity_explorer(request: Request, work: str = "") -> HTMLResponse:
    """Upload an image (or pick one of the collection's) and see it placed among the collection."""
    ctx, lang = _ctx(request), page_lang(request)
    picks = _picks(ctx, lang)
    return render(
        request,
        "similar.html",
        picks=picks,
        chosen=work if any(p["work"] == work for p in picks) else "",
        labels_json=_json_script(_concept_labels(ctx, lang)),
        names_json=_json_script({a: t(key, lang) for a, key in ATTRIBUTE_KEYS.items()}),
    )


@router.get("/explore/thumb/{work_id}")
def work_thumbnail(request: Request, work_id: str) -> Response:
    """A redirect to the Work's first image (the explorers show neighbours by id)."""
    ctx = _ctx(request)
    try:
        cards = views.work_cards(ctx, [ctx.iris.entity("work", work_id)], "en")
    except ValueError:  # an id no IRI can carry
        return problem(404, "Not found", f"no work {work_id!r}")
    if not cards or not cards[0]["thumbnail"]:
        return problem(404, "Not found", f"work {work_id!r} has no image")
    return RedirectResponse(cards[0]["thumbnail"], status_code=302)


# ---- restoration studio --------------------------------------------------------------------------
def _item_source(ctx: HeritageContext, item_id: str) -> dict:
    """The picked Item, its image URL and its Work (for links); NotFound when it is not an image."""
    record = ctx.records.get(item_id, "item")
    if record.get("file_format") not in ("png", "jpeg"):
        raise NotFound(f"item {item_id!r} is not a PNG or JPEG image")
    work = ctx.store.select(
        f"SELECT ?w WHERE {{ {ox.NamedNode(record['iri'])} hg:partOf/hg:represents ?w }} LIMIT 1"
    )
    return {
        "id": record["id"],
        "title": record.get("title") or {},
        "file_name": record.get("file_name"),
        "url": views.local_url(record.get("content_url"), ctx.settings.base_url),
        "part_of": record.get("part_of"),
        "work": work[0]["w"].value.rsplit("/", 1)[-1] if work else None,
    }


@router.get("/studio", response_class=HTMLResponse)
def studio(request: Request, item: str = "") -> HTMLResponse:
    """Restoration studio: pick or upload an image, mark the damage, restore, compare, save."""
    ctx, lang = _ctx(request), page_lang(request)
    source = None
    if item:
        try:
            source = _item_source(ctx, item)
        except (NotFound, ValueError):
            return _error(request, 404, f"There is no image item with the id “{item}”.")
    sess = session.current(request)
    picks = _picks(ctx, lang)
    eras = views.labels(ctx, [p["era"] for p in picks if p["era"]], lang)
    by_era: dict[str, list[dict]] = {}
    for p in picks:  # style exemplars grouped by period, the studio's "period look" presets
        by_era.setdefault(eras.get(p["era"] or "", "—"), []).append(p)
    return render(
        request,
        "studio.html",
        source=source,
        picks=picks,
        style_groups=sorted(by_era.items()),
        methods=STUDIO_METHODS,
        style_methods=STYLE_METHODS,
        method_labels={m: t(f"method_{m}", lang) for m in STUDIO_METHODS + STYLE_METHODS},
        csrf=sess.csrf if sess else "",
        curator=sess.name if sess else "",
    )


@router.post("/studio/mask")
async def automatic_mask(image: UploadFile = File(...)) -> Response:
    """The automatic damage mask (stains and scratches) as a PNG, white = damaged, so the curator
    can see and correct it before inpainting. Shadows are left out: their content is intact, and
    the "shadow" and "auto" methods relight them instead of painting over them."""
    from ml.restore.detect import detect_stains_and_scratches
    from ml.restore.io import load_image, to_png_bytes

    data = await image.read(MAX_MASK_UPLOAD + 1)
    if len(data) > MAX_MASK_UPLOAD:
        raise ValidationError(f"image larger than {MAX_MASK_UPLOAD} bytes")

    def detect() -> bytes:
        pixels = load_image(data)
        return to_png_bytes(detect_stains_and_scratches(pixels))

    return Response(await asyncio.to_thread(detect), media_type="image/png")


def _restore_registry(request: Request):  # noqa: ANN202 - ml.restore.jobs.RestorationJobs
    """The restoration jobs of the app's one job registry (where ``/api/restore`` runs them)."""
    from api.routes_restore import restoration_jobs

    return restoration_jobs(request)


@router.post("/studio/save")
def save_derived(
    request: Request,
    job_id: str = Form(...),
    item: str = Form(...),
    csrf: str = Form(""),
) -> JSONResponse:
    """Store a finished job's image as a new Item ``derivedFrom`` the picked Item (curators only:
    the admin session's cookie and its CSRF token); the original is never touched."""
    from ml.restore.provenance import derived_item_record, write_result_file

    if not session.csrf_ok(session.current(request), csrf):
        return problem(403, "Forbidden", "Saving needs a curator session: log in on the admin page.")
    if not JOB_ID.match(job_id):
        raise ValidationError("job_id is not a job id")
    ctx = _ctx(request)
    source = _item_source(ctx, item)
    if not source["part_of"]:
        raise ValidationError(f"item {item!r} is not part of an instance")
    registry = _restore_registry(request)
    job = registry.get(job_id)
    data = registry.result(job_id)
    info = job.get("info") or {}
    method = str(info.get("method") or job.get("kind") or "restore")
    new_id = f"{item}-{job['kind']}-{uuid.uuid4().hex[:8]}"
    title = source["title"] or {"en": source["file_name"] or item}
    record = derived_item_record(
        item_id=new_id,
        source_item_id=item,
        part_of=source["part_of"],
        file_name=f"{new_id}.png",
        data=data,
        method=method,
        parameters={k: v for k, v in info.items() if k != "method"},
        title={k: f"{v} ({method})" for k, v in title.items()},
    )
    path = write_result_file(ctx.files_dir, new_id, record["file_name"], data)
    try:
        result = ctx.records.put([record], "create")  # SHACL-validated like any other write
        if getattr(result, "rejected", None):
            raise ValidationError(f"the derived item was rejected: {result.rejected[0].reason}")
    except Exception:
        shutil.rmtree(path.parent, ignore_errors=True)  # no orphan file without its record
        raise
    return JSONResponse(
        {
            "item": new_id,
            "page": f"/page/item/{new_id}",
            "work_page": f"/page/work/{source['work']}" if source["work"] else None,
            "method": method,
            "provenance": json.loads(json.dumps(record["provenance"])),
        },
        status_code=201,
    )
