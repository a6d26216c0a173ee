"""Style transfer without shipped style weights (MODELS.md): Reinhard colour-statistics transfer
in Lab, and Gatys-style optimisation of the pixels against Gram matrices of MobileNetV2 feature
maps (``ml.mobilenet``). A period preset holds both kinds of statistics, averaged over the
collection's own images of an era, in one ``.npz`` file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

from ml.mobilenet import IMAGENET_MEAN, IMAGENET_STD, MODEL_ID, load_mobilenet_v2
from ml.restore.io import load_image

# Early blocks carry texture and colour, later ones structure (indices into ``features``).
STYLE_LAYERS = (1, 3, 6, 10, 13)
CONTENT_LAYER = 6
PRESET_SIZE = 256


def lab_stats(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation in CIE Lab (float32 Lab, L in 0..100)."""
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    return lab.mean(axis=0), lab.std(axis=0) + 1e-6


def reinhard(image: np.ndarray, mean: np.ndarray, std: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Reinhard et al. 2001: match the image's Lab mean and spread to the target statistics."""
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    own_mean, own_std = lab.reshape(-1, 3).mean(axis=0), lab.reshape(-1, 3).std(axis=0) + 1e-6
    moved = (lab - own_mean) / own_std * std + mean
    lab = (1 - strength) * lab + strength * moved
    lab[:, :, 0] = np.clip(lab[:, :, 0], 0, 100)
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def reinhard_transfer(image: np.ndarray, style: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Colour-statistics transfer from one style image."""
    mean, std = lab_stats(style)
    return reinhard(image, mean, std, strength)


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(image.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    return tensor


def _normalise(tensor: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (tensor - mean) / std


def gram(feature: torch.Tensor) -> torch.Tensor:
    """Channel co-activation matrix normalised by size, so images of any size compare."""
    b, c, h, w = feature.shape
    flat = feature.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def style_grams(image: np.ndarray, size: int = PRESET_SIZE) -> list[np.ndarray]:
    """Gram matrices of the style layers for one image resized to ``size`` on its longest side."""
    model = load_mobilenet_v2()
    with torch.no_grad():
        maps = model.feature_maps(_normalise(_to_tensor(_fit(image, size))), STYLE_LAYERS)
    return [gram(m)[0].numpy() for m in maps]


def _fit(image: np.ndarray, size: int) -> np.ndarray:
    h, w = image.shape[:2]
    scale = size / max(h, w)
    if abs(scale - 1) < 1e-3:
        return image
    inter = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, (max(16, round(w * scale)), max(16, round(h * scale))), interpolation=inter)


def gatys(
    image: np.ndarray,
    grams: Sequence[np.ndarray],
    steps: int = 100,
    style_weight: float = 1e5,
    content_weight: float = 1.0,
    size: int = 384,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Optimise the pixels so MobileNetV2 Gram matrices match ``grams`` while keeping the content.

    The image is worked on at ``size`` px (longest side) and then brought back to its own size.
    """
    model = load_mobilenet_v2()
    work = _fit(image, size)
    content = _to_tensor(work)
    targets = [torch.from_numpy(np.asarray(g, np.float32))[None] for g in grams]
    with torch.no_grad():
        content_target = model.feature_maps(_normalise(content), (CONTENT_LAYER,))[0]
    # Optimise an unconstrained variable through a sigmoid so the pixels stay in 0..1.
    variable = torch.logit(content.clamp(0.01, 0.99)).clone().requires_grad_(True)
    optimiser = torch.optim.Adam([variable], lr=0.05)
    layers = tuple(sorted(set(STYLE_LAYERS) | {CONTENT_LAYER}))
    for step in range(steps):
        optimiser.zero_grad()
        pixels = torch.sigmoid(variable)
        maps = dict(zip(layers, model.feature_maps(_normalise(pixels), layers), strict=True))
        style_loss = sum(
            torch.mean((gram(maps[i]) - t) ** 2) for i, t in zip(STYLE_LAYERS, targets, strict=True)
        )
        content_loss = torch.mean((maps[CONTENT_LAYER] - content_target) ** 2)
        loss = style_weight * style_loss + content_weight * content_loss
        loss.backward()
        optimiser.step()
        if progress is not None:
            progress((step + 1) / steps)
    result = (torch.sigmoid(variable).detach()[0].permute(1, 2, 0).numpy() * 255.0).round().clip(0, 255)
    result = result.astype(np.uint8)
    h, w = image.shape[:2]
    if result.shape[:2] != (h, w):
        result = cv2.resize(result, (w, h), interpolation=cv2.INTER_CUBIC)
    return result


def gatys_transfer(
    image: np.ndarray,
    style: np.ndarray,
    steps: int = 100,
    size: int = 384,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Gatys-style transfer from one style image (on MobileNetV2 features, not VGG19)."""
    return gatys(image, style_grams(style, size), steps=steps, size=size, progress=progress)


def build_preset(image_paths: Sequence[str | Path], out: str | Path, name: str = "") -> Path:
    """A period preset from an era's images: mean Lab statistics plus mean Gram matrices, as .npz."""
    if not image_paths:
        raise ValueError("a preset needs at least one image of the era")
    means, stds, grams = [], [], []
    for path in image_paths:
        image = load_image(path)
        mean, std = lab_stats(image)
        means.append(mean)
        stds.append(std)
        grams.append(style_grams(image))
    arrays = {f"gram_{i}": np.mean([g[i] for g in grams], axis=0) for i in range(len(STYLE_LAYERS))}
    out = Path(out)
    np.savez_compressed(
        out,
        lab_mean=np.mean(means, axis=0),
        lab_std=np.mean(stds, axis=0),
        layers=np.array(STYLE_LAYERS),
        count=np.array(len(image_paths)),
        name=np.array(name),
        model=np.array(MODEL_ID),
        **arrays,
    )
    return out


def load_preset(path: str | Path) -> dict:
    """Read a preset written by ``build_preset``; refuses one built for other layers."""
    with np.load(path, allow_pickle=False) as data:
        layers = tuple(int(v) for v in data["layers"])
        if layers != STYLE_LAYERS:
            raise ValueError(f"preset {path} was built for layers {layers}, expected {STYLE_LAYERS}")
        return {
            "lab_mean": data["lab_mean"],
            "lab_std": data["lab_std"],
            "grams": [data[f"gram_{i}"] for i in range(len(layers))],
            "name": str(data["name"]),
            "count": int(data["count"]),
        }


def apply_preset(
    image: np.ndarray,
    preset: dict,
    method: str = "reinhard",
    steps: int = 100,
    progress: Callable[[float], None] | None = None,
    size: int = 384,
) -> np.ndarray:
    """Apply a period preset with either method (``size``: the long side Gatys optimises at)."""
    if method == "reinhard":
        return reinhard(image, preset["lab_mean"], preset["lab_std"])
    if method == "gatys":
        return gatys(image, preset["grams"], steps=steps, progress=progress, size=size)
    raise ValueError(f"unknown style method {method!r}; choose gatys or reinhard")
