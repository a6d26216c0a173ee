"""Shadow removal by relighting: the shading inside the shadow is estimated as the ratio between
the region's coarse brightness and the brightness interpolated from its surroundings, and the
region is divided by it. The texture under the shadow is kept, not painted over."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.restoration import inpaint_biharmonic

from ml.restore.io import check_mask


def remove_shadow(image: np.ndarray, mask: np.ndarray, coarse: int = 128) -> np.ndarray:
    """Relight the shadowed region ``mask`` of an RGB uint8 image from the light around it."""
    mask = check_mask(mask, image.shape[:2])
    h, w = image.shape[:2]
    scale = coarse / max(h, w)
    size = (max(8, int(round(w * scale))), max(8, int(round(h * scale))))
    log_image = np.log(image.astype(np.float32) + 1.0)
    grow = max(3, int(0.03 * max(h, w)))
    region = cv2.dilate(mask.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    region_small = cv2.resize(region, size, interpolation=cv2.INTER_NEAREST).astype(bool)
    if region_small.all() or not region_small.any():
        return image.copy()
    small = cv2.resize(log_image, size, interpolation=cv2.INTER_AREA)
    content = cv2.GaussianBlur(small, (0, 0), 1.5)
    lit = inpaint_biharmonic(content, region_small, channel_axis=-1)
    deficit = np.minimum(content - lit, 0.0) * region_small[:, :, None]
    # A cast shadow dims by a nearly constant factor: take it from the core of the region (robust
    # to the content there) and use the per-pixel deficit only for the penumbra's profile.
    mask_small = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
    core = cv2.erode(mask_small.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if not core.any():
        core = mask_small if mask_small.any() else region_small
    step = np.median((content - lit)[core], axis=0)
    step = np.minimum(step, 0.0)
    profile = np.clip(deficit.mean(axis=2) / min(float(step.mean()), -1e-3), 0.0, 1.0)
    profile[core] = 1.0
    profile = cv2.GaussianBlur(profile.astype(np.float32), (0, 0), 1.0)
    shading = profile[:, :, None] * step[None, None, :].astype(np.float32)
    shading_full = cv2.resize(shading, (w, h), interpolation=cv2.INTER_CUBIC)
    out = np.exp(log_image - shading_full) - 1.0
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
