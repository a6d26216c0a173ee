"""RTI files. ``.ptm`` (PTM_1.2, ``PTM_FORMAT_RGB`` or ``PTM_FORMAT_LRGB``, raw bytes) and the HSH
``.rti`` of RTIBuilder (``#HSH1.2``) are what RTIViewer, Relight and other tools open; the web
atlas (one PNG of coefficient tiles plus a JSON manifest of per-tile ranges, as Relight and
WebRTIViewer do with their coefficient images) is what the browser viewer loads.

Layouts, as the tools write them: PTM rows run bottom to top; LRGB holds six luminance bytes per
pixel, then three colour bytes per pixel; RGB holds a block of six bytes per pixel for red, then
green, then blue; a coefficient is ``(byte - bias) * scale``. HSH ``.rti``: a text header, then
float32 ``scale`` and ``bias`` per term, then per pixel (rows bottom to top) per channel per term
one byte, with a coefficient ``byte / 255 * scale + bias``."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from kg.errors import UnsupportedFormat
from ml.rti.fit import RtiFit

ATLAS_COLUMNS = 4


def _ranges(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-term (last axis) minimum and maximum over everything else."""
    flat = values.reshape(-1, values.shape[-1])
    return flat.min(axis=0), flat.max(axis=0)


def write_ptm(path: Path, result: RtiFit) -> Path:
    """Write a PTM fit as a ``PTM_1.2`` raw file (LRGB or RGB, following the fit's layout)."""
    if result.model != "ptm":
        raise ValueError("only PTM fits can be written as .ptm; use write_hsh for HSH")
    w, h = result.size
    lo, hi = _ranges(result.coeffs)
    # an integer bias in 0..255 can only place zero inside the byte range, so the range must span 0
    lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
    scale = np.maximum((hi - lo) / 255.0, 1e-8)
    bias = np.clip(np.round(-lo / scale), 0, 255)
    raw = np.clip(np.round(result.coeffs / scale + bias), 0, 255).astype(np.uint8)[::-1]  # bottom-up
    fmt = "PTM_FORMAT_LRGB" if result.layout == "lrgb" else "PTM_FORMAT_RGB"
    header = "PTM_1.2\n{}\n{}\n{}\n{}\n{}\n".format(
        fmt, w, h, " ".join(f"{s:.9g}" for s in scale), " ".join(str(int(b)) for b in bias)
    )
    with Path(path).open("wb") as fh:
        fh.write(header.encode("ascii"))
        if result.layout == "lrgb":
            fh.write(raw[:, :, 0, :].tobytes())
            rgb = np.clip(np.round(result.rgb * 255), 0, 255).astype(np.uint8)[::-1]
            fh.write(rgb.tobytes())
        else:
            for channel in range(3):
                fh.write(np.ascontiguousarray(raw[:, :, channel, :]).tobytes())
    return Path(path)


def _read_lines(data: bytes, count: int) -> tuple[list[str], int]:
    """The first ``count`` non-empty text lines of ``data`` and the offset just after them."""
    lines, pos = [], 0
    while len(lines) < count:
        end = data.find(b"\n", pos)
        if end < 0:
            raise UnsupportedFormat("the RTI header is truncated")
        line = data[pos:end].decode("ascii", errors="replace").strip()
        pos = end + 1
        if line:
            lines.append(line)
    return lines, pos


