"""Thumbnails of uploaded images (the 320 px preview on result cards and in the admin history).

libvips shrinks while it decodes (JPEG shrink-on-load, strips for PNG and TIFF), so the preview
of a 16,000 x 12,000 TIFF is made without holding the scan in memory; Pillow's ``thumbnail``
only shrinks on load for JPEG and would decode a TIFF or PNG whole. Pillow is the fallback where
pyvips does not import.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kg.pyramid import vips_builder

BOX = 320


def write_thumbnail(source: Path, target: Path, box: int = BOX) -> Path:
    """Write a PNG no larger than ``box`` x ``box`` (aspect kept, never enlarged) to ``target``."""
    vips = vips_builder()
    if vips is None:
        return _with_pillow(source, target, box)
    vips.thumbnail(source, box).pngsave(str(target))
    return target


def _with_pillow(source: Path, target: Path, box: int) -> Path:
    with Image.open(source) as img:
        img.thumbnail((box, box))
        img.convert("RGB").save(target, "PNG")
    return target
