"""Test data for the explorer pages: a copy of the demo collection plus one unlabelled Work whose
title carries markup (for the escaping checks) and an image, then the real ML steps the pages
read: the MobileNetV2 image index, a similarity run and an attribute-prediction run."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from kg.context import HeritageContext
from kg.settings import load_settings

EVIL_TITLE = '<script>alert("x")</script> Celadon vase'
EVIL_WORK = "zz-unlabelled"
EVIL_ITEM = "zz-unlabelled-png"


def add_unlabelled_work(ctx: HeritageContext, image: Path) -> None:
    """A Work with no material or era (so the predictor fills them) and a copy of a demo image."""
    data = image.read_bytes()
    folder = ctx.files_dir / EVIL_ITEM
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photo.png").write_bytes(data)
    result = ctx.records.put(
        [
            {
                "kind": "work",
                "id": EVIL_WORK,
                "identifier": EVIL_WORK,
                "title": {"en": EVIL_TITLE, "ko": EVIL_TITLE},
                "museum": "National Museum of Korea",
            },
            {
                "kind": "instance",
                "id": f"{EVIL_WORK}-image",
                "identifier": f"{EVIL_WORK}-image",
                "title": {"en": "Photograph"},
                "represents": EVIL_WORK,
                "instance_type": "image",
            },
            {
                "kind": "item",
                "id": EVIL_ITEM,
                "identifier": EVIL_ITEM,
                "title": {"en": EVIL_TITLE},
                "part_of": f"{EVIL_WORK}-image",
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


def prepare(demo_dir: Path, target: Path) -> Path:
    """Copy the demo, add the unlabelled Work, embed images, write similarity and prediction runs."""
    from ml.encoders import get_image_encoder
    from ml.image_index import load_image_index, sync_image_index
    from ml.predict import predict_run, similarity_run, train

    shutil.copytree(demo_dir, target)
    ctx = HeritageContext.open(load_settings(target))
    try:
        add_unlabelled_work(ctx, next((ctx.files_dir / "item-nt-097-png").glob("*.png")))
        encoder = get_image_encoder(ctx.settings)
        report = sync_image_index(ctx, encoder)
        assert report["works"] >= 30 and not report["errors"], report
        similarity_run(ctx, load_image_index(ctx, encoder), k=6)
        run, count = predict_run(ctx, train(ctx))
        assert count > 0, "the unlabelled work got no predictions"
    finally:
        ctx.close()
    return target
