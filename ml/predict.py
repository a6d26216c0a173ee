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
from ml.attributes import ATTRIBUTES, AttributeModel, Row
from ml.evaluate import score_predictions
from ml.features import ATTR_PROPERTIES, features_only, rows_from_store

MODEL_VERSION = "attributes-1"
ATTR_IRIS = {a: str(HG[p.split(":")[1]]) for a, p in ATTR_PROPERTIES.items()}


def models_path(ctx) -> Path:
    return Path(ctx.settings.data_dir) / "models" / "attributes.pkl"


def holdout_metrics(rows: list[Row], attr: str, fraction: float = 0.2, seed: int = 0) -> dict[str, float]:
    """Accuracy and macro-F1 of a model fitted on the other 80% of the labelled works: the
    evaluation figures a run's PROV carries (the model written back is then refitted on all)."""
    labeled = [r for r in rows if r.labels.get(attr)]
    rng = random.Random(seed)
    test_ids = {r.id for r in rng.sample(labeled, max(1, round(len(labeled) * fraction)))}
    train_rows = [r for r in rows if r.id not in test_ids]
    test_rows = [r for r in labeled if r.id in test_ids]
    if len({lab for r in train_rows for lab in r.labels.get(attr, ())}) < 2:
        return {}
    preds = [p for p, _ in AttributeModel(attr).fit(train_rows).top(features_only(test_rows))]
    acc, f1 = score_predictions(preds, test_rows, attr)
    return {f"{attr}_holdout_top1": round(acc, 4), f"{attr}_holdout_macro_f1": round(f1, 4)}


def train(ctx, attrs=ATTRIBUTES, representatives: int = 5, evaluate: bool = True) -> dict:
    """Fit one model per attribute on the curated works; keep representatives per class; save.

    With ``evaluate`` a 20% hold-out of each attribute's labelled works is scored first
    (``bundle["metrics"]``), which ``predict_run`` records in the run's PROV description.
    """
    rows = rows_from_store(ctx.store, ctx.iris.base)
    bundle: dict = {
        "trained": datetime.now(UTC).isoformat(),
        "models": {},
        "representatives": {},
        "metrics": {},
    }
    for attr in attrs:
        labeled = [r for r in rows if r.labels.get(attr)]
        if len({lab for r in labeled for lab in r.labels[attr]}) < 2:
            continue
        if evaluate:
            bundle["metrics"].update(holdout_metrics(rows, attr))
        model = AttributeModel(attr).fit(rows)
        proba = model.predict_proba(features_only(labeled))
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


def load_models(ctx) -> dict | None:
    """The saved bundle (our own file under the data dir), or None before ``heritage predict``."""
    path = models_path(ctx)
    return pickle.loads(path.read_bytes()) if path.exists() else None


def predict_rows(bundle: dict, rows: list[Row], top: int = 3) -> list[dict[str, list[tuple[str, float]]]]:
    """Per row and attribute, the ``top`` classes with calibrated probabilities."""
    out: list[dict] = [{} for _ in rows]
    blind = features_only(rows)
    for attr, model in bundle["models"].items():
        proba = model.predict_proba(blind)
        for i in range(len(rows)):
            order = np.argsort(-proba[i])[:top]
            out[i][attr] = [(model.classes[j], round(float(proba[i, j]), 4)) for j in order]
    return out


def predict_run(ctx, bundle: dict | None = None, threshold: float = 0.5) -> tuple[str, int]:
    """Predict every missing attribute of every work and write one run graph; (run id, count)."""
    started = datetime.now(UTC)
    bundle = bundle or load_models(ctx) or train(ctx)
    rows = rows_from_store(ctx.store, ctx.iris.base)
    preds = predict_rows(bundle, rows, top=5)
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
        model="calibrated one-vs-rest logistic regression (title, maker, culture, maker/culture neighbourhood)",
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
    metrics = same_label_precision(ctx, index.ids, sims)
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


def same_label_precision(ctx, ids: list[str], sims: list[Similarity]) -> dict[str, float]:
    """Share of each work's neighbours that carry one of its curated materials / eras (retrieval
    precision@k with relevant = same label), averaged over the works that have the label."""
    from ml.explorer import labels_of

    labels = labels_of(ctx, ids)
    prefix = f"{ctx.iris.base}/id/work/"
    out = {}
    for attr in ("material", "era"):
        per_work: dict[str, list[bool]] = {}
        for sim in sims:
            source, target = sim.source.removeprefix(prefix), sim.target.removeprefix(prefix)
            mine, theirs = (
                set(labels.get(source, {}).get(attr, [])),
                set(labels.get(target, {}).get(attr, [])),
            )
            if mine:
                per_work.setdefault(source, []).append(bool(mine & theirs))
        if per_work:
            out[f"{attr}_precision_at_k"] = round(
                float(np.mean([np.mean(hits) for hits in per_work.values()])), 4
            )
    return out
