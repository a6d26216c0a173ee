"""From a photo folder and its ``.lp`` file to coefficient files: the work ``heritage rti build``
does, kept apart from the CLI so the demo and tests call it directly."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from kg.errors import ValidationError
from ml.rti import fit as fitting
from ml.rti import formats
from ml.rti.lp import read_lp


@dataclass
class BuildResult:
    rti: Path
    normals: Path
    atlas: Path | None
    photos: int
    width: int
    height: int
    residual_psnr: float  # how well the model reproduces the capture photos


def load_photos(paths: list[Path], progress: Callable[[float], None] | None = None) -> np.ndarray:
    """(N, H, W, 3) float32 in [0, 1]; every photo must have the same size (a fixed camera)."""
    stack = []
    for i, path in enumerate(paths):
        with Image.open(path) as img:
            arr = np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0
        if stack and arr.shape != stack[0].shape:
            raise ValidationError(
                f"{path.name} is {arr.shape[1]}x{arr.shape[0]} but {paths[0].name} is "
                f"{stack[0].shape[1]}x{stack[0].shape[0]}; RTI photos come from one fixed camera"
            )
        stack.append(arr)
        if progress:
            progress((i + 1) / len(paths) * 0.6)
    return np.stack(stack)


def build(
    photos_dir: Path,
    lp: Path,
    out: Path,
    model: str = "ptm",
    order: int = 3,
    layout: str = "rgb",
    web_dir: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> BuildResult:
    """Fit ``model`` to the capture and write ``out`` (.ptm or .rti), a normal map PNG beside it,
    and, with ``web_dir``, the viewer's atlas PNG and manifest JSON."""
    if model not in fitting.MODELS:
        raise ValidationError(f"unknown model {model!r}; use ptm or hsh")
    lights = read_lp(lp, photos_dir)
    images = load_photos(lights.photos, progress)
    result = fitting.fit(images, lights.directions, model, order, layout)
    if progress:
        progress(0.8)
    out = Path(out)
    if out.suffix.lower() not in (".ptm", ".rti"):
        out = out.with_suffix(".ptm" if model == "ptm" else ".rti")
    out.parent.mkdir(parents=True, exist_ok=True)
    formats.write_rti(out, result)
    normals = fitting.normals(result)
    normals_path = out.with_name(out.stem + "_normals.png")
    formats.normals_image(normals).save(normals_path)
    atlas_path = None
    if web_dir is not None:
        web_dir = Path(web_dir)
        web_dir.mkdir(parents=True, exist_ok=True)
        png, manifest = formats.web_atlas(result, normals)
        atlas_path = web_dir / "atlas.png"
        atlas_path.write_bytes(png)
        (web_dir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    predicted = np.stack([fitting.relight(result, d) for d in lights.directions])
    mse = float(np.mean((predicted - images) ** 2))
    if progress:
        progress(1.0)
    h, w = images.shape[1:3]
    return BuildResult(out, normals_path, atlas_path, len(images), w, h, 10 * np.log10(1 / max(mse, 1e-12)))
