"""Tile-pyramid build for a large scan: peak memory (VmHWM) and wall time of the libvips builder
(streams the picture in strips) against the Pillow builder (decodes it whole), each in a fresh
subprocess on the same 16,000 x 12,000 JPEG-compressed TIFF, with the idle interpreter (same
imports, no build) as the floor; then libvips alone on a picture twice as tall, to show that its
memory follows the width (a strip of tiles per level), not the height. Also the full-decode
integrity check an upload needs: Pillow's ``load()`` (``kg.files.inspect_image``) against
``kg.pyramid_vips.verify_image``. The TIFFs are written by libvips in strips, so generating them
needs little memory either. ``python -m bench.bench_pyramid [WIDTH HEIGHT]`` prints JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (16_000, 12_000)


def _vm_hwm_mb() -> float:
    """This process's peak resident set, from the kernel."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def make_scan(path: Path, width: int, height: int) -> None:
    """A scan-like picture: the demo's ink landscape enlarged, with film-grain noise so that the
    tiles hold real detail at every level; streamed to a strip TIFF by libvips."""
    import numpy as np
    import pyvips

    from kg.demo_gigapixel import render_landscape

    small = np.asarray(render_landscape(size=(width // 8, height // 8)))
    base = pyvips.Image.new_from_array(small).copy(interpretation="srgb")
    big = base.resize(width / base.width, vscale=height / base.height, kernel="linear")
    grain = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0)
    scan = (big + grain).cast("uchar").copy(interpretation="srgb")
    scan.tiffsave(str(path), compression="jpeg", Q=90, tile=False)


def _child(engine: str, source: str, out: str) -> None:
    """Run in a fresh interpreter: build one pyramid (or nothing for ``idle``), print figures."""
    from kg import pyramid

    t0 = time.perf_counter()
    if engine == "check-pillow":  # the upload's integrity check today (kg.files)
        from kg.files import inspect_image

        inspect_image(Path(source))
    elif engine == "check-vips":
        from kg.pyramid_vips import verify_image

        verify_image(Path(source))
    elif engine != "idle":
        item = Path(out)
        item.mkdir(parents=True, exist_ok=True)
        pyramid.build_pyramid(Path(source), item, engine=engine)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": round(wall, 2), "peak_rss_mb": round(_vm_hwm_mb(), 1)}))


def _run(engine: str, source: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_pyramid", "--child", engine, str(source), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(width: int = SIZE[0], height: int = SIZE[1]) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-pyramid-"))
    try:
        scan = tmp / "scan.tif"
        t0 = time.perf_counter()
        make_scan(scan, width, height)
        gen_s = time.perf_counter() - t0
        idle = _run("idle", scan, tmp / "idle")
        vips = _run("vips", scan, tmp / "vips")
        pillow = _run("pillow", scan, tmp / "pillow")
        check = {"vips": _run("check-vips", scan, tmp), "pillow": _run("check-pillow", scan, tmp)}
        tiles = sum(1 for _ in (tmp / "vips" / ".pyramid").rglob("*.jpg"))
        make_scan(tmp / "tall.tif", width, 2 * height)
        tall = _run("vips", tmp / "tall.tif", tmp / "tall")
        same = sorted(p.relative_to(tmp / "vips") for p in (tmp / "vips").rglob("*")) == sorted(
            p.relative_to(tmp / "pillow") for p in (tmp / "pillow").rglob("*")
        )
        result = {
            "image": f"{width}x{height} JPEG-compressed strip TIFF, {scan.stat().st_size / 1e6:.0f} MB",
            "generate_s": round(gen_s, 1),
            "tiles": tiles,
            "same_files_both_builders": same,
            "idle_interpreter": idle,
            "vips": vips,
            "pillow": pillow,
            f"vips_{width}x{2 * height}": tall,
            "upload_check_full_decode": check,
            "peak_rss_ratio_pillow_over_vips": round(pillow["peak_rss_mb"] / vips["peak_rss_mb"], 1),
            "peak_rss_above_idle_ratio": round(
                (pillow["peak_rss_mb"] - idle["peak_rss_mb"])
                / max(vips["peak_rss_mb"] - idle["peak_rss_mb"], 1),
                1,
            ),
            "wall_ratio_pillow_over_vips": round(pillow["wall_s"] / vips["wall_s"], 2),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
    elif len(sys.argv) == 3:
        main(int(sys.argv[1]), int(sys.argv[2]))
    else:
        main()
