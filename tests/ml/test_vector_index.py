"""Vector index: exact cosine top-k, upsert/remove, persistence and the HNSW path agree."""

from __future__ import annotations

import numpy as np

from ml.vector_index import VectorIndex


def _data(n=300, d=16, seed=0):
    rng = np.random.default_rng(seed)
    return [f"w{i}" for i in range(n)], rng.normal(size=(n, d)).astype(np.float32)


def test_exact_topk_matches_bruteforce(tmp_path):
    ids, x = _data()
    index = VectorIndex(16, "m")
    index.upsert(ids, x)
    q = x[7] + 0.01
    hits = index.search(q, k=5)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    expected = [ids[i] for i in np.argsort(-(xn @ (q / np.linalg.norm(q))))[:5]]
    assert [h for h, _ in hits] == expected and hits[0][0] == "w7"
    assert [h for h, _ in index.search(x[7], k=3, exclude="w7")][0] != "w7"
    index.save(tmp_path)
    again = VectorIndex.load(tmp_path)
    assert again.search(q, k=5) == hits and again.model_id == "m"


def test_upsert_replaces_and_remove_drops():
    ids, x = _data(10)
    index = VectorIndex(16)
    index.upsert(ids, x)
    index.upsert(["w3"], -x[3:4])
    assert len(index) == 10 and index.search(-x[3], k=1)[0][0] == "w3"
    assert index.remove(["w3", "nope"]) == 1 and "w3" not in [h for h, _ in index.search(x[3], k=10)]


def test_ann_agrees_with_exact():
    ids, x = _data(2000, 32)
    exact, ann = VectorIndex(32), VectorIndex(32, ann_threshold=1000)
    exact.upsert(ids, x)
    ann.upsert(ids, x)
    agree = 0
    for i in range(0, 2000, 100):
        agree += len({h for h, _ in exact.search(x[i], 10)} & {h for h, _ in ann.search(x[i], 10)})
    assert agree / 200 > 0.9
