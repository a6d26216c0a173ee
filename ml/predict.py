"""Train attribute models from the store, write predictions and similarities back as run graphs.

Predictions are written only for works that lack the attribute in their curated record, into a
new run graph (``kg.runs``); record graphs are never touched. Trained models are pickled under
``{data_dir}/models/`` so the API answers without retraining.
"""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kg.namespaces import HG
from kg.runs import Prediction, Run, Similarity, new_run_id, write_run
from ml.attributes import ATTRIBUTES, Row
from ml.evaluate import score_predictions
from ml.features import ATTR_PROPERTIES, features_only, rows_from_store
from ml.stacking import BlendedAttributeModel

MODEL_VERSION = "attributes-2"  # 2: blended with a stacked model (ml/stacking.py)
ATTR_IRIS = {a: str(HG[p.split(":")[1]]) for a, p in ATTR_PROPERTIES.items()}


def models_path(ctx) -> Path:
    return Path(ctx.settings.data_dir) / "models" / "attributes.pkl"


IMAGE_WEIGHT = 0.5  # unit image vectors beside tf-idf blocks of similar norm


def image_block(ctx, rows: list[Row]) -> np.ndarray | None:
    """Each work's image embedding (zeros + a 0 flag when it has none), or None when the
    collection has no image index yet (``heritage embed``): the image evidence of DESIGN §5."""
    from ml.encoders import get_image_encoder
    from ml.image_index import load_image_index

    index = load_image_index(ctx, get_image_encoder(ctx.settings))
    if not len(index):
        return None
    out = np.zeros((len(rows), index.dim + 1), dtype=np.float32)
    for i, row in enumerate(rows):
        vec = index.get(row.id)
        if vec is not None:
            out[i, :-1], out[i, -1] = vec * IMAGE_WEIGHT, 1.0
    return out


def holdout_metrics(
    rows: list[Row], attr: str, dense: np.ndarray | None = None, fraction: float = 0.2, seed: int = 0
) -> dict[str, float]:
    """Accuracy and macro-F1 of a model fitted on the other 80% of the labelled works: the
    evaluation figures a run's PROV carries (the model written back is then refitted on all)."""
    labeled = [r for r in rows if r.labels.get(attr)]
    rng = random.Random(seed)
    test_ids = {r.id for r in rng.sample(labeled, max(1, round(len(labeled) * fraction)))}
    train_idx = [i for i, r in enumerate(rows) if r.id not in test_ids]
    test_idx = [i for i, r in enumerate(rows) if r.id in test_ids]
    train_rows, test_rows = [rows[i] for i in train_idx], [rows[i] for i in test_idx]
    if len({lab for r in train_rows for lab in r.labels.get(attr, ())}) < 2:
        return {}
    model = BlendedAttributeModel(attr).fit(train_rows, None if dense is None else dense[train_idx])
    preds = [p for p, _ in model.top(features_only(test_rows), None if dense is None else dense[test_idx])]
    acc, f1 = score_predictions(preds, test_rows, attr)
    return {f"{attr}_holdout_top1": round(acc, 4), f"{attr}_holdout_macro_f1": round(f1, 4)}


def train(ctx, attrs=ATTRIBUTES, representatives: int = 5, evaluate: bool = True) -> dict:
    """Fit one model per attribute on the curated works; keep representatives per class; save.

    With ``evaluate`` a 20% hold-out of each attribute's labelled works is scored first
    (``bundle["metrics"]``), which ``predict_run`` records in the run's PROV description.
    """
    rows = rows_from_store(ctx.store, ctx.iris.base)
    dense = image_block(ctx, rows)
    bundle: dict = {
        "trained": datetime.now(UTC).isoformat(),
        "models": {},
        "representatives": {},
        "metrics": {},
        "image_dim": None if dense is None else dense.shape[1],
    }
    for attr in attrs:
        labeled = [r for r in rows if r.labels.get(attr)]
        if len({lab for r in labeled for lab in r.labels[attr]}) < 2:
            continue
        if evaluate:
            bundle["metrics"].update(holdout_metrics(rows, attr, dense))
        model = BlendedAttributeModel(attr).fit(rows, dense)
        keep = [i for i, r in enumerate(rows) if r.labels.get(attr)]
        proba = model.predict_proba(features_only(labeled), None if dense is None else dense[keep])
        reps = {}
        for j, cls in enumerate(model.classes):
            members = [i for i, r in enumerate(labeled) if cls in r.labels[attr]]
            best = sorted(members, key=lambda i: -proba[i, j])[:representatives]
            reps[cls] = [labeled[i].id for i in best]
        bundle["models"][attr] = model
        bundle["representatives"][attr] = reps
    path = models_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(bundle))
    tmp.replace(path)
    return bundle


