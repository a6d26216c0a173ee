"""IIIF Presentation API 3.0 manifest for a Work: a pure function from the Work's record and its
image Items to the manifest document. One Canvas per image Item, painted by the image at its
IIIF Image API service, so any IIIF viewer (Mirador, Universal Viewer, OpenSeadragon) deep-zooms
through our tiles.

Identifiers (``base`` is the server's public root):
manifest ``{base}/iiif/manifest/{work}``, canvas ``{base}/iiif/canvas/{item}``, its annotation page
``…/page`` and painting annotation ``…/page/painting``, image service ``{base}/iiif/3/{item}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
# Presentation 3.0 `rights` takes only Creative Commons or RightsStatements.org URIs (http scheme).
_RIGHTS = re.compile(
    r"^https?://(creativecommons\.org/(licenses|publicdomain)/|rightsstatements\.org/vocab/)"
)


@dataclass(frozen=True)
class CanvasImage:
    """One image Item as the manifest needs it; ``body_*`` is the size of ``full/max``."""

    item_id: str
    label: dict[str, str]
    width: int
    height: int
    media_type: str
    body_width: int
    body_height: int


def language_map(values: dict[str, str] | str | None) -> dict[str, list[str]]:
    """Our ``{lang: text}`` → IIIF ``{lang: [text]}``; untagged text goes under ``none``."""
    if not values:
        return {}
    if isinstance(values, str):
        return {"none": [values]}
    return {(lang or "none"): [text] for lang, text in values.items() if text}


def _entry(label_en: str, label_ko: str, value: str | list[str]) -> dict:
    values = value if isinstance(value, list) else [value]
    return {"label": {"en": [label_en], "ko": [label_ko]}, "value": {"none": [str(v) for v in values]}}


def _metadata(work: dict) -> list[dict]:
    rows = []
    if work.get("identifier") or work.get("id"):
        rows.append(_entry("Identifier", "식별자", work.get("identifier") or work["id"]))
    for field, en, ko in (
        ("object_type", "Object type", "유형"),
        ("era", "Period", "시대"),
        ("material", "Material", "재질"),
        ("use", "Use", "용도"),
    ):
        labels = [c.get("label") or c.get("iri") for c in work.get(field, []) if c]
        if labels:
            rows.append(_entry(en, ko, labels))
    begin, end = work.get("begin_year"), work.get("end_year")
    if begin is not None or end is not None:
        span = str(begin) if end in (None, begin) else f"{begin} – {end}"
        rows.append(_entry("Date", "연대", work.get("date_statement") or span))
    if work.get("museum"):
        rows.append(_entry("Holding museum", "소장처", work["museum"]))
    if work.get("collection_number"):
        rows.append(_entry("Collection number", "소장품 번호", work["collection_number"]))
    if work.get("material_statement"):
        rows.append(_entry("Medium", "재료", work["material_statement"]))
    dims = work.get("dimensions") or []
    if dims:
        rows.append(_entry("Dimensions", "크기", [f"{d['type']} {d['value']} {d['unit']}" for d in dims]))
    return rows


def rights_uri(rights: str | None) -> str | None:
    """A Creative Commons / RightsStatements.org URI in the http form the spec asks for, else None."""
    if not rights or not _RIGHTS.match(rights):
        return None
    return "http://" + rights.split("://", 1)[1]


def build_manifest(work: dict, images: list[CanvasImage], base: str) -> dict:
    """The Presentation 3.0 Manifest of ``work`` (a record dict) with one Canvas per image."""
    base = base.rstrip("/")
    work_id = work["id"]
    manifest: dict = {
        "@context": PRESENTATION_CONTEXT,
        "id": f"{base}/iiif/manifest/{work_id}",
        "type": "Manifest",
        "label": language_map(work.get("title")) or {"none": [work_id]},
    }
    if work.get("description"):
        manifest["summary"] = language_map(work["description"])
    manifest["metadata"] = _metadata(work)
    if rights := rights_uri(work.get("rights")):
        manifest["rights"] = rights
    if work.get("rights_statement") or work.get("rights"):
        manifest["requiredStatement"] = _entry(
            "Rights", "권리", work.get("rights_statement") or work["rights"]
        )
    manifest["homepage"] = [
        {
            "id": f"{base}/page/work/{work_id}",
            "type": "Text",
            "label": manifest["label"],
            "format": "text/html",
        }
    ]
    if work.get("iri"):
        manifest["seeAlso"] = [
            {"id": work["iri"], "type": "Dataset", "format": "text/turtle", "label": {"en": ["Linked Data"]}}
        ]
    if images:
        first = f"{base}/iiif/3/{images[0].item_id}"
        manifest["thumbnail"] = [
            {
                "id": f"{first}/full/!256,256/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "service": [{"id": first, "type": "ImageService3", "profile": "level1"}],
            }
        ]
    manifest["items"] = [_canvas(image, base) for image in images]
    return manifest


def _canvas(image: CanvasImage, base: str) -> dict:
    canvas_id = f"{base}/iiif/canvas/{image.item_id}"
    service = f"{base}/iiif/3/{image.item_id}"
    page_id = f"{canvas_id}/page"
    return {
        "id": canvas_id,
        "type": "Canvas",
        "label": language_map(image.label) or {"none": [image.item_id]},
        "width": image.width,
        "height": image.height,
        "items": [
            {
                "id": page_id,
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{page_id}/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas_id,
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": image.body_width,
                            "height": image.body_height,
                            "service": [{"id": service, "type": "ImageService3", "profile": "level1"}],
                        },
                    }
                ],
            }
        ],
    }
