"""Safe image and mask loading: every user-supplied image passes through here so that huge
images, decompression bombs, corrupt files and wrong-sized masks fail with one clear error
instead of a crash or an out-of-memory kill."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from kg.errors import UnsupportedFormat, ValidationError

# 40 MP is far above what restoration needs and keeps float32 working copies under ~0.5 GB.
MAX_PIXELS = 40_000_000
SUPPORTED_FORMATS = {"JPEG", "PNG", "TIFF", "BMP", "WEBP", "GIF"}


class ImageTooLarge(ValidationError):
    """The image has more pixels than the configured limit (a decompression-bomb guard too)."""

    status = 413
    title = "Image too large"


def _open(source: str | Path | bytes, max_pixels: int) -> Image.Image:
    data = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    # Pillow's own guard (Image.MAX_IMAGE_PIXELS, a process-wide setting we do not mutate from
    # worker threads) catches bombs while the header is parsed; the explicit check below applies
    # this module's tighter limit before any pixel is decoded.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(data)
            if image.format not in SUPPORTED_FORMATS:
                raise UnsupportedFormat(f"unsupported image format {image.format!r}")
            if image.width * image.height > max_pixels:
                raise ImageTooLarge(
                    f"image is {image.width}x{image.height} = {image.width * image.height} pixels, "
                    f"above the limit of {max_pixels}"
                )
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"image refused by the decompression-bomb guard: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedFormat("not a readable image (unknown format or corrupt file)") from exc
    except FileNotFoundError as exc:
        raise UnsupportedFormat(f"image file not found: {source}") from exc
    except OSError as exc:
        raise UnsupportedFormat(f"corrupt or truncated image: {exc}") from exc


def load_image(source: str | Path | bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """An RGB uint8 array (H, W, 3); alpha is composited on white so transparent scans stay legible."""
    image = _open(source, max_pixels)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def load_mask(source: str | Path | bytes, shape: tuple[int, int], max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """A boolean mask (True = damaged) that must match the image's height and width exactly."""
    image = _open(source, max_pixels)
    mask = np.asarray(image.convert("L"), dtype=np.uint8) > 127
    return check_mask(mask, shape)


def check_mask(mask: np.ndarray, shape: tuple[int, int], allow_empty: bool = False) -> np.ndarray:
    """Reject masks that cannot be inpainted: wrong size, empty, or covering the whole image."""
    mask = np.asarray(mask).astype(bool)
    if mask.shape != tuple(shape):
        raise ValidationError(
            f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}"
        )
    if not allow_empty and not mask.any():
        raise ValidationError("mask is empty: nothing to restore")
    if mask.all():
        raise ValidationError("mask covers the whole image: there is nothing left to restore from")
    return mask


def to_png_bytes(image: np.ndarray) -> bytes:
    """PNG-encode an RGB uint8 or boolean mask array (lossless, so results are not degraded again)."""
    array = image.astype(np.uint8) * 255 if image.dtype == bool else image
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def save_image(image: np.ndarray, path: str | Path) -> Path:
    """Write an RGB array or a mask; the format follows the file extension (PNG when unknown)."""
    path = Path(path)
    array = image.astype(np.uint8) * 255 if image.dtype == bool else image
    try:
        Image.fromarray(array).save(path)
    except (KeyError, ValueError):
        Image.fromarray(array).save(path, format="PNG")
    return path
