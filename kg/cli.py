"""Core CLI commands: ingest, dump, load, stats, token, demo."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kg.errors import HeritageError
from kg.settings import load_settings

err = Console(stderr=True)
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="data directory (default: $HERITAGE_DATA_DIR or ./data)")
]


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def heritage_errors():
    """Turn every user-fixable error into one clear line and a non-zero exit."""
    try:
        yield
    except HeritageError as exc:
        fail(exc.detail)
    except (ValueError, OSError) as exc:
        fail(str(exc))


def open_context(data: Path | None):
    from kg.context import HeritageContext

    return HeritageContext.open(load_settings(data))


def stats_of(ctx) -> dict:
    counts = {f"{kind}s": ctx.records.count(kind) for kind in ("work", "project", "instance", "item")}
    counts["triples"] = ctx.store.triple_count()
    counts["graphs"] = ctx.store.count("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return counts


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        file: Annotated[Path, typer.Argument(help="CSV, XLSX or RDF (ttl nt nq trig jsonld rdf)")],
        mapping: Annotated[Path | None, typer.Option(help="column mapping TOML for CSV/XLSX")] = None,
        rejects: Annotated[Path | None, typer.Option(help="where to write the rejects report (CSV)")] = None,
        data: DataOpt = None,
    ) -> None:
        """Ingest a file into the store (idempotent), with a progress bar and a rejects report."""
        from kg.ingest import count_rows, ingest_file

        with heritage_errors():
            if not file.is_file():
                fail(f"{file}: no such file")
            ctx = open_context(data)
            try:
                total = count_rows(file)
                columns = [
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                ]
                with Progress(*columns, console=err, transient=True) as bar:
                    task = bar.add_task(f"ingesting {file.name}", total=total)
                    report = ingest_file(ctx, file, mapping, progress=lambda n: bar.advance(task, n))
            finally:
                ctx.close()
        for warning in report.warnings:
            err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        print(report.summary())
        if report.rejected:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            target = rejects or (ctx.settings.data_dir / "reports" / f"{file.stem}-{stamp}-rejects.csv")
            report.write_rejects(target)
            for r in report.rejected[:5]:
                err.print(
                    f"  row {r.row if r.row is not None else '-'} ({r.id or '?'}): {r.reason}",
                    highlight=False,
                )
            err.print(f"rejects report: {target}", highlight=False)

    @app.command()
    def stats(
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False, data: DataOpt = None
    ) -> None:
        """Counts of Works, Projects, Instances, Items and triples."""
        with heritage_errors():
            ctx = open_context(data)
            try:
                counts = stats_of(ctx)
            finally:
                ctx.close()
        if json_out:
            print(json.dumps(counts))
        else:
            for key, value in counts.items():
                print(f"{key:>10}: {value}")

    @app.command()
    def dump(
        out: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
        format: Annotated[str, typer.Option(help="nquads or trig")] = "nquads",
        data: DataOpt = None,
    ) -> None:
        """The whole store (all named graphs and the change log) as sorted N-Quads or TriG."""
        from kg.dump import dump_bytes
        from kg.store import open_store

        with heritage_errors():
            store = open_store(load_settings(data))
            try:
                payload = dump_bytes(store, format)
            finally:
                store.close()
        if out:
            out.write_bytes(payload)
        else:
            sys.stdout.buffer.write(payload)

    @app.command()
    def load(
        file: Annotated[Path, typer.Argument(help="a dump (.nq or .trig)")], data: DataOpt = None
    ) -> None:
        """Load a dump into an empty store (a restore from backup)."""
        from kg.dump import load_dump
        from kg.store import open_store

        with heritage_errors():
            if not file.is_file():
                fail(f"{file}: no such file")
            store = open_store(load_settings(data))
            try:
                n = load_dump(store, file)
            finally:
                store.close()
        print(f"{n} quads loaded")

    token_app = typer.Typer(help="Bearer tokens for writes (admin, curator).", no_args_is_help=True)
    app.add_typer(token_app, name="token")

    @token_app.command("create")
    def token_create(
        role: Annotated[str, typer.Option(help="admin or curator")] = "curator",
        name: Annotated[str, typer.Option(help="who the token is for")] = "curator",
        data: DataOpt = None,
    ) -> None:
        """Create a token and print it once (only its digest is stored)."""
        from kg.tokens import create_token

        with heritage_errors():
            print(create_token(load_settings(data).data_dir, role, name))

    @token_app.command("list")
    def token_list(data: DataOpt = None) -> None:
        """Every token's name, role and creation time (tokens themselves are never stored)."""
        from kg.tokens import list_tokens

        with heritage_errors():
            for entry in list_tokens(load_settings(data).data_dir):
                print(f"{entry['name']}\t{entry['role']}\t{entry.get('created', '')}")

    @token_app.command("revoke")
    def token_revoke(
        name: Annotated[str, typer.Option(help="remove every token issued to this name")],
        data: DataOpt = None,
    ) -> None:
        """Remove a name's tokens; their admin-console sessions end at once."""
        from kg.tokens import revoke_tokens

        with heritage_errors():
            removed = revoke_tokens(load_settings(data).data_dir, name)
            if not removed:
                raise typer.BadParameter(f"no token is issued to {name!r}")
            print(f"{removed} token(s) of {name!r} revoked")

    demo_app = typer.Typer(
        help="The built-in demo collection (30 Korean heritage Works).", no_args_is_help=True
    )
    app.add_typer(demo_app, name="demo")

    @demo_app.command("load")
    def demo_load(data: DataOpt = None) -> None:
        """Load the demo collection (generated images, GLB models, RTI set) into the store."""
        from kg.demo import load_demo

        with heritage_errors():
            ctx = open_context(data)
            try:
                result = load_demo(ctx)
            finally:
                ctx.close()
        print(result)
