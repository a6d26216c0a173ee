"""Tile pyramids for deep zoom: a large image is cut once, at upload time, into JPEG tiles at
every power-of-two scale, so the IIIF Image API answers a tile request by reading one small file
(or a few) instead of decoding the whole gigapixel picture again.

Layout, beside the item's file: ``{files_dir}/{item}/.pyramid/pyramid.json`` (sizes, tile size,
scale factors) and ``.pyramid/{scale}/{col}_{row}.jpg``. Level ``s`` has ``ceil(W/s) x ceil(H/s)``
pixels (the IIIF convention), each made from the level below by a 2x2 box filter. The directory
is built under a temporary name and renamed into place, so readers see a whole pyramid or none.

The tiles are cut by libvips (:mod:`kg.pyramid_vips`), which streams the picture in strips so a
gigapixel scan builds in bounded memory; where pyvips is missing, by Pillow, in memory.

Small images get no pyramid: :class:`ImageSource` serves them from the original file, with the
same levels and tiles described, so the Image API treats both alike.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

import kg.files  # noqa: F401  (sets Pillow's decompression-bomb limit before any image is opened)
from kg.errors import HeritageError, ValidationError

TILE = 512
LARGE_EDGE = 2048  # images with a side above this get a pyramid at upload
TILE_QUALITY = 90
PYRAMID_DIR = ".pyramid"
INDEX = "pyramid.json"

Progress = Callable[[float], None]
log = logging.getLogger(__name__)


class PyramidPending(HeritageError):
    """A large image whose tiles are still being built (or were never built)."""

    status = 503
    title = "Tiles not ready"


@dataclass(frozen=True)
class Level:
    scale: int
    width: int
    height: int


def levels_for(width: int, height: int, tile: int = TILE) -> list[Level]:
    """Scale factors 1, 2, 4, ... up to the first level that fits in one tile."""
    levels = [Level(1, width, height)]
    while levels[-1].width > tile or levels[-1].height > tile:
        s = levels[-1].scale * 2
        levels.append(Level(s, math.ceil(width / s), math.ceil(height / s)))
    return levels


def needs_pyramid(width: int, height: int) -> bool:
    return max(width, height) > LARGE_EDGE


def pyramid_dir(item_dir: Path) -> Path:
    return item_dir / PYRAMID_DIR


def open_rgb(path: Path) -> Image.Image:
    """Decode an image under the decompression-bomb guard, as RGB (alpha over white)."""
    try:
        img = Image.open(path)
        img.load()
    except Image.DecompressionBombError as exc:
        raise ValidationError(f"image refused as a decompression bomb: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"the image is damaged or truncated: {exc}") from None
    if img.mode.startswith("I;16") or img.mode == "I":
        # Pillow's own I;16 -> L conversion clips at 255 (a 16-bit scan comes out white); keep
        # the high byte instead, as libvips does
        img = Image.fromarray((np.asarray(img, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB") if img.mode != "RGB" else img


def vips_builder():
    """The libvips module (``kg.pyramid_vips``), or None where the pyvips wheel (or libvips) is
    missing: the one place the Pillow fallbacks (pyramids, upload checks, thumbnails) decide it."""
    global _VIPS_MISSING_LOGGED
    try:
        # import_module honours a module blocked in sys.modules (tests force the fallback that way)
        pyramid_vips = importlib.import_module("kg.pyramid_vips")
    except (ImportError, OSError) as exc:
        if not _VIPS_MISSING_LOGGED:
            log.warning("pyvips unavailable (%s): tile pyramids are cut with Pillow, in memory", exc)
            _VIPS_MISSING_LOGGED = True
        return None
    return pyramid_vips


_VIPS_MISSING_LOGGED = False


def vips_available() -> bool:
    return vips_builder() is not None


def _write_tiles_pillow(source: Path, out: Path, tile: int, progress: Progress | None) -> tuple[int, int]:
    """The fallback builder: the whole picture decoded in memory, each level by ``reduce(2)``."""
    img = open_rgb(source)
    width, height = img.size
    levels = levels_for(width, height, tile)
    total = sum(math.ceil(lv.width / tile) * math.ceil(lv.height / tile) for lv in levels)
    done = 0
    level_img = img
    for i, level in enumerate(levels):
        if i:
            level_img = level_img.reduce(2)
        assert level_img.size == (level.width, level.height)
        folder = out / str(level.scale)
        folder.mkdir()
        for row in range(math.ceil(level.height / tile)):
            for col in range(math.ceil(level.width / tile)):
                box = (
                    col * tile,
                    row * tile,
                    min((col + 1) * tile, level.width),
                    min((row + 1) * tile, level.height),
                )
                level_img.crop(box).save(folder / f"{col}_{row}.jpg", quality=TILE_QUALITY)
                done += 1
                if progress and done % 16 == 0:
                    progress(done / total)
    return width, height


def build_pyramid(
    source: Path,
    item_dir: Path,
    tile: int = TILE,
    progress: Progress | None = None,
    engine: str | None = None,
) -> Path:
    """Cut ``source`` into a tile pyramid in ``item_dir/.pyramid``; returns that directory.
    Replaces an older pyramid atomically; on failure nothing is left behind.

    ``engine`` is ``"vips"`` (streams the picture in strips: bounded memory), ``"pillow"``
    (decodes it whole) or None: libvips when pyvips imports, else Pillow."""
    vips = vips_builder() if engine in (None, "vips") else None
    if engine == "vips" and vips is None:
        raise HeritageError("the libvips pyramid builder was asked for but pyvips is not available")
    tmp = Path(tempfile.mkdtemp(dir=item_dir, prefix=".pyramid-"))
    tmp.chmod(0o755)  # mkdtemp makes it private; tiles are public like the item's file
    try:
        if vips is not None:
            width, height = vips.write_tiles(source, tmp, tile, TILE_QUALITY, progress)
        else:
            width, height = _write_tiles_pillow(source, tmp, tile, progress)
        levels = levels_for(width, height, tile)
        index = {"width": width, "height": height, "tile": tile, "scales": [lv.scale for lv in levels]}
        (tmp / INDEX).write_text(json.dumps(index), encoding="utf-8")
        target = pyramid_dir(item_dir)
        old = None
        if target.exists():
            old = target.with_name(f".pyramid-old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if progress:
        progress(1.0)
    return target


class ImageSource:
    """Pixels of one image at any scale: from the pyramid's tiles when there is one, else from
    the original file (small images only)."""

    def __init__(self, width: int, height: int, tile: int, tiles_dir: Path | None, original: Path | None):
        self.width, self.height, self.tile = width, height, tile
        self.levels = levels_for(width, height, tile)
        self.tiles_dir = tiles_dir
        self.original = original

    @property
    def tiled(self) -> bool:
        return self.tiles_dir is not None

    def tile_path(self, scale: int, col: int, row: int) -> Path | None:
        """The stored JPEG of one tile, if this source has tiles and that tile exists."""
        if self.tiles_dir is None:
            return None
        path = self.tiles_dir / str(scale) / f"{col}_{row}.jpg"
        return path if path.is_file() else None

    def level_for(self, region_w: int, region_h: int, out_w: int, out_h: int) -> Level:
        """The coarsest level that still has at least the requested resolution."""
        best = self.levels[0]
        for level in self.levels:
            if level.scale <= min(region_w / out_w, region_h / out_h):
                best = level
        return best

    def read(self, x: int, y: int, w: int, h: int, out_w: int, out_h: int) -> Image.Image:
        """The full-resolution region (x, y, w, h), scaled to (out_w, out_h)."""
        level = self.level_for(w, h, out_w, out_h)
        s = level.scale
        fx0, fy0, fx1, fy1 = x / s, y / s, (x + w) / s, (y + h) / s
        ix0, iy0 = math.floor(fx0), math.floor(fy0)
        ix1, iy1 = min(math.ceil(fx1), level.width), min(math.ceil(fy1), level.height)
        if self.tiles_dir is None:
            patch = _original(self.original).crop((x, y, x + w, y + h))
            return patch if patch.size == (out_w, out_h) else patch.resize((out_w, out_h), Image.LANCZOS)
        patch = Image.new("RGB", (ix1 - ix0, iy1 - iy0))
        t = self.tile
        for row in range(iy0 // t, (iy1 - 1) // t + 1):
            for col in range(ix0 // t, (ix1 - 1) // t + 1):
                path = self.tile_path(s, col, row)
                if path is None:
                    raise PyramidPending(f"tile {s}/{col}_{row} is missing; rebuild the pyramid")
                with Image.open(path) as tile_img:
                    patch.paste(tile_img.convert("RGB"), (col * t - ix0, row * t - iy0))
        box = (fx0 - ix0, fy0 - iy0, fx1 - ix0, fy1 - iy0)
        if patch.size == (out_w, out_h) and box == (0, 0, *patch.size):
            return patch
        return patch.resize((out_w, out_h), Image.LANCZOS, box=box)


@lru_cache(maxsize=8)
def _original_cached(path: str, mtime_ns: int) -> Image.Image:
    return open_rgb(Path(path))


def _original(path: Path | None) -> Image.Image:
    if path is None:
        raise PyramidPending("no image file")
    return _original_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _index(path: str, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def open_source(item_dir: Path, original: Path | None, width: int | None, height: int | None) -> ImageSource:
    """The pixels of an item: its pyramid if built, else its original when small enough."""
    index_path = pyramid_dir(item_dir) / INDEX
    if index_path.is_file():
        idx = _index(str(index_path), index_path.stat().st_mtime_ns)
        return ImageSource(idx["width"], idx["height"], idx["tile"], index_path.parent, original)
    if original is None or not original.is_file():
        raise PyramidPending("the image file is missing")
    if not width or not height:
        with Image.open(original) as img:  # reads the header only
            width, height = img.size
    if needs_pyramid(width, height):
        raise PyramidPending(
            f"the {width}x{height} image has no tile pyramid yet (it is built after upload); try again shortly"
        )
    return ImageSource(width, height, TILE, None, original)


def pyramid_items(files_dir: Path, item_ids: list[str]) -> list[str]:
    """The items among ``item_ids`` whose tile pyramid is built (for the deep-zoom viewer)."""
    return [i for i in item_ids if "/" not in i and (files_dir / i / PYRAMID_DIR / INDEX).is_file()]
