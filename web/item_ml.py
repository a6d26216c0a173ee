"""What the Work page shows from the machine side: similar works (from the latest similarity run,
else computed from the vector index), attribute predictions with their confidence and run, and
the Items restored or style-transferred from the Work's files. Each part fails soft: a page never
breaks because a model has not run yet."""

from __future__ import annotations

import logging

from kg.context import HeritageContext
from kg.errors import HeritageError
from web import views

log = logging.getLogger(__name__)
ATTRIBUTE_KEYS = {"material": "material", "era": "era", "use": "use", "objectType": "type", "type": "type"}


def similar_works(ctx: HeritageContext, work_id: str, lang: str, k: int = 8) -> dict:
    """Cards of similar works with their score, and where the scores came from (run or computed)."""
    from ml import explorer

    try:
        found = explorer.similar_for_work(ctx, work_id, k)
    except (HeritageError, OSError, ValueError) as exc:
        log.info("no similar works for %s: %s", work_id, exc)
        return {"items": [], "from": "none"}
    prefix = f"{ctx.iris.base}/id/work/"
    cards = views.work_cards(ctx, [prefix + item["id"] for item in found["items"]], lang)
    for card, item in zip(cards, found["items"], strict=True):
        card["score"] = item["score"]
    return {"items": cards, "from": found.get("from"), "run": found.get("run"), "model": found.get("model")}


def predictions(ctx: HeritageContext, work_id: str, lang: str) -> list[dict]:
    """Predicted values (label, confidence, run) per attribute, highest confidence first."""
    from ml import explorer

    try:
        found = explorer.predictions_for_work(ctx, work_id)
    except (HeritageError, OSError, ValueError) as exc:
        log.info("no predictions for %s: %s", work_id, exc)
        return []
    values = [v["value"] for vs in found["predicted"].values() for v in vs]
    names = views.labels(ctx, values, lang)
    out = []
    for attr, vs in sorted(found["predicted"].items()):
        for v in sorted(vs, key=lambda v: -v["confidence"]):
            out.append(
                {
                    "attribute": ATTRIBUTE_KEYS.get(attr, attr),
                    "value": v["value"],
                    "label": names.get(v["value"], v["value"].rsplit("/", 1)[-1]),
                    "confidence": v["confidence"],
                    "run": v["run"],
                }
            )
    return out


def derived_items(layers: list[dict]) -> list[dict]:
    """Items of the Work's Instances that were derived from another Item (restorations, styles)."""
    out = []
    for inst in layers:
        for item in inst["items"]:
            if item.get("derived_from"):
                prov = item.get("provenance") or {}
                out.append({**item, "method": prov.get("method"), "metrics": prov.get("metrics") or {}})
    return out


def first_image_item(layers: list[dict]) -> str | None:
    """The first original (not derived) image Item, which the studio link opens."""
    for inst in layers:
        for item in inst["items"]:
            if item.get("file_format") in ("png", "jpeg") and not item.get("derived_from"):
                return item["id"]
    return None


def context(ctx: HeritageContext, record: dict, layers: list[dict], lang: str) -> dict:
    """Template values for the Work page's similar / predictions / restorations partials."""
    return {
        "similar": similar_works(ctx, record["id"], lang),
        "predictions": predictions(ctx, record["id"], lang),
        "derived": derived_items(layers),
        "studio_item": first_image_item(layers),
    }
