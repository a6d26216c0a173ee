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
