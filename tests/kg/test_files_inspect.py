"""The upload check decodes the whole image (so truncation shows) through libvips, strip by strip,
and through Pillow where pyvips does not import; both refuse the same bad files."""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image

from kg.errors import ValidationError
from kg.files import inspect_image


def _png(path, size=(300, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 10)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


@pytest.fixture(params=["vips", "pillow"])
def engine(request, monkeypatch):
    if request.param == "pillow":
        monkeypatch.setitem(sys.modules, "kg.pyramid_vips", None)  # import now raises ImportError
    return request.param


def test_size_of_a_good_image(tmp_path, engine):
    path = tmp_path / "ok.png"
    _png(path, (301, 203))
    assert inspect_image(path) == (301, 203)


def test_truncated_image_refused(tmp_path, engine):
    path = tmp_path / "cut.png"
    data = _png(tmp_path / "whole.png", (640, 480))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationError, match="damaged or truncated"):
        inspect_image(path)


def test_vips_is_the_default_path(tmp_path, monkeypatch):
    """With pyvips importable the check goes through libvips."""
    import kg.pyramid_vips

    calls = []
    real = kg.pyramid_vips.verify_image
    monkeypatch.setattr(kg.pyramid_vips, "verify_image", lambda p: calls.append(p) or real(p))
    path = tmp_path / "ok.png"
    _png(path)
    assert inspect_image(path) == (300, 200) and calls == [path]