_BUNDLES: dict[str, tuple[int, dict]] = {}


def load_models(ctx) -> dict | None:
    """The saved bundle (our own file under the data dir), or None before ``heritage predict``;
    kept in memory until the file changes, since item pages and the explorer ask on every view."""
    path = models_path(ctx)
    if not path.exists():
        return None
    stamp = path.stat().st_mtime_ns
    cached = _BUNDLES.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, pickle.loads(path.read_bytes()))
        _BUNDLES[str(path)] = cached
    return cached[1]


def representatives(ctx, attr: str, value: str, n: int = 5) -> list[str]:
    """Curated works that best show ``value`` of ``attr`` (highest model probability among the
    works carrying it), from the last training; [] before ``heritage predict``."""
    bundle = load_models(ctx)
    if bundle is None:
        return []
    return list(bundle["representatives"].get(attr, {}).get(value, []))[:n]


def predict_rows(
    bundle: dict, rows: list[Row], top: int = 3, dense: np.ndarray | None = None
) -> list[dict[str, list[tuple[str, float]]]]:
    """Per row and attribute, the ``top`` classes with calibrated probabilities.

    A bundle trained with image evidence needs ``dense`` (``image_block``); rows without it get
    zeros, which is what a work without an image looked like in training.
    """
    out: list[dict] = [{} for _ in rows]
    blind = features_only(rows)
    if bundle.get("image_dim") and (dense is None or dense.shape[1] != bundle["image_dim"]):
        dense = np.zeros((len(rows), bundle["image_dim"]), dtype=np.float32)
    for attr, model in bundle["models"].items():
        proba = model.predict_proba(blind, dense if bundle.get("image_dim") else None)
        for i in range(len(rows)):
            order = np.argsort(-proba[i])[:top]
            out[i][attr] = [(model.classes[j], round(float(proba[i, j]), 4)) for j in order]
    return out


def predict_run(ctx, bundle: dict | None = None, threshold: float = 0.5) -> tuple[str, int]:
    """Predict every missing attribute of every work and write one run graph; (run id, count)."""
    started = datetime.now(UTC)
    bundle = bundle or load_models(ctx) or train(ctx)
    rows = rows_from_store(ctx.store, ctx.iris.base)
    preds = predict_rows(
        bundle, rows, top=5, dense=image_block(ctx, rows) if bundle.get("image_dim") else None
    )
    predictions = []
    for row, per_attr in zip(rows, preds, strict=True):
        for attr, ranked in per_attr.items():
            if row.labels.get(attr):
                continue  # curated values are never overridden
            chosen = [ranked[0]]
            if attr == "material":
                chosen += [p for p in ranked[1:] if p[1] >= threshold]
            for value, conf in chosen:
                predictions.append(Prediction(ctx.iris.entity("work", row.id), ATTR_IRIS[attr], value, conf))
    run = Run(
        run_id=new_run_id("predict"),
        kind="predict",
        model="mean of a calibrated one-vs-rest and a stacked logistic regression (title, maker, culture;"
        " maker/culture/title neighbourhoods" + (", image embedding)" if bundle.get("image_dim") else ")"),
        model_version=MODEL_VERSION,
        parameters={
            "attributes": sorted(bundle["models"]),
            "threshold": threshold,
            "trained": bundle["trained"],
        },
        started=started,
        metrics={**bundle.get("metrics", {}), "training_rows": float(len(rows))},
        predictions=predictions,
    )
    write_run(ctx.store, ctx.iris, run)
    return run.run_id, len(predictions)


