"""``heritage embed | similar | predict | eval | runs list|drop``: the ML commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kg.cli import DataOpt, err, fail, heritage_errors, open_context


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def embed(
        text: Annotated[bool, typer.Option("--text/--no-text", help="also embed work texts (e5)")] = False,
        data: DataOpt = None,
    ) -> None:
        """Sync the vector indexes (images, and work texts with --text) with the store."""
        from ml.encoders import get_image_encoder
        from ml.image_index import image_items, sync_image_index
        from ml.semantic_search import build_text_index, work_texts

        with heritage_errors():
            ctx = open_context(data)
            try:
                encoder = get_image_encoder(ctx.settings)
                with _bar() as bar:
                    task = bar.add_task(f"images ({encoder.model_id})", total=len(image_items(ctx)))
                    report = sync_image_index(ctx, encoder, progress=lambda n: bar.advance(task, n))
                for ident, message in report.pop("errors").items():
                    err.print(f"[yellow]skipped[/yellow] {ident}: {message}", highlight=False)
                print(json.dumps({"images": report}))
                if text:
                    with _bar() as bar:
                        task = bar.add_task(
                            "work texts (e5)", total=len(work_texts(ctx.store, ctx.iris.base))
                        )
                        n = build_text_index(ctx, progress=lambda k: bar.advance(task, k))
                    print(json.dumps({"texts_embedded": n}))
            finally:
                ctx.close()

    @app.command()
    def similar(
        k: Annotated[int, typer.Option(help="neighbours per work")] = 10,
        data: DataOpt = None,
    ) -> None:
        """Write a similarity run (hg:similarTo + hg:Similarity) from the image index (text if none)."""
        from ml.encoders import get_image_encoder
        from ml.image_index import load_image_index
        from ml.predict import similarity_run
        from ml.semantic_search import TEXT_DIM, TEXT_MODEL_ID, text_index_dir
        from ml.vector_index import VectorIndex

        with heritage_errors():
            if k < 1:
                fail("--k must be at least 1")
            ctx = open_context(data)
            try:
                index = load_image_index(ctx, get_image_encoder(ctx.settings))
                if len(index) < 2:
                    index = VectorIndex.load(text_index_dir(ctx), dim=TEXT_DIM, model_id=TEXT_MODEL_ID)
                if len(index) < 2:
                    fail("no embeddings yet: run `heritage embed` (and `--text`) first")
                run_id, n = similarity_run(ctx, index, k)
            finally:
                ctx.close()
        print(json.dumps({"run": run_id, "similarities": n}))

    @app.command()
    def predict(
        threshold: Annotated[float, typer.Option(help="extra materials above this probability")] = 0.5,
        data: DataOpt = None,
    ) -> None:
        """Train the attribute models on curated works and write predictions for missing values."""
        from ml.predict import predict_run, train

        with heritage_errors():
            if not 0.0 < threshold <= 1.0:
                fail("--threshold must be in (0, 1]")
            ctx = open_context(data)
            try:
                err.print("training attribute models ...")
                bundle = train(ctx)
                if not bundle["models"]:
                    fail("no curated works with labels to train on (run `heritage ingest` first)")
                run_id, n = predict_run(ctx, bundle, threshold)
            finally:
                ctx.close()
        print(json.dumps({"run": run_id, "predictions": n}))

    @app.command("eval")
    def eval_cmd(
        split: Annotated[Path | None, typer.Option(help="held-out split CSV (records.csv columns)")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        make_split: Annotated[
            Path | None, typer.Option("--make-split", help="write a split CSV here")
        ] = None,
        source: Annotated[Path | None, typer.Option("--from", help="CSV to draw the split from")] = None,
        seed: Annotated[int, typer.Option(help="random seed of the split")] = 0,
        fraction: Annotated[float, typer.Option(help="share of rows in the split")] = 0.2,
        data: DataOpt = None,
    ) -> None:
        """Evaluate attribute prediction on a held-out split against a TF-IDF baseline."""
        from ml.evaluate import evaluate
        from ml.evaluate import make_split as write_split

        with heritage_errors():
            if make_split is not None:
                if source is None or not source.is_file():
                    fail("--make-split needs --from CSV (an existing file)")
                n = write_split(source, make_split, seed=seed, fraction=fraction)
                print(json.dumps({"split": str(make_split), "rows": n, "seed": seed}))
                return
            if split is None or not split.is_file():
                fail("--split FILE.csv is required (an existing file)")
            ctx = open_context(data)
            try:
                result = evaluate(ctx, split)
            finally:
                ctx.close()
        if json_out:
            print(json.dumps(result, indent=2))
        else:
            for key in ("material_top1", "period_accuracy", "use_accuracy"):
                if key in result:
                    print(f"{key}: {result[key]:.4f} (baseline {result['baseline'][key]:.4f})")

    runs = typer.Typer(help="List or drop model-run graphs.", no_args_is_help=True)
    app.add_typer(runs, name="runs")

    @runs.command("list")
    def runs_list(json_out: Annotated[bool, typer.Option("--json")] = False, data: DataOpt = None) -> None:
        """Every model run with its kind, model, time and counts."""
        from kg.runs import list_runs

        with heritage_errors():
            ctx = open_context(data)
            try:
                found = list_runs(ctx.store)
            finally:
                ctx.close()
        if json_out:
            print(json.dumps(found, indent=2))
        for r in [] if json_out else found:
            print(
                f"{r['run_id']}\t{r['kind']}\t{r['started']}\t{r['predictions']} predictions\t"
                f"{r['similarities']} similarities"
            )

    @runs.command("drop")
    def runs_drop(run: Annotated[str, typer.Argument(help="run id")], data: DataOpt = None) -> None:
        """Drop one run graph (its predictions or similarity edges)."""
        from kg.runs import drop_run

        with heritage_errors():
            ctx = open_context(data)
            try:
                if not drop_run(ctx.store, ctx.iris, run):
                    fail(f"no run {run!r}")
            finally:
                ctx.close()
        print(f"dropped {run}")
