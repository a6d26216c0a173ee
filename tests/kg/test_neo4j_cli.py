"""``heritage neo4j sync|rebuild|check`` through the real CLI app, store and FalkorDB process."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.graph_transport import open_transport
from tests.kg.graph_server import falkordb_server  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


def _work(ident: str, title: str) -> dict:
    return {"kind": "work", "id": ident, "identifier": ident, "title": {"en": title, "ko": "도자기 \"병\""},
            "material": ["ceramic"], "museum": "O'Hara \"Museum\""}  # fmt: skip


def test_cli_sync_check_rebuild(falkordb_server, tmp_path, monkeypatch):  # noqa: F811
    from heritage.cli import app
    from kg.context import HeritageContext
    from kg.settings import load_settings

    data = tmp_path / "data"
    monkeypatch.setenv("HERITAGE_NEO4J_URI", falkordb_server.native_uri)
    ctx = HeritageContext.open(load_settings(data))
    result = ctx.records.put([_work("w1", "Vase"), _work("w2", "Jar")])
    assert not result.rejected, result.rejected
    ctx.close()
    runner = CliRunner()
    out = runner.invoke(app, ["neo4j", "check", "--data", str(data)])
    assert out.exit_code == 1 and "counts differ" in out.output  # nothing projected yet
    out = runner.invoke(app, ["neo4j", "sync", "--data", str(data)])
    assert out.exit_code == 0, out.output
    assert (data / "neo4j-sync.json").is_file()
    out = runner.invoke(app, ["neo4j", "check", "--data", str(data)])
    assert out.exit_code == 0, out.output
    assert "HELD_BY" in out.output and "MISMATCH" not in out.output
    ctx = HeritageContext.open(load_settings(data))
    ctx.records.put([_work("w3", "Bowl")])
    ctx.records.delete("w1")
    ctx.close()
    out = runner.invoke(app, ["neo4j", "sync", "--data", str(data)])
    assert out.exit_code == 0 and "1 records" in out.output and "1 deleted" in out.output, out.output
    assert runner.invoke(app, ["neo4j", "check", "--data", str(data)]).exit_code == 0
    transport = open_transport(falkordb_server.native_uri, database="heritage")
    rows = transport.run(
        "MATCH (w:Work)-[:HELD_BY]->(m:Museum) RETURN w.identifier AS w, m.label AS m ORDER BY w"
    )
    assert [r["w"] for r in rows] == ["w2", "w3"] and rows[0]["m"] == 'O\'Hara "Museum"'
    out = runner.invoke(app, ["neo4j", "rebuild", "--data", str(data)])
    assert out.exit_code == 0 and runner.invoke(app, ["neo4j", "check", "--data", str(data)]).exit_code == 0
    for options in (["--reader", "tsv"], ["--no-bulk", "--reader", "quads"]):
        out = runner.invoke(app, ["neo4j", "rebuild", "--data", str(data), *options])
        assert out.exit_code == 0, out.output
        assert runner.invoke(app, ["neo4j", "check", "--data", str(data)]).exit_code == 0
    out = runner.invoke(app, ["neo4j", "rebuild", "--data", str(data), "--reader", "rdf"])
    assert out.exit_code == 1 and "--reader must be" in out.output


def test_cli_server_down_is_one_clear_line(tmp_path):
    from heritage.cli import app

    out = CliRunner().invoke(
        app, ["neo4j", "sync", "--data", str(tmp_path), "--uri", "falkordb://127.0.0.1:1"]
    )
    assert out.exit_code == 1 and "unreachable" in out.output
    assert not (tmp_path / "neo4j-sync.json").exists()
    out = CliRunner().invoke(app, ["neo4j", "sync", "--data", str(tmp_path)])
    assert out.exit_code == 1 and "no graph server configured" in out.output
