"""Attribute prediction write-back from a real store, and multilingual concept-first search."""

from __future__ import annotations

from kg.runs import list_runs
from ml.explorer import predictions_for_work
from ml.predict import load_models, predict_run, train
from ml.semantic_search import concepts_for_query, semantic_rank

CERAMIC = "https://w3id.org/heritage-graph/scheme/material/ceramic"


def test_predictions_fill_missing_values_only(mlctx):
    bundle = train(mlctx, attrs=("material", "era"))
    assert load_models(mlctx) is not None and set(bundle["models"]) == {"material", "era"}
    assert bundle["representatives"]["material"][CERAMIC][0].startswith("w0")
    run_id, n = predict_run(mlctx, bundle)
    # one missing material and one missing era per maker
    [run] = list_runs(mlctx.store)
    assert n >= 6 and run["run_id"] == run_id
    # the run's PROV carries hold-out figures of the same model (fitted on 80% of the labelled works)
    assert 0.0 <= run["metrics"]["material_holdout_top1"] <= 1.0 and "era_holdout_macro_f1" in run["metrics"]
    assert run["metrics"]["training_rows"] == 24
    w07 = predictions_for_work(mlctx, "w07")
    assert w07["predicted"]["material"][0]["value"] == CERAMIC and "material" not in w07["curated"]
    assert 0.0 < w07["predicted"]["material"][0]["confidence"] <= 1.0
    # representative works of the predicted value: curated ceramics (the Wedgwood teapots)
    reps = w07["predicted"]["material"][0]["representatives"]
    assert reps and all(r.startswith("w0") and r != "w07" for r in reps)
    assert "material" not in predictions_for_work(mlctx, "w00")["predicted"]  # curated: no prediction
    second, _ = predict_run(mlctx, bundle)  # a second run: the page shows the latest one only
    assert [v["run"] for v in predictions_for_work(mlctx, "w07")["predicted"]["material"]] == [second]


def test_korean_query_reaches_english_records(mlctx):
    assert CERAMIC in concepts_for_query(mlctx.store, "도자기")
    assert CERAMIC in concepts_for_query(mlctx.store, "도자기를")  # particle stripped
    assert concepts_for_query(mlctx.store, "zzzz") == []
    ranked = semantic_rank(mlctx, "도자기", None, 5)
    assert len(ranked) == 5 and all(i.startswith("w0") for i, _ in ranked)
    english = semantic_rank(mlctx, "glass vase", [f"w{m}{i}" for m in range(3) for i in range(8)], 3)
    assert all(i.startswith("w2") for i, _ in english)
    assert semantic_rank(mlctx, "", None, 5) == []


def test_model_fits_without_makers_or_cultures():
    """A collection with titles only (the demo has no makers) still trains: empty blocks are skipped."""
    from ml.attributes import AttributeModel, Row

    rows = [
        Row(id=f"r{i}", title=f"{noun} {i}", labels={"material": {mat}})
        for i, (noun, mat) in enumerate([("celadon bowl", "ceramic"), ("bronze bell", "metal")] * 6)
    ]
    model = AttributeModel("material", calibrate=False).fit(rows)
    assert [p for p, _ in model.top([Row(id="q", title="bronze mirror")])] == ["metal"]
