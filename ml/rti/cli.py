"""``heritage rti build`` (fit PTM/HSH coefficients from photos and an ``.lp`` file) and
``heritage rti synth`` (render a synthetic capture to try it on). Bad input ends with one clear
line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.errors import HeritageError

rti_app = typer.Typer(help="Reflectance Transformation Imaging: build PTM/HSH files from photo sets.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@rti_app.command("build")
def build_command(
    photos_dir: Annotated[Path, typer.Argument(help="folder of photos taken under known lights")],
    lp: Annotated[Path, typer.Option("--lp", help="light-position file (count, then 'file x y z' lines)")],
    out: Annotated[Path, typer.Option("--out", help="file to write: .ptm for PTM, .rti for HSH")],
    model: Annotated[str, typer.Option("--model", help="ptm or hsh")] = "ptm",
    order: Annotated[int, typer.Option("--order", help="HSH order, 2 (4 terms) or 3 (9 terms)")] = 3,
    layout: Annotated[str, typer.Option("--layout", help="rgb (per channel) or lrgb (luminance)")] = "rgb",
    web: Annotated[Path | None, typer.Option("--web", help="also write the web viewer's atlas here")] = None,
) -> None:
    """Fit PTM or HSH coefficients per pixel and write the RTI file and a normal map."""
    from rich.progress import Progress

    from ml.rti.build import build

    if model not in ("ptm", "hsh"):
        _fail(f"--model must be ptm or hsh, not {model!r}")
    if model == "hsh" and order not in (2, 3):
        _fail(f"--order must be 2 or 3, not {order}")
    if layout not in ("rgb", "lrgb"):
        _fail(f"--layout must be rgb or lrgb, not {layout!r}")
    if not photos_dir.is_dir():
        _fail(f"{photos_dir}: no such folder")
    try:
        with Progress(transient=True) as bar:
            task = bar.add_task("fitting", total=1.0)
            result = build(
                photos_dir, lp, out, model, order, layout, web, lambda f: bar.update(task, completed=f)
            )
    except (HeritageError, ValueError, OSError) as exc:
        _fail(getattr(exc, "detail", None) or str(exc))
    typer.echo(
        f"{result.rti}: {model.upper()} {result.width}x{result.height} from {result.photos} photos, "
        f"fit PSNR {result.residual_psnr:.1f} dB; normals {result.normals}"
        + (f"; web atlas {result.atlas}" if result.atlas else "")
    )


@rti_app.command("synth")
def synth_command(
    out_dir: Annotated[Path, typer.Argument(help="folder for the photos and lights.lp")],
    size: Annotated[int, typer.Option("--size", help="image width and height in pixels")] = 256,
    lights: Annotated[int, typer.Option("--lights", help="number of light directions")] = 24,
) -> None:
    """Render a synthetic coin relief with an engraved inscription under a dome of lights."""
    from ml.rti import synth
    from ml.rti.fit import dome

    if not 16 <= size <= 4096 or not 6 <= lights <= 500:
        _fail("--size must be 16..4096 and --lights 6..500")
    height = synth.coin_relief(size)
    directions = dome(lights)
    lp = synth.write_capture(out_dir, synth.render(height, synth.bronze_albedo(size), directions), directions)
    typer.echo(f"{lp}: {lights} photos of {size}x{size}")


def register(app: typer.Typer) -> None:
    """Add the ``rti`` command group to the ``heritage`` app."""
    app.add_typer(rti_app, name="rti")
