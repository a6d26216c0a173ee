import numpy as np
import pytest
import torch

from ml.restore.inception import InceptionV3, load_inception_v3
from ml.restore.io import save_image
from ml.restore.metrics import (
    distribution_metrics,
    frechet_distance,
    inception_score,
    kernel_inception_distance,
    ms_ssim,
    psnr,
    ssim,
)
from tests.ml_restore.helpers import texture


def test_psnr_known_value_and_mask():
    a = np.zeros((10, 10, 3), np.uint8)
    b = a.copy()
    b[0, 0] = 255  # one channel-pixel triple off by 255 -> MSE = 255^2 * 3 / 300
    assert psnr(a, b) == pytest.approx(10 * np.log10(100), abs=1e-6)
    assert psnr(a, a) == float("inf")
    mask = np.zeros((10, 10), bool)
    mask[0, 0] = True
    assert psnr(a, b, mask) == pytest.approx(0.0)


@pytest.mark.parametrize("size", [24, 64, 200])
def test_ssim_and_ms_ssim_rank_noise(size):
    image = texture(size)
    rng = np.random.default_rng(0)
    light = np.clip(image + rng.normal(0, 5, image.shape), 0, 255).astype(np.uint8)
    heavy = np.clip(image + rng.normal(0, 40, image.shape), 0, 255).astype(np.uint8)
    assert ms_ssim(image, image) == pytest.approx(1.0, abs=1e-5)
    assert ms_ssim(image, heavy) < ms_ssim(image, light) < 1.0
    assert ssim(image, heavy) < ssim(image, light) < 1.0


def test_distribution_metrics_on_feature_sets():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, (200, 8)), rng.normal(0, 1, (200, 8))
    shifted = rng.normal(2, 1, (200, 8))
    assert frechet_distance(a, b) < 1.0 < frechet_distance(a, shifted)
    assert abs(kernel_inception_distance(a, b)) < kernel_inception_distance(a, shifted)
    uniform = np.full((10, 5), 0.2)
    confident = np.eye(5)[np.arange(10) % 5]
    assert inception_score(uniform) == pytest.approx(1.0)
    assert inception_score(confident) == pytest.approx(5.0, rel=1e-3)


@pytest.mark.slow
def test_mobilenet_named_metrics_between_folders(tmp_path):
    real, fake = tmp_path / "real", tmp_path / "fake"
    real.mkdir()
    fake.mkdir()
    for i in range(4):
        save_image(texture(64, seed=i), real / f"{i}.png")
        save_image(np.full((64, 64, 3), 30 * i, np.uint8), fake / f"{i}.png")
    result = distribution_metrics(real, fake)
    assert set(result) >= {"FID-MobileNetV2", "KID-MobileNetV2", "IS-MobileNetV2"}
    assert "FID" not in result  # the standard figure only with user-supplied InceptionV3 weights
    same = distribution_metrics(real, real)
    assert same["FID-MobileNetV2"] < result["FID-MobileNetV2"]


def test_inception_loads_a_torchvision_format_state_dict(tmp_path):
    path = tmp_path / "inception.pth"
    torch.save(InceptionV3().state_dict(), path)
    model = load_inception_v3(path)
    with torch.no_grad():
        assert model.embed(torch.rand(1, 3, 75, 75)).shape == (1, 2048)
    bad = tmp_path / "bad.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, bad)
    with pytest.raises(ValueError, match="not a torchvision inception_v3"):
        load_inception_v3(bad)
    with pytest.raises(FileNotFoundError, match="not shipped"):
        load_inception_v3(tmp_path / "absent.pth")


def test_fid_of_small_sets_equals_the_matrix_square_root_formula():
    """Sets smaller than the feature dimension take an exact n x n shortcut: same value as sqrtm."""
    from scipy import linalg

    rng = np.random.default_rng(3)
    a, b = rng.random((9, 48)), rng.random((11, 48)) * 0.6 + 0.2
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    direct = float(
        np.sum((a.mean(0) - b.mean(0)) ** 2)
        + np.trace(cov_a)
        + np.trace(cov_b)
        - 2 * np.trace(np.real(linalg.sqrtm(cov_a @ cov_b)))
    )
    assert frechet_distance(a, b) == pytest.approx(direct, rel=1e-6)
    assert abs(frechet_distance(a, a)) < 1e-9
