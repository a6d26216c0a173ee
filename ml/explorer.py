"""The similarity explorer's domain logic (the API routes stay thin): image query, similar works,
the 2-D map and a work's predictions.

An uploaded image is embedded with the configured encoder, searched in the image index, placed on
the cached PCA map, and given attribute probabilities by a similarity-weighted vote of its
neighbours' curated labels; representative works per attribute are the neighbours carrying it,
then the trained model's class representatives.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyoxigraph as ox

import sparql as sparql_pkg
from kg.errors import NotFound
from ml.encoders import get_image_encoder
from ml.features import ATTR_PROPERTIES
from ml.image_index import image_index_dir, load_image_index, pca_map, project
from ml.image_io import load_rgb
from ml.predict import representatives
from ml.semantic_search import TEXT_DIM, TEXT_MODEL_ID, text_index_dir
from ml.vector_index import VectorIndex


def stored_query(name: str) -> str:
    return (Path(sparql_pkg.__file__).parent / f"{name}.rq").read_text(encoding="utf-8")


def _work_prefix(ctx) -> str:
    return f"{ctx.iris.base}/id/work/"


def labels_of(ctx, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """Curated concept IRIs per attribute for some works (record graphs only)."""
    if not ids:
        return {}
    prefix = _work_prefix(ctx)
    values = " ".join(str(ox.NamedNode(prefix + i)) for i in ids)
    props = " ".join(ATTR_PROPERTIES.values())
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in ctx.store.select(
        f"""SELECT ?w ?p ?v WHERE {{ VALUES ?w {{ {values} }} VALUES ?p {{ {props} }}
              GRAPH ?g {{ ?w ?p ?v }} FILTER(CONTAINS(STR(?g), "/graph/record/")) }}"""
    ):
        attr = next(a for a, p in ATTR_PROPERTIES.items() if r["p"].value.endswith("#" + p.split(":")[1]))
        out[r["w"].value.removeprefix(prefix)][attr].append(r["v"].value)
    return out


def summaries(ctx, ids: list[str]) -> dict[str, dict]:
    """Title, era and material labels (en preferred) for display."""
    if not ids:
        return {}
    prefix = _work_prefix(ctx)
    values = " ".join(str(ox.NamedNode(prefix + i)) for i in ids)
    out = {i: {"id": i, "title": None, "era": None, "material": None} for i in ids}
    for r in ctx.store.select(
        f"""SELECT ?w (SAMPLE(?t) AS ?title) (SAMPLE(?el) AS ?era) (SAMPLE(?ml) AS ?material) WHERE {{
              VALUES ?w {{ {values} }}
              OPTIONAL {{ ?w hg:title ?t }}
              OPTIONAL {{ ?w hg:era/skos:prefLabel ?el FILTER(LANGMATCHES(LANG(?el), "en")) }}
              OPTIONAL {{ ?w hg:material/skos:prefLabel ?ml FILTER(LANGMATCHES(LANG(?ml), "en")) }}
            }} GROUP BY ?w"""
    ):
        ident = r["w"].value.removeprefix(prefix)
        for key in ("title", "era", "material"):
            if key in r:
                out[ident][key] = r[key].value
    return out


def active_index(ctx) -> tuple[VectorIndex, Path, str]:
    """The image index when it has vectors, else the text index (kind says which)."""
    encoder = get_image_encoder(ctx.settings)
    index = load_image_index(ctx, encoder)
    if len(index):
        return index, image_index_dir(ctx, encoder), "image"
    return (
        VectorIndex.load(text_index_dir(ctx), dim=TEXT_DIM, model_id=TEXT_MODEL_ID),
        text_index_dir(ctx),
        "text",
    )


def vote(neighbours: list[tuple[str, float]], labels: dict) -> dict[str, list[dict]]:
    """Similarity-weighted label vote of the neighbours: a probability per concept and attribute."""
    result = {}
    for attr in ATTR_PROPERTIES:
        weights: dict[str, float] = defaultdict(float)
        total = 0.0
        for ident, score in neighbours:
            w = max(score, 0.0)
            values = labels.get(ident, {}).get(attr, [])
            if values:
                total += w
                for v in values:
                    weights[v] += w
        if total > 0:
            ranked = sorted(weights.items(), key=lambda p: -p[1])[:3]
            result[attr] = [{"value": v, "probability": round(min(w / total, 1.0), 4)} for v, w in ranked]
    return result


def explore_image(ctx, data: bytes, k: int = 10) -> dict:
    """Nearest works, map position, attribute probabilities and representatives for an image."""
    start = time.perf_counter()
    encoder = get_image_encoder(ctx.settings)
    vector = encoder.encode([load_rgb(data, "upload")])[0]
    index = load_image_index(ctx, encoder)
    neighbours = index.search(vector, k=k)
    labels = labels_of(ctx, [i for i, _ in neighbours])
    attributes = vote(neighbours, labels)
    reps = {}
    for attr, ranked in attributes.items():
        top = ranked[0]["value"]
        near = [i for i, _ in neighbours if top in labels.get(i, {}).get(attr, [])]
        reps[attr] = list(dict.fromkeys(near + representatives(ctx, attr, top)))[:5]
    position = None
    if len(index) >= 2:
        position = dict(
            zip(("x", "y"), project(pca_map(index, image_index_dir(ctx, encoder)), vector), strict=True)
        )
    info = summaries(ctx, [i for i, _ in neighbours])
    return {
        "encoder": encoder.model_id,
        "neighbours": [{**info.get(i, {"id": i}), "score": round(s, 4)} for i, s in neighbours],
        "position": position,
        "attributes": attributes,
        "representatives": reps,
        "elapsed_ms": round((time.perf_counter() - start) * 1000, 1),
    }


def similar_for_work(ctx, work_id: str, k: int = 10) -> dict:
    """Similar works from the latest similarity run graph, else computed from the vector index.

    Returns ``{"work", "from": "run" | "computed-image" | "computed-text" | "none", "run" or
    "model", "items": [{"id", "title", "era", "material", "score"}]}``; raises ``NotFound`` for an
    unknown work. This is the function Work pages call.
    """
    iri = ctx.iris.entity("work", work_id)
    if not ctx.store.ask(f"ASK {{ {ox.NamedNode(iri)} a hg:Work }}"):
        raise NotFound(f"no work {work_id!r}")
    query = stored_query("similar_items").replace("#FILTER", f"FILTER(?source = {ox.NamedNode(iri)})")
    rows = ctx.store.select(query)
    prefix = _work_prefix(ctx)
    if rows:
        latest = max(r["run"].value for r in rows)
        pairs = [
            (r["target"].value.removeprefix(prefix), float(r["score"].value))
            for r in rows
            if r["run"].value == latest
        ][:k]
        source = {"from": "run", "run": latest.rsplit("/", 1)[-1]}
    else:
        index, _, kind = active_index(ctx)
        vec = index.get(work_id)
        if vec is None:
            return {"work": work_id, "from": "none", "items": []}
        pairs = index.search(vec, k=k, exclude=work_id)
        source = {"from": f"computed-{kind}", "model": index.model_id}
    info = summaries(ctx, [i for i, _ in pairs])
    return {
        "work": work_id,
        **source,
        "items": [{**info.get(i, {"id": i}), "score": round(s, 4)} for i, s in pairs],
    }


def map_points(ctx) -> dict:
    """Every embedded work's 2-D map position with title, era and material."""
    index, directory, kind = active_index(ctx)
    if len(index) < 2:
        return {"encoder": index.model_id, "kind": kind, "points": []}
    pm = pca_map(index, directory)
    info = summaries(ctx, index.ids)
    points = [
        {**info[i], "x": round(float(x), 5), "y": round(float(y), 5)}
        for i, (x, y) in zip(index.ids, np.asarray(pm["xy"]), strict=True)
    ]
    return {"encoder": index.model_id, "kind": kind, "points": points}


