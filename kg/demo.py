"""The built-in demo collection: 30 Korean heritage Works written from public facts (National
Treasures and well-known objects), each with a Project, an image Instance and its Item, and a
3D-model Instance with a GLB for the vessels and bells. Images and meshes are generated here, so
every layer and viewer has something real to show offline. Loaded only by ``heritage demo load``.
"""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kg.context import HeritageContext
from kg.files import store_path

DEMO_CSV = Path(__file__).resolve().parent / "demo_data" / "works.csv"
MATERIAL_COLOURS = {
    "gilt bronze": (196, 160, 70),
    "gold": (222, 184, 60),
    "celadon": (126, 170, 150),
    "porcelain": (236, 232, 222),
    "bronze": (120, 96, 60),
    "granite": (160, 158, 150),
    "paper": (226, 214, 180),
    "ink on paper": (214, 204, 176),
    "ink and colour on paper": (220, 200, 160),
    "earthenware": (150, 100, 70),
    "iron": (90, 84, 80),
    "lacquer": (60, 30, 24),
}
# vessel profiles: (height fraction, radius fraction) from foot to mouth
PROFILES = {
    "moonjar": [
        (0, 0.30),
        (0.1, 0.42),
        (0.3, 0.50),
        (0.5, 0.50),
        (0.7, 0.47),
        (0.88, 0.34),
        (0.92, 0.22),
        (1, 0.24),
    ],
    "maebyeong": [(0, 0.22), (0.2, 0.26), (0.5, 0.36), (0.72, 0.44), (0.85, 0.36), (0.92, 0.14), (1, 0.16)],
    "jar": [(0, 0.26), (0.2, 0.36), (0.5, 0.44), (0.75, 0.40), (0.9, 0.26), (1, 0.28)],
    "bottle": [(0, 0.24), (0.25, 0.38), (0.45, 0.40), (0.6, 0.26), (0.8, 0.10), (1, 0.14)],
    "bell": [(0, 0.48), (0.1, 0.44), (0.5, 0.38), (0.85, 0.34), (0.95, 0.22), (1, 0.08)],
}
PROJECTS = [
    {
        "kind": "project",
        "id": "proj-gigapixel-2023",
        "title": {"en": "Gigapixel digitisation 2023", "ko": "2023 초고해상도 디지털화"},
        "project_type": "digitization",
        "start_date": "2023-03-01",
        "end_date": "2023-11-30",
        "carried_out_by": "Heritage Graph Demo Lab",
        "description": {"en": "Photography of the demo collection."},
    },
    {
        "kind": "project",
        "id": "proj-3d-scan-2024",
        "title": {"en": "3D scanning campaign 2024", "ko": "2024 3차원 스캔 사업"},
        "project_type": "3d-scan",
        "start_date": "2024-04-01",
        "end_date": "2024-10-31",
        "carried_out_by": "Heritage Graph Demo Lab",
        "description": {"en": "Structured-light scans of vessels and bells."},
    },
]


def _rng(seed_text: str) -> np.random.Generator:
    return np.random.default_rng(abs(hash_text(seed_text)) % (2**32))


def hash_text(text: str) -> int:
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def render_image(row: dict, size: int = 512) -> Image.Image:
    """A studio-style picture: a lit backdrop and the object's silhouette in its material colour."""
    rng = _rng(row["id"])
    colour = np.array(MATERIAL_COLOURS.get(row["material"], (170, 150, 120)), dtype=float)
    y = np.linspace(0, 1, size)[:, None]
    backdrop = np.repeat((40 + 60 * (1 - y))[..., None], 3, axis=2) * np.ones((size, size, 3))
    img = Image.fromarray(backdrop.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    shape = row["shape"]
    cx = size / 2
    if shape in PROFILES:
        prof = PROFILES[shape]
        top, bottom = size * 0.12, size * 0.9
        left = [(cx - r * size * 0.7, bottom - h * (bottom - top)) for h, r in prof]
        right = [(cx + r * size * 0.7, bottom - h * (bottom - top)) for h, r in reversed(prof)]
        draw.polygon(left + right, fill=tuple(int(c) for c in colour))
    elif shape == "painting" or shape == "scroll":
        draw.rectangle([size * 0.15, size * 0.1, size * 0.85, size * 0.9], fill=tuple(int(c) for c in colour))
        for _ in range(40):
            x0, y0 = rng.uniform(size * 0.2, size * 0.8), rng.uniform(size * 0.15, size * 0.85)
            draw.line(
                [x0, y0, x0 + rng.normal(0, 30), y0 + rng.normal(0, 30)],
                fill=(40, 40, 40),
                width=int(rng.integers(1, 4)),
            )
    elif shape == "crown":
        draw.rectangle([size * 0.2, size * 0.6, size * 0.8, size * 0.72], fill=tuple(int(c) for c in colour))
        for i in range(5):
            x = size * (0.25 + 0.125 * i)
            draw.polygon(
                [(x - 14, size * 0.6), (x + 14, size * 0.6), (x, size * 0.2)],
                fill=tuple(int(c) for c in colour),
            )
    elif shape == "pagoda":
        for level in range(4):
            w = size * (0.6 - 0.1 * level)
            yb = size * (0.9 - 0.18 * level)
            draw.rectangle(
                [cx - w / 2, yb - size * 0.14, cx + w / 2, yb],
                fill=tuple(int(c) - 10 * level for c in colour),
            )
    else:  # figures, boxes
        draw.ellipse(
            [cx - size * 0.12, size * 0.12, cx + size * 0.12, size * 0.34], fill=tuple(int(c) for c in colour)
        )
        draw.polygon(
            [
                (cx - size * 0.3, size * 0.9),
                (cx + size * 0.3, size * 0.9),
                (cx + size * 0.14, size * 0.34),
                (cx - size * 0.14, size * 0.34),
            ],
            fill=tuple(int(c) for c in colour),
        )
    arr = np.asarray(img.filter(ImageFilter.GaussianBlur(1.2))).astype(float)
    arr += rng.normal(0, 6, arr.shape)  # glaze / surface texture
    shade = np.linspace(1.15, 0.8, size)[None, :, None]
    return Image.fromarray(np.clip(arr * shade, 0, 255).astype(np.uint8))


def build_glb(row: dict, path: Path) -> None:
    """A vessel or bell as a lathe-turned mesh with its material colour, written as binary glTF."""
    import trimesh

    prof = PROFILES[row["shape"]]
    height = float(row["height_cm"]) / 100
    points = np.array([[r * height, h * height] for h, r in prof])
    mesh = trimesh.creation.revolve(points, sections=48)
    colour = MATERIAL_COLOURS.get(row["material"], (170, 150, 120))
    mesh.visual.vertex_colors = np.tile([*colour, 255], (len(mesh.vertices), 1)).astype(np.uint8)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-math.pi / 2, [1, 0, 0]))
    path.write_bytes(trimesh.exchange.gltf.export_glb(trimesh.Scene(mesh)))


