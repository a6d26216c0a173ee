"""Every write goes through the shapes: a record that breaks one is rejected by name and field,
and nothing of it is stored."""

from __future__ import annotations

from kg.context import HeritageContext
from kg.settings import load_settings


def test_shape_violation_is_rejected_and_nothing_stored(tmp_path) -> None:
    ctx = HeritageContext.open(load_settings(tmp_path))
    try:
        bad_instance = {"kind": "instance", "id": "orphan", "identifier": "orphan", "title": {"en": "x"},
                        "represents": "no-such-work"}  # fmt: skip
        bad_item = {"kind": "item", "id": "f1", "identifier": "f1", "part_of": "orphan", "file_name": "a.png",
                    "sha256": "not-hex"}  # fmt: skip
        result = ctx.records.put([bad_instance, bad_item])
        rejected = {r.id: r for r in result.rejected}
        assert set(rejected) == {"orphan", "f1"}
        assert "orphan" in rejected["orphan"].reason and "represents" in rejected["orphan"].reason
        assert {v["field"] for v in rejected["f1"].violations} == {"sha256"}
        graphs = ctx.store.count(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/graph/record/')) }"
        )
        assert graphs == 0
    finally:
        ctx.close()
