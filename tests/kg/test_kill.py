"""Crash safety: SIGKILL an ingest mid-way, reopen the store, and find only whole records, each
with its change-log entry (and no entry without its graph); then finish the ingest."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.context import HeritageContext
from kg.ingest import ingest_file
from kg.settings import load_settings
from mappings.csv_record import load_mapping, row_to_record
from mappings.record import record_to_quads
from tests.shared_paths import RECORDS_CSV, require_shared

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from kg.context import HeritageContext
    from kg.ingest import ingest_file
    from kg.settings import load_settings

    ctx = HeritageContext.open(load_settings(sys.argv[1], ingest_batch=50))
    done = 0
    def progress(n):
        global done
        done += n
        print(done, flush=True)
    ingest_file(ctx, sys.argv[2], progress=progress)
    print("finished", flush=True)
    """
)


def _kill_mid_ingest(data: Path) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(data), str(RECORDS_CSV)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    done = 0
    deadline = time.monotonic() + 120
    try:
        for line in proc.stdout:
            if line.strip().isdigit():
                done = int(line)
            if done >= 1000 or time.monotonic() > deadline:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    return done


def _canonical(quads: list[ox.Quad]) -> set[ox.Triple]:
    """Triples as the store keeps them (it writes typed literals such as decimals canonically)."""
    scratch = ox.Store()
    scratch.extend(quads)
    return {ox.Triple(q.subject, q.predicate, q.object) for q in scratch}


def test_sigkill_leaves_only_whole_records(tmp_path: Path) -> None:
    require_shared(RECORDS_CSV)
    data = tmp_path / "data"
    reported = _kill_mid_ingest(data)
    assert 1000 <= reported < 6000, "the ingest should have been killed part-way"

    ctx = HeritageContext.open(load_settings(data))
    try:
        iris = ctx.iris
        graphs = {
            iris.record_id_of_graph(r["g"].value)
            for r in ctx.store.select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), '{iris.base}/graph/record/')) }}"
            )
        }
        logged = {c.id for c in ctx.records.changes()}
        assert graphs == logged
        assert reported <= len(graphs) < 6000

        mapping = load_mapping()
        with RECORDS_CSV.open(encoding="utf-8", newline="") as fh:
            rows = {row["id"]: row for row in csv.DictReader(fh) if row["id"] in graphs}
        assert set(rows) == graphs
        for ident, row in rows.items():
            expected = _canonical(record_to_quads(row_to_record(row, mapping), iris, ctx.resolver))
            stored = {ox.Triple(q.subject, q.predicate, q.object) for q in ctx.records.quads(ident)}
            assert stored == expected, ident

        report = ingest_file(ctx, RECORDS_CSV)
        assert report.ingested + report.unchanged == 6000 and not report.rejected
        assert report.unchanged == len(graphs)
        assert len(ctx.records.changes()) == 6000
    finally:
        ctx.close()