def demo_rows() -> list[dict]:
    with DEMO_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def work_record(row: dict) -> dict:
    return {
        "kind": "work",
        "id": row["id"],
        "title": {"ko": row["title_ko"], "en": row["title_en"]},
        "description": {"en": row["description_en"]},
        "object_type": [row["object_type"]],
        "era": [row["era"]],
        "material": [row["material"]],
        "material_statement": row["material"],
        "use": [row["use"]],
        "culture": ["Korean"],
        "museum": row["museum"],
        "collection_number": row["collection_number"],
        "begin_year": int(row["begin_year"]),
        "end_year": int(row["end_year"]),
        "dimensions": [{"type": "height", "value": float(row["height_cm"]), "unit": "cm"}],
        "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
        "rights_statement": "Metadata CC0; demo images and models generated by Heritage Graph (CC0)",
    }


def load_demo(ctx: HeritageContext) -> str:
    """Write the demo collection; safe to run twice (unchanged records are skipped)."""
    rows = demo_rows()
    records: list[dict] = list(PROJECTS)
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            records.append(work_record(row))
            inst_id = f"inst-{row['id']}-image"
            records.append(
                {
                    "kind": "instance",
                    "id": inst_id,
                    "title": {"en": f"Photograph of {row['title_en']}"},
                    "represents": row["id"],
                    "produced_by": "proj-gigapixel-2023",
                    "instance_type": "image",
                    "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
                }
            )
            item_id = f"item-{row['id']}-png"
            png = Path(tmp) / f"{row['id']}.png"
            render_image(row).save(png)
            stored = store_path(png, item_id, ctx.files_dir)
            records.append(
                {
                    "kind": "item",
                    "id": item_id,
                    "part_of": inst_id,
                    "title": {"en": f"{row['title_en']} (PNG)"},
                    **stored.item_fields(),
                }
            )
            if row["shape"] in PROFILES:
                inst3d = f"inst-{row['id']}-3d"
                records.append(
                    {
                        "kind": "instance",
                        "id": inst3d,
                        "title": {"en": f"3D model of {row['title_en']}"},
                        "represents": row["id"],
                        "produced_by": "proj-3d-scan-2024",
                        "instance_type": "3d-model",
                        "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
                    }
                )
                glb = Path(tmp) / f"{row['id']}.glb"
                build_glb(row, glb)
                stored = store_path(glb, f"item-{row['id']}-glb", ctx.files_dir)
                records.append(
                    {
                        "kind": "item",
                        "id": f"item-{row['id']}-glb",
                        "part_of": inst3d,
                        "title": {"en": f"{row['title_en']} (GLB)"},
                        **stored.item_fields(),
                    }
                )
        # One Work also gets an RTI set and derived layers for the NXG viewer. Imported here, not at
        # the top: kg does not depend on ml, only this demo builder reaches over.
        from ml.rti.demo import DEMO_WORK, STYLE_WORK, rti_records

        by_id = {row["id"]: row for row in rows}
        if DEMO_WORK in by_id and STYLE_WORK in by_id:
            records.extend(
                rti_records(
                    by_id[DEMO_WORK],
                    render_image(by_id[DEMO_WORK]),
                    render_image(by_id[STYLE_WORK]),
                    ctx.files_dir,
                    Path(tmp),
                )
            )
        # One landscape also gets a 6000 x 4000 scan with a tile pyramid, for the deep-zoom viewer.
        from kg.demo_gigapixel import DEMO_WORK as GIGAPIXEL_WORK
        from kg.demo_gigapixel import gigapixel_records

        if GIGAPIXEL_WORK in by_id:
            records.extend(gigapixel_records(by_id[GIGAPIXEL_WORK], ctx.files_dir, Path(tmp)))
    order = {"project": 0, "work": 1, "instance": 2, "item": 3}
    records.sort(key=lambda r: order[r["kind"]])
    result = ctx.records.put(records)
    if result.rejected:
        raise ValueError("demo records rejected: " + "; ".join(r.reason for r in result.rejected[:5]))
    return f"demo collection: {len(rows)} works, {len(records)} records ({len(result.written)} written, {len(result.unchanged)} unchanged)"
