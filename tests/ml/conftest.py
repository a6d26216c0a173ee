"""A small real collection for the ML tests: works with makers, cultures, materials, eras, uses,
and two with image items whose files are real PNGs."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kg.context import HeritageContext
from kg.settings import load_settings
from kg.store import OxigraphStore

MAKERS = [
    ("Wedgwood", "English", "ceramic", "18th century", "Teapot"),
    ("Georg Jensen", "Danish", "metal", "20th century", "Bowl"),
    ("Tiffany Studios", "American", "glass", "19th century", "Vase"),
]


def _works() -> list[dict]:
    works = []
    for m, (maker, culture, material, era, noun) in enumerate(MAKERS):
        for i in range(8):
            rec = {
                "kind": "work",
                "id": f"w{m}{i}",
                "identifier": f"w{m}{i}",
                "title": {"en": f"{noun} number {i}"},
                "creators": [maker],
                "culture": [culture],
                "material": [material] if i != 7 else [],
                "era": [era] if i != 6 else [],
            }
            if i < 4:
                rec["use"] = ["containment/storage"] if m != 2 else ["lighting"]
            works.append(rec)
    return works


def png(color: tuple[int, int, int], size: int = 64) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", (size, size), color)
    for x in range(0, size, 8):
        for y in range(size):
            img.putpixel((x, y), (255 - color[0], 255 - color[1], 255 - color[2]))
    img.save(buf, "PNG")
    return buf.getvalue()


def add_image(ctx: HeritageContext, work_id: str, color: tuple[int, int, int]) -> None:
    data = png(color)
    item_id = f"{work_id}-img"
    folder = ctx.files_dir / item_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "image.png").write_bytes(data)
    ctx.records.put(
        [
            {
                "kind": "instance",
                "id": f"{work_id}-inst",
                "identifier": f"{work_id}-inst",
                "title": {"en": "photo"},
                "represents": work_id,
                "instance_type": "image",
            },
            {
                "kind": "item",
                "id": item_id,
                "identifier": item_id,
                "part_of": f"{work_id}-inst",
                "file_name": "image.png",
                "media_type": "image/png",
                "file_format": "png",
                "byte_size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        ]
    )


@pytest.fixture
def mlctx(tmp_path: Path) -> Iterator[HeritageContext]:
    context = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    context.records.put(_works())
    yield context
    context.close()
