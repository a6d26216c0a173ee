"""The ``heritage`` CLI: one clear error line and a non-zero exit for bad input; a token printed
by ``heritage token create`` authorises an API write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def heritage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heritage", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:"), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    line = one_error_line(heritage("ingest", str(tmp_path / "absent.csv"), "--data", str(tmp_path / "d")))
    assert "absent.csv" in line and "no such file" in line


def test_unsupported_format(tmp_path: Path) -> None:
    src = tmp_path / "notes.docx"
    src.write_text("x")
    line = one_error_line(heritage("ingest", str(src), "--data", str(tmp_path / "d")))
    assert "unsupported" in line


def test_malformed_rdf(tmp_path: Path) -> None:
    src = tmp_path / "bad.ttl"
    src.write_text('<http://127.0.0.1:8000/id/work/x> a <http://x/C> ; <http://x/p> "open .\n')
    line = one_error_line(heritage("ingest", str(src), "--data", str(tmp_path / "d")))
    assert "bad.ttl" in line


def test_store_locked_by_another_process(tmp_path: Path) -> None:
    from kg.store import OxigraphStore

    data = tmp_path / "d"
    holder = OxigraphStore(data / "store")
    try:
        line = one_error_line(heritage("stats", "--data", str(data)))
        assert "in use" in line
    finally:
        holder.close()
    assert heritage("stats", "--data", str(data)).returncode == 0


def test_token_create_authorises_api_write(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import load_settings

    data = tmp_path / "d"
    created = heritage("token", "create", "--role", "curator", "--name", "ci", "--data", str(data))
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("hg_")
    body = {"id": "cli-w1", "title": {"en": "Jar"}}
    with TestClient(create_app(load_settings(data))) as client:
        assert client.post("/api/works", json=body).status_code == 401
        bad = client.post("/api/works", json=body, headers={"Authorization": "Bearer hg_wrong"})
        assert bad.status_code == 401
        ok = client.post("/api/works", json=body, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 201, ok.text


def test_bad_token_role(tmp_path: Path) -> None:
    line = one_error_line(heritage("token", "create", "--role", "emperor", "--data", str(tmp_path)))
    assert "role" in line


@pytest.mark.parametrize("args", [["stats", "--json"]])
def test_stats_json_on_empty_store(tmp_path: Path, args: list[str]) -> None:
    import json

    result = heritage(*args, "--data", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["works"] == 0


def test_ingest_writes_rejects_report(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,title,colour\nx1,Jar,red\nx2,Bowl\nbad id!,Cup,blue\n", encoding="utf-8")
    report = tmp_path / "rejects.csv"
    result = heritage("ingest", str(src), "--rejects", str(report), "--data", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert "1 ingested, 2 rejected" in result.stdout
    assert "colour" in result.stderr  # the unknown-column warning names it
    lines = report.read_text().splitlines()
    assert lines[0] == "row,id,reason"
    assert lines[1].startswith("3,x2,") and "fields" in lines[1]
    assert lines[2].startswith("4,bad id!,")
