"""Image quality metrics. Full-reference: PSNR (optionally inside a mask), SSIM, MS-SSIM.
Distribution metrics: FID, KID and an Inception-Score-style figure computed on MobileNetV2's
pooled features and logits, named ``FID-MobileNetV2`` etc. because they are NOT comparable to
published InceptionV3 numbers; the standard ``FID``/``KID``/``IS`` are produced only when a user
supplies InceptionV3 weights by path (``ml.restore.inception``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from pytorch_msssim import ms_ssim as _ms_ssim
from scipy import linalg
from skimage.metrics import structural_similarity

from ml.mobilenet import IMAGENET_MEAN, IMAGENET_STD, load_mobilenet_v2
from ml.restore.io import load_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _same_shape(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")


def psnr(reference: np.ndarray, test: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Peak signal-to-noise ratio in dB of uint8 images, over ``mask`` when given (inf if equal)."""
    _same_shape(reference, test)
    diff = reference.astype(np.float64) - test.astype(np.float64)
    if mask is not None:
        if not mask.any():
            raise ValueError("PSNR mask is empty")
        diff = diff[mask.astype(bool)]
    mse = float(np.mean(diff**2))
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def ssim(reference: np.ndarray, test: np.ndarray) -> float:
    """Structural similarity of RGB uint8 images (Wang et al. 2004, per channel, averaged)."""
    _same_shape(reference, test)
    return float(structural_similarity(reference, test, channel_axis=-1, data_range=255))


