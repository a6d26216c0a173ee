"""``heritage dump`` → ``heritage load`` into an empty dir → ``heritage dump``: byte-for-byte the
same (N-Quads and TriG); loading into a non-empty store is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CSV = (
    "id,title,material_categories,date_earliest,dimensions,maker\n"
    "d1,Jar,celadon|Zorblium,1920-01-01,H 6 in (15.2 cm); W 7.875 in (20.0 cm),Kim\n"
    'd2,"Bowl, with ""quotes""",metal,-0206-01-05,,\n'
)


def heritage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heritage", *args], capture_output=True, cwd=REPO, timeout=120
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("dump-src")
    src = data / "in.csv"
    src.write_text(CSV, encoding="utf-8")
    result = heritage("ingest", str(src), "--data", str(data / "d"))
    assert result.returncode == 0, result.stderr
    return data / "d"


@pytest.mark.parametrize(("fmt", "suffix"), [("nquads", ".nq"), ("trig", ".trig")])
def test_dump_load_dump_round_trip(source: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    first = tmp_path / f"first{suffix}"
    assert heritage("dump", "--format", fmt, "--out", str(first), "--data", str(source)).returncode == 0
    body = first.read_bytes()
    assert b"/graph/record/d1" in body and b"/graph/changelog" in body
    loaded = heritage("load", str(first), "--data", str(tmp_path / "copy"))
    assert loaded.returncode == 0, loaded.stderr
    second = tmp_path / f"second{suffix}"
    assert (
        heritage("dump", "--format", fmt, "--out", str(second), "--data", str(tmp_path / "copy")).returncode
        == 0
    )
    assert second.read_bytes() == body


def test_load_into_non_empty_store_refused(source: Path, tmp_path: Path) -> None:
    dump = tmp_path / "d.nq"
    assert heritage("dump", "--out", str(dump), "--data", str(source)).returncode == 0
    before = heritage("dump", "--data", str(source)).stdout
    refused = heritage("load", str(dump), "--data", str(source))
    assert refused.returncode != 0
    assert b"not empty" in refused.stderr
    assert heritage("dump", "--data", str(source)).stdout == before


def test_load_rejects_broken_dump(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text('<http://x/s> <http://x/p> "unterminated <http://x/g> .\n')
    result = heritage("load", str(bad), "--data", str(tmp_path / "empty"))
    assert result.returncode != 0 and b"error" in result.stderr
