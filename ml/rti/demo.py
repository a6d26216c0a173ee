"""The demo's RTI set and its extra NXG layers, for one Work (``DEMO_WORK``): a relief built from
the Work's own photograph (its silhouette domed, an inscription engraved into the body) is
rendered under a 24-lamp dome, fitted as a PTM and stored as an RTI Instance with the ``.ptm``,
the normal map (``derivedFrom`` the PTM) and one raking-light capture photo as Items. A Reinhard
colour transfer of the photograph (``derivedFrom`` it, through ``ml.restore.provenance``) gives
a style-transferred layer. Every layer shares the photograph's frame, so NXG can compare them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from kg.files import store_path
from ml.restore.provenance import derived_item_record
from ml.rti import fit as fitting
from ml.rti import formats, synth

DEMO_WORK = "nt-119"  # the gilt-bronze Buddha "with inscription": an RTI subject by its very name
STYLE_WORK = "nt-068"  # celadon: its colours restyle the bronze for the style-transferred layer
SIZE = 256
LIGHTS = 24
RTI_PROJECT = {
    "kind": "project",
    "id": "proj-rti-2024",
    "title": {"en": "RTI capture 2024", "ko": "2024 RTI 촬영"},
    "project_type": "rti-capture",
    "start_date": "2024-05-01",
    "end_date": "2024-05-31",
    "carried_out_by": "Heritage Graph Demo Lab",
    "description": {"en": "Dome capture under 24 known light directions, fitted as a PTM."},
}
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def relief_from_photo(photo: np.ndarray) -> np.ndarray:
    """A height field in the photograph's frame: the (saturated, metal-coloured) object domed
    up from the grey backdrop, with an inscription engraved into the lower body."""
    size = photo.shape[0]
    rgb = photo.astype(np.float32) / 255.0
    mask = np.clip(((rgb[..., 0] - rgb[..., 2]) - 0.15) * 6, 0, 1)  # metal vs grey backdrop
    depth = size * 6.0 / 256
    body = synth.blur(mask, size / 32) * depth * 1.6
    engraved = synth.inscription_mask(size, (0.39, 0.48, 0.61, 0.84), seed=119) * mask
    return synth.blur(body - depth * 0.7 * engraved, 1.0)


def _png(array: np.ndarray, path: Path) -> Path:
    Image.fromarray(array).save(path, optimize=False)
    return path


def rti_records(
    row: dict, photo: Image.Image, style_photo: Image.Image, files_dir: Path, tmp: Path
) -> list[dict]:
    """Records (Project, Instance, Items) of the demo RTI set and the style-transferred layer.
    ``photo`` is the Work's demo photograph (its Item is ``item-{id}-png``)."""
    work = row["id"]
    small = np.asarray(photo.convert("RGB").resize((SIZE, SIZE), Image.Resampling.LANCZOS))
    height = relief_from_photo(small)
    lights = fitting.dome(LIGHTS, 15, 75)
    photos = synth.render(height, small.astype(np.float32) / 255.0, lights, specular=0.35, shininess=30)
    result = fitting.fit(photos, lights, "ptm", layout="rgb")
    inst = f"inst-{work}-rti"
    ptm_id, normals_id, raking_id = f"item-{work}-ptm", f"item-{work}-rti-normals", f"item-{work}-raking"
    records: list[dict] = [
        RTI_PROJECT,
        {
            "kind": "instance",
            "id": inst,
            "title": {"en": f"RTI of {row['title_en']}", "ko": f"{row['title_ko']} RTI"},
            "represents": work,
            "produced_by": RTI_PROJECT["id"],
            "instance_type": "rti",
            "rights": CC0,
        },
    ]
    ptm = formats.write_ptm(tmp / f"{work}.ptm", result)
    records.append(
        {
            "kind": "item",
            "id": ptm_id,
            "part_of": inst,
            "title": {"en": f"{row['title_en']} (PTM, {LIGHTS} lights)"},
            **store_path(ptm, ptm_id, files_dir).item_fields(),
        }
    )
    raking = int(np.argmin(lights[:, 2] - 0.5 * np.abs(lights[:, 0])))  # low and from the side
    raking_png = _png(
        (np.clip(photos[raking], 0, 1) * 255 + 0.5).astype(np.uint8), tmp / f"{work}-raking.png"
    )
    records.append(
        {
            "kind": "item",
            "id": raking_id,
            "part_of": inst,
            "title": {"en": "Raking-light capture photograph", "ko": "사광 촬영 사진"},
            **store_path(raking_png, raking_id, files_dir).item_fields(),
        }
    )
    normal_map = np.asarray(formats.normals_image(fitting.normals(result)))
    normals_png = _png(normal_map, tmp / f"{work}-normals.png")
    stored = store_path(normals_png, normals_id, files_dir)
    record = derived_item_record(
        item_id=normals_id,
        source_item_id=ptm_id,
        part_of=inst,
        file_name=stored.file_name,
        data=normals_png.read_bytes(),
        method="rti-normals",
        parameters={"model": "ptm", "estimator": "photometric stereo on the fitted model"},
        pixel_size=(SIZE, SIZE),
        title={"en": "RTI surface normals", "ko": "RTI 표면 법선"},
        rights=CC0,
    )
    records.append(record)
    records.append(style_layer(work, photo, style_photo, files_dir, tmp))
    return records


def style_layer(work: str, photo: Image.Image, style_photo: Image.Image, files_dir: Path, tmp: Path) -> dict:
    """A Reinhard colour transfer of the photograph, stored as an Item derived from it."""
    from ml.restore.style import reinhard_transfer  # pulls in torch; only the demo needs it here

    image = np.asarray(photo.convert("RGB"))
    styled = reinhard_transfer(image, np.asarray(style_photo.convert("RGB")), strength=0.8)
    item_id = f"item-{work}-style-{STYLE_WORK}"
    path = _png(styled, tmp / f"{work}-style.png")
    stored = store_path(path, item_id, files_dir)
    return derived_item_record(
        item_id=item_id,
        source_item_id=f"item-{work}-png",
        part_of=f"inst-{work}-image",
        file_name=stored.file_name,
        data=path.read_bytes(),
        method="reinhard",
        parameters={"style": f"item-{STYLE_WORK}-png", "strength": 0.8},
        pixel_size=(image.shape[1], image.shape[0]),
        title={"en": "Colour transfer from a Goryeo celadon", "ko": "고려 청자 색감 전이"},
        rights=CC0,
    )
