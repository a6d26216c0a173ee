"""IIIF tile latency: deep-zoom tile requests through the app (``/iiif/3/...``, answered from
the pyramid built at upload) against the baseline of a server without a pyramid, which decodes
the original 6000x4000 JPEG and crops and scales it for every tile, in the same run. Also the
time to build the pyramid. ``python -m bench.bench_iiif`` prints JSON (ms)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from kg.context import HeritageContext
from kg.demo_gigapixel import render_landscape
from kg.files import store_path
from kg.pyramid import TILE, build_pyramid, levels_for
from kg.settings import load_settings
from kg.store import OxigraphStore

REPEATS = 3


def _tile_requests(width: int, height: int) -> list[tuple[int, int, int, int, int, int]]:
    """Every tile of the three finest levels along a diagonal band, as OpenSeadragon asks for them."""
    out = []
    for level in levels_for(width, height)[:3]:
        span = TILE * level.scale
        for i in range(min(width, height) // span):
            x, y = i * span, i * span
            w, h = min(span, width - x), min(span, height - y)
            out.append((x, y, w, h, -(-w // level.scale), -(-h // level.scale)))
    return out


def main() -> dict:
    tmp = Path(tempfile.mkdtemp())
    settings = load_settings(tmp)
    ctx = HeritageContext.open(settings, store=OxigraphStore())
    jpg = tmp / "landscape.jpg"  # a JPEG here: the baseline decodes it per tile
    render_landscape().save(jpg, quality=90)
    stored = store_path(jpg, "item-bench", ctx.files_dir)
    records = [
        {"kind": "work", "id": "w-bench", "title": {"en": "Bench"}},
        {"kind": "instance", "id": "i-bench", "represents": "w-bench", "title": {"en": "Scan"}},
        {
            "kind": "item",
            "id": "item-bench",
            "part_of": "i-bench",
            "title": {"en": "Scan"},
            **stored.item_fields(),
        },
    ]
    ctx.records.put(records)
    t0 = time.perf_counter()
    build_pyramid(stored.path, stored.path.parent)
    build_s = time.perf_counter() - t0
    tiles = _tile_requests(stored.pixel_width, stored.pixel_height)
    served, baseline = [], []
    with TestClient(create_app(settings, ctx=ctx)) as client:
        for _ in range(REPEATS):
            for x, y, w, h, ow, oh in tiles:
                t = time.perf_counter()
                r = client.get(f"/iiif/3/item-bench/{x},{y},{w},{h}/{ow},{oh}/0/default.jpg")
                served.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
                t = time.perf_counter()
                with Image.open(stored.path) as img:  # what a server without a pyramid must do
                    img.crop((x, y, x + w, y + h)).resize((ow, oh), Image.LANCZOS).save(
                        tmp / "b.jpg", quality=88
                    )
                baseline.append((time.perf_counter() - t) * 1000)
    ctx.close()
    result = {
        "image": f"{stored.pixel_width}x{stored.pixel_height}",
        "pyramid_build_s": round(build_s, 2),
        "tiles": len(served),
        "tile_ms_median": round(statistics.median(served), 2),
        "decode_per_tile_ms_median": round(statistics.median(baseline), 2),
        "speedup": round(statistics.median(baseline) / statistics.median(served), 1),
    }
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
