import numpy as np
import pytest

from ml.restore.damage import downscale
from ml.restore.metrics import psnr
from ml.restore.superres import choose_scale, realesrgan_x4, super_resolve
from tests.ml_restore.helpers import texture


def test_choose_scale_gives_small_images_more():
    assert choose_scale(texture(64)) == 4
    sharp = np.random.default_rng(0).integers(0, 255, (800, 800, 3), dtype=np.uint8)
    assert choose_scale(sharp) == 2


def test_lanczos_fallback():
    out, info = super_resolve(texture(24), 3, method="lanczos")
    assert out.shape == (72, 72, 3) and info["method"] == "lanczos"
    with pytest.raises(ValueError):
        super_resolve(texture(24), 5)


@pytest.mark.slow
def test_realesrgan_x4_on_a_small_image_and_tiles_agree():
    original = texture(96, seed=1)
    small = downscale(original, 2)  # 48 px
    out, info = super_resolve(small, 4)
    assert info["method"] == "realesrgan" and out.shape == (192, 192, 3)
    # x4 of 48 px against the 96 px original brought to 192 px: a sensible picture, not noise.
    reference = np.kron(original, np.ones((2, 2, 1), np.uint8))
    assert psnr(reference, out) > 20
    tiled = realesrgan_x4(small[:40, :40], tile=24, overlap=8)
    whole = realesrgan_x4(small[:40, :40], tile=64)
    assert np.abs(tiled.astype(int) - whole.astype(int)).mean() < 6
