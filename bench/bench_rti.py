"""RTI fitting speed: the vectorised fit (one pseudo-inverse shared by every pixel, one matrix
product) against the baseline of a per-pixel ``numpy.linalg.lstsq`` loop, measured in the same
run on the same synthetic 256 x 256 capture under 24 lights (the loop is timed on a 32 x 32 crop
and scaled by the pixel count). Also the atlas the viewer loads. ``python -m bench.bench_rti``
prints JSON (seconds)."""

from __future__ import annotations

import json
import time

import numpy as np

from ml.rti import fit, formats, synth

SIZE, LIGHTS, CROP = 256, 24, 32


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def per_pixel_fit(photos: np.ndarray, lights: np.ndarray, model: str, order: int) -> np.ndarray:
    """The naive baseline: one least-squares solve per pixel and channel."""
    design = fit.basis(model, lights, order)
    _, h, w, _ = photos.shape
    out = np.empty((h, w, 3, design.shape[1]), dtype=np.float32)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                out[y, x, c] = np.linalg.lstsq(design, photos[:, y, x, c], rcond=None)[0]
    return out


def main() -> dict:
    lights = fit.dome(LIGHTS)
    photos = synth.render(synth.coin_relief(SIZE), synth.bronze_albedo(SIZE), lights)
    report: dict = {"pixels": SIZE * SIZE, "lights": LIGHTS}
    for model, order in (("ptm", 2), ("hsh", 3)):
        vec_s, result = _timed(lambda m=model, o=order: fit.fit(photos, lights, m, o))
        crop = photos[:, :CROP, :CROP]
        loop_s, looped = _timed(lambda m=model, o=order, c=crop: per_pixel_fit(c, lights, m, o))
        assert np.allclose(looped, result.coeffs[:CROP, :CROP], atol=1e-4)  # same answer
        loop_full = loop_s * (SIZE * SIZE) / (CROP * CROP)
        report[model] = {
            "vectorised_s": round(vec_s, 4),
            "per_pixel_loop_s_estimated": round(loop_full, 2),
            "speedup": round(loop_full / vec_s, 1),
        }
    normals_s, normals = _timed(lambda: fit.normals(result))
    atlas_s, (png, _) = _timed(lambda: formats.web_atlas(result, normals))
    report["normals_s"] = round(normals_s, 4)
    report["atlas_s"] = round(atlas_s, 4)
    report["atlas_bytes"] = len(png)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
