"""Synthetic RTI captures: a height field (a coin-like disc with a raised rim and an engraved
inscription, or any relief you pass in) rendered under known light directions with Lambertian
shading plus a Blinn-Phong highlight. Because the true normals are known, the fit can be checked
against them; the demo uses the same renderer to give one Work a real RTI layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ml.rti.lp import format_lp


def inscription_mask(size: int, box: tuple[float, float, float, float], seed: int = 7) -> np.ndarray:
    """(size, size) float mask in [0, 1] of stroke 'characters' in a grid inside ``box`` (fractions
    of the image: left, top, right, bottom), like a short engraved inscription."""
    rng = np.random.default_rng(seed)
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    left, top, right, bottom = (v * size for v in box)
    cols, rows = 3, 2
    cw, ch = (right - left) / cols, (bottom - top) / rows
    width = max(2, int(size / 64))
    for row in range(rows):
        for col in range(cols):
            x0, y0 = left + col * cw + 0.18 * cw, top + row * ch + 0.18 * ch
            x1, y1 = x0 + 0.64 * cw, y0 + 0.64 * ch
            for _ in range(4):  # a few horizontal, vertical and hooked strokes per glyph
                kind = rng.integers(3)
                t = rng.uniform(0.1, 0.9)
                if kind == 0:
                    y = y0 + t * (y1 - y0)
                    draw.line([x0, y, x1, y], fill=255, width=width)
                elif kind == 1:
                    x = x0 + t * (x1 - x0)
                    draw.line([x, y0, x, y1], fill=255, width=width)
                else:
                    draw.line([x0, y0 + t * (y1 - y0), x0 + t * (x1 - x0), y1], fill=255, width=width)
    return np.asarray(img.filter(ImageFilter.GaussianBlur(size / 256)), dtype=np.float32) / 255.0


def coin_relief(size: int = 256, depth: float | None = None) -> np.ndarray:
    """Height field (size, size) in pixel units: a domed disc with a raised rim and an engraved
    inscription, the kind of low relief RTI is used for. ``depth`` defaults to 6 px per 256 px
    of width, so the relief has the same slopes at any resolution."""
    depth = size * 6.0 / 256 if depth is None else depth
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    r = np.hypot(x - size / 2, y - size / 2) / (size / 2)
    disc = np.clip((0.92 - r) * 20, 0, 1)
    dome_height = depth * 1.5 * np.clip(1 - r * r, 0, None) * disc
    rim = depth * np.exp(-(((r - 0.84) / 0.04) ** 2))
    engraved = inscription_mask(size, (0.22, 0.28, 0.78, 0.72))
    height = dome_height + rim - depth * 0.8 * engraved * disc
    return blur(height, 1.0)


def blur(field: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a float image (Pillow's filters work on 8-bit images only)."""
    radius = max(1, int(3 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(field.astype(np.float32), radius, mode="edge")
    rows = sum(k * padded[:, i : i + field.shape[1]] for i, k in enumerate(kernel))
    return sum(k * rows[i : i + field.shape[0], :] for i, k in enumerate(kernel)).astype(np.float32)


def height_normals(height: np.ndarray) -> np.ndarray:
    """Unit normals (H, W, 3) of a height field in the RTI frame: x right, y up, z to the camera."""
    dh_drow, dh_dcol = np.gradient(height.astype(np.float64))
    n = np.stack([-dh_dcol, dh_drow, np.ones_like(height, dtype=np.float64)], axis=-1)
    return (n / np.linalg.norm(n, axis=-1, keepdims=True)).astype(np.float32)


def render(
    height: np.ndarray,
    albedo: np.ndarray,
    lights: np.ndarray,
    ambient: float = 0.04,
    specular: float = 0.25,
    shininess: float = 40.0,
) -> np.ndarray:
    """(N, H, W, 3) photos in [0, 1] of the relief under each unit light (orthographic camera
    looking down -z): ``albedo * (ambient + max(n·l, 0)) + specular * max(n·h, 0)^shininess``."""
    n = height_normals(height)
    albedo = np.asarray(albedo, dtype=np.float32)
    if albedo.ndim == 2:
        albedo = np.repeat(albedo[..., None], 3, axis=-1)
    out = np.empty((len(lights), *height.shape, 3), dtype=np.float32)
    view = np.array([0.0, 0.0, 1.0])
    for i, light in enumerate(np.asarray(lights, dtype=np.float64)):
        half = (light + view) / np.linalg.norm(light + view)
        diffuse = np.clip(n @ light.astype(np.float32), 0, None)
        highlight = np.clip(n @ half.astype(np.float32), 0, None) ** shininess
        lit = albedo * (ambient + diffuse)[..., None] + specular * (highlight * (diffuse > 0))[..., None]
        out[i] = np.clip(lit, 0, 1)
    return out


def bronze_albedo(size: int, seed: int = 3) -> np.ndarray:
    """A patinated bronze colour with low-frequency mottling, (size, size, 3) in [0, 1]."""
    rng = np.random.default_rng(seed)
    noise = Image.fromarray((rng.random((size // 8, size // 8)) * 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BICUBIC
    )
    mottle = np.asarray(noise, dtype=np.float32)[..., None] / 255.0
    base = np.array([0.62, 0.48, 0.28], dtype=np.float32)
    patina = np.array([0.35, 0.55, 0.45], dtype=np.float32)
    return base * (1 - 0.35 * mottle) + patina * 0.35 * mottle


def write_capture(folder: Path, photos: np.ndarray, lights: np.ndarray, stem: str = "light") -> Path:
    """Save photos as PNGs and an RTIBuilder ``.lp`` file beside them; returns the ``.lp`` path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, photo in enumerate(photos):
        name = f"{stem}_{i + 1:03d}.png"
        Image.fromarray((np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8)).save(folder / name)
        names.append(name)
    lp = folder / "lights.lp"
    lp.write_text(format_lp(names, lights), encoding="utf-8")
    return lp
