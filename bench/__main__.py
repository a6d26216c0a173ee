"""``python -m bench``: every benchmark that exists, one after another."""

import importlib
import importlib.util

for name in (
    "bench.bench_ingest",
    "bench.bench_sparql",
    "bench.bench_oai",
    "bench.bench_neo4j",
    "bench.bench_ml",
    "bench.bench_restore",
    "bench.bench_style",
    "bench.bench_iiif",
    "bench.bench_pyramid",
    "bench.bench_rti",
):
    if importlib.util.find_spec(name) is not None:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(name).main()
