"""Upload thumbnails: at most 320 px on the long side, aspect kept, never enlarged, RGB PNG,
the same through libvips and through Pillow (its fallback)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from kg.errors import ValidationError
from kg.thumbnails import write_thumbnail


@pytest.fixture(params=["vips", "pillow"])
def engine(request, monkeypatch):
    if request.param == "pillow":
        monkeypatch.setitem(sys.modules, "kg.pyramid_vips", None)  # its import now raises ImportError
    return request.param


@pytest.mark.parametrize(
    ("size", "expected"), [((1600, 900), (320, 180)), ((600, 2400), (80, 320)), ((200, 100), (200, 100))]
)
def test_sizes(tmp_path, engine, size, expected):
    src = tmp_path / "in.tif"
    Image.new("RGB", size, (10, 120, 240)).save(src)
    out = write_thumbnail(src, tmp_path / ".thumb.png")
    with Image.open(out) as thumb:
        assert thumb.format == "PNG" and thumb.mode == "RGB" and thumb.size == expected
        assert np.abs(np.asarray(thumb, dtype=int) - (10, 120, 240)).max() <= 2


def test_left_half_stays_left(tmp_path, engine):
    """Orientation and content survive: a red left half and a blue right half."""
    img = Image.new("RGB", (1000, 500), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 500, 500))
    src = tmp_path / "in.png"
    img.save(src)
    with Image.open(write_thumbnail(src, tmp_path / "t.png")) as thumb:
        px = np.asarray(thumb, dtype=int)
    assert px[:, :100, 0].mean() > 240 and px[:, -100:, 2].mean() > 240


def test_bomb_refused_by_vips_from_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    src = tmp_path / "big.png"
    Image.new("RGB", (200, 100)).save(src)
    with pytest.raises(ValidationError, match="decompression bomb"):
        write_thumbnail(src, tmp_path / "t.png")
    assert not (tmp_path / "t.png").exists()
