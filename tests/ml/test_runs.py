"""Run graphs: written atomically, listed, dropped; curated/predicted queries keep them apart."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import HG
from kg.runs import Prediction, Run, Similarity, drop_run, list_runs, write_run
from ml.explorer import predictions_for_work, stored_query
from ml.features import rows_from_store


def test_write_list_drop_and_value_queries(mlctx):
    ctx = mlctx
    work = ctx.iris.entity("work", "w07")  # w07 has no curated material
    ceramic = "https://w3id.org/heritage-graph/scheme/material/ceramic"
    before = sorted(str(q) for q in ctx.store.quads(ctx.iris.record_graph("w07")))
    run = Run(
        "predict-test",
        "predict",
        "m",
        "1",
        {"a": 1},
        metrics={"acc": 0.9},
        predictions=[Prediction(work, str(HG.material), ceramic, 0.8)],
        similarities=[Similarity(work, ctx.iris.entity("work", "w01"), 0.7, 1)],
    )
    write_run(ctx.store, ctx.iris, run)
    assert sorted(str(q) for q in ctx.store.quads(ctx.iris.record_graph("w07"))) == before
    [listed] = list_runs(ctx.store)
    assert listed["run_id"] == "predict-test" and listed["predictions"] == 1 and listed["similarities"] == 1
    assert ctx.store.ask(
        f"ASK {{ GRAPH {ox.NamedNode(ctx.iris.run_graph('predict-test'))} "
        f"{{ {ox.NamedNode(work)} hg:material {ox.NamedNode(ceramic)} }} }}"
    )
    predicted = ctx.store.select(stored_query("predicted_values"))
    curated = ctx.store.select(stored_query("curated_values"))
    both = ctx.store.select(stored_query("all_values"))
    assert [(r["entity"].value, r["value"].value) for r in predicted] == [(work, ceramic)]
    assert not any(r["entity"].value == work and r["value"].value == ceramic for r in curated)
    assert len(both) == len(predicted) + len(curated)
    assert predictions_for_work(ctx, "w07")["predicted"]["material"][0]["confidence"] == 0.8
    # training never reads predictions
    assert not next(r for r in rows_from_store(ctx.store, ctx.iris.base) if r.id == "w07").labels["material"]
    assert drop_run(ctx.store, ctx.iris, "predict-test") and not list_runs(ctx.store)
    assert not drop_run(ctx.store, ctx.iris, "predict-test")


def test_model_is_a_prov_entity_and_old_literal_runs_still_list(mlctx):
    """``hg:model`` is an object property (``rdfs:subPropertyOf prov:used``): the run points at a
    ``prov:Entity`` named by the model; runs stored with a literal model still list by name."""
    ctx = mlctx
    write_run(ctx.store, ctx.iris, Run("predict-ent", "predict", "MobileNetV2 head", "3", {}))
    run = ox.NamedNode(ctx.iris.entity("run", "predict-ent"))
    rows = ctx.store.select(
        f"SELECT ?m ?label ?v WHERE {{ GRAPH ?g {{ {run} hg:model ?m ; prov:used ?m . "
        f"?m a prov:Entity ; rdfs:label ?label ; hg:modelVersion ?v }} }}"
    )
    assert [(r["m"].value, r["label"].value, r["v"].value) for r in rows] == [
        (run.value + "/model", "MobileNetV2 head", "3")
    ]
    # a run written by the old code: hg:model "name"
    old = ox.NamedNode(ctx.iris.entity("run", "predict-old"))
    g = ox.NamedNode(ctx.iris.run_graph("predict-old"))
    ctx.store.update(
        f'INSERT DATA {{ GRAPH {g} {{ {old} a hg:ModelRun ; hg:model "old model" ; hg:modelVersion "1" ; '
        f'prov:startedAtTime "2026-01-01T00:00:00Z"^^xsd:dateTime }} }}'
    )
    models = {r["run_id"]: r["model"] for r in list_runs(ctx.store)}
    assert models == {"predict-ent": "MobileNetV2 head", "predict-old": "old model"}
    assert drop_run(ctx.store, ctx.iris, "predict-ent") and drop_run(ctx.store, ctx.iris, "predict-old")
