"""``heritage rti synth`` then ``heritage rti build`` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from ml.rti import formats
from ml.rti.fit import relight

REPO = Path(__file__).resolve().parents[2]


def heritage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heritage.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_synth_then_build_ptm_and_hsh(tmp_path):
    done = heritage("rti", "synth", str(tmp_path / "cap"), "--size", "96", "--lights", "20")
    assert done.returncode == 0, done.stderr
    lp = tmp_path / "cap" / "lights.lp"
    assert lp.read_text().splitlines()[0] == "20"
    assert len(list((tmp_path / "cap").glob("*.png"))) == 20

    done = heritage(
        "rti", "build", str(tmp_path / "cap"), "--lp", str(lp), "--out", str(tmp_path / "coin.ptm")
    )
    assert done.returncode == 0, done.stderr
    assert "PTM 96x96 from 20 photos" in done.stdout
    ptm = formats.read_rti(tmp_path / "coin.ptm")
    assert ptm.size == (96, 96)
    # the file read back reproduces the capture photos under their own lights
    lights = np.array([[float(v) for v in line.split()[1:]] for line in lp.read_text().splitlines()[1:]])
    photos = [
        np.asarray(Image.open(p), dtype=np.float32) / 255 for p in sorted((tmp_path / "cap").glob("*.png"))
    ]
    mse = np.mean([np.mean((relight(ptm, d) - p) ** 2) for d, p in zip(lights, photos, strict=True)])
    assert 10 * np.log10(1 / mse) > 28
    normals = np.asarray(Image.open(tmp_path / "coin_normals.png"))
    assert normals.shape == (96, 96, 3) and normals[..., 2].mean() > 200  # mostly facing the camera

    done = heritage(
        "rti", "build", str(tmp_path / "cap"), "--lp", str(lp), "--out", str(tmp_path / "coin"),
        "--model", "hsh", "--order", "2", "--web", str(tmp_path / "web"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert formats.read_rti(tmp_path / "coin.rti").terms == 4
    manifest = json.loads((tmp_path / "web" / "manifest.json").read_text())
    assert manifest["model"] == "hsh" and manifest["terms"] == 4
    assert (tmp_path / "web" / "atlas.png").stat().st_size > 1000


def test_bad_input_is_one_clear_line(tmp_path):
    (tmp_path / "cap").mkdir()
    (tmp_path / "cap" / "lights.lp").write_text("2\na.png 0 0 1\n")
    done = heritage(
        "rti", "build", str(tmp_path / "cap"), "--lp", str(tmp_path / "cap" / "lights.lp"), "--out", "x.ptm"
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:") and "says 2 photos but 1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = heritage("rti", "build", str(tmp_path / "nope"), "--lp", "x.lp", "--out", "x.ptm")
    assert done.returncode == 2 and "no such folder" in done.stderr
    done = heritage("rti", "build", str(tmp_path / "cap"), "--lp", "x.lp", "--out", "x.ptm", "--model", "rbf")
    assert done.returncode == 2 and "--model must be ptm or hsh" in done.stderr