def ms_ssim(reference: np.ndarray, test: np.ndarray) -> float:
    """Multi-scale SSIM (5 scales). pytorch-msssim needs the smaller side > 16 * (window - 1), so
    images under 161 px use a narrower Gaussian window and those under 33 px plain SSIM."""
    _same_shape(reference, test)
    smallest = min(reference.shape[:2])
    a = torch.from_numpy(reference.astype(np.float32)).permute(2, 0, 1)[None]
    b = torch.from_numpy(test.astype(np.float32)).permute(2, 0, 1)[None]
    win = min(11, (smallest - 1) // 16 + 1)
    win = win if win % 2 == 1 else win - 1
    if (win - 1) * 16 >= smallest:
        win -= 2
    if win < 3:
        from pytorch_msssim import ssim as _ssim

        return float(_ssim(a, b, data_range=255.0, win_size=min(11, smallest // 2 * 2 - 1)))
    return float(_ms_ssim(a, b, data_range=255.0, win_size=win, weights=list(MS_SSIM_WEIGHTS)))


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly inside ``folder``, sorted; a clear error if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a directory")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"no images in {folder}")
    return paths


def _batches(paths: Sequence[Path], size: int, batch: int = 16):  # noqa: ANN202
    import cv2

    for start in range(0, len(paths), batch):
        images = [
            cv2.resize(load_image(p), (size, size), interpolation=cv2.INTER_AREA)
            for p in paths[start : start + batch]
        ]
        yield torch.from_numpy(np.stack(images).astype(np.float32) / 255.0).permute(0, 3, 1, 2)


def mobilenet_outputs(
    paths: Sequence[Path], progress: Callable[[float], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """1280-d pooled features and 1000-way softmax probabilities per image (224 px input)."""
    model = load_mobilenet_v2()
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    feats, probs = [], []
    with torch.no_grad():
        for i, batch in enumerate(_batches(paths, 224)):
            embedding = model.embed((batch - mean) / std)
            feats.append(embedding.numpy())
            probs.append(torch.softmax(model.classifier(embedding), dim=1).numpy())
            if progress is not None:
                progress(min(1.0, (i + 1) * 16 / len(paths)))
    return np.concatenate(feats).astype(np.float64), np.concatenate(probs).astype(np.float64)


def inception_outputs(paths: Sequence[Path], weights: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """2048-d pool features and softmax probabilities from user-supplied InceptionV3 weights."""
    from ml.restore.inception import load_inception_v3

    model = load_inception_v3(weights)
    feats, probs = [], []
    with torch.no_grad():
        for batch in _batches(paths, 299):
            embedding = model.embed(batch)
            feats.append(embedding.numpy())
            probs.append(torch.softmax(model.fc(embedding), dim=1).numpy())
    return np.concatenate(feats).astype(np.float64), np.concatenate(probs).astype(np.float64)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the FID formula).

    With fewer images than feature dimensions (a museum's sets of tens or hundreds against 1,280
    MobileNetV2 features) the same value comes exactly from an n x n problem, in milliseconds
    instead of a 1280 x 1280 matrix square root (10-20 s here): see ``_frechet_small_sets``."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError("FID needs at least two images on each side")
    if max(len(a), len(b)) < a.shape[1]:
        return _frechet_small_sets(a, b)
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():
        # With fewer images than feature dimensions the covariances are singular; the square root
        # is still defined (PSD product) and the offset below handles the non-finite case.
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(covmean).all():
        offset = np.eye(cov_a.shape[0]) * 1e-6
        covmean = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    covmean = np.real(covmean)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean))


def _frechet_small_sets(a: np.ndarray, b: np.ndarray) -> float:
    """The FID formula for sets smaller than the feature dimension. With centred feature matrices
    Xa, Xb, the eigenvalues of Ca Cb are those of M M^T for M = Xb Xa^T / sqrt((na-1)(nb-1)), so
    Tr sqrt(Ca Cb) is the sum of M's singular values."""
    xa, xb = a - a.mean(axis=0), b - b.mean(axis=0)
    cross = xa @ xb.T / np.sqrt((len(a) - 1) * (len(b) - 1))
    trace_sqrt = float(np.linalg.svd(cross, compute_uv=False).sum())
    trace_a = float((xa**2).sum() / (len(a) - 1))
    trace_b = float((xb**2).sum() / (len(b) - 1))
    return float(((a.mean(axis=0) - b.mean(axis=0)) ** 2).sum()) + trace_a + trace_b - 2 * trace_sqrt


def kernel_inception_distance(
    a: np.ndarray, b: np.ndarray, subsets: int = 10, subset_size: int = 100
) -> float:
    """Unbiased MMD² with the cubic polynomial kernel (Bińkowski et al. 2018), averaged over subsets."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError("KID needs at least two images on each side")
    rng = np.random.default_rng(0)
    n = min(len(a), len(b), subset_size)
    dim = a.shape[1]
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), n, replace=False)]
        y = b[rng.choice(len(b), n, replace=False)]
        kxx = (x @ x.T / dim + 1) ** 3
        kyy = (y @ y.T / dim + 1) ** 3
        kxy = (x @ y.T / dim + 1) ** 3
        mmd = (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        values.append(mmd - 2 * kxy.mean())
    return float(np.mean(values))


def inception_score(probs: np.ndarray, splits: int = 1) -> float:
    """exp(E[KL(p(y|x) || p(y))]); higher means confident and diverse class predictions."""
    scores = []
    for part in np.array_split(probs, max(1, min(splits, len(probs)))):
        marginal = part.mean(axis=0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(marginal + 1e-12))).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores))


def distribution_metrics(
    real_dir: str | Path,
    generated_dir: str | Path,
    inception_weights: str | Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, float | int | str]:
    """FID/KID/IS between two folders of images, named for the network that produced them."""
    real, generated = list_images(real_dir), list_images(generated_dir)
    real_feats, _ = mobilenet_outputs(real, progress)
    gen_feats, gen_probs = mobilenet_outputs(generated, progress)
    result: dict[str, float | int | str] = {
        "real_images": len(real),
        "generated_images": len(generated),
        "FID-MobileNetV2": frechet_distance(real_feats, gen_feats),
        "KID-MobileNetV2": kernel_inception_distance(real_feats, gen_feats),
        "IS-MobileNetV2": inception_score(gen_probs),
        "note": "MobileNetV2 figures are not comparable to published InceptionV3 FID/KID/IS",
    }
    if inception_weights is not None:
        real_i, _ = inception_outputs(real, inception_weights)
        gen_i, gen_p = inception_outputs(generated, inception_weights)
        result["FID"] = frechet_distance(real_i, gen_i)
        result["KID"] = kernel_inception_distance(real_i, gen_i)
        result["IS"] = inception_score(gen_p)
    return result
