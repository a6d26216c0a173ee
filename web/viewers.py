"""The RTI relighting viewer's data (a coefficient atlas and its manifest, made from any stored
``.ptm`` or HSH ``.rti`` Item) and the NXG multi-layer viewer (a Work's registered image layers
with their provenance), plus full-page versions of both. The item page includes the same
viewers through ``_viewer_rti.html`` and ``_viewer_nxg.html``."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.context import HeritageContext
from kg.errors import NotFound, UnsupportedFormat
from web import views
from web.i18n import pick
from web.render import page_lang, render

router = APIRouter(include_in_schema=False)
RTI_FORMATS = ("ptm", "rti")
LAYER_FORMATS = ("png", "jpeg")  # what every browser draws on a canvas
# technical imaging instance types (ontology/scheme_data.INSTANCE_TYPE): each its own layer kind
IMAGING_KINDS = ("infrared-reflectography", "x-radiography", "uv-fluorescence")
LAYER_ORDER = ("photograph", *IMAGING_KINDS, "derived", "rti-capture", "rti-normals")
IIIF_ONLY_FORMATS = ("tiff",)  # image Items the IIIF service renders but browsers cannot draw
RENDITION = 2048  # longest side NXG asks the IIIF service for when an Item has a tile pyramid
_CACHE: OrderedDict[str, tuple[bytes, dict]] = OrderedDict()
_CACHE_SIZE = 4  # atlases of the last few RTIs viewed; a 1k x 1k HSH atlas is ~10 MB
_LOCK = threading.Lock()
WEB_SIZE = 1024  # longest side of the viewer's atlas tiles (4 x 3 tiles of 1024 fit in 8192)


def _ctx(request: Request) -> HeritageContext:
    return request.app.state.ctx


def rti_item(ctx: HeritageContext, item_id: str) -> tuple[dict, Path]:
    """The Item record of an RTI file and its path on disk; NotFound for anything else."""
    try:
        record = ctx.records.get(item_id, "item")
    except NotFound:
        raise NotFound(f"there is no item with the id “{item_id}”") from None
    if record.get("file_format") not in RTI_FORMATS:
        raise NotFound(f"item “{item_id}” is not an RTI file (.ptm or .rti)")
    path = ctx.files_dir / item_id / str(record.get("file_name", ""))
    if not path.is_file():
        raise NotFound(f"the file of item “{item_id}” is missing")
    return record, path


def rti_atlas(ctx: HeritageContext, item_id: str) -> tuple[bytes, dict]:
    """(atlas PNG, manifest) for an RTI Item, computed once per file version (keyed by sha256)."""
    from ml.rti import fit, formats  # numpy work; only when an RTI is actually viewed

    record, path = rti_item(ctx, item_id)
    key = f"{item_id}:{record.get('sha256')}"
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        # a browser texture (and the server's memory) has limits: preview at most WEB_SIZE pixels
        step = max(1, -(-max(formats.rti_size(path)) // WEB_SIZE))
        result = formats.read_rti(path, step)
    except (UnsupportedFormat, ValueError) as exc:
        raise UnsupportedFormat(f"item “{item_id}”: {getattr(exc, 'detail', exc)}") from None
    png, manifest = formats.web_atlas(result, fit.normals(result))
    manifest = {
        "item": item_id,
        **manifest,
        "atlas": f"/viewer/rti/{item_id}/atlas.png?v={record.get('sha256', '')[:12]}",
    }
    with _LOCK:
        _CACHE[key] = (png, manifest)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return png, manifest


def layer_kind(item: dict, instance: dict) -> str:
    """What a layer is, for the viewer's labels: a photograph, a technical image (infrared
    reflectography, X-radiography, UV fluorescence, from its Instance's type), a derived image
    or an RTI layer. A derived item (a restoration) stays "derived" whatever its Instance is."""
    method = (item.get("provenance") or {}).get("method", "")
    if method == "rti-normals":
        return "rti-normals"
    if item.get("derived_from"):
        return "derived"
    types = {c.get("iri", "").rsplit("/", 1)[-1] for c in instance.get("instance_type", [])}
    imaging = [k for k in IMAGING_KINDS if k in types]
    if imaging:
        return imaging[0]
    return "rti-capture" if "rti" in types else "photograph"


def layer_href(item: dict, pyramids: set[str]) -> str | None:
    """Where the viewer loads a layer from: a right-sized IIIF rendition when the Item has a tile
    pyramid (a 6,000 x 4,000 master, or a PNG too big to need whole) or is a TIFF (which browsers
    cannot draw at all), else the file itself when a browser can draw its format; None when it
    can do neither."""
    if item["id"] in pyramids or item.get("file_format") in IIIF_ONLY_FORMATS:
        return f"/iiif/3/{quote(item['id'], safe='')}/full/!{RENDITION},{RENDITION}/0/default.jpg"
    if item.get("file_format") in LAYER_FORMATS and item.get("href"):
        return item["href"]
    return None


def nxg_layers(ctx: HeritageContext, work_iri: str, lang: str) -> list[dict]:
    """The Work's image Items that a browser can draw, originals first, each with its Instance,
    Project and provenance (method, parameters, source Item)."""
    from kg.pyramid import pyramid_items

    order = {kind: rank for rank, kind in enumerate(LAYER_ORDER)}
    instances = views.work_layers(ctx, work_iri)
    ids = [item["id"] for inst in instances for item in inst["items"]]
    pyramids = set(pyramid_items(ctx.files_dir, ids))
    out = []
    for inst in instances:
        for item in inst["items"]:
            href = layer_href(item, pyramids)
            if href is None:
                continue
            prov = item.get("provenance") or {}
            out.append(
                {
                    "id": item["id"],
                    "title": pick(item.get("title"), lang) or item["id"],
                    "href": href,
                    "file": item.get("href"),
                    "kind": layer_kind(item, inst),
                    "width": item.get("pixel_width"),
                    "height": item.get("pixel_height"),
                    "instance": {"id": inst["id"], "title": pick(inst.get("title"), lang)},
                    "project": {
                        "id": inst["project"]["id"],
                        "title": pick(inst["project"].get("title"), lang),
                    }
                    if inst.get("project")
                    else None,
                    "derived_from": list(item.get("derived_from") or []),
                    "method": prov.get("method"),
                    "parameters": prov.get("parameters") or {},
                    "sha256": item.get("sha256"),
                }
            )
    out.sort(key=lambda layer: order[layer["kind"]])
    return out


@router.get("/viewer/rti/{item_id}/manifest.json")
def rti_manifest(request: Request, item_id: str) -> JSONResponse:
    """What the WebGL viewer needs to decode the atlas: model, terms, tile grid, value ranges."""
    _, manifest = rti_atlas(_ctx(request), item_id)
    return JSONResponse(manifest)


@router.get("/viewer/rti/{item_id}/atlas.png")
def rti_atlas_png(request: Request, item_id: str) -> Response:
    png, _ = rti_atlas(_ctx(request), item_id)
    return Response(png, media_type="image/png", headers={"cache-control": "public, max-age=3600"})


@router.get("/viewer/rti/{item_id}", response_class=HTMLResponse)
def rti_page(request: Request, item_id: str) -> HTMLResponse:
    """The RTI viewer on its own page, with the Item's record beside it."""
    ctx = _ctx(request)
    try:
        record, _ = rti_item(ctx, item_id)
    except NotFound as exc:
        return render(request, "error.html", status=404, code=404, detail=exc.detail)
    work = _work_of(ctx, record)
    return render(request, "viewer_rti.html", item=record, work=work)


