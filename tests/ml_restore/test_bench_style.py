"""The style benchmark's own helpers: identity keeps the content exactly, and styling toward a preset moves a set toward that preset's references."""

import numpy as np
import pytest

from bench.bench_style import network_outputs, palette, score_set, stylise
from ml.restore.style import lab_stats
from tests.ml_restore.helpers import texture


def _sepia(image: np.ndarray) -> np.ndarray:
    grey = image.mean(axis=2, keepdims=True)
    return np.clip(grey * np.array([1.15, 0.85, 0.5]) + 20, 0, 255).astype(np.uint8)


def test_identity_keeps_content_and_reinhard_moves_toward_the_preset(tmp_path):
    content = [texture(64, seed=s) for s in range(4)]
    references = [_sepia(texture(64, seed=10 + s)) for s in range(4)]
    mean, std = lab_stats(np.concatenate(references, axis=0))
    preset = {"lab_mean": mean, "lab_std": std, "grams": []}
    ref_feats, _ = network_outputs(references, tmp_path / "ref")
    other_feats, _ = network_outputs(content, tmp_path / "other")

    same, seconds = stylise(content, "identity", preset, steps=0)
    identity = score_set(same, content, ref_feats, other_feats, tmp_path / "identity", palette(references))
    assert identity["ms_ssim"] == pytest.approx(1.0, abs=1e-6) and seconds == 0.0

    styled, _ = stylise(content, "reinhard", preset, steps=0)
    moved = score_set(styled, content, ref_feats, other_feats, tmp_path / "reinhard", palette(references))
    assert moved["kid"] < identity["kid"] and moved["fid"] < identity["fid"]
    assert moved["lab"] < 0.2 * identity["lab"]
    assert moved["ms_ssim"] < 1.0
