"""The ``.lp`` light-position file RTIBuilder writes: the first line is the photo count, then one
line per photo, ``filename x y z``, with (x, y, z) the unit direction towards the light (x right,
y up, z towards the camera). File names are often absolute paths from the capture machine, so
they are matched by base name inside the photo folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import numpy as np

from kg.errors import ValidationError

UNIT_TOLERANCE = 0.05  # RTIBuilder writes 6 decimals; anything further off is not a direction


class LightFileError(ValidationError):
    """A ``.lp`` file that cannot describe the photo set; the message names the line."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)


@dataclass
class LightSet:
    """Photos and the light direction each was taken under, in file order."""

    photos: list[Path]
    directions: np.ndarray  # (N, 3) float64 unit vectors, z > 0


def parse_lp(text: str, source: str = "lp file") -> list[tuple[str, np.ndarray]]:
    """(file name, direction) pairs from the text of a ``.lp`` file; raises LightFileError."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise LightFileError(f"{source}: empty; the first line must be the number of photos")
    try:
        count = int(lines[0].split()[0])
    except ValueError:
        raise LightFileError(f"{source}: line 1 must be the number of photos, not {lines[0]!r}") from None
    if count <= 0:
        raise LightFileError(f"{source}: line 1 says {count} photos; at least one is needed")
    entries = lines[1:]
    if len(entries) != count:
        raise LightFileError(f"{source}: line 1 says {count} photos but {len(entries)} light lines follow")
    pairs = []
    for number, line in enumerate(entries, start=2):
        parts = line.split()
        if len(parts) < 4:
            raise LightFileError(f"{source}: line {number} must be 'filename x y z', got {line!r}")
        try:
            xyz = np.array([float(v) for v in parts[-3:]], dtype=np.float64)
        except ValueError:
            raise LightFileError(f"{source}: line {number}: x y z must be numbers, got {line!r}") from None
        name = " ".join(parts[:-3])
        norm = float(np.linalg.norm(xyz))
        if abs(norm - 1.0) > UNIT_TOLERANCE:
            raise LightFileError(
                f"{source}: line {number}: light direction {tuple(xyz)} has length {norm:.3f}, not 1"
            )
        if xyz[2] <= 0:
            raise LightFileError(
                f"{source}: line {number}: light z = {xyz[2]:g}; the light must be above the object (z > 0)"
            )
        pairs.append((name, xyz / norm))
    return pairs


def base_name(name: str) -> str:
    """The file's name without any Windows or POSIX directory part."""
    return PureWindowsPath(name).name if "\\" in name else Path(name).name


def read_lp(lp_path: Path, photos_dir: Path | None = None) -> LightSet:
    """Parse ``lp_path`` and find each photo in ``photos_dir`` (default: the lp file's folder)."""
    lp_path = Path(lp_path)
    if not lp_path.is_file():
        raise LightFileError(f"{lp_path}: no such light-position file")
    pairs = parse_lp(lp_path.read_text(encoding="utf-8", errors="replace"), str(lp_path))
    folder = Path(photos_dir) if photos_dir else lp_path.parent
    photos, missing = [], []
    for name, _ in pairs:
        path = folder / base_name(name)
        (photos if path.is_file() else missing).append(path)
    if missing:
        shown = ", ".join(p.name for p in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise LightFileError(f"{lp_path}: {len(missing)} photo(s) not found in {folder}: {shown}")
    return LightSet(photos, np.stack([d for _, d in pairs]))


def format_lp(names: list[str], directions: np.ndarray) -> str:
    """The text of a ``.lp`` file for these photos and directions."""
    rows = [f"{name} {x:.6f} {y:.6f} {z:.6f}" for name, (x, y, z) in zip(names, directions, strict=True)]
    return "\n".join([str(len(rows)), *rows]) + "\n"
