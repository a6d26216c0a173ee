import json

import numpy as np
import typer
from typer.testing import CliRunner

from ml.restore.cli import register
from ml.restore.damage import add_damage
from ml.restore.io import load_image, save_image
from tests.ml_restore.helpers import square_mask, texture

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_restore_with_mask_and_saved_mask(tmp_path):
    image = texture(64)
    save_image(image, tmp_path / "in.png")
    save_image(square_mask((64, 64), 10, 10, 6), tmp_path / "mask.png")
    result = runner.invoke(
        _app(),
        [
            "restore",
            str(tmp_path / "in.png"),
            "--out",
            str(tmp_path / "out.png"),
            "--mask",
            str(tmp_path / "mask.png"),
            "--method",
            "biharmonic",
            "--save-mask",
            str(tmp_path / "used.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert load_image(tmp_path / "out.png").shape == (64, 64, 3)
    assert (load_image(tmp_path / "used.png")[:, :, 0] > 127).sum() == 36


def test_restore_auto_detects_and_writes_mask(tmp_path):
    damaged = add_damage(texture(128, seed=2), seed=4, shadow=False)
    save_image(damaged.image, tmp_path / "in.png")
    result = runner.invoke(
        _app(),
        [
            "restore",
            str(tmp_path / "in.png"),
            "--out",
            str(tmp_path / "o.png"),
            "--save-mask",
            str(tmp_path / "m.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (load_image(tmp_path / "m.png")[:, :, 0] > 127).any()


def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path):
    save_image(texture(32), tmp_path / "in.png")
    save_image(np.ones((8, 8), bool), tmp_path / "small.png")
    (tmp_path / "bad.jpg").write_bytes(b"nope")
    cases = [
        [
            "restore",
            str(tmp_path / "in.png"),
            "--out",
            str(tmp_path / "o.png"),
            "--mask",
            str(tmp_path / "small.png"),
        ],
        ["restore", str(tmp_path / "bad.jpg"), "--out", str(tmp_path / "o.png")],
        ["restore", str(tmp_path / "in.png"), "--out", str(tmp_path / "in.png")],
        ["restore", str(tmp_path / "in.png"), "--out", str(tmp_path / "o.png"), "--method", "magic"],
    ]
    for args in cases:
        result = runner.invoke(_app(), args)
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output


def test_style_reinhard(tmp_path):
    save_image(texture(48), tmp_path / "a.png")
    save_image(texture(48, seed=5)[:, :, ::-1].copy(), tmp_path / "b.png")
    result = runner.invoke(
        _app(),
        [
            "style",
            str(tmp_path / "a.png"),
            "--style",
            str(tmp_path / "b.png"),
            "--out",
            str(tmp_path / "c.png"),
            "--method",
            "reinhard",
        ],
    )
    assert result.exit_code == 0, result.output
    assert load_image(tmp_path / "c.png").shape == (48, 48, 3)


def test_metrics_json(tmp_path):
    real, fake = tmp_path / "real", tmp_path / "fake"
    real.mkdir()
    fake.mkdir()
    for i in range(3):
        save_image(texture(48, seed=i), real / f"{i}.png")
        save_image(np.clip(texture(48, seed=i).astype(int) + 20, 0, 255).astype(np.uint8), fake / f"{i}.png")
    result = runner.invoke(_app(), ["metrics", str(real), str(fake), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["paired_images"] == 3 and payload["PSNR"] < 30 and "FID-MobileNetV2" in payload
    missing = runner.invoke(_app(), ["metrics", str(tmp_path / "none"), str(fake)])
    assert missing.exit_code == 2
