"""The demo's large image: a 6,000 x 4,000 ink landscape on paper, generated procedurally (ridges
of 1-D fractal noise, vertical texture strokes, mist, pines, a red seal) so that deep zoom has
real detail at every level, cut into a tile pyramid like an upload. About two seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from kg.files import store_path
from kg.pyramid import build_pyramid, pyramid_dir

DEMO_WORK = "nt-216"  # Clearing after Rain on Mount Inwang: a landscape, so the picture fits
SIZE = (6000, 4000)
PAPER = np.array([226, 214, 180], dtype=np.float32)
INK = np.array([28, 26, 24], dtype=np.float32)


def _noise_1d(rng: np.random.Generator, n: int, octaves: int = 7) -> np.ndarray:
    """Fractal noise along one axis: octaves of linearly interpolated random values."""
    out = np.zeros(n, dtype=np.float32)
    for o in range(octaves):
        knots = 4 * 2**o
        values = rng.uniform(-1, 1, knots + 1)
        out += np.interp(np.linspace(0, knots, n), np.arange(knots + 1), values).astype(np.float32) / 1.8**o
    return out


def render_landscape(seed: int = 216, size: tuple[int, int] = SIZE) -> Image.Image:
    """The painting as an RGB image. Broad washes are computed at a quarter of the size and
    enlarged; crisp detail (ridge lines, strokes, fibre, pines) is added at full size."""
    width, height = size
    rng = np.random.default_rng(seed)
    lw, lh = width // 4, height // 4
    rows = np.arange(lh, dtype=np.float32)[:, None]
    wash = np.zeros((lh, lw), dtype=np.float32)
    ridges = []
    # far to near ridges: paler and higher at the back, ink fading into mist below each ridge
    for top, strength in [(0.22, 0.25), (0.35, 0.4), (0.5, 0.6), (0.68, 0.85)]:
        ridge = top + 0.12 * _noise_1d(rng, width)
        ridges.append(ridge)
        low = ridge[::4][:lw] * lh
        depth = np.clip((rows - low[None, :]) / (lh * 0.18), 0, 1)
        wash = np.maximum(wash, strength * np.where(rows >= low[None, :], 1 - 0.75 * depth, 0))
    ink = Image.fromarray((np.clip(wash, 0, 1) * 255).astype(np.uint8)).resize((width, height), Image.BICUBIC)
    # vertical texture strokes (cun): noise stretched down the mountain faces
    streaks = Image.fromarray(rng.integers(150, 255, (height // 24, width), dtype=np.uint8))
    ink = ImageChops.multiply(ink, streaks.resize((width, height), Image.NEAREST))
    # paper with fibre: a small noise tile repeated, visible only when zoomed in
    fibre = rng.normal(0, 5, (256, 256)).astype(np.int16)
    fibre = np.tile(fibre, (height // 256 + 1, width // 256 + 1))[:height, :width, None]
    paper = Image.fromarray(np.clip(PAPER.astype(np.int16)[None, None, :] + fibre, 0, 255).astype(np.uint8))
    img = Image.composite(Image.new("RGB", size, tuple(int(c) for c in INK)), paper, ink)
    draw = ImageDraw.Draw(img)
    xs = np.arange(0, width, 4)
    for ridge in ridges[2:]:  # dark outlines along the nearer ridges
        draw.line(
            list(zip(xs.tolist(), (ridge[xs] * height).tolist(), strict=True)), fill=(34, 30, 28), width=7
        )
    for _ in range(260):  # pines on the near slopes
        x, y = rng.uniform(0, width), rng.uniform(height * 0.62, height * 0.95)
        r = rng.uniform(10, 34)
        draw.ellipse([x - r, y - r * 0.6, x + r, y + r * 0.6], fill=(40, 52, 38))
        draw.line([x, y, x, y + r * 2.2], fill=(50, 40, 30), width=max(2, int(r / 6)))
    for i in range(7):  # a column of inscription strokes and the red seal
        x0, y0 = width * 0.9, height * (0.08 + 0.045 * i)
        draw.line([x0, y0, x0 + rng.uniform(-30, 30), y0 + 120], fill=(30, 28, 26), width=14)
    draw.rectangle([width * 0.88, height * 0.42, width * 0.88 + 160, height * 0.42 + 160], fill=(178, 34, 30))
    return img


def gigapixel_records(row: dict, files_dir: Path, tmp: Path) -> list[dict]:
    """An image Instance of the Work with one large TIFF Item and its tile pyramid."""
    inst_id = f"inst-{row['id']}-gigapixel"
    item_id = f"item-{row['id']}-gigapixel"
    # a TIFF master, as scanning studios deliver them: browsers cannot show it, deep zoom can
    tif = tmp / f"{row['id']}-gigapixel.tif"
    render_landscape().save(tif, compression="jpeg", quality=85)
    stored = store_path(tif, item_id, files_dir)
    if not (pyramid_dir(stored.path.parent) / "pyramid.json").is_file():
        build_pyramid(stored.path, stored.path.parent)
    return [
        {
            "kind": "instance",
            "id": inst_id,
            "title": {
                "en": f"Gigapixel scan of {row['title_en']}",
                "ko": f"{row['title_ko']} 초고해상도 스캔",
            },
            "represents": row["id"],
            "produced_by": "proj-gigapixel-2023",
            "instance_type": "image",
            "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
        },
        {
            "kind": "item",
            "id": item_id,
            "part_of": inst_id,
            "title": {"en": f"{row['title_en']} (6000 x 4000 TIFF)"},
            **stored.item_fields(),
        },
    ]
