import numpy as np
import pytest

from ml.restore.io import save_image
from ml.restore.style import (
    apply_preset,
    build_preset,
    gatys,
    lab_stats,
    load_preset,
    reinhard_transfer,
    style_grams,
)
from tests.ml_restore.helpers import texture


def _sepia(size: int = 64) -> np.ndarray:
    base = texture(size, seed=9).mean(axis=2, keepdims=True)
    return np.clip(base * np.array([1.1, 0.85, 0.55]), 0, 255).astype(np.uint8)


def test_reinhard_moves_colour_statistics_to_the_style():
    content, style = texture(64), _sepia()
    out = reinhard_transfer(content, style)
    target, _ = lab_stats(style)
    before, _ = lab_stats(content)
    after, _ = lab_stats(out)
    assert np.abs(after - target).sum() < 0.3 * np.abs(before - target).sum()


@pytest.mark.slow
def test_gatys_lowers_the_style_loss():
    content, style = texture(64, seed=1), _sepia()
    target = style_grams(style, 64)

    def loss(image: np.ndarray) -> float:
        return sum(float(np.mean((a - b) ** 2)) for a, b in zip(style_grams(image, 64), target, strict=True))

    out = gatys(content, target, steps=30, size=64)
    assert out.shape == content.shape
    assert loss(out) < 0.7 * loss(content)


def test_period_preset_round_trip(tmp_path):
    paths = []
    for i in range(2):
        paths.append(save_image(_sepia(48 + 8 * i), tmp_path / f"era{i}.png"))
    preset_path = build_preset(paths, tmp_path / "joseon.npz", name="joseon")
    preset = load_preset(preset_path)
    assert preset["name"] == "joseon" and preset["count"] == 2 and len(preset["grams"]) == 5
    out = apply_preset(texture(48), preset, "reinhard")
    assert out.shape == (48, 48, 3)
    with pytest.raises(ValueError):
        build_preset([], tmp_path / "empty.npz")
