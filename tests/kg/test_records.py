"""Record-level behaviour on both backends (embedded and a real SPARQL server): one named graph
per record, the change log, idempotent re-puts, rejects, conflicts and referential deletes."""

from __future__ import annotations

import re

import pytest

from kg.errors import Conflict, NotFound
from kg.records import parse_datestamp


def work(ident: str, title: str = "Moon jar", **extra) -> dict:
    return {"kind": "work", "id": ident, "title": {"en": title}, **extra}


def log_entry(ctx, ident: str) -> dict:
    rows = ctx.store.select(
        f"SELECT ?kind ?d ?del WHERE {{ GRAPH <{ctx.iris.changelog_graph}> {{ "
        f'?s hg:recordId "{ident}" ; hg:recordKind ?kind ; hg:datestamp ?d ; hg:deleted ?del }} }}'
    )
    assert len(rows) == 1, rows
    row = rows[0]
    return {"kind": row["kind"].value, "d": parse_datestamp(row["d"].value), "deleted": row["del"].value}


def test_put_get_one_graph_per_record(backend_ctx) -> None:
    result = backend_ctx.records.put([work("w1", material=["celadon"]), work("w2", "Bell")])
    assert sorted(result.written) == ["w1", "w2"]
    graphs = backend_ctx.store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a hg:Work } } ORDER BY ?g")
    assert [r["g"].value for r in graphs] == [backend_ctx.iris.record_graph(i) for i in ("w1", "w2")]
    got = backend_ctx.records.get("w1", "work")
    assert got["title"]["en"] in ("Moon jar", ["Moon jar"])
    assert all(
        q.graph_name.value == backend_ctx.iris.record_graph("w1") for q in backend_ctx.records.quads("w1")
    )


def test_changelog_and_idempotent_reput(backend_ctx) -> None:
    records = backend_ctx.records
    records.put([work("w1")])
    first = log_entry(backend_ctx, "w1")
    assert first["kind"] == "work" and first["deleted"] == "false"
    raw = backend_ctx.store.select(
        f"SELECT ?d WHERE {{ GRAPH <{backend_ctx.iris.changelog_graph}> {{ ?s hg:datestamp ?d }} }}"
    )[0]["d"]
    assert raw.datatype.value.endswith("#dateTime")
    # written with microseconds; the store keeps the canonical form (trailing zeros dropped)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z", raw.value), raw.value
    again = records.put([work("w1")])
    assert again.written == [] and again.unchanged == ["w1"]
    assert log_entry(backend_ctx, "w1")["d"] == first["d"]
    records.put([work("w1", "Moon jar, renamed")], mode="replace")
    second = log_entry(backend_ctx, "w1")
    assert second["d"] > first["d"]
    assert records.get("w1")["title"]["en"] in ("Moon jar, renamed", ["Moon jar, renamed"])
    records.put([work("w2")])
    assert log_entry(backend_ctx, "w2")["d"] > second["d"]
    stamps = [c.datestamp for c in records.changes()]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_delete_keeps_changelog_entry(backend_ctx) -> None:
    records = backend_ctx.records
    records.put([work("w1")])
    before = log_entry(backend_ctx, "w1")["d"]
    records.delete("w1", "work")
    entry = log_entry(backend_ctx, "w1")
    assert entry["deleted"] == "true" and entry["d"] > before
    assert records.quads("w1") == []
    with pytest.raises(NotFound):
        records.get("w1")
    changes = [c for c in records.changes() if c.id == "w1"]
    assert len(changes) == 1 and changes[0].deleted
    with pytest.raises(NotFound):
        records.delete("w1")


def test_replace_missing_is_not_found(backend_ctx) -> None:
    with pytest.raises(NotFound):
        backend_ctx.records.put([work("nope")], mode="replace")


def test_rejected_record_does_not_stop_valid_ones(backend_ctx) -> None:
    result = backend_ctx.records.put(
        [work("good1"), {"kind": "work", "id": "bad id!", "title": {"en": "x"}}, work("good2")],
        rows=[2, 3, 4],
    )
    assert sorted(result.written) == ["good1", "good2"]
    assert len(result.rejected) == 1 and result.rejected[0].row == 3
    assert backend_ctx.records.exists("good2")


def test_create_duplicate_conflict_and_cross_kind(backend_ctx) -> None:
    records = backend_ctx.records
    records.put([work("w1")], mode="create")
    with pytest.raises(Conflict):
        records.put([work("w1")], mode="create")
    result = records.put([{"kind": "project", "id": "w1", "title": {"en": "P"}}])
    assert result.written == []
    assert "duplicate identifier" in result.rejected[0].reason
    assert records.kind_of("w1") == "work"


def test_instance_without_represents_rejected(backend_ctx) -> None:
    result = backend_ctx.records.put([{"kind": "instance", "id": "i1", "title": {"en": "scan"}}])
    assert result.written == []
    assert "represents" in result.rejected[0].reason
    assert not backend_ctx.records.exists("i1")


def test_referenced_work_cannot_be_deleted(backend_ctx) -> None:
    records = backend_ctx.records
    records.put([work("w1")])
    records.put([{"kind": "instance", "id": "i1", "title": {"en": "scan"}, "represents": "w1"}])
    with pytest.raises(Conflict, match="i1"):
        records.delete("w1", "work")
    assert records.exists("w1")
    records.delete("i1", "instance")
    records.delete("w1", "work")
    assert not records.exists("w1")
