"""Shadow removal by relighting: the shadow is modelled as a neutral dimming ``a * p(x)`` in log
space, where ``p`` rises from 0 outside to 1 inside across a soft edge that follows the mask's
outline, and the region is divided by it. The texture under the shadow is kept, not painted over.

The edge profile (its offset from the mask's outline and its softness) and the step ``a`` are
fitted to the image's own log-gradients in a band around the outline: the right profile and
step make the boundary vanish. That is more robust than comparing the region with light
interpolated from its surroundings (the method used before), which is biased wherever the
content changes across the region (measured on damage seeds 1000+: relighting gain with the true
mask +7.7 dB before, +13.3 dB after, on the 8 shared images and 4 generated ones).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.special import ndtr

from ml.restore.io import check_mask

# Edge softness (Gaussian sigma) and offset of the profile from the mask's outline (px, inside
# positive) tried at the working scale; a mask drawn by hand or detected may sit anywhere in the
# penumbra.
SOFTNESS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
OFFSETS = tuple(float(v) for v in range(-6, 11))


def _signed_distance(mask: np.ndarray) -> np.ndarray:
    inside = mask.astype(np.uint8)
    return cv2.distanceTransform(inside, cv2.DIST_L2, 5) - cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)


def _gradient(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.diff(a, axis=1)[:-1], np.diff(a, axis=0)[:, :-1]


def _working(image: np.ndarray, mask: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What both fits read, at a working scale whose longest side is ``side`` px: the blurred log
    image, the signed distance to the mask's outline, and the band around it (gradient shape)."""
    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    region = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    log_rgb = cv2.GaussianBlur(np.log(small.astype(np.float32) + 1.0), (0, 0), 1.0)
    distance = _signed_distance(region)
    return log_rgb, distance, (np.abs(distance) < 22)[:-1, :-1]


def fit_shadow(image: np.ndarray, mask: np.ndarray, side: int = 256) -> tuple[float, float, float]:
    """(softness, offset, log step) of the shadow along ``mask``'s outline, at a working scale
    whose longest side is ``side`` px (softness and offset are in those pixels)."""
    log_rgb, distance, band = _working(image, mask, side)
    gx_img, gy_img = _gradient(log_rgb)
    best: tuple[float, float, float] | None = None
    residual_best = np.inf
    # Least squares over the grid (closed form per channel for the step), then a robust
    # refit of one neutral step on the best profile.
    for softness in SOFTNESS:
        for offset in OFFSETS:
            px, py = _gradient(ndtr((distance - offset) / softness).astype(np.float32))
            px, py = px[band], py[band]
            norm = float((px * px + py * py).sum())
            if norm < 1e-6:
                continue
            residual = 0.0
            for c in range(3):
                gx, gy = gx_img[:, :, c][band], gy_img[:, :, c][band]
                step = min(float((gx * px + gy * py).sum()) / norm, 0.0)
                residual += float(((gx - step * px) ** 2 + (gy - step * py) ** 2).sum())
            if residual < residual_best:
                residual_best, best = residual, (softness, offset, 0.0)
    if best is None:
        return 1.0, 0.0, 0.0
    softness, offset, _ = best
    return softness, offset, _robust_step(log_rgb.mean(axis=2), distance, band, softness, offset)


def _robust_step(
    log_lum: np.ndarray, distance: np.ndarray, band: np.ndarray, softness: float, offset: float
) -> float:
    """One neutral step (white light dims the channels alike), by Huber-weighted least squares
    of the image's log-gradient against the profile's: texture crossing the band is an outlier."""
    px, py = _gradient(ndtr((distance - offset) / softness).astype(np.float32))
    gx, gy = _gradient(log_lum)
    px, py, gx, gy = px[band], py[band], gx[band], gy[band]
    norm = px * px + py * py
    keep = norm > 1e-4
    if not keep.any():
        return 0.0
    px, py, gx, gy, norm = px[keep], py[keep], gx[keep], gy[keep], norm[keep]
    along = gx * px + gy * py
    estimate = along / norm
    step = float(along.sum() / norm.sum())
    for _ in range(8):
        error = np.abs(estimate - step) * np.sqrt(norm)
        cutoff = 1.345 * float(np.median(error)) / 0.6745 + 1e-6
        weight = norm * np.minimum(1.0, cutoff / np.maximum(error, 1e-9))
        step = float((weight * estimate).sum() / weight.sum())
    return min(step, 0.0)


def fit_profile(image: np.ndarray, mask: np.ndarray, step: float, side: int = 256) -> tuple[float, float]:
    """(softness, offset) of the edge for a known log ``step``: least absolute deviations of the
    image's log-gradient from the profile's, so texture crossing the band counts less."""
    log_rgb, distance, band = _working(image, mask, side)
    gx, gy = _gradient(log_rgb.mean(axis=2))
    gx, gy = gx[band], gy[band]
    best, best_cost = (1.0, 0.0), np.inf
    for softness in SOFTNESS:
        for offset in OFFSETS:
            px, py = _gradient(ndtr((distance - offset) / softness).astype(np.float32))
            cost = float((np.abs(gx - step * px[band]) + np.abs(gy - step * py[band])).sum())
            if cost < best_cost:
                best, best_cost = (softness, offset), cost
    return best


def remove_shadow(
    image: np.ndarray, mask: np.ndarray, side: int = 256, step: float | None = None
) -> np.ndarray:
    """Relight the shadowed region ``mask`` of an RGB uint8 image so its edge disappears.

    ``step`` (log, negative) is the dimming when it is known, e.g. from the detector's reading
    across the outline; otherwise it is fitted with the edge.
    """
    mask = check_mask(mask, image.shape[:2])
    if mask.all() or not mask.any():
        return image.copy()
    if step is None:
        softness, offset, step = fit_shadow(image, mask, side)
    else:
        step = min(float(step), 0.0)
        softness, offset = fit_profile(image, mask, step, side)
    if step == 0.0:
        return image.copy()
    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    profile = ndtr((_signed_distance(mask) * scale - offset) / softness).astype(np.float32)
    out = np.exp(np.log(image.astype(np.float32) + 1.0) - step * profile[:, :, None]) - 1.0
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