MODEL_ATTR = {"objectType": "type"}  # property local name -> attribute model name


def predictions_for_work(ctx, work_id: str) -> dict:
    """Curated and predicted values of one work, kept apart: ``{"work", "curated": {attr: [IRI]},
    "predicted": {attr: [{"value", "confidence", "run", "representatives": [work id]}]}}``.

    This (with ``similar_for_work``) is what the Work page shows; it raises ``NotFound`` for an
    unknown work and is empty, not an error, before any prediction run.
    """
    iri = ctx.iris.entity("work", work_id)
    if not ctx.store.ask(f"ASK {{ {ox.NamedNode(iri)} a hg:Work }}"):
        raise NotFound(f"no work {work_id!r}")
    query = stored_query("all_values").rstrip().rstrip("}") + f"  FILTER(?entity = {ox.NamedNode(iri)})\n}}"
    curated, predicted = defaultdict(list), defaultdict(list)
    for r in ctx.store.select(query):
        attr = r["attribute"].value.rsplit("#", 1)[-1]
        if r["source"].value == "curated":
            curated[attr].append(r["value"].value)
        else:
            predicted[attr].append(
                {
                    "value": r["value"].value,
                    "confidence": float(r["confidence"].value),
                    "run": r["run"].value.rsplit("/", 1)[-1],
                    "representatives": representatives(ctx, MODEL_ATTR.get(attr, attr), r["value"].value),
                }
            )
    # several prediction runs: show each attribute from its latest run only (ids sort by time)
    for attr, values in predicted.items():
        latest = max(v["run"] for v in values)
        predicted[attr] = [v for v in values if v["run"] == latest]
    return {"work": work_id, "curated": curated, "predicted": predicted}
