"""The ML commands through the real ``heritage`` app: make a split, evaluate from the store, runs."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from heritage.cli import app
from kg.context import HeritageContext
from kg.settings import load_settings
from tests.shared_paths import RECORDS_CSV, require_shared

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_make_split_eval_predict_and_runs(tmp_path):
    require_shared(RECORDS_CSV)
    small = tmp_path / "small.csv"
    with open(RECORDS_CSV, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [r for _, r in zip(range(400), reader, strict=False)]
    with open(small, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    data = tmp_path / "data"
    split = tmp_path / "split.csv"
    res = runner.invoke(app, ["eval", "--make-split", str(split), "--from", str(small), "--seed", "0"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"] == 80
    ids = [r["id"] for r in csv.DictReader(split.read_text(encoding="utf-8").splitlines())]
    assert len(set(ids)) == 80
    assert runner.invoke(app, ["ingest", str(small), "--data", str(data)]).exit_code == 0
    res = runner.invoke(app, ["eval", "--split", str(split), "--json", "--data", str(data)])
    assert res.exit_code == 0, res.output
    result = json.loads(res.stdout)
    assert result["train_rows"] == 320 and result["test_rows"] == 80
    for key in ("material_top1", "period_accuracy"):
        assert 0.0 < result[key] <= 1.0 and 0.0 <= result["baseline"][key] <= 1.0
    assert "material_macro_f1" in result["model"]
    res = runner.invoke(app, ["eval", "--split", str(tmp_path / "absent.csv"), "--data", str(data)])
    assert res.exit_code != 0 and "--split" in res.output
    res = runner.invoke(app, ["runs", "drop", "no-such-run", "--data", str(data)])
    assert res.exit_code != 0 and "no run" in res.output
    ctx = HeritageContext.open(load_settings(data))
    try:
        assert ctx.store.count("GRAPH ?g { ?s a hg:ModelRun }") == 0
    finally:
        ctx.close()
