"""Tile pyramids cut by libvips: the image is streamed in strips (``access="sequential"``) and
every level is shrunk on the fly by ``dzsave``, so building the pyramid of a 20k x 30k museum
scan needs tens of megabytes instead of the gigabytes Pillow needs to hold it decoded.

``dzsave`` with ``depth="onetile"`` makes exactly the levels of :func:`kg.pyramid.levels_for`:
level sizes round up (``ceil(W/s)``), the odd last row and column are averaged from the pixels
that exist (like Pillow's ``reduce(2)``), and JPEG tiles at the same quality and 4:2:0 chroma
subsampling as the Pillow builder. Its Deep Zoom folders (``0`` = the one-tile level) are then
renamed to scale factors, so readers see the same layout whichever builder ran.

Colours follow :func:`kg.pyramid.open_rgb`: alpha flattened over white, CMYK by the same naive
formula as Pillow (no ICC profile is applied), grey and 16-bit pictures scaled to 8-bit sRGB.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyvips
from PIL import Image

import kg.files  # noqa: F401  (sets the decompression-bomb limit this module checks too)
from kg.errors import HeritageError, ValidationError
from kg.pyramid import Progress, levels_for

# Only the formats an upload can have (kg.files.IMAGE_FORMATS): libvips can open many more
# (SVG, PDF, matrix files ...) and none of those belong in the tile builder.
LOADERS = {"jpegload", "pngload", "tiffload"}
_DZ = "dz"


def _damaged(exc: Exception) -> ValidationError:
    detail = " ".join(str(exc).split())[:300]
    return ValidationError(f"the image is damaged or truncated: {detail}")


def open_image(path: Path) -> pyvips.Image:
    """Open for one top-to-bottom pass, after checking from the header alone that the picture
    is not a decompression bomb and is a JPEG, PNG or TIFF. Nothing is decoded here."""
    try:
        # revalidate: never reuse a cached decode of an older file at the same path
        img = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error", revalidate=True)
    except pyvips.Error as exc:
        raise _damaged(exc) from None
    loader = img.get("vips-loader") if img.get_typeof("vips-loader") else ""
    if loader not in LOADERS:
        raise ValidationError(f"tile pyramids are cut from JPEG, PNG or TIFF images, not {loader or 'this'}")
    limit = Image.MAX_IMAGE_PIXELS
    if limit and img.width * img.height > limit:
        raise ValidationError(
            f"image refused as a decompression bomb: {img.width}x{img.height} is "
            f"{img.width * img.height} pixels, above the limit of {limit}"
        )
    return img


def verify_image(path: Path) -> tuple[int, int]:
    """Decode the whole picture once, strip by strip, so truncation and damage show without
    holding it in memory (what an upload check of a gigapixel scan needs); (width, height)."""
    img = open_image(path)
    try:
        img.avg()
    except pyvips.Error as exc:
        raise _damaged(exc) from None
    return img.width, img.height


def thumbnail(path: Path, box: int) -> pyvips.Image:
    """At most ``box`` x ``box`` (aspect kept, never enlarged) as 8-bit sRGB, shrunk while decoding;
    the format and bomb checks of :func:`open_image` first."""
    open_image(path)
    return to_srgb8(pyvips.Image.thumbnail(str(path), box, height=box, size="down", fail_on="error"))


def to_srgb8(img: pyvips.Image) -> pyvips.Image:
    """3-band 8-bit sRGB, alpha flattened over white (the same result as ``open_rgb``)."""
    if img.interpretation == "cmyk" and img.bands >= 4:
        if img.format != "uchar":
            img = (img >> 8).cast("uchar") if img.format == "ushort" else img.cast("uchar")
        extra = img[4:] if img.bands > 4 else None
        inv = 255 - img[0:4]
        # Pillow's cmyk2rgb: (255 - c) * (255 - k) / 255, rounded
        rgb = (inv[0:3] * inv[3] / 255).rint().cast("uchar")
        img = (rgb.bandjoin(extra) if extra is not None else rgb).copy(interpretation="srgb")
    elif img.interpretation != "srgb" or img.format != "uchar":
        img = img.colourspace("srgb")  # grey, 16-bit, LAB ... (also scales a 16-bit alpha)
    if img.hasalpha():
        img = img.flatten(background=[255, 255, 255])
    if img.bands > 3:
        img = img[0:3]
    if img.format != "uchar":
        img = img.cast("uchar")
    return img


def write_tiles(
    source: Path, out: Path, tile: int, quality: int, progress: Progress | None = None
) -> tuple[int, int]:
    """Write the tiles of ``source`` into ``out/{scale}/{col}_{row}.jpg``; (width, height)."""
    img = open_image(source)
    width, height = img.width, img.height
    levels = len(levels_for(width, height, tile))
    rgb = to_srgb8(img)
    if progress:
        last = [-1]

        def _eval(_image, state) -> None:
            pct = int(state.percent)
            if pct != last[0]:
                last[0] = pct
                progress(min(pct, 99) / 100)

        rgb.set_progress(True)
        rgb.signal_connect("eval", _eval)
    try:
        rgb.dzsave(
            str(out / _DZ),
            tile_size=tile,
            overlap=0,
            depth="onetile",
            layout="dz",
            suffix=f".jpg[Q={quality},subsample_mode=on,optimize_coding=false]",
            keep="none",
        )
    except pyvips.Error as exc:
        raise _damaged(exc) from None
    made = out / f"{_DZ}_files"
    found = sorted(int(p.name) for p in made.iterdir() if p.is_dir() and p.name.isdigit())
    if found != list(range(levels)):
        raise HeritageError(f"libvips made {len(found)} pyramid levels where {levels} were expected")
    for k in found:  # Deep Zoom level k holds scale 2 ** (levels - 1 - k)
        (made / str(k)).rename(out / str(2 ** (levels - 1 - k)))
    shutil.rmtree(made)
    (out / f"{_DZ}.dzi").unlink(missing_ok=True)
    return width, height
