"""Image query latency: real MobileNetV2 encode of a query image + search in a 10,000-vector index
+ map projection + neighbour label vote. ``python -m bench.bench_ml`` prints JSON timings (ms)."""

from __future__ import annotations

import io
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ml.encoders import MobileNetEncoder
from ml.explorer import vote
from ml.image_index import pca_map, project
from ml.image_io import load_rgb
from ml.vector_index import VectorIndex

N, DIM, K, REPEATS = 10_000, 1280, 10, 20


def main() -> dict:
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    ids = [f"w{i}" for i in range(N)]
    index = VectorIndex(DIM, "synthetic")
    index.upsert(ids, np.abs(rng.normal(size=(N, DIM))).astype(np.float32))
    labels = {i: {"material": [f"m{int(j) % 12}"], "era": [f"e{int(j) % 20}"]} for j, i in enumerate(ids)}
    tmp = Path(tempfile.mkdtemp())
    pm = pca_map(index, tmp)  # built once and cached, as in the service
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)).save(buf, "JPEG")
    data = buf.getvalue()
    encoder = MobileNetEncoder()
    encoder.encode([load_rgb(data)])  # warm-up
    encode_ms, search_ms, total_ms = [], [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        vec = encoder.encode([load_rgb(data)])[0]
        t1 = time.perf_counter()
        hits = index.search(vec, K)
        project(pm, vec)
        vote(hits, labels)
        t2 = time.perf_counter()
        encode_ms.append((t1 - t0) * 1000)
        search_ms.append((t2 - t1) * 1000)
        total_ms.append((t2 - t0) * 1000)
    result = {
        "vectors": N,
        "dim": DIM,
        "k": K,
        "threads": torch.get_num_threads(),
        "encode_ms_median": round(statistics.median(encode_ms), 1),
        "search_map_vote_ms_median": round(statistics.median(search_ms), 2),
        "total_ms_median": round(statistics.median(total_ms), 1),
        "total_ms_p95": round(sorted(total_ms)[int(0.95 * REPEATS) - 1], 1),
        "goal_ms": 300,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
