import numpy as np
import pytest

from kg.errors import ValidationError
from ml.restore.damage import add_damage
from ml.restore.detect import detect_scratches, detect_shadows, detect_stains
from ml.restore.metrics import psnr
from ml.restore.pipeline import restore
from ml.restore.shadow import remove_shadow
from tests.ml_restore.helpers import texture


def test_stains_and_scratches_are_found():
    original = texture(256, seed=3)
    damaged = add_damage(original, seed=1, shadow=False)
    stains = detect_stains(damaged.image)
    scratches = detect_scratches(damaged.image)
    assert (stains & damaged.stain_mask).sum() / damaged.stain_mask.sum() > 0.6
    assert (scratches & damaged.scratch_mask).sum() / damaged.scratch_mask.sum() > 0.6
    # And the clean image gives (almost) nothing.
    assert (detect_stains(original) | detect_scratches(original)).mean() < 0.02


def test_shadow_is_detected_and_relit():
    original = texture(256, seed=4)
    damaged = add_damage(original, seed=2, stains=0, scratches=0)
    found = detect_shadows(damaged.image)
    assert (found & damaged.shadow_mask).sum() > 0.3 * damaged.shadow_mask.sum()
    relit = remove_shadow(damaged.image, damaged.shadow_mask)
    region = damaged.shadow_mask
    assert psnr(original, relit, region) > psnr(original, damaged.image, region) + 4
    # Relighting keeps texture: the high frequencies inside the shadow are not painted over.
    assert np.std(relit[region].astype(float)) > 0.8 * np.std(original[region].astype(float))


def test_auto_restore_improves_damage_and_returns_mask():
    original = texture(256, seed=5)
    damaged = add_damage(original, seed=3)
    result = restore(damaged.image, None, "auto")
    assert result.mask is not None and result.mask.shape == original.shape[:2]
    # Scratches are found and filled; the whole damaged region improves too (the margin here is
    # small on purpose: test_detect_quality.py checks the full gain on another image).
    assert (
        psnr(original, result.image, damaged.scratch_mask)
        > psnr(original, damaged.image, damaged.scratch_mask) + 10
    )
    assert psnr(original, result.image, damaged.mask) > psnr(original, damaged.image, damaged.mask) + 0.5


def test_no_damage_found_asks_for_a_mask():
    smooth = np.full((64, 64, 3), 120, np.uint8)
    with pytest.raises(ValidationError, match="draw a mask"):
        restore(smooth, None, "telea")
    with pytest.raises(ValidationError, match="no shadow"):
        restore(smooth, None, "shadow")
