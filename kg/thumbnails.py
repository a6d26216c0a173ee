"""Thumbnails of uploaded images (the 320 px preview on result cards and in the admin history).

libvips shrinks while it decodes (JPEG shrink-on-load, strips for PNG and TIFF), so the preview
of a 16,000 x 12,000 TIFF is made without holding the scan in memory; Pillow's ``thumbnail``
only shrinks on load for JPEG and would decode a TIFF or PNG whole. Pillow is the fallback where
pyvips does not import.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

BOX = 320


def write_thumbnail(source: Path, target: Path, box: int = BOX) -> Path:
    """Write a PNG no larger than ``box`` x ``box`` (aspect kept, never enlarged) to ``target``."""
    try:
        import pyvips

        from kg.pyramid_vips import open_image, to_srgb8
    except (ImportError, OSError):  # no pyvips, or no libvips under it
        return _with_pillow(source, target, box)
    open_image(source)  # the format and decompression-bomb checks, from the header only
    thumb = pyvips.Image.thumbnail(str(source), box, height=box, size="down", fail_on="error")
    to_srgb8(thumb).pngsave(str(target))
    return target


def _with_pillow(source: Path, target: Path, box: int) -> Path:
    with Image.open(source) as img:
        img.thumbnail((box, box))
        img.convert("RGB").save(target, "PNG")
    return target
