"""Technical imaging layers added to a copy of the demo for the NXG tests: Work ``nt-097`` gets an
X-radiograph (a small PNG, drawn from its file) and an infrared reflectogram stored as a
3,000 x 2,000 TIFF master with a tile pyramid (drawn from a IIIF rendition: browsers cannot show
TIFF at all)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from kg.context import HeritageContext
from kg.files import file_path, store_path
from kg.pyramid import build_pyramid
from kg.settings import load_settings

WORK = "nt-097"
XRAY_ITEM = "item-nt-097-xray"
IRR_ITEM = "item-nt-097-irr-tif"
IRR_SIZE = (3000, 2000)


def irr_picture(size: tuple[int, int] = IRR_SIZE) -> Image.Image:
    """A grey gradient with a bright disc: large, cheap to compress, easy to recognise."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    grey = (40 + 120 * x / w).astype(np.uint8)
    grey[(x - w / 2) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2] = 235
    return Image.fromarray(np.stack([grey] * 3, axis=-1))


def add_imaging_layers(data_dir: Path) -> None:
    """Write the two imaging Instances and their Items (files, pyramid) into ``data_dir``."""
    ctx = HeritageContext.open(load_settings(data_dir))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            xray = Path(tmp) / "xray.png"
            Image.fromarray(np.full((256, 256, 3), 30, np.uint8)).save(xray)
            tif = Path(tmp) / "irr-master.tif"
            irr_picture().save(tif, compression="tiff_deflate")
            xray_file = store_path(xray, XRAY_ITEM, ctx.files_dir)
            irr_file = store_path(tif, IRR_ITEM, ctx.files_dir)
        build_pyramid(file_path(ctx.files_dir, IRR_ITEM, irr_file.file_name), ctx.files_dir / IRR_ITEM)
        common = {"kind": "instance", "represents": WORK, "produced_by": "proj-gigapixel-2023"}
        ctx.records.put(
            [
                {
                    **common,
                    "id": "inst-nt-097-xray",
                    "title": {"en": "X-ray"},
                    "instance_type": "x-radiography",
                },
                {**common, "id": "inst-nt-097-irr", "title": {"en": "IRR"}, "instance_type": "IRR"},
                {"kind": "item", "id": XRAY_ITEM, "part_of": "inst-nt-097-xray", **xray_file.item_fields()},
                {"kind": "item", "id": IRR_ITEM, "part_of": "inst-nt-097-irr", **irr_file.item_fields()},
            ],
            "create",
        )
    finally:
        ctx.close()
