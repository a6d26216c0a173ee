"""Synthetic damage with a known ground-truth mask: stains, scratches, cast shadows and
downscaling. The benchmark and the tests damage real or generated images with it, so every
restoration figure is measured against an undamaged original."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Damaged:
    """A damaged image with the true masks (True = pixel altered by that kind of damage)."""

    image: np.ndarray
    stain_mask: np.ndarray
    scratch_mask: np.ndarray
    shadow_mask: np.ndarray

    @property
    def inpaint_mask(self) -> np.ndarray:
        """Pixels whose content is lost (stains, scratches): they need inpainting, not relighting."""
        return self.stain_mask | self.scratch_mask

    @property
    def mask(self) -> np.ndarray:
        return self.inpaint_mask | self.shadow_mask


def _blob(shape: tuple[int, int], rng: np.random.Generator, radius: float) -> np.ndarray:
    h, w = shape
    cy, cx = rng.uniform(radius, h - radius), rng.uniform(radius, w - radius)
    yy, xx = np.mgrid[0:h, 0:w]
    angle = np.arctan2(yy - cy, xx - cx)
    # An irregular outline: a few random harmonics on the radius, like a real drip or foxing spot.
    wobble = sum(rng.uniform(0.05, 0.18) * np.cos(k * angle + rng.uniform(0, 6.3)) for k in (2, 3, 5))
    return np.hypot(yy - cy, xx - cx) < radius * (1 + wobble)


def add_damage(
    image: np.ndarray,
    seed: int = 0,
    stains: int = 5,
    scratches: int = 4,
    shadow: bool = True,
) -> Damaged:
    """Damage a copy of ``image`` (RGB uint8); the original array is left untouched."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    scale = max(h, w) / 512
    out = image.astype(np.float32)
    shadow_mask = np.zeros((h, w), bool)
    if shadow:
        ellipse = np.zeros((h, w), np.float32)
        center = (int(rng.uniform(0.25, 0.75) * w), int(rng.uniform(0.25, 0.75) * h))
        axes = (int(rng.uniform(0.12, 0.2) * w), int(rng.uniform(0.12, 0.2) * h))
        cv2.ellipse(ellipse, center, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        soft = cv2.GaussianBlur(ellipse, (0, 0), 6 * scale)
        factor = 1.0 - 0.5 * soft
        out *= factor[:, :, None]
        shadow_mask = factor < 0.99
    stain_mask = np.zeros((h, w), bool)
    for _ in range(stains):
        blob = _blob((h, w), rng, rng.uniform(6, 16) * scale)
        colour = np.array([rng.uniform(90, 140), rng.uniform(60, 90), rng.uniform(20, 50)], np.float32)
        alpha = rng.uniform(0.7, 0.9)
        out[blob] = alpha * colour + (1 - alpha) * out[blob]
        stain_mask |= blob
    scratch_layer = np.zeros((h, w), np.uint8)
    for _ in range(scratches):
        points = [(int(rng.uniform(0, w)), int(rng.uniform(0, h)))]
        for _ in range(3):
            x, y = points[-1]
            points.append(
                (
                    int(np.clip(x + rng.normal(0, 40 * scale), 0, w - 1)),
                    int(np.clip(y + rng.normal(0, 40 * scale), 0, h - 1)),
                )
            )
        cv2.polylines(scratch_layer, [np.array(points, np.int32)], False, 1, max(1, int(round(1.5 * scale))))
    scratch_mask = scratch_layer > 0
    out[scratch_mask] = np.array([238, 234, 226], np.float32)
    damaged = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return Damaged(damaged, stain_mask, scratch_mask, shadow_mask)


def downscale(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """Area-averaged downscale, the usual model of a low-resolution scan."""
    h, w = image.shape[:2]
    return cv2.resize(image, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
