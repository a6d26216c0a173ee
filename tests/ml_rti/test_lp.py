"""``.lp`` light-position files: the good case and every error a user can fix."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ml.rti.lp import LightFileError, format_lp, parse_lp, read_lp


def _photos(folder, names):
    for name in names:
        Image.new("RGB", (4, 4)).save(folder / name)


def test_reads_rtibuilder_style_paths(tmp_path):
    _photos(tmp_path, ["a.png", "b c.png"])
    (tmp_path / "set.lp").write_text(
        "2\nC:\\capture\\jpeg-exports\\a.png 0.5 0.5 0.707107\n/mnt/x/b c.png -0.6 0 0.8\n"
    )
    lights = read_lp(tmp_path / "set.lp")
    assert [p.name for p in lights.photos] == ["a.png", "b c.png"]
    assert np.allclose(np.linalg.norm(lights.directions, axis=1), 1)
    assert lights.directions[1][0] == pytest.approx(-0.6)


def test_round_trip_of_format_lp():
    dirs = np.array([[0.6, 0, 0.8], [0, -0.6, 0.8]])
    pairs = parse_lp(format_lp(["x.png", "y.png"], dirs))
    assert [n for n, _ in pairs] == ["x.png", "y.png"]
    assert np.allclose([d for _, d in pairs], dirs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("three\na.png 0 0 1\n", "number of photos"),
        ("3\na.png 0 0 1\nb.png 0.6 0 0.8\n", "says 3 photos but 2"),
        ("1\na.png 0 0\n", "filename x y z"),
        ("1\na.png 0 zero 1\n", "must be numbers"),
        ("1\na.png 0.9 0.9 0.9\n", "not 1"),
        ("1\na.png 0.6 0 -0.8\n", "above the object"),
        ("1\na.png 1 0 0\n", "z > 0"),
        ("0\n", "at least one"),
    ],
)
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(LightFileError, match=message):
        parse_lp(text, "set.lp")


def test_missing_photos_are_named(tmp_path):
    _photos(tmp_path, ["a.png"])
    (tmp_path / "set.lp").write_text("3\na.png 0 0 1\nmissing1.png 0.6 0 0.8\nmissing2.png 0 0.6 0.8\n")
    with pytest.raises(LightFileError) as info:
        read_lp(tmp_path / "set.lp")
    assert "2 photo(s) not found" in info.value.detail
    assert "missing1.png" in info.value.detail and "missing2.png" in info.value.detail


def test_missing_lp_file(tmp_path):
    with pytest.raises(LightFileError, match="no such light-position file"):
        read_lp(tmp_path / "nope.lp")
