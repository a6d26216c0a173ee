"""Held-out evaluation of the attribute models against a TF-IDF + logistic-regression baseline.

Training reads the store's curated records minus the split's ids; the split's rows are predicted
from title, maker and culture only. Both models are trained and scored in the same run so the
comparison is fair. ``material_top1`` counts a hit when the top material is among the row's true
materials; rows without a label are left out of that attribute's figures. ``ceiling`` holds, per
attribute, oracle figures of what title, maker and culture can carry (``ml.ceiling``) and the
model's accuracy on rows whose maker has / has no labelled training works.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

from sklearn.metrics import f1_score

from ml.attributes import BaselineModel, Row, parts
from ml.ceiling import ceiling
from ml.features import features_only, rows_from_split, rows_from_store
from ml.stacking import BlendedAttributeModel

EVAL_ATTRS = ("material", "era", "use")
FIGURE_NAMES = {"material": "material_top1", "era": "period_accuracy", "use": "use_accuracy"}


def make_split(source: str | Path, out: str | Path, seed: int = 0, fraction: float = 0.2) -> int:
    """Write a random ``fraction`` of the source CSV's rows (all columns) to ``out``; returns the count."""
    with open(source, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        rows = list(reader)
    if not rows:
        raise ValueError(f"{source}: no rows")
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(rows)), max(1, round(len(rows) * fraction))))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows[i] for i in picked)
    return len(picked)


def score_predictions(preds: list[str], rows: list[Row], attr: str) -> tuple[float, float]:
    """(top-1 accuracy, macro-F1): a hit is a top class among the row's true labels."""
    hits = [p in r.labels[attr] for p, r in zip(preds, rows, strict=True)]
    truth = [
        p if p in r.labels[attr] else sorted(r.labels[attr])[0] for p, r in zip(preds, rows, strict=True)
    ]
    return sum(hits) / len(hits), float(f1_score(truth, preds, average="macro", zero_division=0))


def evaluate_rows(train: list[Row], test: list[Row], attrs=EVAL_ATTRS) -> dict:
    """Train both models on ``train`` and score them on ``test`` (labels of test are only compared)."""
    result: dict = {"train_rows": len(train), "test_rows": len(test), "model": {}, "baseline": {}}
    for attr in attrs:
        evaluated = [r for r in test if r.labels.get(attr)]
        if not evaluated or not any(r.labels.get(attr) for r in train):
            continue
        start = time.perf_counter()
        model = BlendedAttributeModel(attr).fit(train)
        base = BaselineModel(attr).fit(train)
        blind = features_only(evaluated)
        preds = [p for p, _ in model.top(blind)]
        acc, f1 = score_predictions(preds, evaluated, attr)
        bacc, bf1 = score_predictions([p for p, _ in base.top(blind)], evaluated, attr)
        name = FIGURE_NAMES[attr]
        result["model"][name] = round(acc, 4)
        result["model"][f"{attr}_macro_f1"] = round(f1, 4)
        result["baseline"][name] = round(bacc, 4)
        result["baseline"][f"{attr}_macro_f1"] = round(bf1, 4)
        result.setdefault("evaluated_rows", {})[attr] = len(evaluated)
        figures = ceiling(train, evaluated, attr)
        makers = {m for r in train if r.labels.get(attr) for m in parts(r.maker)}
        for name, known in (("known", True), ("unknown", False)):
            sub = [i for i, r in enumerate(evaluated) if bool(set(parts(r.maker)) & makers) == known]
            if sub:
                hits = sum(preds[i] in evaluated[i].labels[attr] for i in sub)
                figures[f"model_top1_maker_{name}"] = round(hits / len(sub), 4)
                figures[f"rows_maker_{name}"] = len(sub)
        result.setdefault("ceiling", {})[attr] = figures
        result.setdefault("seconds", {})[attr] = round(time.perf_counter() - start, 1)
    for key, value in result["model"].items():
        result[key] = value
    return result


def evaluate(ctx, split_path: str | Path) -> dict:
    """Train on the store's curated works outside the split and score on the split."""
    resolve = lambda scheme, text: ctx.resolver.resolve(scheme, text)[0]  # noqa: E731
    test = rows_from_split(split_path, resolve)
    held_out = {r.id for r in test}
    train = [r for r in rows_from_store(ctx.store, ctx.iris.base) if r.id not in held_out]
    if not train:
        raise ValueError("the store has no curated works to train on (run `heritage ingest` first)")
    return evaluate_rows(train, test)
