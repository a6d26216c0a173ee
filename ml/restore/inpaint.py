"""Classical inpainting behind one function: OpenCV Telea and Navier-Stokes, scikit-image's
biharmonic, the project's exemplar method, and ``blend``, the per-pixel mean of those four fills
(an ensemble, the most accurate here). No learned model ships offline (MODELS.md)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from skimage.restoration import inpaint_biharmonic

from ml.restore.exemplar import inpaint_exemplar
from ml.restore.io import check_mask

INPAINT_METHODS = ("telea", "ns", "biharmonic", "exemplar", "blend")


def inpaint(
    image: np.ndarray,
    mask: np.ndarray,
    method: str = "biharmonic",
    radius: int = 5,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Fill the True pixels of ``mask`` in an RGB uint8 image; the known pixels are returned unchanged."""
    mask = check_mask(mask, image.shape[:2])
    if method == "telea":
        out = cv2.inpaint(image, mask.astype(np.uint8), radius, cv2.INPAINT_TELEA)
    elif method == "ns":
        out = cv2.inpaint(image, mask.astype(np.uint8), radius, cv2.INPAINT_NS)
    elif method == "biharmonic":
        out = _biharmonic(image, mask)
    elif method == "exemplar":
        out = inpaint_exemplar(image, mask, progress=progress)
    elif method == "blend":
        out = _blend(image, mask, progress)
    else:
        raise ValueError(f"unknown inpainting method {method!r}; choose one of {', '.join(INPAINT_METHODS)}")
    result = image.copy()
    result[mask] = out[mask]
    if progress is not None:
        progress(1.0)
    return result


def _biharmonic(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    # Solving on a crop around each damaged region keeps the sparse systems small.
    filled = inpaint_biharmonic(
        image.astype(np.float64) / 255.0, mask, channel_axis=-1, split_into_regions=True
    )
    return np.clip(np.rint(filled * 255.0), 0, 255).astype(np.uint8)


def _blend(image: np.ndarray, mask: np.ndarray, progress: Callable[[float], None] | None) -> np.ndarray:
    # An ensemble: the four fills fail in different ways (Telea/NS smear along the front, biharmonic
    # overshoots near strong edges, the exemplar copies a wrong patch now and then), so their
    # per-pixel mean has a lower error than any one of them (bench/bench_restore.py measures it).
    fills = [
        cv2.inpaint(image, mask.astype(np.uint8), 5, cv2.INPAINT_TELEA),
        cv2.inpaint(image, mask.astype(np.uint8), 5, cv2.INPAINT_NS),
        _biharmonic(image, mask),
        inpaint_exemplar(image, mask, progress=progress),
    ]
    mean = np.mean([f.astype(np.float32) for f in fills], axis=0)
    return np.clip(np.rint(mean), 0, 255).astype(np.uint8)
