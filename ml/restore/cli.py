"""``heritage restore``, ``heritage style`` and ``heritage metrics``: work on plain files, no data
directory needed. Bad input ends with one clear line and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kg.errors import HeritageError

RESTORE_METHODS = ("auto", "telea", "ns", "biharmonic", "exemplar", "blend", "shadow", "sr")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@contextmanager
def _guard():  # noqa: ANN202
    """Turn user-fixable errors into one line on stderr and exit code 2."""
    try:
        yield
    except (HeritageError, ValueError, FileNotFoundError) as exc:
        _fail(getattr(exc, "detail", None) or str(exc))


@contextmanager
def _bar(label: str):  # noqa: ANN202
    with Progress(
        TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task(label, total=1.0)
        update: Callable[[float], None] = lambda fraction: bar.update(task, completed=fraction)  # noqa: E731
        yield update
        bar.update(task, completed=1.0)


def restore_command(
    image: Annotated[Path, typer.Argument(help="image to restore (JPEG, PNG, TIFF, ...)")],
    out: Annotated[Path, typer.Option("--out", help="where to write the result (PNG recommended)")],
    mask: Annotated[
        Path | None, typer.Option("--mask", help="mask image, white = damaged, same size")
    ] = None,
    method: Annotated[str, typer.Option("--method", help=" | ".join(RESTORE_METHODS))] = "auto",
    save_mask: Annotated[
        Path | None, typer.Option("--save-mask", help="write the mask used (detected or given) to correct it")
    ] = None,
    scale: Annotated[
        int | None, typer.Option("--scale", help="sr only: 2 or 4 (default: chosen from input)")
    ] = None,
) -> None:
    """Restore an image: inpaint stains and scratches, relight shadows, or super-resolve."""
    from ml.restore.io import load_image, load_mask, save_image
    from ml.restore.pipeline import restore

    with _guard():
        if method not in RESTORE_METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(RESTORE_METHODS)}")
        if out.resolve() == image.resolve():
            raise ValueError("--out must differ from the input: the original is never overwritten")
        pixels = load_image(image)
        given = load_mask(mask, pixels.shape[:2]) if mask is not None else None
        with _bar(f"restore ({method})") as progress:
            result = restore(pixels, given, method, scale=scale, progress=progress)
        save_image(result.image, out)
        if save_mask is not None and result.mask is not None:
            save_image(result.mask, save_mask)
    typer.echo(f"{out}: {result.method} {json.dumps(result.parameters)}")


def style_command(
    image: Annotated[Path, typer.Argument(help="content image")],
    style: Annotated[Path, typer.Option("--style", help="style image, or a period preset .npz")],
    out: Annotated[Path, typer.Option("--out", help="where to write the result")],
    method: Annotated[
        str, typer.Option("--method", help="gatys (MobileNetV2 features) | reinhard (colour)")
    ] = "gatys",
    steps: Annotated[int, typer.Option("--steps", min=1, max=2000, help="gatys optimisation steps")] = 100,
    size: Annotated[
        int, typer.Option("--size", min=32, max=1024, help="gatys working size (longest side)")
    ] = 384,
) -> None:
    """Transfer the look of a style image (or a period preset) onto an image."""
    from ml.restore import style as styling
    from ml.restore.io import load_image, save_image

    with _guard():
        if method not in ("gatys", "reinhard"):
            raise ValueError("--method must be gatys or reinhard")
        content = load_image(image)
        with _bar(f"style ({method})") as progress:
            if style.suffix.lower() == ".npz":
                result = styling.apply_preset(content, styling.load_preset(style), method, steps, progress)
            elif method == "reinhard":
                result = styling.reinhard_transfer(content, load_image(style))
            else:
                result = styling.gatys_transfer(content, load_image(style), steps, size, progress)
        save_image(result, out)
    typer.echo(f"{out}: {method}")


def preset_command(
    images: Annotated[list[Path], typer.Argument(help="images of one era or period")],
    out: Annotated[Path, typer.Option("--out", help="preset file to write (.npz)")],
    name: Annotated[str, typer.Option("--name", help="label of the period")] = "",
) -> None:
    """Build a period preset (Lab colour statistics + MobileNetV2 Gram matrices) from an era's images."""
    from ml.restore.style import build_preset

    with _guard():
        path = build_preset(images, out, name)
    typer.echo(f"{path}: preset from {len(images)} images")


def metrics_command(
    real_dir: Annotated[Path, typer.Argument(help="folder of reference images")],
    generated_dir: Annotated[Path, typer.Argument(help="folder of generated or restored images")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    inception_weights: Annotated[
        Path | None,
        typer.Option(
            "--inception-weights",
            help="a torchvision-format inception_v3 ImageNet state dict (.pth) for the standard "
            "FID/KID/IS; NOT shipped with Heritage Graph, supply your own copy",
        ),
    ] = None,
) -> None:
    """FID/KID/IS on MobileNetV2 (named -MobileNetV2, not comparable to InceptionV3 figures), plus
    mean PSNR/SSIM/MS-SSIM over files with the same name in both folders."""
    from ml.restore import metrics
    from ml.restore.io import load_image

    with _guard():
        with _bar("features") as progress:
            result: dict = metrics.distribution_metrics(real_dir, generated_dir, inception_weights, progress)
        real = {p.name: p for p in metrics.list_images(real_dir)}
        pairs = [(real[p.name], p) for p in metrics.list_images(generated_dir) if p.name in real]
        scores = {"PSNR": [], "SSIM": [], "MS-SSIM": []}
        for ref_path, gen_path in pairs:
            ref, gen = load_image(ref_path), load_image(gen_path)
            if ref.shape != gen.shape:
                continue
            scores["PSNR"].append(metrics.psnr(ref, gen))
            scores["SSIM"].append(metrics.ssim(ref, gen))
            scores["MS-SSIM"].append(metrics.ms_ssim(ref, gen))
        result["paired_images"] = len(scores["PSNR"])
        for key, values in scores.items():
            if values:
                result[key] = float(sum(values) / len(values))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        typer.echo(f"{key:>18}: {value:.4f}" if isinstance(value, float) else f"{key:>18}: {value}")


def register(app: typer.Typer) -> None:
    """Add ``restore``, ``style``, ``style-preset`` and ``metrics`` to the ``heritage`` app."""
    app.command("restore")(restore_command)
    app.command("style")(style_command)
    app.command("style-preset")(preset_command)
    app.command("metrics")(metrics_command)
