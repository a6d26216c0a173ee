"""``heritage demo load``: 30 Works, each with an Instance produced by a Project and an Item;
GLB items are valid binary glTF, PNGs open; a second run writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kg.context import HeritageContext
from kg.settings import load_settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def heritage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heritage", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def test_demo_load_twice(tmp_path: Path) -> None:
    trimesh = pytest.importorskip("trimesh")
    data = tmp_path / "d"
    first = heritage("demo", "load", "--data", str(data))
    assert first.returncode == 0, first.stderr
    assert "30 works" in first.stdout and "0 unchanged" in first.stdout

    ctx = HeritageContext.open(load_settings(data))
    try:
        store = ctx.store
        assert store.count("?w a hg:Work") == 30
        lonely = store.select(
            "SELECT ?w WHERE { ?w a hg:Work FILTER NOT EXISTS { ?i hg:represents ?w ; hg:producedBy ?p . "
            "?p a hg:Project . ?it hg:partOf ?i ; a hg:Item } }"
        )
        assert lonely == []
        items = store.select(
            "SELECT ?id ?name ?fmt WHERE { ?i a hg:Item ; hg:identifier ?id ; hg:fileName ?name ; hg:fileFormat ?fmt }"
        )
        formats = {r["fmt"].value for r in items}
        assert {"png", "glb"} <= formats
        for row in items:
            path = ctx.files_dir / row["id"].value / row["name"].value
            assert path.is_file(), path
            if row["fmt"].value == "png":
                with Image.open(path) as img:
                    img.load()
                    assert img.size[0] > 0
            elif row["fmt"].value == "glb":
                assert path.read_bytes()[:4] == b"glTF"
                scene = trimesh.load(path, file_type="glb")
                assert len(scene.geometry) >= 1
        stamps = {c.id: c.datestamp for c in ctx.records.changes()}
    finally:
        ctx.close()

    second = heritage("demo", "load", "--data", str(data))
    assert second.returncode == 0, second.stderr
    assert "(0 written" in second.stdout
    ctx = HeritageContext.open(load_settings(data))
    try:
        assert {c.id: c.datestamp for c in ctx.records.changes()} == stamps
    finally:
        ctx.close()
