"""Done-when for the projection: the shared 6,000-record store plus an ML write-back (a similarity
run and an attribute-prediction run, written by ``ml.predict``), then ``heritage neo4j rebuild``
and ``heritage neo4j check`` through the real CLI against a real FalkorDB process.

The ML models here are trained on a slice of the works (the calibrated models' fit time grows
faster than linearly with rows, and this test is about the projection, not the models); the
write-back itself goes through ``ml.predict.predict_run`` / ``similarity_run`` over the full store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kg.context import HeritageContext
from kg.graph_transport import open_transport
from kg.settings import load_settings
from tests.kg.graph_server import falkordb_server  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

TRAIN_ROWS = 400  # works the attribute models are fitted on
SIMILAR_WORKS = 500  # works in the similarity index
K = 5


def _ml_writeback(data: Path) -> tuple[str, str]:
    """A similarity run and a prediction run, written back through ``ml.predict``."""
    from datetime import UTC, datetime

    from sklearn.feature_extraction.text import HashingVectorizer

    from ml.attributes import AttributeModel
    from ml.features import rows_from_store
    from ml.predict import predict_run, similarity_run
    from ml.vector_index import VectorIndex

    ctx = HeritageContext.open(load_settings(data))
    try:
        rows = rows_from_store(ctx.store, ctx.iris.base)
        assert len(rows) == 6000
        texts = [f"{r.title} {r.description}" for r in rows[:SIMILAR_WORKS]]
        vectors = HashingVectorizer(n_features=128, alternate_sign=False).transform(texts).toarray()
        index = VectorIndex(128, model_id="hashing-128")
        index.upsert([r.id for r in rows[:SIMILAR_WORKS]], vectors.astype(np.float32) + 1e-3)
        sim_run, n_sims = similarity_run(ctx, index, k=K)
        assert n_sims == SIMILAR_WORKS * K
        models = {attr: AttributeModel(attr).fit(rows[:TRAIN_ROWS]) for attr in ("material", "era")}
        bundle = {"trained": datetime.now(UTC).isoformat(), "models": models, "representatives": {}}
        pred_run, n_preds = predict_run(ctx, bundle)
        assert n_preds > 0
    finally:
        ctx.close()
    return sim_run, pred_run


def test_shared_store_with_ml_writeback_rebuilds_and_checks(
    ingested_dir: Path,
    tmp_path: Path,
    falkordb_server,  # noqa: F811
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ingested_dir, data)  # the session's ingest stays untouched for other tests
    sim_run, pred_run = _ml_writeback(data)

    runner = CliRunner()
    from heritage.cli import app

    uri = ["--data", str(data), "--uri", falkordb_server.native_uri]
    out = runner.invoke(app, ["neo4j", "rebuild", *uri])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["neo4j", "check", *uri])
    assert out.exit_code == 0, out.output
    lines = {line.split()[0]: line.split() for line in out.output.splitlines() if line.strip()}
    for key in ("Work", "SIMILAR_TO", "PREDICTED", "HAS_MATERIAL", "HELD_BY"):
        assert lines[key][-1] == "ok" and int(lines[key][2]) > 0, out.output
    assert int(lines["Work"][2]) == 6000 and int(lines["SIMILAR_TO"][2]) == SIMILAR_WORKS * K

    # the edge properties, not only the counts: SPARQL over the run graphs vs Cypher on the server
    ctx = HeritageContext.open(load_settings(data))
    transport = open_transport(falkordb_server.native_uri, database=ctx.settings.neo4j_database)
    try:
        base = ctx.iris.base
        sims = ctx.store.select(
            f"SELECT ?a ?b ?score ?rank WHERE {{ GRAPH <{ctx.iris.run_graph(sim_run)}> {{ ?n a hg:Similarity ; "
            "hg:source ?a ; hg:target ?b ; hg:score ?score ; hg:rank ?rank } }"
        )
        expected = {
            (r["a"].value, r["b"].value, round(float(r["score"].value), 6), int(r["rank"].value))
            for r in sims
        }
        got = transport.run(
            "MATCH (a)-[e:SIMILAR_TO]->(b) RETURN a.iri AS a, b.iri AS b, e.score AS s, e.rank AS k, e.run AS run"
        )
        assert {(g["a"], g["b"], round(g["s"], 6), g["k"]) for g in got} == expected
        assert {g["run"] for g in got} == {f"{base}/id/run/{sim_run}"}
        preds = ctx.store.select(
            f"SELECT ?w ?v ?attr ?c WHERE {{ GRAPH <{ctx.iris.run_graph(pred_run)}> {{ ?p a hg:Prediction ; "
            "hg:predictionOf ?w ; hg:predictedValue ?v ; hg:attribute ?attr ; hg:confidence ?c } }"
        )
        expected = {
            (r["w"].value, r["v"].value, r["attr"].value, round(float(r["c"].value), 6)) for r in preds
        }
        got = transport.run(
            "MATCH (w:Work)-[e:PREDICTED]->(c:Concept) "
            "RETURN w.iri AS w, c.iri AS v, e.attribute AS a, e.confidence AS c, e.run AS run"
        )
        assert {(g["w"], g["v"], g["a"], round(g["c"], 6)) for g in got} == expected
        assert {g["run"] for g in got} == {f"{base}/id/run/{pred_run}"}
    finally:
        transport.close()
        ctx.close()
