"""CLI commands of the mappings area: ``heritage export`` and ``heritage validate``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kg.cli import DataOpt, fail, heritage_errors, open_context


def register(app: typer.Typer) -> None:
    """Add ``export`` and ``validate`` to the ``heritage`` app."""

    @app.command()
    def export(
        format: Annotated[
            str, typer.Option("--format", "-f", help="edm|dc|schema|linkedart|bibframe|carare")
        ],
        out: Annotated[Path | None, typer.Option("--out", help="directory: one file per Work")] = None,
        id: Annotated[str | None, typer.Option("--id", help="export one Work to stdout")] = None,
        data: DataOpt = None,
    ) -> None:
        """Export Works through a crosswalk (EDM as one rdf:RDF document per record)."""
        from kg.concepts import load_scheme_quads
        from mappings.export import FORMATS, export_work, work_ids

        if format not in FORMATS:
            fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        if (out is None) == (id is None):
            fail("give either --id ID (to stdout) or --out DIR (every Work)")
        with heritage_errors():
            ctx = open_context(data)
            try:
                reference = load_scheme_quads()
                if id is not None:
                    sys.stdout.buffer.write(export_work(ctx.store, ctx.iris, id, format, reference))
                    return
                assert out is not None
                out.mkdir(parents=True, exist_ok=True)
                ids = work_ids(ctx.store, ctx.iris)
                suffix = FORMATS[format][0]
                with Progress(TextColumn("export"), BarColumn(), MofNCompleteColumn()) as bar:
                    task = bar.add_task("export", total=len(ids))
                    for ident in ids:
                        (out / f"{ident}{suffix}").write_bytes(
                            export_work(ctx.store, ctx.iris, ident, format, reference)
                        )
                        bar.advance(task)
                typer.echo(f"exported {len(ids)} works to {out}")
            finally:
                ctx.close()

    @app.command()
    def validate(
        file: Annotated[
            Path, typer.Argument(help="RDF (ttl nt nq trig rdf/xml), EDM, oai_dc, Linked Art, CSV or XLSX")
        ],
        base: Annotated[
            str, typer.Option("--base", help="IRI base for CSV records")
        ] = "http://127.0.0.1:8000",
        mapping: Annotated[
            Path | None, typer.Option("--mapping", help="column mapping TOML for CSV/XLSX")
        ] = None,
    ) -> None:
        """Check a file against the SHACL shapes; prints each violation, exits 1 when there are any."""
        from mappings.validate_file import validate_file

        if not file.is_file():
            fail(f"{file}: no such file")
        with heritage_errors():
            problems = validate_file(file, base, mapping)
        for record, found in sorted(problems.items()):
            for v in found:
                field = f" {v['field']}:" if v["field"] else ""
                typer.echo(f"{record}:{field} {v['message']}")
        if problems:
            n = sum(len(v) for v in problems.values())
            fail(f"{n} violation(s) in {len(problems)} record(s)")
        typer.echo(f"{file.name}: valid")
