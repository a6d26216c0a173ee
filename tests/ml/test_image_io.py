"""Bad image input: converted correctly or refused with a clear error; a batch goes on."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ml import image_io
from ml.image_io import ImageRejected, load_rgb


def _bytes(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def test_cmyk_becomes_rgb():
    out = load_rgb(_bytes(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"))
    assert out.mode == "RGB" and out.getpixel((4, 4))[0] > 200 and out.getpixel((4, 4))[1] < 60


def test_16_bit_png_is_scaled_not_clipped():
    arr = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    out = load_rgb(_bytes(Image.frombytes("I;16", (8, 8), arr.tobytes()), "PNG"))
    px = np.asarray(out)
    assert out.mode == "RGB" and px.max() == 255 and px.min() == 0 and len(np.unique(px)) > 10


def test_palette_and_alpha_png_composited_on_white():
    pal = Image.new("P", (8, 8), 3)
    pal.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
    assert load_rgb(_bytes(pal, "PNG")).getpixel((0, 0)) == (0, 0, 255)
    clear = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    assert load_rgb(_bytes(clear, "PNG")).getpixel((0, 0)) == (255, 255, 255)


def test_animated_gif_first_frame():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0))]
    data = _bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    r, g, _ = load_rgb(data).getpixel((1, 1))
    assert r > 200 and g < 50


@pytest.mark.parametrize(
    "data, reason",
    [(b"not an image at all", "not a readable image"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "x.png")],
)
def test_non_images_and_corrupt_refused(data, reason):
    with pytest.raises(ImageRejected, match=reason):
        load_rgb(data, "x.png")


def test_truncated_jpeg_refused():
    data = _bytes(Image.new("RGB", (64, 64), (10, 20, 30)), "JPEG")[:200]
    with pytest.raises(ImageRejected):
        load_rgb(data)


def test_one_pixel_refused():
    with pytest.raises(ImageRejected, match="too small"):
        load_rgb(_bytes(Image.new("RGB", (1, 1)), "PNG"))


def test_decompression_bomb_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(image_io, "MAX_PIXELS", 100)
    with pytest.raises(ImageRejected, match="pixel limit"):
        load_rgb(_bytes(Image.new("RGB", (20, 20)), "PNG"))
