"""Ingest benchmark: the shared 6,000 records through ``heritage ingest`` (mapping, concept
resolution, validation, one transaction per batch, change log), against a baseline in the same
run: pyoxigraph's non-transactional ``bulk_load`` of the same quads (the store's raw speed).

    python -m bench.bench_ingest [--csv PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "data" / "heritage" / "records.csv"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args(argv or [])
    if not args.csv.is_file():
        print(f"skipped: {args.csv} is absent (pass --csv PATH)")
        return
    from kg.context import HeritageContext
    from kg.dump import dump_bytes
    from kg.ingest import ingest_file
    from kg.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="hg-bench-"))
    try:
        ctx = HeritageContext.open(load_settings(tmp / "a"))
        load_before = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        report = ingest_file(ctx, args.csv)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = report.ingested + report.unchanged
        t0 = time.perf_counter()
        again = ingest_file(ctx, args.csv)
        reingest = time.perf_counter() - t0
        triples = ctx.store.triple_count()
        nquads = dump_bytes(ctx.store, "nquads")
        ctx.close()
        size = dir_size(tmp / "a" / "store")

        raw = ox.Store(str(tmp / "b"))
        t0 = time.perf_counter()
        raw.bulk_load(nquads, ox.RdfFormat.N_QUADS)
        raw.flush()
        baseline = time.perf_counter() - t0

        print(f"records ingested      : {n} ({len(report.rejected)} rejected)")
        print(f"ingest time           : {elapsed:.2f} s  -> {n / elapsed:,.0f} records/s (goal >= 1,000)")
        print(f"ingest CPU            : {cpu:.2f} s (all threads) -> {n / cpu:,.0f} records/CPU-s")
        print(
            f"re-ingest (idempotent): {reingest:.2f} s  -> {n / reingest:,.0f} records/s, {again.ingested} rewritten"
        )
        print(f"quads in store        : {triples:,}")
        print(f"store size on disk    : {size / 1e6:.1f} MB")
        print(
            f"baseline bulk_load    : {baseline:.2f} s  -> {n / baseline:,.0f} records/s (raw store, no checks)"
        )
        print(f"ratio ingest/baseline : {elapsed / baseline:.1f}x the time of a raw bulk load")
        print(f"load average          : {load_before:.1f} before the ingest (2 cores shared)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
