"""``.ptm`` and ``.rti`` write -> read round trips, the byte layout other viewers expect, and the
web atlas."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from kg.errors import UnsupportedFormat
from kg.files import detect_format
from ml.rti import fit, formats


@pytest.fixture(scope="module")
def fits(capture):
    return {
        (m, lay): fit.fit(capture.photos, capture.lights, m, 3, lay)
        for m in ("ptm", "hsh")
        for lay in ("rgb", "lrgb")
    }


@pytest.mark.parametrize("layout", ["rgb", "lrgb"])
def test_ptm_round_trip(tmp_path, fits, capture, layout):
    original = fits[("ptm", layout)]
    path = formats.write_ptm(tmp_path / "x.ptm", original)
    assert detect_format(path.read_bytes()[:64]) == "ptm"
    back = formats.read_rti(path)
    assert back.model == "ptm" and back.layout == layout and back.size == original.size
    # 8-bit quantisation of each coefficient: relit images agree to better than 45 dB
    a, b = fit.relight(original, capture.held_out), fit.relight(back, capture.held_out)
    assert 10 * np.log10(1 / np.mean((a - b) ** 2)) > 45


def test_ptm_header_and_size_follow_the_spec(tmp_path, fits):
    path = formats.write_ptm(tmp_path / "x.ptm", fits[("ptm", "lrgb")])
    data = path.read_bytes()
    lines = data.split(b"\n")
    assert lines[0] == b"PTM_1.2" and lines[1] == b"PTM_FORMAT_LRGB"
    w, h = int(lines[2]), int(lines[3])
    assert len(lines[4].split()) == 6 and all(0 <= int(b) <= 255 for b in lines[5].split())
    header = sum(len(x) + 1 for x in lines[:6])
    assert len(data) - header == w * h * 9


def test_ptm_rows_are_stored_bottom_up(tmp_path, fits):
    """A pixel at the top of the image must land in the last row of the PTM data."""
    result = fits[("ptm", "rgb")]
    marked = fit.RtiFit("ptm", 2, result.coeffs.copy())
    marked.coeffs[0, 0, 0, 5] = marked.coeffs[..., 5].max() + 1.0  # top-left, red, constant term
    data = formats.write_ptm(tmp_path / "m.ptm", marked).read_bytes()
    w, h = marked.size
    body = np.frombuffer(data[len(data) - w * h * 18 :], dtype=np.uint8).reshape(3, h, w, 6)
    assert body[0, h - 1, 0, 5] == 255 and body[0, 0, 0, 5] < 255


@pytest.mark.parametrize("layout", ["rgb", "lrgb"])
def test_hsh_round_trip(tmp_path, fits, capture, layout):
    original = fits[("hsh", layout)]
    path = formats.write_hsh(tmp_path / "x.rti", original)
    assert detect_format(path.read_bytes()[:64]) == "rti"
    back = formats.read_rti(path)
    assert back.model == "hsh" and back.order == 3 and back.terms == 9
    a, b = fit.relight(original, capture.held_out), fit.relight(back, capture.held_out)
    assert 10 * np.log10(1 / np.mean((a - b) ** 2)) > 45


def test_unreadable_files_are_refused(tmp_path):
    (tmp_path / "a.ptm").write_bytes(
        b"PTM_1.2\nPTM_FORMAT_LRGB\n4\n4\n1 1 1 1 1 1\n0 0 0 0 0 0\n" + b"\0" * 10
    )
    with pytest.raises(UnsupportedFormat, match="expected"):
        formats.read_rti(tmp_path / "a.ptm")
    (tmp_path / "b.ptm").write_bytes(b"PTM_1.2\nPTM_FORMAT_JPEG_LRGB\n4\n4\n1 1 1 1 1 1\n0 0 0 0 0 0\n")
    with pytest.raises(UnsupportedFormat, match="not supported"):
        formats.read_rti(tmp_path / "b.ptm")
    (tmp_path / "c.ptm").write_bytes(b"hello")
    with pytest.raises(UnsupportedFormat):
        formats.read_rti(tmp_path / "c.ptm")


def test_web_atlas_decodes_to_the_coefficients(fits):
    result = fits[("hsh", "rgb")]
    normals = fit.normals(result)
    png, manifest = formats.web_atlas(result, normals)
    json.dumps(manifest)  # plain JSON
    atlas = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float32)
    w, h = manifest["width"], manifest["height"]
    assert manifest["terms"] == 9 and manifest["normals_tile"] == 9
    for tile in (0, 4, 8):
        row, col = divmod(tile, manifest["columns"])
        block = atlas[row * h : (row + 1) * h, col * w : (col + 1) * w]
        lo, hi = np.array(manifest["min"][tile]), np.array(manifest["max"][tile])
        decoded = lo + block / 255 * (hi - lo)
        assert np.abs(decoded - result.coeffs[..., tile]).max() <= (hi - lo).max() / 255 + 1e-6
    row, col = divmod(9, manifest["columns"])
    tile = atlas[row * h : (row + 1) * h, col * w : (col + 1) * w] / 127.5 - 1
    assert np.abs(tile - normals).max() < 0.01


@pytest.mark.parametrize(("model", "suffix"), [("ptm", "ptm"), ("hsh", "rti")])
def test_decimated_read_and_header_size(tmp_path, fits, model, suffix):
    """Large files are previewed by keeping every n-th pixel, read from the header's size."""
    original = fits[(model, "rgb")]
    path = formats.write_rti(tmp_path / f"x.{suffix}", original)
    assert formats.rti_size(path) == original.size
    full, half = formats.read_rti(path), formats.read_rti(path, step=2)
    assert half.coeffs.shape[:2] == tuple(-(-n // 2) for n in full.coeffs.shape[:2])
    np.testing.assert_array_equal(half.coeffs, full.coeffs[::2, ::2])


def test_bad_sizes_in_headers_are_refused(tmp_path):
    (tmp_path / "a.ptm").write_bytes(b"PTM_1.2\nPTM_FORMAT_RGB\n-4\n4\n1 1 1 1 1 1\n0 0 0 0 0 0\n")
    with pytest.raises(UnsupportedFormat, match="not valid"):
        formats.read_rti(tmp_path / "a.ptm")
