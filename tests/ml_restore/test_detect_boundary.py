"""Shadow detection by boundary consistency and relighting fitted to the outline, each on a
generated image where the answer is known."""

import cv2
import numpy as np
import pytest

from ml.restore.damage import add_damage
from ml.restore.detect import detect_scratches, detect_shadows
from ml.restore.metrics import psnr
from ml.restore.pipeline import restore
from ml.restore.shadow import fit_shadow, remove_shadow
from ml.restore.shadow_detect import find_shadow_regions, shadow_masks
from tests.ml_restore.helpers import texture


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def _soft_shadow(image: np.ndarray, center: tuple[int, int], axes: tuple[int, int], factor: float):
    ellipse = np.zeros(image.shape[:2], np.float32)
    cv2.ellipse(ellipse, center, axes, 20.0, 0, 360, 1.0, -1)
    soft = cv2.GaussianBlur(ellipse, (0, 0), 3)
    out = image.astype(np.float32) * (1.0 - (1.0 - factor) * soft)[:, :, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), soft > 0.02


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    # Texture with a dark blue block: picture content darker than its surroundings.
    image = texture(256, seed=11)
    image[150:230, 20:110] = (30, 40, 90)
    return image


def test_dark_coloured_content_is_not_a_shadow(scene):
    assert detect_shadows(scene).mean() < 0.01


def test_shadow_across_dark_content_is_found(scene):
    shadowed, truth = _soft_shadow(scene, (120, 110), (55, 40), 0.5)
    found = detect_shadows(shadowed)
    assert _iou(found, truth) > 0.6
    regions = find_shadow_regions(shadowed)
    # The step read across the outline is the shadow's (log 0.5 = -0.69), alike in each channel.
    assert regions and np.allclose(regions[0].step, np.log(0.5), atol=0.2)


def test_weak_dimming_is_left_alone():
    # Dimming by 10% is within the variation of picture content: not worth relighting.
    shadowed, _truth = _soft_shadow(texture(256, seed=12), (128, 128), (60, 45), 0.9)
    assert detect_shadows(shadowed).mean() < 0.01


def test_relighting_fits_the_step_and_tolerates_a_loose_mask():
    original = texture(256, seed=13)
    shadowed, truth = _soft_shadow(original, (130, 120), (60, 40), 0.5)
    _softness, _offset, step = fit_shadow(shadowed, truth)
    assert abs(step - np.log(0.5)) < 0.08
    before = psnr(original, shadowed, truth)
    assert psnr(original, remove_shadow(shadowed, truth), truth) > before + 10
    # A mask drawn 4 px too wide (a user's brush, or a detector's penumbra growth) still works.
    loose = cv2.dilate(truth.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert psnr(original, remove_shadow(shadowed, loose), truth) > before + 8


def test_relighting_beats_the_damaged_input_on_generated_damage():
    original = texture(256, seed=14)
    damaged = add_damage(original, seed=1003, stains=0, scratches=0)
    found = detect_shadows(damaged.image)
    region = damaged.shadow_mask
    assert (
        psnr(original, remove_shadow(damaged.image, found), region)
        > psnr(original, damaged.image, region) + 4
    )


def test_a_known_step_relights_a_mask_that_is_only_part_of_the_shadow():
    original = texture(256, seed=16)
    shadowed, truth = _soft_shadow(original, (120, 130), (60, 45), 0.5)
    # 8 px short of the true outline all round, as a detector that stops inside the penumbra.
    part = cv2.erode(truth.astype(np.uint8), np.ones((17, 17), np.uint8)).astype(bool)
    before = psnr(original, shadowed, truth)
    known = psnr(original, remove_shadow(shadowed, part, step=np.log(0.5)), truth)
    assert known > before + 15
    # With the step given, only the edge is fitted, which beats fitting both on a partial mask.
    assert known > psnr(original, remove_shadow(shadowed, part), truth) + 2


def test_auto_relights_each_detected_shadow_with_its_own_step(scene):
    shadowed, truth = _soft_shadow(scene, (120, 110), (55, 40), 0.5)
    masks = shadow_masks(shadowed)
    assert len(masks) == 1 and abs(masks[0][1] - np.log(0.5)) < 0.2
    result = restore(shadowed, None, "auto")
    assert "shadow-relighting" in result.parameters["steps"]
    assert psnr(scene, result.image, truth) > psnr(scene, shadowed, truth) + 8


def test_short_light_curls_are_not_scratches_but_a_long_one_is():
    # Light brushwork (foam, swirling highlights) is thin, light and elongated as a whole mesh,
    # but made of short curls; a scratch runs straight for a long way.
    image = texture(256, seed=15)
    rng = np.random.default_rng(0)
    curls = np.zeros(image.shape[:2], np.uint8)
    for _ in range(40):
        centre = (int(rng.uniform(20, 236)), int(rng.uniform(20, 236)))
        start = float(rng.uniform(0, 360))
        cv2.ellipse(curls, centre, (6, 4), float(rng.uniform(0, 180)), start, start + 200, 1, 1)
    curled = image.copy()
    curled[curls > 0] = (240, 238, 232)
    assert detect_scratches(curled).mean() < 0.01  # 5.8% without the straight-run test
    line = np.zeros(image.shape[:2], np.uint8)
    cv2.polylines(line, [np.array([(20, 30), (90, 80), (160, 70), (230, 140)], np.int32)], False, 1, 1)
    scratched = curled.copy()
    scratched[line > 0] = (238, 234, 226)
    assert (detect_scratches(scratched) & (line > 0)).sum() > 0.8 * (line > 0).sum()