@router.get("/viewer/nxg/{work_id}/layers.json")
def nxg_layers_json(request: Request, work_id: str) -> JSONResponse:
    ctx = _ctx(request)
    try:
        record = ctx.records.get(work_id, "work")
    except NotFound:
        raise NotFound(f"there is no work with the id “{work_id}”") from None
    return JSONResponse({"work": work_id, "layers": nxg_layers(ctx, record["iri"], page_lang(request))})


@router.get("/viewer/nxg/{work_id}", response_class=HTMLResponse)
def nxg_page(request: Request, work_id: str) -> HTMLResponse:
    """NXG: compare the Work's registered layers by swipe, side by side or opacity."""
    ctx, lang = _ctx(request), page_lang(request)
    try:
        record = ctx.records.get(work_id, "work")
    except NotFound:
        return render(
            request, "error.html", status=404, code=404, detail=f"There is no work with the id “{work_id}”."
        )
    return render(request, "viewer_nxg.html", record=record, nxg=nxg_layers(ctx, record["iri"], lang))


def _work_of(ctx: HeritageContext, item: dict) -> dict | None:
    """The Work an Item's Instance represents, if any (for the page's back link)."""
    try:
        inst = ctx.records.get(str(item.get("part_of")), "instance")
        return ctx.records.get(str(inst.get("represents")), "work")
    except NotFound:
        return None
