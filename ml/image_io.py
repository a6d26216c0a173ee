"""Safe image decoding for the encoders: every odd input is converted or refused with a clear error.

Handles CMYK, 16-bit, palette and alpha PNGs (composited on white), animated GIFs (first frame),
EXIF orientation, and refuses corrupt data, non-images, images smaller than 2 px and decompression
bombs (more than ``MAX_PIXELS``) before decoding their pixels.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kg.errors import UnsupportedFormat

MAX_PIXELS = 64_000_000
MIN_SIDE = 2


class ImageRejected(UnsupportedFormat):
    """An input that cannot be used as an image (the message says why)."""


def load_rgb(source: bytes | str | Path, name: str | None = None) -> Image.Image:
    """Decode to an RGB PIL image or raise ``ImageRejected``."""
    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(f"{label}: {width}x{height} exceeds the {MAX_PIXELS:,}-pixel limit")
            if min(width, height) < MIN_SIDE:
                raise ImageRejected(f"{label}: {width}x{height} is too small to describe")
            probe.seek(0)  # animated images: the first frame
            image = ImageOps.exif_transpose(probe.copy()) or probe.copy()
            image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageRejected(f"{label}: not a readable image ({exc.__class__.__name__})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"{label}: corrupt image data ({exc})") from exc
    return to_rgb(image)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL mode to 8-bit RGB (alpha over white; 16-bit scaled, not clipped)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float64)
        top = arr.max() or 1.0
        image = Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8), mode="L")
    if image.mode == "F":
        arr = np.asarray(image, dtype=np.float64)
        rng = (arr.max() - arr.min()) or 1.0
        image = Image.fromarray(((arr - arr.min()) / rng * 255).astype(np.uint8), mode="L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("RGB")
