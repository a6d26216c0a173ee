"""OAI-PMH benchmark: a full ``ListRecords`` harvest in EDM of the shared 6,000-record store through
a real server (``heritage serve`` in its own process) with the standard client ``sickle``, beside baselines measured in the
same run: the EDM crosswalk alone (store reads + rendering, no HTTP, no envelope) and a
``ListIdentifiers`` harvest (HTTP and paging, no metadata).

Wall-clock rates on a shared machine measure the neighbours as much as the code, so the server
process's own CPU time is reported too (records per CPU-second, from /proc): on an idle machine
the harvest's wall time approaches the larger of the server's and the client's CPU times.

    python -m bench.bench_oai [--csv PATH] [--page-size N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "data" / "heritage" / "records.csv"


def harvest(url: str, verb: str) -> tuple[int, float]:
    """(records, seconds) for one complete list through sickle."""
    from sickle import Sickle

    t0 = time.perf_counter()
    client = Sickle(url, max_retries=0)
    items = client.ListRecords if verb == "ListRecords" else client.ListIdentifiers
    n = sum(1 for _ in items(metadataPrefix="edm", ignore_deleted=False))
    return n, time.perf_counter() - t0


@contextmanager
def serve(data: Path, page_size: int | None) -> Iterator[tuple[str, int]]:
    """``heritage serve`` in its own process (as a deployment runs it); yields the /oai URL."""
    import httpx

    from tests.api.w3c.live import free_port

    port = free_port()
    env = {**os.environ, **({"HERITAGE_OAI_PAGE_SIZE": str(page_size)} if page_size else {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "heritage", "serve", "--data", str(data), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/oai"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, params={"verb": "Identify"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("heritage serve did not start")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to report rates that a loaded machine
    does not distort the way it distorts wall-clock time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--page-size", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"skipped: {args.csv} is absent (pass --csv PATH)")
        return
    from kg.context import HeritageContext
    from kg.ingest import ingest_file
    from kg.oai_repo import OaiRepository
    from kg.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="hg-bench-oai-"))
    try:
        settings = load_settings(tmp, oai_page_size=args.page_size)
        ctx = HeritageContext.open(settings)
        report = ingest_file(ctx, args.csv)
        repo = OaiRepository(ctx.store, ctx.iris)
        ids = [h.id for h in repo.index().headers if not h.deleted]
        page = settings.oai_page_size
        t0, c0 = time.perf_counter(), time.process_time()
        for start in range(0, len(ids), page):
            repo.items(ids[start : start + page], "edm")
        crosswalk, crosswalk_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx.close()
        print(f"records in store      : {report.ingested + report.unchanged}")
        print(f"page size             : {page}")

        with serve(tmp, args.page_size) as (url, pid):
            n_ids, t_ids = harvest(url, "ListIdentifiers")
            c0, s0 = time.process_time(), cpu_seconds(pid)
            n_rec, t_rec = harvest(url, "ListRecords")
            client_cpu, server_cpu = time.process_time() - c0, cpu_seconds(pid) - s0
            n_warm, t_warm = harvest(url, "ListRecords")  # again: rendered EDM now cached

        rate = n_rec / t_rec
        base_rate = len(ids) / crosswalk
        print(
            f"EDM crosswalk, no HTTP: {len(ids)} records in {crosswalk:.2f} s -> {base_rate:,.0f} records/s"
        )
        print(f"ListIdentifiers (HTTP): {n_ids} headers in {t_ids:.2f} s -> {n_ids / t_ids:,.0f} headers/s")
        print(
            f"ListRecords edm (HTTP): {n_rec} records in {t_rec:.2f} s -> {rate:,.0f} records/s "
            f"(goal >= 1,000) {'OK' if rate >= 1000 else 'MISSED'}"
        )
        print(
            f"ListRecords again     : {n_warm} records in {t_warm:.2f} s -> {n_warm / t_warm:,.0f} records/s "
            "(unchanged Works served from the server's rendered-EDM cache)"
        )
        print(f"ratio harvest / crosswalk (wall): {rate / base_rate:.2f}")
        print(f"load average (1 min)  : {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        server_rate = n_rec / server_cpu
        print(
            f"CPU: crosswalk {crosswalk_cpu:.2f} s ({len(ids) / crosswalk_cpu:,.0f} records/CPU-s); "
            f"harvest server {server_cpu:.2f} s ({server_rate:,.0f} records/CPU-s, goal >= 1,000 "
            f"{'OK' if server_rate >= 1000 else 'MISSED'}); sickle client {client_cpu:.2f} s"
        )
        print(f"ratio server / crosswalk (CPU): {server_rate / (len(ids) / crosswalk_cpu):.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