def read_ptm(path: Path, step: int = 1) -> RtiFit:
    """Read a raw ``PTM_1.2`` file (LRGB or RGB) back into a fit, keeping every ``step``-th pixel
    (decimated before the bytes become floats, so a large file stays cheap to preview)."""
    data = Path(path).read_bytes()
    if not data.startswith(b"PTM_1.2"):
        raise UnsupportedFormat(f"{Path(path).name}: not a PTM_1.2 file")
    (version, fmt, width, height, scale_line, bias_line), pos = _read_lines(data, 6)
    w, h = int(width), int(height)
    if w <= 0 or h <= 0:
        raise UnsupportedFormat(f"{Path(path).name}: image size {w}x{h} is not valid")
    scale = np.array([float(v) for v in scale_line.split()], dtype=np.float32)
    bias = np.array([float(v) for v in bias_line.split()], dtype=np.float32)
    if len(scale) != 6 or len(bias) != 6:
        raise UnsupportedFormat(f"{Path(path).name}: a PTM needs six scales and six biases")
    body = np.frombuffer(data, dtype=np.uint8, offset=pos)
    if fmt == "PTM_FORMAT_LRGB":
        need = w * h * 9
        if body.size < need:
            raise UnsupportedFormat(f"{Path(path).name}: {body.size} data bytes, {need} expected")
        raw = body[: w * h * 6].reshape(h, w, 1, 6)[::-1][::step, ::step]
        rgb = body[w * h * 6 : need].reshape(h, w, 3)[::-1][::step, ::step].astype(np.float32) / 255.0
    elif fmt == "PTM_FORMAT_RGB":
        need = w * h * 18
        if body.size < need:
            raise UnsupportedFormat(f"{Path(path).name}: {body.size} data bytes, {need} expected")
        raw = body[:need].reshape(3, h, w, 6).transpose(1, 2, 0, 3)[::-1][::step, ::step]
        rgb = None
    else:
        raise UnsupportedFormat(
            f"{Path(path).name}: PTM format {fmt} is not supported (raw RGB or LRGB only)"
        )
    coeffs = ((raw.astype(np.float32) - bias) * scale).astype(np.float32)
    return RtiFit("ptm", 2, np.ascontiguousarray(coeffs), None if rgb is None else np.ascontiguousarray(rgb))


def write_hsh(path: Path, result: RtiFit) -> Path:
    """Write an HSH fit as RTIBuilder's ``.rti`` (``#HSH1.2``, three channels)."""
    if result.model != "hsh":
        raise ValueError("only HSH fits can be written as .rti; use write_ptm for PTM")
    rgb = result.as_rgb()
    w, h = rgb.size
    k = rgb.terms
    lo, hi = _ranges(rgb.coeffs)
    span = np.maximum(hi - lo, 1e-8)
    raw = np.clip(np.round((rgb.coeffs - lo) / span * 255), 0, 255).astype(np.uint8)[::-1]
    header = f"#HSH1.2\n3\n{w} {h} 3\n{k} 2 1\n".encode("ascii")
    with Path(path).open("wb") as fh:
        fh.write(header)
        fh.write(struct.pack(f"<{k}f", *span))
        fh.write(struct.pack(f"<{k}f", *lo))
        fh.write(raw.tobytes())  # (H, W, channel, term): per pixel, per channel, per term
    return Path(path)


def read_hsh(path: Path, step: int = 1) -> RtiFit:
    """Read an RTIBuilder HSH ``.rti`` file (three channels), keeping every ``step``-th pixel."""
    data = Path(path).read_bytes()
    if not data.startswith(b"#HSH"):
        raise UnsupportedFormat(f"{Path(path).name}: not an HSH .rti file")
    pos = 0
    while data[pos : pos + 1] == b"#":  # comment lines
        pos = data.index(b"\n", pos) + 1
    (kind, dims, basis_line), offset = _read_lines(data[pos:], 3)
    pos += offset
    w, h, bands = (int(v) for v in dims.split())
    k = int(basis_line.split()[0])
    if w <= 0 or h <= 0:
        raise UnsupportedFormat(f"{Path(path).name}: image size {w}x{h} is not valid")
    if int(kind) != 3 or bands != 3 or k not in (1, 4, 9):
        raise UnsupportedFormat(f"{Path(path).name}: only 3-channel HSH with 1, 4 or 9 terms is supported")
    scale = np.frombuffer(data, dtype="<f4", count=k, offset=pos)
    bias = np.frombuffer(data, dtype="<f4", count=k, offset=pos + 4 * k)
    body = np.frombuffer(data, dtype=np.uint8, offset=pos + 8 * k)
    if body.size < w * h * 3 * k:
        raise UnsupportedFormat(f"{Path(path).name}: {body.size} data bytes, {w * h * 3 * k} expected")
    raw = body[: w * h * 3 * k].reshape(h, w, 3, k)[::-1][::step, ::step]
    coeffs = raw.astype(np.float32) / 255.0 * scale + bias
    return RtiFit("hsh", int(round(k**0.5)), np.ascontiguousarray(coeffs.astype(np.float32)))


