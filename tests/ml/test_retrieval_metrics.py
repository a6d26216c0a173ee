"""Retrieval metrics of similarity runs: mean average precision@k, not only precision@k, checked
against rankings worked out by hand."""

from __future__ import annotations

import pytest

from ml.predict import average_precision, retrieval_metrics


def test_average_precision_by_hand():
    # relevant at ranks 1 and 3 of 5, three relevant items exist: (1/1 + 2/3) / 3
    assert average_precision([True, False, True, False, False], 3) == pytest.approx(5 / 9)
    # ranks 2 and 3, two relevant exist: (1/2 + 2/3) / 2
    assert average_precision([False, True, True], 2) == pytest.approx(7 / 12)
    # five relevant exist but the list holds three, all relevant: a perfect AP@3
    assert average_precision([True, True, True], 5) == 1.0
    assert average_precision([False, False], 1) == 0.0
    assert average_precision([], 3) == 0.0
    # same precision@3 (1/3), different order: AP rewards the relevant item ranked first
    assert average_precision([True, False, False], 1) > average_precision([False, False, True], 1)


def test_retrieval_metrics_over_ranked_lists():
    labels = {"a": {"gold"}, "b": {"gold"}, "c": {"bronze"}, "d": {"gold", "bronze"}, "e": set()}
    lists = {
        "a": ["c", "b", "d"],  # relevant at 2, 3; findable b, d -> (1/2 + 2/3) / 2 = 7/12; P = 2/3
        "b": ["a", "d", "c"],  # relevant at 1, 2 -> (1 + 1) / 2 = 1; P = 2/3
        "c": ["a", "b", "d"],  # relevant at 3; findable d -> (1/3) / 1 = 1/3; P = 1/3
        "e": ["a", "b", "c"],  # no label: not counted
    }
    out = retrieval_metrics(lists, labels, list(labels), "material")
    assert out["material_map_at_k"] == pytest.approx((7 / 12 + 1 + 1 / 3) / 3, abs=1e-4)
    assert out["material_precision_at_k"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3, abs=1e-4)
    assert retrieval_metrics({"e": ["a"]}, labels, list(labels), "era") == {}


def test_similarity_run_names_both_metrics_in_its_provenance(mlctx):
    """A run over a hand-made 2-d index (k=2). Curated: w00/w01 ceramic, w10/w11 metal. Lists:
    w00 -> w10, w11 (AP 0, P 0); w10 -> w00, w11 (AP 1/2, P 1/2); w01 -> w00, w10 (AP 1, P 1/2);
    w11 -> w10, w00 (AP 1, P 1/2): mAP 0.625, precision 0.375."""
    import numpy as np

    from kg.runs import list_runs
    from ml.predict import similarity_run
    from ml.vector_index import VectorIndex

    index = VectorIndex(2, "hand-made")
    vectors = {"w00": [1.0, 0.1], "w10": [1.0, 0.0], "w01": [0.0, 1.0], "w11": [0.9, -0.5]}
    index.upsert(list(vectors), np.array(list(vectors.values()), dtype=np.float32))
    run_id, _ = similarity_run(mlctx, index, k=2)
    [run] = [r for r in list_runs(mlctx.store) if r["run_id"] == run_id]
    assert run["metrics"]["material_map_at_k"] == 0.625
    assert run["metrics"]["material_precision_at_k"] == 0.375
