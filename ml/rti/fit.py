"""Per-pixel least-squares fits of the two classic RTI models, vectorised over all pixels at once.

* PTM (Malzbender et al. 2001): a biquadratic in the light's projection (lu, lv),
  ``L = a0 lu² + a1 lv² + a2 lu lv + a3 lu + a4 lv + a5``; six coefficients per pixel, either per
  colour channel (RGB) or on luminance with a per-pixel colour (LRGB).
* HSH (Gautron et al. 2004): hemispherical harmonics of order 2 (4 terms) or 3 (9 terms), which
  follow specular highlights and grazing light better than the biquadratic.

One basis matrix ``B`` (lights x terms) serves every pixel, so the fit is a single
``pinv(B) @ I`` over the stacked pixels: no per-pixel Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODELS = ("ptm", "hsh")
CHUNK = 1 << 20  # pixels x channels per matrix product, to bound memory on large captures


def ptm_basis(lights: np.ndarray) -> np.ndarray:
    """(N, 6) PTM basis for unit light directions (N, 3), in the ``.ptm`` coefficient order."""
    lu, lv = lights[:, 0], lights[:, 1]
    return np.stack([lu * lu, lv * lv, lu * lv, lu, lv, np.ones_like(lu)], axis=1)


def hsh_basis(lights: np.ndarray, order: int = 3) -> np.ndarray:
    """(N, order²) hemispherical-harmonics basis, the terms and order RTIBuilder and Relight use."""
    if order not in (1, 2, 3):
        raise ValueError(f"HSH order must be 1, 2 or 3, not {order}")
    z = np.clip(lights[:, 2], 1e-6, 1.0)
    phi = np.arctan2(lights[:, 1], lights[:, 0])
    ct = z  # cos(theta)
    s = np.sqrt(np.clip(ct - ct * ct, 0.0, None))
    terms = [
        np.full_like(ct, 1 / np.sqrt(2 * np.pi)),
        np.sqrt(6 / np.pi) * np.cos(phi) * s,
        np.sqrt(3 / (2 * np.pi)) * (-1 + 2 * ct),
        np.sqrt(6 / np.pi) * s * np.sin(phi),
        np.sqrt(30 / np.pi) * np.cos(2 * phi) * (-ct + ct * ct),
        np.sqrt(30 / np.pi) * np.cos(phi) * (-1 + 2 * ct) * s,
        np.sqrt(5 / (2 * np.pi)) * (1 - 6 * ct + 6 * ct * ct),
        np.sqrt(30 / np.pi) * (-1 + 2 * ct) * s * np.sin(phi),
        np.sqrt(30 / np.pi) * (-ct + ct * ct) * np.sin(2 * phi),
    ]
    return np.stack(terms[: order * order], axis=1)


def basis(model: str, lights: np.ndarray, order: int = 3) -> np.ndarray:
    """The basis matrix of ``model`` ("ptm" or "hsh") for (N, 3) light directions."""
    lights = np.atleast_2d(np.asarray(lights, dtype=np.float64))
    if model == "ptm":
        return ptm_basis(lights)
    if model == "hsh":
        return hsh_basis(lights, order)
    raise ValueError(f"unknown RTI model {model!r}; use one of {', '.join(MODELS)}")


@dataclass
class RtiFit:
    """Fitted coefficients. ``coeffs`` is (H, W, C, K): C = 3 for RGB, 1 for LRGB (then ``rgb``
    (H, W, 3) holds each pixel's colour and a channel is ``rgb[c] * L``). Intensities are in [0, 1]."""

    model: str
    order: int
    coeffs: np.ndarray
    rgb: np.ndarray | None = None

    @property
    def layout(self) -> str:
        return "lrgb" if self.rgb is not None else "rgb"

    @property
    def terms(self) -> int:
        return self.coeffs.shape[-1]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return self.coeffs.shape[1], self.coeffs.shape[0]

    def as_rgb(self) -> RtiFit:
        """The same fit with per-channel coefficients (exact: LRGB channels are rgb[c] * L)."""
        if self.rgb is None:
            return self
        coeffs = self.coeffs[:, :, 0:1, :] * self.rgb[:, :, :, None]
        return RtiFit(self.model, self.order, coeffs.astype(np.float32))


def _solve(design: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Least squares for every column of ``values`` (N, P) at once, chunked; returns (K, P)."""
    solver = np.linalg.pinv(design)  # (K, N): the same for every pixel
    out = np.empty((design.shape[1], values.shape[1]), dtype=np.float32)
    for start in range(0, values.shape[1], CHUNK):
        out[:, start : start + CHUNK] = solver @ values[:, start : start + CHUNK]
    return out


def fit(
    images: np.ndarray, lights: np.ndarray, model: str = "ptm", order: int = 3, layout: str = "rgb"
) -> RtiFit:
    """Fit ``model`` to a capture: ``images`` (N, H, W, 3) in [0, 1] under ``lights`` (N, 3).

    ``layout="lrgb"`` fits luminance only (the classic compact PTM): each pixel's colour is the
    direction of its mean RGB, and the luminance is the least-squares scale of that colour in
    each photo, so ``rgb * L`` is the best reconstruction with a fixed per-pixel chroma."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be (N, H, W, 3), got {images.shape}")
    n, h, w, _ = images.shape
    design = basis(model, lights, order)
    if n < design.shape[1]:
        raise ValueError(
            f"{model.upper()} with {design.shape[1]} terms needs at least that many photos, got {n}"
        )
    if layout == "rgb":
        coeffs = _solve(design, images.reshape(n, -1)).T.reshape(h, w, 3, -1)
        return RtiFit(model, order if model == "hsh" else 2, coeffs)
    if layout != "lrgb":
        raise ValueError(f"layout must be 'rgb' or 'lrgb', not {layout!r}")
    mean = images.mean(axis=0)  # (H, W, 3)
    peak = mean.max(axis=-1, keepdims=True)
    rgb = np.where(peak > 1e-6, mean / np.maximum(peak, 1e-6), 1.0).astype(np.float32)
    lum = (images * rgb).sum(-1) / np.maximum((rgb * rgb).sum(-1), 1e-6)  # (N, H, W)
    coeffs = _solve(design, lum.reshape(n, -1)).T.reshape(h, w, 1, -1)
    return RtiFit(model, order if model == "hsh" else 2, coeffs, rgb)


def relight(result: RtiFit, light: np.ndarray) -> np.ndarray:
    """The (H, W, 3) image the fit predicts under one light direction, clipped to [0, 1]."""
    light = np.asarray(light, dtype=np.float64)
    light = light / np.linalg.norm(light)
    b = basis(result.model, light[None, :], result.order)[0].astype(np.float32)
    value = result.coeffs @ b  # (H, W, C)
    if result.rgb is not None:
        value = value * result.rgb
    return np.clip(value, 0.0, 1.0)


def normals(result: RtiFit, lights: np.ndarray | None = None) -> np.ndarray:
    """Unit surface normals (H, W, 3) recovered from the fit by photometric stereo on the model:
    evaluate the fitted luminance over a dome of directions and solve ``L ≈ ρ n·l``. Using the
    model rather than the photos smooths out noise; the dome defaults to the usual 15°-75°
    elevation band of RTI captures, where attached shadows are rare."""
    if lights is None:
        lights = dome(48, 25.0, 75.0)
    lights = np.asarray(lights, dtype=np.float64)
    design = basis(result.model, lights, result.order)  # (M, K)
    lum = result.coeffs.mean(axis=2) if result.rgb is None else result.coeffs[:, :, 0]
    h, w, k = lum.shape
    shading = (design @ lum.reshape(-1, k).T).astype(np.float64)  # (M, P)
    g = np.linalg.pinv(lights) @ shading  # (3, P): ρ n for every pixel
    g[2] = np.maximum(g[2], 1e-6)
    n = (g / np.linalg.norm(g, axis=0, keepdims=True)).T.reshape(h, w, 3)
    return n.astype(np.float32)


def ptm_peak_normals(result: RtiFit) -> np.ndarray:
    """The classic PTM normal: the light projection where the biquadratic peaks (Malzbender 2001).
    Unstable where the surface is not diffuse; kept because RTIViewer users know it."""
    if result.model != "ptm":
        raise ValueError("peak normals exist only for PTM fits")
    a = result.coeffs.mean(axis=2) if result.rgb is None else result.coeffs[:, :, 0]
    a0, a1, a2, a3, a4 = (a[..., i] for i in range(5))
    den = 4 * a0 * a1 - a2 * a2
    den = np.where(np.abs(den) < 1e-9, 1e-9, den)
    lu = (a2 * a4 - 2 * a1 * a3) / den
    lv = (a2 * a3 - 2 * a0 * a4) / den
    r = np.sqrt(lu * lu + lv * lv)
    scale = np.where(r > 0.999, 0.999 / np.maximum(r, 1e-9), 1.0)
    lu, lv = lu * scale, lv * scale
    return np.stack([lu, lv, np.sqrt(1 - lu * lu - lv * lv)], axis=-1).astype(np.float32)


def dome(count: int, min_elevation: float = 15.0, max_elevation: float = 75.0) -> np.ndarray:
    """``count`` light directions spread evenly over an elevation band (a golden-angle spiral),
    like the lamps of a capture dome; (count, 3) unit vectors with z > 0."""
    i = np.arange(count) + 0.5
    z = np.sin(np.radians(min_elevation)) + (
        np.sin(np.radians(max_elevation)) - np.sin(np.radians(min_elevation))
    ) * (i / count)
    azimuth = i * np.pi * (3 - np.sqrt(5))
    r = np.sqrt(1 - z * z)
    return np.stack([r * np.cos(azimuth), r * np.sin(azimuth), z], axis=1)
