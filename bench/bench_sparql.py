"""SPARQL benchmark: the shared 6,000 records ingested once into a temporary on-disk store, then a
handful of realistic queries timed through ``/sparql`` on a real uvicorn server (httpx client,
JSON or N-Triples results) against the same query on bare pyoxigraph in the same run (query plus
Oxigraph's own serializer into memory: what any endpoint must at least do). Goal: ratio <= 1.2
for queries that take over 10 ms.

    python -m bench.bench_sparql [--csv PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "data" / "heritage" / "records.csv"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

# name -> (query, Accept); "@name" is sparql/name.rq; {era} and {work} are filled from the store
QUERIES: dict[str, tuple[str, str]] = {
    "works per era (stored)": ("@works_by_era", JSON),
    "works per material (stored)": ("@works_by_material", JSON),
    "facet: materials in an era": (
        "SELECT ?m (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a hg:Work ; hg:era <{era}> ; "
        'hg:material ?m OPTIONAL { ?m skos:prefLabel ?l FILTER(lang(?l) = "en") } } GROUP BY ?m ORDER BY DESC(?n)',
        JSON,
    ),
    "text filter on titles": (
        'SELECT ?w ?t WHERE { ?w a hg:Work ; hg:title ?t FILTER(CONTAINS(LCASE(STR(?t)), "bowl")) }',
        JSON,
    ),
    "list: every work and title": ("SELECT ?w ?t WHERE { ?w a hg:Work ; hg:title ?t }", JSON),
    "DESCRIBE one work": ("DESCRIBE <{work}>", NTRIPLES),
    "CONSTRUCT titles": ("CONSTRUCT { ?w hg:title ?t } WHERE { ?w a hg:Work ; hg:title ?t }", NTRIPLES),
}


def bare(store: ox.Store, query: str, accept: str, prefixes: dict[str, str]) -> bytes:
    """The baseline: pyoxigraph's query and its own serializer, no HTTP."""
    result = store.query(query, prefixes=prefixes, use_default_graph_as_union=True)
    out = io.BytesIO()
    if isinstance(result, ox.QueryTriples):
        result.serialize(out, ox.RdfFormat.N_TRIPLES)
    else:
        result.serialize(out, ox.QueryResultsFormat.JSON)
    return out.getvalue()


def timed_interleaved(fns: list, runs: int) -> tuple[list[float], list[bytes]]:
    """Median seconds of each callable over ``runs``, interleaved (a, b, c, a, b, c, ...) after
    one warm-up each, so load from other work on the machine hits them alike."""
    outs = [fn() for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            outs[i] = fn()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times], outs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)  # None: the command line (python -m bench.bench_sparql --runs 5)
    if not args.csv.is_file():
        print(f"skipped: {args.csv} is absent (pass --csv PATH)")
        return
    from api.app import create_app
    from kg.context import HeritageContext
    from kg.ingest import ingest_file
    from kg.namespaces import PREFIXES
    from kg.settings import load_settings
    from sparql import queries
    from sparql.execute import execute
    from tests.api.w3c.live import live_server

    tmp = Path(tempfile.mkdtemp(prefix="hg-bench-sparql-"))
    try:
        ctx = HeritageContext.open(load_settings(tmp, sparql_result_cap=10**7, sparql_timeout_s=120))
        t0 = time.perf_counter()
        report = ingest_file(ctx, args.csv)
        print(f"ingested {report.ingested + report.unchanged} records in {time.perf_counter() - t0:.1f} s")
        era = ctx.store.select(
            "SELECT ?e (COUNT(?w) AS ?n) WHERE { ?w hg:era ?e } GROUP BY ?e ORDER BY DESC(?n) LIMIT 1"
        )
        work = ctx.store.select("SELECT ?w WHERE { ?w a hg:Work } LIMIT 1")
        names = {"era": era[0]["e"].value, "work": work[0]["w"].value}
        raw = ctx.store._store  # the same pyoxigraph Store the server uses
        rows = []
        with live_server(create_app(ctx.settings, ctx=ctx)) as base, httpx.Client(base_url=base) as http:
            for name, (template, accept) in QUERIES.items():
                if template.startswith("@"):
                    template = queries.load(template[1:])
                query = template.replace("{era}", names["era"]).replace("{work}", names["work"])

                def over_http(query=query, accept=accept) -> bytes:
                    response = http.post("/sparql", data={"query": query}, headers={"Accept": accept})
                    response.raise_for_status()
                    return response.content

                def baseline(query=query, accept=accept) -> bytes:
                    return bare(raw, query, accept, PREFIXES)

                def in_process(query=query, accept=accept) -> bytes:
                    return execute(ctx, query, accept).body

                medians, (body_bare, _b, body_http) = timed_interleaved(
                    [baseline, in_process, over_http], args.runs
                )
                rows.append((name, *medians, len(body_bare), len(body_http)))
        ctx.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("\nmedian latency; execute() = the endpoint's code without HTTP; ratio = /sparql / pyoxigraph")
    print(
        f"{'query':30} {'pyoxigraph':>10} {'execute()':>10} {'/sparql':>9} {'ratio':>6} {'bytes':>10}  goal"
    )
    for name, t_bare, t_exec, t_http, size_bare, size_http in rows:
        ratio = t_http / t_bare
        goal = ("ok" if ratio <= 1.2 else "MISSED") if t_bare > 0.010 else "(under 10 ms: no goal)"
        print(
            f"{name:30} {t_bare * 1e3:8.1f}ms {t_exec * 1e3:8.1f}ms {t_http * 1e3:7.1f}ms {ratio:6.2f} "
            f"{size_http:10,d}  {goal}"
        )
        if abs(size_http - size_bare) > max(64, size_bare // 10):
            print(f"{'':32} note: response {size_http:,d} bytes vs baseline {size_bare:,d}")


if __name__ == "__main__":
    main()
