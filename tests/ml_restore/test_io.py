import io

import numpy as np
import pytest
from PIL import Image

from kg.errors import UnsupportedFormat, ValidationError
from ml.restore.io import ImageTooLarge, check_mask, load_image, load_mask, to_png_bytes
from tests.images import png_header_only
from tests.ml_restore.helpers import texture


def test_round_trip_png_bytes():
    image = texture(32)
    assert np.array_equal(load_image(to_png_bytes(image)), image)


def test_rgba_is_composited_to_rgb():
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(buffer, format="PNG")
    image = load_image(buffer.getvalue())
    assert image.shape == (8, 8, 3) and (image == 255).all()


def test_corrupt_and_unknown_input_is_unsupported_format(tmp_path):
    with pytest.raises(UnsupportedFormat):
        load_image(b"this is not an image")
    truncated = to_png_bytes(texture(64))[:200]
    with pytest.raises(UnsupportedFormat):
        load_image(truncated)
    with pytest.raises(UnsupportedFormat):
        load_image(tmp_path / "missing.png")


def test_huge_image_refused_before_decoding():
    with pytest.raises(ImageTooLarge, match="pixels"):
        load_image(png_header_only(50_000, 50_000))
    with pytest.raises(ImageTooLarge):
        load_image(to_png_bytes(texture(32)), max_pixels=100)


def test_mask_checks():
    shape = (16, 20)
    with pytest.raises(ValidationError, match="mask is 10x10"):
        check_mask(np.ones((10, 10), bool), shape)
    with pytest.raises(ValidationError, match="empty"):
        check_mask(np.zeros(shape, bool), shape)
    with pytest.raises(ValidationError, match="whole image"):
        check_mask(np.ones(shape, bool), shape)
    mask = np.zeros(shape, bool)
    mask[2:5, 3:7] = True
    assert np.array_equal(load_mask(to_png_bytes(mask), shape), mask)
