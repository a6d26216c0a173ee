"""One entry point for every restoration method, used by the CLI, the API jobs and the benchmark:
it picks or checks the mask, runs the method and returns what provenance needs to record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kg.errors import ValidationError
from ml.restore.detect import detect_shadows, detect_stains_and_scratches
from ml.restore.inpaint import INPAINT_METHODS, inpaint
from ml.restore.io import check_mask
from ml.restore.shadow import remove_shadow
from ml.restore.shadow_detect import shadow_masks
from ml.restore.superres import super_resolve

METHODS = ("auto", *INPAINT_METHODS, "shadow", "sr")
# Chosen by bench/bench_restore.py: the ensemble beats Telea in the damaged region there.
DEFAULT_INPAINT = "blend"

Progress = Callable[[float], None]


@dataclass
class RestoreResult:
    """The restored image, the mask that was used (None for super-resolution) and its provenance."""

    image: np.ndarray
    mask: np.ndarray | None
    method: str
    parameters: dict = field(default_factory=dict)


def _stage(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress(start + (end - start) * fraction)


def restore(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    method: str = "auto",
    scale: int | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore ``image`` with ``method``; without a mask one is detected automatically."""
    if method not in METHODS:
        raise ValueError(f"unknown restoration method {method!r}; choose one of {', '.join(METHODS)}")
    shape = image.shape[:2]
    if mask is not None:
        mask = check_mask(mask, shape)
    if method == "sr":
        out, info = super_resolve(image, scale=scale, progress=progress)
        return RestoreResult(out, None, "super-resolution", info)
    if method == "shadow":
        shadow = mask if mask is not None else detect_shadows(image)
        if not shadow.any():
            raise ValidationError("no shadow detected: draw a mask of the shadowed region")
        return RestoreResult(
            remove_shadow(image, shadow), shadow, "shadow-relighting", {"mask": _source(mask)}
        )
    if method == "auto":
        return _auto(image, mask, progress)
    damage = mask if mask is not None else detect_stains_and_scratches(image)
    if not damage.any():
        raise ValidationError("no stains or scratches detected: draw a mask of the damage")
    out = inpaint(image, damage, method, progress=progress)
    return RestoreResult(out, damage, f"inpaint-{method}", {"mask": _source(mask)})


def _source(mask: np.ndarray | None) -> str:
    return "user" if mask is not None else "detected"


def _auto(image: np.ndarray, mask: np.ndarray | None, progress: Progress | None) -> RestoreResult:
    """Relight shadows first (their content is intact), then inpaint what is lost."""
    if mask is not None:
        out = inpaint(image, mask, DEFAULT_INPAINT, progress=progress)
        return RestoreResult(out, mask, f"inpaint-{DEFAULT_INPAINT}", {"mask": "user"})
    steps: list[str] = []
    work = image
    shadow = np.zeros(image.shape[:2], bool)
    for region, step in shadow_masks(image):
        if region.all():
            continue
        # Each shadow relit with the dimming its detector read across the outline.
        work = remove_shadow(work, region, step=step)
        shadow |= region
    if shadow.any():
        steps.append("shadow-relighting")
    if progress is not None:
        progress(0.2)
    damage = detect_stains_and_scratches(work)
    if damage.any() and not damage.all():
        work = inpaint(work, damage, DEFAULT_INPAINT, progress=_stage(progress, 0.2, 1.0))
        steps.append(f"inpaint-{DEFAULT_INPAINT}")
    combined = shadow | damage
    parameters = {
        "mask": "detected",
        "steps": steps,
        "shadow_pixels": int(shadow.sum()),
        "damage_pixels": int(damage.sum()),
    }
    return RestoreResult(work.copy(), combined, "auto", parameters)
