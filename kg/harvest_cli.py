"""``heritage harvest URL``: ingest another OAI-PMH provider's records (see ``kg.harvest``)."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli import DataOpt, err, heritage_errors, open_context


def register(app: typer.Typer) -> None:
    @app.command()
    def harvest(
        url: Annotated[str, typer.Argument(help="the provider's OAI-PMH base URL")],
        set_spec: Annotated[str | None, typer.Option("--set", help="harvest one set only")] = None,
        from_: Annotated[
            str | None,
            typer.Option("--from", help="YYYY-MM-DD[Thh:mm:ssZ] (default: where the last harvest started)"),
        ] = None,
        prefix: Annotated[str, typer.Option(help="edm or oai_dc")] = "edm",
        max_pages: Annotated[
            int | None, typer.Option(help="stop after N pages; a re-run resumes from there")
        ] = None,
        data: DataOpt = None,
    ) -> None:
        """Harvest EDM or oai_dc records over OAI-PMH: incremental, resumable, deletions applied."""
        from rich.progress import Progress, SpinnerColumn, TextColumn

        from kg.harvest import harvest as run

        with heritage_errors():
            ctx = open_context(data)
            try:
                with Progress(SpinnerColumn(), TextColumn("{task.description} {task.completed} pages"),
                              console=err, transient=True) as bar:  # fmt: skip
                    task = bar.add_task(f"harvesting {url}")
                    report = run(ctx, url, set_spec, from_, prefix, max_pages,
                                 progress=lambda n: bar.advance(task, n))  # fmt: skip
            finally:
                ctx.close()
        for reason in report.rejected[:5]:
            err.print(f"  rejected: {reason}", highlight=False)
        print(report.summary())
