"""IIIF fixtures: one Work whose image Instance holds a textured 2600x1800 picture (with a tile
pyramid), the Image API validator's 1000x1000 test pattern (pyramid with 256 px tiles), a small
picture served without a pyramid, a large one whose pyramid is not built yet, and an OBJ file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from api.iiif import build_pyramid
from kg import pyramid
from kg.context import HeritageContext
from kg.files import store_path
from kg.settings import load_settings
from kg.store import OxigraphStore

TEXTURE_SIZE = (2600, 1800)


def texture(width: int, height: int) -> np.ndarray:
    """A smooth but detailed RGB pattern: JPEG keeps it within a few levels, while a shift of a
    few pixels changes it a lot, so pixel comparisons can tell right crops from wrong ones."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 90 * np.sin(x / 23.0) * np.cos(y / 31.0)
    g = 128 + 90 * np.sin((x + 2 * y) / 41.0)
    b = 128 + 60 * np.cos(x / 17.0 - y / 29.0) + 30 * np.sin(y / 13.0)
    return np.clip(np.stack([r, g, b], axis=2), 0, 255).astype(np.uint8)


def validator_pattern() -> Image.Image:
    """The IIIF Image API validator's test image: 10x10 squares of 100 px, colours from the
    validator's own table (square x, y has colorInfo[x][y])."""
    try:
        from iiif_validator.validator import ValidationInfo

        colours = ValidationInfo().colorInfo
    except ImportError:  # the validator test skips; the other tests only need distinct colours
        colours = [
            [((x * 53) % 256, (y * 97) % 256, (x * y * 29) % 256) for y in range(10)] for x in range(10)
        ]
    img = Image.new("RGB", (1000, 1000))
    for x in range(10):
        for y in range(10):
            img.paste(colours[x][y], (x * 100, y * 100, x * 100 + 100, y * 100 + 100))
    return img


@dataclass
class IIIFEnv:
    client: TestClient
    ctx: HeritageContext
    texture: np.ndarray
    texture_path: Path
    pattern: Image.Image
    app: object


@pytest.fixture(scope="module")
def iiif(tmp_path_factory) -> Iterator[IIIFEnv]:
    data = tmp_path_factory.mktemp("iiif")
    src = data / "src"
    src.mkdir()
    settings = load_settings(data)
    ctx = HeritageContext.open(settings, store=OxigraphStore())
    tex = texture(*TEXTURE_SIZE)
    Image.fromarray(tex).save(src / "texture.png", compress_level=1)
    validator_pattern().save(src / "squares.png")
    Image.fromarray(texture(300, 200)).save(src / "small.png")
    Image.fromarray(texture(2100, 100)).save(src / "pending.png")
    (src / "mesh.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    records = [
        {
            "kind": "work",
            "id": "w-iiif",
            "title": {"en": "Test pattern", "ko": "시험 무늬"},
            "description": {"en": "Pictures for the IIIF tests."},
            "rights": "https://creativecommons.org/publicdomain/zero/1.0/",
            "museum": "Test Museum",
        },
        {"kind": "work", "id": "w-empty", "title": {"en": "No pictures"}},
        {
            "kind": "instance",
            "id": "inst-iiif",
            "represents": "w-iiif",
            "title": {"en": "Photographs"},
            "instance_type": "image",
        },
        {
            "kind": "instance",
            "id": "inst-empty",
            "represents": "w-empty",
            "title": {"en": "Scan"},
            "instance_type": "3d-model",
        },
    ]
    stored = {}
    for item_id, name, inst in [
        ("item-texture", "texture.png", "inst-iiif"),
        ("item-squares", "squares.png", "inst-iiif"),
        ("item-small", "small.png", "inst-iiif"),
        ("item-pending", "pending.png", "inst-iiif"),
        ("item-mesh", "mesh.obj", "inst-empty"),
    ]:
        stored[item_id] = store_path(src / name, item_id, ctx.files_dir)
        records.append(
            {
                "kind": "item",
                "id": item_id,
                "part_of": inst,
                "title": {"en": name},
                **stored[item_id].item_fields(),
            }
        )
    result = ctx.records.put(records)
    assert not result.rejected, [r.reason for r in result.rejected]
    assert build_pyramid(ctx, "item-texture", stored["item-texture"].path)
    assert not build_pyramid(ctx, "item-small", stored["item-small"].path)  # small: no pyramid
    sq = stored["item-squares"].path
    pyramid.build_pyramid(sq, sq.parent, tile=256)
    app = create_app(settings, ctx=ctx)
    with TestClient(app) as client:
        yield IIIFEnv(client, ctx, tex, stored["item-texture"].path, validator_pattern(), app)
    ctx.close()