def similarity_run(ctx, index, k: int = 10) -> tuple[str, int]:
    """Top-k neighbours of every vector in ``index`` as one similarity run graph."""
    started = datetime.now(UTC)
    sims = []
    for ident in index.ids:
        for rank, (other, score) in enumerate(index.search(index.get(ident), k=k, exclude=ident), start=1):
            sims.append(
                Similarity(ctx.iris.entity("work", ident), ctx.iris.entity("work", other), score, rank)
            )
    metrics = same_label_metrics(ctx, index.ids, sims)
    run = Run(
        run_id=new_run_id("similar"),
        kind="similar",
        model=index.model_id,
        model_version=index.model_id,
        parameters={"k": k, "metric": "cosine", "vectors": len(index)},
        started=started,
        metrics=metrics,
        similarities=sims,
    )
    write_run(ctx.store, ctx.iris, run)
    return run.run_id, len(sims)


def average_precision(relevant: list[bool], n_relevant: int) -> float:
    """Average precision of one ranked list: the mean of precision@i over the ranks i that hold a
    relevant item, divided by min(list length, relevant items in the collection) so that a list
    missing findable relevant items scores lower (AP@k as TREC truncates it)."""
    denominator = min(len(relevant), n_relevant)
    if denominator <= 0:
        return 0.0
    hits, total = 0, 0.0
    for rank, rel in enumerate(relevant, start=1):
        if rel:
            hits += 1
            total += hits / rank
    return total / denominator


def retrieval_metrics(
    lists: dict[str, list[str]], labels: dict[str, set[str]], collection: list[str], name: str
) -> dict[str, float]:
    """Mean average precision@k and precision@k of ranked neighbour lists, relevant = shares a
    label with the query work; averaged over the query works that have a label and at least one
    relevant work elsewhere in ``collection`` (mAP is undefined without one)."""
    holders: dict[str, set[str]] = {}
    for ident in collection:
        for label in labels.get(ident, ()):
            holders.setdefault(label, set()).add(ident)
    aps, precisions = [], []
    for source, ranked in lists.items():
        mine = labels.get(source, set())
        findable = set().union(*(holders.get(label, set()) for label in mine)) - {source} if mine else set()
        if not findable or not ranked:
            continue
        relevant = [bool(mine & labels.get(target, set())) for target in ranked]
        aps.append(average_precision(relevant, len(findable)))
        precisions.append(sum(relevant) / len(relevant))
    if not aps:
        return {}
    return {
        f"{name}_map_at_k": round(float(np.mean(aps)), 4),
        f"{name}_precision_at_k": round(float(np.mean(precisions)), 4),
    }


def same_label_metrics(ctx, ids: list[str], sims: list[Similarity]) -> dict[str, float]:
    """Retrieval quality of a similarity run per curated attribute (material, era): mean average
    precision@k (``{attr}_map_at_k``) and precision@k (``{attr}_precision_at_k``) of each work's
    ranked neighbours, relevant = carries one of the work's curated values."""
    from ml.explorer import labels_of

    curated = labels_of(ctx, ids)
    prefix = f"{ctx.iris.base}/id/work/"
    lists: dict[str, list[str]] = {}
    for sim in sorted(sims, key=lambda s: (s.source, s.rank)):
        lists.setdefault(sim.source.removeprefix(prefix), []).append(sim.target.removeprefix(prefix))
    out: dict[str, float] = {}
    for attr in ("material", "era"):
        labels = {i: set(v.get(attr, [])) for i, v in curated.items()}
        out.update(retrieval_metrics(lists, labels, list(ids), attr))
    return out
