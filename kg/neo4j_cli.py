"""``heritage neo4j sync|rebuild|check``: the property-graph read model from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.cli import DataOpt, fail, heritage_errors, open_context

out = Console()
UriOpt = Annotated[str | None, typer.Option("--uri", help="bolt://, neo4j:// or falkordb://host:port "
                                                         "(default: settings.neo4j_uri)")]  # fmt: skip


def _open(data: Path | None, uri: str | None, **options):
    """Context + GraphSync for the configured (or given) graph server (``options``: GraphSync's
    ``reader`` and ``fast``)."""
    from kg.graph_transport import open_transport
    from kg.neo4j_sync import CHECKPOINT_FILE, GraphSync

    ctx = open_context(data)
    s = ctx.settings
    target = uri or s.neo4j_uri
    if not target:
        ctx.close()
        fail("no graph server configured: set HERITAGE_NEO4J_URI (or pass --uri)")
    try:
        transport = open_transport(target, s.neo4j_user, s.neo4j_password, s.neo4j_database)
    except Exception:
        ctx.close()
        raise
    return ctx, GraphSync(ctx.store, ctx.iris, transport, s.data_dir / CHECKPOINT_FILE, **options)


def _report(report) -> None:
    out.print(
        f"{report.records} records, {report.deleted} deleted, {report.runs} runs: {report.nodes} nodes and "
        f"{report.edges} relationships written in {report.seconds:.2f}s (checkpoint {report.checkpoint})"
    )


def register(app: typer.Typer) -> None:
    neo = typer.Typer(help="Project the knowledge graph into Neo4j / Memgraph / FalkorDB (a read model).",
                      no_args_is_help=True)  # fmt: skip
    app.add_typer(neo, name="neo4j")

    @neo.command()
    def sync(data: DataOpt = None, uri: UriOpt = None) -> None:
        """Incremental sync from the change log since the last checkpoint (first time: rebuild)."""
        with heritage_errors():
            ctx, gs = _open(data, uri)
            try:
                with out.status("syncing..."):
                    _report(gs.sync())
            finally:
                gs.transport.close()
                ctx.close()

    @neo.command()
    def rebuild(
        data: DataOpt = None,
        uri: UriOpt = None,
        reader: Annotated[
            str, typer.Option(help="auto, quads or tsv (SELECTs serialised by the store)")
        ] = "auto",
        bulk: Annotated[bool, typer.Option(help="FalkorDB: load by GRAPH.BULK (--no-bulk: Cypher)")] = True,
    ) -> None:
        """Drop the projected graph and reload everything from the store."""
        if reader not in ("auto", "quads", "tsv"):
            fail(f"--reader must be auto, quads or tsv, not {reader!r}")
        with heritage_errors():
            ctx, gs = _open(data, uri, reader=reader, fast=bulk)
            try:
                with out.status("rebuilding..."):
                    _report(gs.rebuild())
            finally:
                gs.transport.close()
                ctx.close()

    @neo.command()
    def check(data: DataOpt = None, uri: UriOpt = None) -> None:
        """Compare node / relationship counts with SPARQL counts; exit 1 on a mismatch."""
        with heritage_errors():
            ctx, gs = _open(data, uri)
            try:
                report = gs.check()
            finally:
                gs.transport.close()
                ctx.close()
            for key in sorted(set(report.expected) | set(report.actual)):
                e, a = report.expected.get(key, 0), report.actual.get(key, 0)
                mark = "ok" if e == a else "MISMATCH"
                out.print(f"{key:<20} store {e:>8}  graph {a:>8}  {mark}", highlight=False)
            if not report.ok:
                fail(f"{len(report.mismatches)} counts differ; run `heritage neo4j sync` or `rebuild`")
