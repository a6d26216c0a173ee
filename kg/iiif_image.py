"""IIIF Image API 3.0 semantics: parse ``{region}/{size}/{rotation}/{quality}.{format}``, check it
against the image and the server's limits, and render it from an :class:`~kg.pyramid.ImageSource`;
and the ``info.json`` document. Pure of HTTP: the routes in ``api.iiif`` only call these.

Compliance: level 1, plus ``regionByPct``, ``sizeByPct``, ``sizeByConfinedWh``, ``sizeUpscaling``
(``^`` sizes, within ``maxArea``), ``rotationBy90s``, ``mirroring``, gray and bitonal qualities
and PNG output. Errors are :class:`IIIFBadRequest` (400) with one readable sentence.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from PIL import ImageOps

from kg.errors import HeritageError
from kg.pyramid import ImageSource

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
PROFILE_URI = "http://iiif.io/api/image/3/level1.json"
MAX_WIDTH = 8192
MAX_HEIGHT = 8192
MAX_AREA = 4096 * 4096
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
QUALITIES = ("default", "color", "gray", "bitonal")
EXTRA_FEATURES = [
    "baseUriRedirect",
    "canonicalLinkHeader",
    "cors",
    "jsonldMediaType",
    "mirroring",
    "profileLinkHeader",
    "regionByPct",
    "regionByPx",
    "regionSquare",
    "rotationBy90s",
    "sizeByConfinedWh",
    "sizeByH",
    "sizeByPct",
    "sizeByW",
    "sizeByWh",
    "sizeUpscaling",
]
JPEG_QUALITY = 88

_INT = r"(0|[1-9]\d*)"
_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
_REGION_PX = re.compile(rf"^{_INT},{_INT},{_INT},{_INT}$")
_REGION_PCT = re.compile(rf"^pct:{_NUM},{_NUM},{_NUM},{_NUM}$")
_SIZE_WH = re.compile(rf"^(!)?{_INT}?,{_INT}?$")
_SIZE_PCT = re.compile(rf"^pct:{_NUM}$")
_ROTATION = re.compile(r"^(!)?(\d+(?:\.\d+)?)$")


class IIIFBadRequest(HeritageError):
    """A malformed or unsatisfiable Image API request (the spec's 400)."""

    title = "Bad IIIF request"


@dataclass(frozen=True)
class ImageRequest:
    """A parsed, checked request: the region in full-image pixels and the output size."""

    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    mirror: bool
    rotation: int
    quality: str
    format: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    def canonical(self, full_w: int, full_h: int) -> str:
        """The canonical path tail ``region/size/rotation/quality.format`` (for the Link header)."""
        region = (
            "full"
            if (self.x, self.y, self.w, self.h) == (0, 0, full_w, full_h)
            else f"{self.x},{self.y},{self.w},{self.h}"
        )
        size = "max" if (self.out_w, self.out_h) == (self.w, self.h) else f"{self.out_w},{self.out_h}"
        if self.out_w > self.w or self.out_h > self.h:
            size = "^" + size
        rotation = ("!" if self.mirror else "") + str(self.rotation)
        quality = "default" if self.quality == "color" else self.quality
        return f"{region}/{size}/{rotation}/{quality}.{self.format}"


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    """Region in full-image pixels, cropped to the image; 400 when empty or wholly outside."""
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if m := _REGION_PX.match(text):
        x, y, w, h = (int(g) for g in m.groups())
    elif m := _REGION_PCT.match(text):
        px, py, pw, ph = (float(g) for g in m.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise IIIFBadRequest(
            f"region {text!r} is not 'full', 'square', 'x,y,w,h' or 'pct:x,y,w,h' (non-negative numbers)"
        )
    if w == 0 or h == 0:
        raise IIIFBadRequest(f"region {text!r} has zero width or height")
    if x >= width or y >= height:
        raise IIIFBadRequest(f"region {text!r} lies entirely outside the {width}x{height} image")
    return x, y, min(w, width - x), min(h, height - y)


def _limit(w: float, h: float) -> float:
    """The largest factor <= 1 that brings (w, h) within maxWidth, maxHeight and maxArea."""
    return min(1.0, MAX_WIDTH / w, MAX_HEIGHT / h, math.sqrt(MAX_AREA / (w * h)))


def parse_size(text: str, rw: int, rh: int) -> tuple[int, int]:
    """Output size for a region of rw x rh; 400 for malformed sizes, sizes above the region
    without ``^``, zero sizes and sizes above maxWidth / maxHeight / maxArea."""
    up = text.startswith("^")
    body = text[1:] if up else text
    if body == "max":
        f = (
            _limit(rw, rh)
            if not up
            else min(MAX_WIDTH / rw, MAX_HEIGHT / rh, math.sqrt(MAX_AREA / (rw * rh)))
        )
        return max(1, math.floor(rw * f)), max(1, math.floor(rh * f))
    if m := _SIZE_PCT.match(body):
        n = float(m.group(1))
        w, h = round(rw * n / 100), round(rh * n / 100)
    elif (m := _SIZE_WH.match(body)) and (m.group(2) or m.group(3)):
        confined, ws, hs = m.group(1), m.group(2), m.group(3)
        if confined:
            if not (ws and hs):
                raise IIIFBadRequest(f"size {text!r}: '!w,h' needs both a width and a height")
            bw, bh = int(ws), int(hs)
            if not up:
                bw, bh = min(bw, rw), min(bh, rh)
            if bw * rh <= bh * rw:  # the width binds
                w, h = bw, min(bh, round(rh * bw / rw))
            else:
                w, h = min(bw, round(rw * bh / rh)), bh
        elif ws and hs:
            w, h = int(ws), int(hs)
        elif ws:
            w = int(ws)
            h = round(rh * w / rw)
        else:
            h = int(hs)
            w = round(rw * h / rh)
    else:
        raise IIIFBadRequest(
            f"size {text!r} is not 'max', 'w,', ',h', 'pct:n', 'w,h' or '!w,h' (optionally with '^')"
        )
    if w <= 0 or h <= 0:
        raise IIIFBadRequest(f"size {text!r} gives an empty image")
    if not up and (w > rw or h > rh):
        raise IIIFBadRequest(
            f"size {text!r} ({w}x{h}) is larger than the {rw}x{rh} region; prefix it with '^' to upscale"
        )
    if w > MAX_WIDTH or h > MAX_HEIGHT or w * h > MAX_AREA:
        raise IIIFBadRequest(
            f"size {text!r} ({w}x{h}) exceeds this server's limits "
            f"(maxWidth {MAX_WIDTH}, maxHeight {MAX_HEIGHT}, maxArea {MAX_AREA})"
        )
    return w, h


def parse_rotation(text: str) -> tuple[bool, int]:
    m = _ROTATION.match(text)
    if not m:
        raise IIIFBadRequest(f"rotation {text!r} is not a number of degrees (optionally with '!')")
    degrees = float(m.group(2))
    if degrees > 360:
        raise IIIFBadRequest(f"rotation {text!r} is outside 0-360")
    if degrees % 90:
        raise IIIFBadRequest(f"rotation {text!r} is not supported: only multiples of 90 degrees")
    return bool(m.group(1)), int(degrees) % 360


def parse_request(
    region: str, size: str, rotation: str, quality_format: str, width: int, height: int
) -> ImageRequest:
    """Check every parameter against a width x height image."""
    quality, dot, fmt = quality_format.rpartition(".")
    if not dot:
        raise IIIFBadRequest(f"{quality_format!r} must be 'quality.format', e.g. 'default.jpg'")
    if quality not in QUALITIES:
        raise IIIFBadRequest(f"quality {quality!r} is not one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise IIIFBadRequest(f"format {fmt!r} is not supported (use {' or '.join(FORMATS)})")
    x, y, w, h = parse_region(region, width, height)
    out_w, out_h = parse_size(size, w, h)
    mirror, degrees = parse_rotation(rotation)
    return ImageRequest(x, y, w, h, out_w, out_h, mirror, degrees, quality, fmt)


def render(source: ImageSource, req: ImageRequest) -> bytes:
    """The encoded image. A request for exactly one stored tile as a colour JPEG is answered with
    the tile file itself, so deep-zoom viewers cost one file read per tile."""
    tile = _stored_tile(source, req)
    if tile is not None:
        return tile
    img = source.read(req.x, req.y, req.w, req.h, req.out_w, req.out_h)
    if req.mirror:
        img = ImageOps.mirror(img)
    if req.rotation:
        img = img.rotate(-req.rotation, expand=True)  # IIIF rotates clockwise, Pillow anticlockwise
    if req.quality == "gray":
        img = img.convert("L")
    elif req.quality == "bitonal":
        img = img.convert("1")
    buf = io.BytesIO()
    pil_format = FORMATS[req.format][0]
    if pil_format == "JPEG":
        img.save(buf, pil_format, quality=JPEG_QUALITY)
    else:
        img.save(buf, pil_format, compress_level=3)
    return buf.getvalue()


def _stored_tile(source: ImageSource, req: ImageRequest) -> bytes | None:
    if not source.tiled or req.format != "jpg" or req.quality not in ("default", "color"):
        return None
    if req.mirror or req.rotation:
        return None
    t = source.tile
    for level in source.levels:
        s = level.scale
        span = t * s
        if req.x % span or req.y % span:
            continue
        col, row = req.x // span, req.y // span
        tw = min(t, level.width - col * t)
        th = min(t, level.height - row * t)
        if (req.w, req.h) == (min(span, source.width - req.x), min(span, source.height - req.y)) and (
            req.out_w,
            req.out_h,
        ) == (tw, th):
            path = source.tile_path(s, col, row)
            return path.read_bytes() if path else None
    return None


def info(source: ImageSource, service_id: str) -> dict:
    """The ``info.json`` of an image service whose ``id`` is ``service_id``."""
    sizes = [
        {"width": lv.width, "height": lv.height}
        for lv in reversed(source.levels)
        if lv.width * lv.height <= MAX_AREA
    ]
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": "level1",
        "width": source.width,
        "height": source.height,
        "maxWidth": MAX_WIDTH,
        "maxHeight": MAX_HEIGHT,
        "maxArea": MAX_AREA,
        "sizes": sizes,
        "tiles": [
            {"width": source.tile, "height": source.tile, "scaleFactors": [lv.scale for lv in source.levels]}
        ],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFormats": ["png"],
        "extraFeatures": EXTRA_FEATURES,
    }


# ---- items of the graph as image services ----------------------------------------------------


def original_of(ctx, item_id: str):
    """The stored file of an image Item; NotFound unless the Item exists and is an image."""
    from kg.errors import NotFound
    from kg.files import IMAGE_FORMATS, file_path

    record = ctx.records.get(item_id, "item")
    if record.get("file_format") not in IMAGE_FORMATS or not record.get("file_name"):
        raise NotFound(f"item {item_id!r} is not an image")
    return file_path(ctx.files_dir, item_id, record["file_name"]), record


def source_for_item(ctx, item_id: str) -> ImageSource:
    """The pixels behind the image service ``item_id``: NotFound unless it is an image Item."""
    from kg.pyramid import open_source

    original, record = original_of(ctx, item_id)
    return open_source(original.parent, original, record.get("pixel_width"), record.get("pixel_height"))


def canvas_images(ctx, work: dict) -> list:
    """The image Items of a Work (record dict) as manifest canvases, in instance/item order."""
    import pyoxigraph as ox

    from kg.errors import NotFound
    from mappings.iiif_manifest import CanvasImage
    from sparql.queries import load

    query = load("iiif_images_of_work").replace("$work", str(ox.NamedNode(work["iri"])))
    images = []
    for row in ctx.store.select(query):
        item_id = row["item"].value.rsplit("/", 1)[-1]
        if "width" not in row:
            continue  # a file the upload could not measure cannot be a canvas
        width, height = int(row["width"].value), int(row["height"].value)
        try:
            item = ctx.records.get(item_id, "item")
        except NotFound:  # deleted between the two reads
            continue
        body_w, body_h = parse_size("max", width, height)
        images.append(
            CanvasImage(
                item_id, item.get("title") or {}, width, height, row["mediaType"].value, body_w, body_h
            )
        )
    return images
