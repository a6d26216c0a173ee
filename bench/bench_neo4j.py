"""Benchmark the property-graph projection: full rebuild of the 6,000-record store and an
incremental sync of 100 changed records, against a real FalkorDB process (native protocol).

    .venv/bin/python -m bench.bench_neo4j [--data DIR] [--uri falkordb://host:port]

The store is built with the lead's ``kg.ingest.ingest_file`` from ``../shared/data/heritage/
records.csv`` (kept in ``--data`` between runs); without ``--uri`` a FalkorDB is started here.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg.context import HeritageContext
from kg.graph_transport import open_transport
from kg.neo4j_sync import CHECKPOINT_FILE, GraphSync
from kg.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO.parent / "shared" / "data" / "heritage" / "records.csv"


def _store(data: Path) -> HeritageContext:
    ctx = HeritageContext.open(load_settings(data, validate_writes=False))
    if ctx.records.count("work") == 0:
        from kg.ingest import ingest_file

        t = time.perf_counter()
        report = ingest_file(ctx, RECORDS)
        print(f"ingested {RECORDS.name}: {report.summary()} in {time.perf_counter() - t:.1f}s")
    return ctx


def _touch(ctx: HeritageContext, n: int) -> None:
    """Change ``n`` works (a new English title), each a real write through the record store."""
    changes = ctx.records.changes(kind="work")[:n]
    records = []
    for change in changes:
        rec = ctx.records.get(change.id)
        rec["title"] = {
            **rec.get("title", {}),
            "en": f"{rec.get('title', {}).get('en', '')} (rev {time.time():.0f})",
        }
        records.append(rec)
    result = ctx.records.put(records)
    print(f"changed {len(result.written)} works (rejected {len(result.rejected)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / ".data-bench-neo4j")
    parser.add_argument("--uri", default=None)
    args = parser.parse_args()
    server = None
    if args.uri is None:
        from tests.kg.graph_server import start_falkordb

        server = start_falkordb(Path(tempfile.mkdtemp(prefix="bench-falkordb-")))
        args.uri = server.native_uri
    ctx = _store(args.data)
    try:
        transport = open_transport(args.uri, database="bench")
        sync = GraphSync(ctx.store, ctx.iris, transport, args.data / CHECKPOINT_FILE)
        t = time.perf_counter()
        report = sync.rebuild()
        dt = time.perf_counter() - t
        w = report.write_seconds
        print(
            f"rebuild: {report.records} graphs, {report.nodes} nodes, {report.edges} relationships in {dt:.2f}s "
            f"= {report.nodes / dt:,.0f} nodes/s, {report.edges / dt:,.0f} relationships/s end to end"
        )
        print(f"  reading + projecting the store: {report.read_seconds:.2f}s; writing to the server: {w:.2f}s "
              f"= {report.nodes / w:,.0f} nodes/s, {report.edges / w:,.0f} relationships/s")  # fmt: skip
        check = sync.check()
        print(f"check after rebuild: {'ok' if check.ok else check.mismatches}")
        _touch(ctx, 100)
        t = time.perf_counter()
        report = sync.sync()
        dt = time.perf_counter() - t
        print(f"incremental sync: {report.records} records, {report.nodes} nodes, {report.edges} relationships "
              f"in {dt:.2f}s")  # fmt: skip
        check = sync.check()
        print(f"check after sync: {'ok' if check.ok else check.mismatches}")
        transport.close()
    finally:
        ctx.close()
        if server is not None:
            from tests.kg.graph_server import stop_falkordb

            stop_falkordb(server)


if __name__ == "__main__":
    main()
