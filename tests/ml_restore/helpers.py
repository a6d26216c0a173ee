"""Synthetic test images: smooth colour fields with texture, so inpainting has structure to
recover and detection has something to find, made in milliseconds with numpy."""

from __future__ import annotations

import cv2
import numpy as np


def texture(size: int = 128, seed: int = 0, width: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = width or size
    yy, xx = np.mgrid[0:size, 0:w].astype(np.float32) / size
    base = np.stack([np.sin(xx * 3 + c) * np.cos(yy * 4 - c) for c in (0.0, 1.0, 2.0)], 2)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (size, w, 3)).astype(np.float32), (0, 0), 1.2)
    return np.clip(128 + 60 * base + 12 * noise, 0, 255).astype(np.uint8)


def square_mask(shape: tuple[int, int], y: int, x: int, side: int) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[y : y + side, x : x + side] = True
    return mask
