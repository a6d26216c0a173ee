"""Detection quality on generated images: the automatic masks must find most of the damage, flag
little on clean images, and let the automatic pipeline beat the damaged input clearly without
degrading the undamaged parts (which the damaged-region PSNR cannot see)."""

import numpy as np
import pytest

from ml.restore.damage import add_damage
from ml.restore.detect import detect_scratches, detect_shadows, detect_stains
from ml.restore.metrics import ms_ssim, psnr
from ml.restore.pipeline import restore
from tests.ml_restore.helpers import texture


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.fixture(scope="module")
def case() -> tuple[np.ndarray, object]:
    original = texture(256, seed=4)
    return original, add_damage(original, seed=1000)


def test_shadow_mask_covers_core_and_penumbra(case):
    original, damaged = case
    found = detect_shadows(damaged.image)
    # The true mask includes the soft rim (dimmed by > 1%); a core-only detection scores ~0.6.
    assert _iou(found, damaged.shadow_mask) > 0.75


def test_clean_image_is_hardly_flagged():
    for seed in (4, 6, 8):
        clean = texture(256, seed=seed)
        flagged = detect_shadows(clean) | detect_stains(clean) | detect_scratches(clean)
        assert flagged.mean() < 0.01, seed


def test_flat_content_patches_are_not_stains():
    # Flat, strongly coloured picture content (an orange suit, a dark coat) differs from a large
    # median background just as a stain does, but it is part of a larger region: not a stain.
    image = texture(256, seed=5)
    image[40:200, 30:150] = (215, 90, 40)
    image[60:120, 170:240] = (35, 30, 40)
    damaged = add_damage(image, seed=1002, shadow=False, scratches=0)
    stains = detect_stains(damaged.image)
    content = np.zeros(image.shape[:2], bool)
    content[40:200, 30:150] = True
    content[60:120, 170:240] = True
    assert (stains & content & ~damaged.stain_mask).sum() < 0.02 * content.sum()
    assert (stains & damaged.stain_mask).sum() > 0.5 * damaged.stain_mask.sum()


def test_auto_beats_damaged_input_and_keeps_clean_regions(case):
    original, damaged = case
    result = restore(damaged.image, None, "auto").image
    gain = psnr(original, result, damaged.mask) - psnr(original, damaged.image, damaged.mask)
    assert gain > 5.0
    assert ms_ssim(original, result) > ms_ssim(original, damaged.image)
    untouched = ~damaged.mask
    assert psnr(original, result, untouched) > 35.0


def test_auto_leaves_a_clean_image_nearly_unchanged():
    clean = texture(256, seed=6)
    assert psnr(clean, restore(clean, None, "auto").image) > 40.0


def test_near_black_content_is_not_a_shadow():
    # A grey picture with a black disc: dark, neutral and large like a shadow, but 20x darker than
    # its surroundings, which no cast shadow with ambient light does. The same disc at half
    # brightness is a shadow.
    grey = texture(256, seed=7).mean(axis=2, keepdims=True).repeat(3, axis=2)
    yy, xx = np.mgrid[0:256, 0:256]
    disc = np.hypot(yy - 140, xx - 110) < 45
    black = grey.copy()
    black[disc] = (grey[disc] * 0.04).astype(np.uint8)
    half = grey.copy()
    half[disc] = (grey[disc] * 0.5).astype(np.uint8)
    assert detect_shadows(black).mean() < 0.005
    found = detect_shadows(half)
    assert (found & disc).sum() > 0.7 * disc.sum()
