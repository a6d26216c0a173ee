"""Test data for the explorer pages: a copy of the demo collection plus one unlabelled Work whose
title carries markup (for the escaping checks), one whose scan has stains (for the studio), then the real ML steps the pages
read: the MobileNetV2 image index, a similarity run and a prediction run."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from kg.context import HeritageContext
from kg.namespaces import HG
from kg.runs import Prediction, Run, new_run_id, write_run
from kg.settings import load_settings

EVIL_TITLE = '<script>alert("x")</script> Celadon vase'
EVIL_WORK = "zz-unlabelled"
EVIL_ITEM = "zz-unlabelled-png"
STAINED_WORK = "zz-stained"
STAINED_ITEM = "zz-stained-png"
STAINED_TITLE = "Celadon Prunus Vase (stained scan)"
SCHEME = "https://w3id.org/heritage-graph/scheme"


STAINS = ((120, 150), (160, 330), (200, 430), (340, 170), (380, 300), (400, 440))  # (x, y), both halves


def stained_copy(image: Path) -> bytes:
    """The demo photograph with cream-coloured stains on both halves, for the restoration studio."""
    img = Image.open(image).convert("RGB")
    draw = ImageDraw.Draw(img)
    for x, y in STAINS:
        draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=(245, 240, 225))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def add_work(ctx: HeritageContext, work_id: str, title: str, data: bytes, **fields: object) -> str:
    """A Work with an image Instance and its PNG Item (files written like an upload); the item id."""
    item_id = f"{work_id}-png"
    folder = ctx.files_dir / item_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photo.png").write_bytes(data)
    result = ctx.records.put(
        [
            {"kind": "work", "id": work_id, "identifier": work_id, "title": {"en": title, "ko": title}}
            | fields,
            {
                "kind": "instance",
                "id": f"{work_id}-image",
                "identifier": f"{work_id}-image",
                "title": {"en": "Photograph"},
                "represents": work_id,
                "instance_type": "image",
            },
            {
                "kind": "item",
                "id": item_id,
                "identifier": item_id,
                "title": {"en": title},
                "part_of": f"{work_id}-image",
                "file_name": "photo.png",
                "media_type": "image/png",
                "file_format": "png",
                "byte_size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        ],
        "create",
    )
    assert not result.rejected, result.rejected
    return item_id


def prediction_run(ctx: HeritageContext) -> Run:
    """A prediction run for the unlabelled Work, written through ``kg.runs`` as the predictor does
    (the pages show runs; the predictor's own quality is tested in ``tests/ml``)."""
    work = ctx.iris.entity("work", EVIL_WORK)
    return Run(
        run_id=new_run_id("predict"),
        kind="predict",
        model="test predictions",
        model_version="1",
        predictions=[
            Prediction(work, str(HG.material), f"{SCHEME}/material/celadon", 0.82),
            Prediction(work, str(HG.era), f"{SCHEME}/era/goryeo", 0.64),
        ],
    )


def prepare(demo_dir: Path, target: Path) -> Path:
    """Copy the demo, add the unlabelled and the stained Works, embed images, write similarity and prediction runs."""
    from ml.encoders import get_image_encoder
    from ml.image_index import load_image_index, sync_image_index
    from ml.predict import similarity_run

    shutil.copytree(demo_dir, target)
    ctx = HeritageContext.open(load_settings(target))
    try:
        files = ctx.files_dir
        # markup in the title, no material or era (the prediction run fills them); a pagoda photo
        add_work(ctx, EVIL_WORK, EVIL_TITLE, next((files / "item-nt-020-png").glob("*.png")).read_bytes(),
                 museum="National Museum of Korea")  # fmt: skip
        stained = stained_copy(next((files / "item-nt-097-png").glob("*.png")))
        add_work(ctx, STAINED_WORK, STAINED_TITLE, stained, material=["celadon"], era=["Goryeo"],
                 museum="National Museum of Korea")  # fmt: skip
        encoder = get_image_encoder(ctx.settings)
        report = sync_image_index(ctx, encoder)
        assert report["works"] >= 30 and not report["errors"], report
        similarity_run(ctx, load_image_index(ctx, encoder), k=6)
        write_run(ctx.store, ctx.iris, prediction_run(ctx))
    finally:
        ctx.close()
    return target
