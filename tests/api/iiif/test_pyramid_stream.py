"""The libvips pyramid builder (streams the picture in strips) makes the same pyramid as the Pillow
one: the same index and tile files, pixels within JPEG noise, the same colours for RGBA, CMYK,
16-bit, grey and palette pictures; and it keeps the guards: decompression bombs refused from the
header, damaged files refused, and nothing left on disk when it fails."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import pyvips
from PIL import Image

import kg
from kg import pyramid, pyramid_vips
from kg.errors import ValidationError
from tests.api.iiif.conftest import texture
from tests.images import png_header_only

ODD = (5001, 3003)


def _tile(root: Path, scale: int, col: int, row: int) -> np.ndarray:
    with Image.open(root / str(scale) / f"{col}_{row}.jpg") as img:
        return np.asarray(img.convert("RGB")).astype(int)


def _leftovers(item_dir: Path) -> list[str]:
    return sorted(p.name for p in item_dir.iterdir() if p.name.startswith(".pyramid"))


@pytest.fixture(scope="module")
def odd_builds(tmp_path_factory) -> tuple[Path, Path, Path]:
    """One odd-sized picture cut by both builders."""
    root = tmp_path_factory.mktemp("odd")
    src = root / "odd.png"
    Image.fromarray(texture(*ODD)).save(src, compress_level=1)
    built = {}
    for engine in ("vips", "pillow"):
        (root / engine).mkdir()
        built[engine] = pyramid.build_pyramid(src, root / engine, engine=engine)
    return src, built["vips"], built["pillow"]


def test_the_vips_builder_is_installed_and_the_default():
    assert pyramid.vips_available(), "pyvips-binary must install here so the vips path is tested"
    assert pyvips.API_mode


def test_vips_pyramid_matches_pillow_on_an_odd_sized_image(odd_builds):
    src, vips_dir, pillow_dir = odd_builds
    index = json.loads((vips_dir / "pyramid.json").read_text())
    assert index == json.loads((pillow_dir / "pyramid.json").read_text())
    assert index == {"width": 5001, "height": 3003, "tile": 512, "scales": [1, 2, 4, 8, 16]}
    for level in pyramid.levels_for(5001, 3003):
        names = sorted(p.name for p in (vips_dir / str(level.scale)).iterdir())
        assert names == sorted(p.name for p in (pillow_dir / str(level.scale)).iterdir())
        cols, rows = -(-level.width // 512), -(-level.height // 512)
        assert len(names) == cols * rows
        # the last tile carries the ceil(W/s) x ceil(H/s) edge
        last = _tile(vips_dir, level.scale, cols - 1, rows - 1)
        assert last.shape == (level.height - (rows - 1) * 512, level.width - (cols - 1) * 512, 3)
        for name in names:
            col, row = map(int, name[:-4].split("_"))
            a, b = _tile(vips_dir, level.scale, col, row), _tile(pillow_dir, level.scale, col, row)
            assert a.shape == b.shape, (level, name)
            assert np.abs(a - b).mean() < 1.5, (level, name)
    assert sorted(p.name for p in vips_dir.iterdir()) == ["1", "16", "2", "4", "8", "pyramid.json"]
    # and both are the picture: the bottom-right tile at scale 2 against a box-filtered crop
    tex = texture(*ODD)
    want = np.asarray(Image.fromarray(tex[2048:, 4096:]).reduce(2)).astype(int)
    assert np.abs(_tile(vips_dir, 2, 4, 2) - want).mean() < 3


def test_default_build_uses_vips_and_reports_progress(tmp_path, monkeypatch):
    def no_pillow(*_a, **_k):
        raise AssertionError("the Pillow builder ran although pyvips is installed")

    monkeypatch.setattr(pyramid, "_write_tiles_pillow", no_pillow)
    src = tmp_path / "p.png"
    Image.fromarray(texture(3000, 2000)).save(src, compress_level=1)
    seen: list[float] = []
    out = pyramid.build_pyramid(src, tmp_path, progress=seen.append)
    assert (out / "pyramid.json").is_file() and _leftovers(tmp_path) == [".pyramid"]
    assert seen[-1] == 1.0
    assert any(0 < f < 1 for f in seen), seen
    assert seen == sorted(seen)


def test_falls_back_to_pillow_with_a_log_line_when_pyvips_is_missing(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "kg.pyramid_vips", None)
    monkeypatch.delattr(kg, "pyramid_vips", raising=False)
    monkeypatch.setattr(pyramid, "_VIPS_MISSING_LOGGED", False)
    src = tmp_path / "p.png"
    Image.fromarray(texture(700, 300)).save(src)
    with caplog.at_level(logging.WARNING, logger="kg.pyramid"):
        out = pyramid.build_pyramid(src, tmp_path)
    assert "pyvips unavailable" in caplog.text
    assert json.loads((out / "pyramid.json").read_text())["scales"] == [1, 2]


def test_rebuild_after_the_original_is_replaced_shows_the_new_picture(tmp_path):
    """libvips caches decodes by file name; a replaced original must not come back."""
    src = tmp_path / "a.png"
    for size, colour in [((1000, 700), (255, 0, 0)), ((1000, 700), (0, 0, 255)), ((1300, 700), (0, 255, 0))]:
        Image.new("RGB", size, colour).save(src)
        out = pyramid.build_pyramid(src, tmp_path, engine="vips")
        assert np.abs(_tile(out, 1, 0, 0)[10:100, 10:100].mean(axis=(0, 1)) - colour).max() < 3
        assert json.loads((out / "pyramid.json").read_text())["width"] == size[0]


# --- colours -----------------------------------------------------------------------------------


def _halves(mode: str, left, right, size=(600, 400)) -> Image.Image:
    img = Image.new(mode, size, left)
    img.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return img


def _p_with_transparency() -> Image.Image:
    img = Image.new("P", (600, 400), 0)
    img.putpalette([10, 120, 200, 0, 0, 0] + [0] * 762)
    img.paste(1, (300, 0, 600, 400))
    img.info["transparency"] = 1
    return img


def _vips_16bit(path: Path) -> None:
    """A 48-bit RGB TIFF with a 16-bit alpha: left opaque (40000, 20000, 5000), right half-alpha."""
    arr = np.zeros((400, 600, 4), dtype=np.uint16)
    arr[...] = (40000, 20000, 5000, 65535)
    arr[:, 300:, 3] = 32768
    pyvips.Image.new_from_array(arr).copy(interpretation="rgb16").tiffsave(str(path))


# (name, writer, expected left colour, expected right colour)
CASES = [
    (
        "rgba.png",
        lambda p: _halves("RGBA", (200, 0, 0, 255), (200, 0, 0, 128)).save(p),
        (200, 0, 0),
        (227, 127, 127),
    ),
    ("la.png", lambda p: _halves("LA", (60, 255), (0, 0)).save(p), (60, 60, 60), (255, 255, 255)),
    ("grey.png", lambda p: _halves("L", 30, 220).save(p), (30, 30, 30), (220, 220, 220)),
    ("palette.png", lambda p: _p_with_transparency().save(p), (10, 120, 200), (255, 255, 255)),
    (
        "cmyk.tif",
        lambda p: _halves("CMYK", (255, 0, 0, 0), (0, 128, 0, 64)).save(p),
        (0, 255, 255),
        (191, 95, 191),
    ),
    (
        "cmyk.jpg",
        lambda p: _halves("CMYK", (0, 0, 255, 0), (0, 0, 0, 200)).save(p, quality=95),
        (255, 255, 0),
        (55, 55, 55),
    ),
    (
        "grey16.png",
        lambda p: Image.fromarray(
            np.hstack([np.full((400, 300), 40000, np.uint16), np.full((400, 300), 2000, np.uint16)])
        ).save(p),
        (156, 156, 156),
        (7, 7, 7),
    ),
    ("rgb16.tif", _vips_16bit, (156, 78, 19), (205, 166, 137)),
]


@pytest.mark.parametrize("engine", ["vips", "pillow"])
@pytest.mark.parametrize(("name", "write", "left", "right"), CASES, ids=[c[0] for c in CASES])
def test_colours_come_out_as_srgb(tmp_path, engine, name, write, left, right):
    src = tmp_path / name
    write(src)
    out = pyramid.build_pyramid(src, tmp_path, engine=engine)
    tile = _tile(out, 1, 0, 0)
    assert tile.shape == (400, 512, 3)
    got_left = tile[50:350, 20:280].reshape(-1, 3).mean(axis=0)
    got_right = tile[50:350, 320:500].reshape(-1, 3).mean(axis=0)
    assert np.abs(got_left - left).max() < 4, (engine, got_left)
    assert np.abs(got_right - right).max() < 4, (engine, got_right)


# --- guards ------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["vips", "pillow"])
def test_decompression_bomb_is_refused_from_the_header_with_nothing_written(tmp_path, engine):
    src = tmp_path / "bomb.png"
    src.write_bytes(png_header_only(50_000, 50_000))
    with pytest.raises(ValidationError, match="decompression bomb"):
        pyramid.build_pyramid(src, tmp_path, engine=engine)
    assert _leftovers(tmp_path) == []


def test_vips_refuses_just_above_the_shared_limit(tmp_path):
    """The limit is kg.files' Image.MAX_IMAGE_PIXELS, read from the header: 33,200 x 33,200
    (1.1 gigapixels) is refused before a byte of pixel data is read."""
    assert Image.MAX_IMAGE_PIXELS == 1_100_000_000
    src = tmp_path / "big.png"
    src.write_bytes(png_header_only(33_200, 33_200))
    with pytest.raises(ValidationError, match="above the limit of 1100000000"):
        pyramid.build_pyramid(src, tmp_path, engine="vips")
    assert _leftovers(tmp_path) == []


def _save(fmt: str):
    return {
        "jpg": lambda img, p: img.save(p, quality=90),
        "png": lambda img, p: img.save(p, compress_level=1),
        "tif": lambda img, p: img.save(p, compression="tiff_lzw"),
    }[fmt]


@pytest.mark.parametrize("engine", ["vips", "pillow"])
@pytest.mark.parametrize("fmt", ["jpg", "png", "tif"])
def test_truncated_file_is_refused_and_the_old_pyramid_kept(tmp_path, fmt, engine):
    img = Image.fromarray(texture(2400, 1600))
    src = tmp_path / f"scan.{fmt}"
    _save(fmt)(img, src)
    old = pyramid.build_pyramid(src, tmp_path, engine=engine)
    old_index = (old / "pyramid.json").read_text()
    data = src.read_bytes()
    src.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(ValidationError, match="damaged or truncated"):
        pyramid.build_pyramid(src, tmp_path, engine=engine)
    assert _leftovers(tmp_path) == [".pyramid"]  # no temporary directory left
    assert (old / "pyramid.json").read_text() == old_index
    # and with no older pyramid, nothing at all
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(ValidationError, match="damaged or truncated"):
        pyramid.build_pyramid(src, fresh, engine=engine)
    assert _leftovers(fresh) == []


def test_verify_image_decodes_in_strips_and_refuses_damage(tmp_path):
    """The bounded-memory check an upload of a gigapixel scan can use instead of Pillow's load()."""
    src = tmp_path / "scan.tif"
    Image.fromarray(texture(2400, 1600)).save(src, compression="tiff_lzw")
    assert pyramid_vips.verify_image(src) == (2400, 1600)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(ValidationError, match="damaged or truncated"):
        pyramid_vips.verify_image(src)
    src.write_bytes(png_header_only(50_000, 50_000))
    with pytest.raises(ValidationError, match="decompression bomb"):
        pyramid_vips.verify_image(src)


def test_only_upload_formats_reach_libvips(tmp_path):
    """libvips opens GIF, SVG, PDF ...; the builder takes only what an upload can be."""
    src = tmp_path / "anim.gif"
    Image.new("RGB", (600, 400), (0, 128, 0)).save(src)
    with pytest.raises(ValidationError, match="not gifload"):
        pyramid.build_pyramid(src, tmp_path, engine="vips")
    assert _leftovers(tmp_path) == []