def read_rti(path: Path, step: int = 1) -> RtiFit:
    """Read a ``.ptm`` or HSH ``.rti`` file, chosen by its first bytes (every ``step``-th pixel)."""
    with Path(path).open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PTM_1.2"):
        return read_ptm(path, step)
    if head.startswith(b"#HSH"):
        return read_hsh(path, step)
    raise UnsupportedFormat(f"{Path(path).name}: neither a PTM_1.2 nor an HSH .rti file")


def rti_size(path: Path) -> tuple[int, int]:
    """(width, height) from the header alone, to choose a preview step before reading the data."""
    with Path(path).open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PTM_1.2"):
        lines, _ = _read_lines(head, 4)
        return int(lines[2]), int(lines[3])
    if head.startswith(b"#HSH"):
        rest = [line.strip() for line in head.split(b"\n") if line.strip() and not line.startswith(b"#")]
        w, h, _ = (int(v) for v in rest[1].split())
        return w, h
    raise UnsupportedFormat(f"{Path(path).name}: neither a PTM_1.2 nor an HSH .rti file")


def write_rti(path: Path, result: RtiFit) -> Path:
    """``.ptm`` for PTM fits, ``.rti`` for HSH fits."""
    return write_ptm(path, result) if result.model == "ptm" else write_hsh(path, result)


def normals_image(normals: np.ndarray) -> Image.Image:
    """The usual normal-map picture: (x, y, z) in [-1, 1] mapped to RGB in [0, 255]."""
    return Image.fromarray(np.clip(np.round((normals + 1) * 127.5), 0, 255).astype(np.uint8))


def web_atlas(result: RtiFit, normals: np.ndarray) -> tuple[bytes, dict]:
    """One PNG of tiles (per-channel coefficient k in tile k, then the normal map in the last
    tile) and the manifest the viewer needs to turn bytes back into coefficients:
    ``value = min + byte / 255 * (max - min)`` per tile and channel."""
    rgb = result.as_rgb()
    w, h = rgb.size
    k = rgb.terms
    tiles = k + 1
    rows = -(-tiles // ATLAS_COLUMNS)
    atlas = np.zeros((rows * h, ATLAS_COLUMNS * w, 3), dtype=np.uint8)
    lows, highs = [], []
    for t in range(tiles):
        plane = rgb.coeffs[:, :, :, t] if t < k else normals
        lo = plane.reshape(-1, 3).min(axis=0)
        hi = plane.reshape(-1, 3).max(axis=0)
        if t == k:
            lo, hi = np.full(3, -1.0), np.full(3, 1.0)
        span = np.maximum(hi - lo, 1e-8)
        row, col = divmod(t, ATLAS_COLUMNS)
        atlas[row * h : (row + 1) * h, col * w : (col + 1) * w] = np.clip(
            np.round((plane - lo) / span * 255), 0, 255
        ).astype(np.uint8)
        lows.append([float(v) for v in lo])
        highs.append([float(v) for v in hi])
    buffer = io.BytesIO()
    Image.fromarray(atlas).save(buffer, format="PNG", compress_level=6)
    manifest = {
        "model": rgb.model,
        "order": rgb.order,
        "terms": k,
        "width": w,
        "height": h,
        "columns": ATLAS_COLUMNS,
        "rows": rows,
        "normals_tile": k,
        "min": lows,
        "max": highs,
    }
    return buffer.getvalue(), manifest
