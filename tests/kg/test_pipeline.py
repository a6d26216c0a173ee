"""Pipelined ingest writes (``RecordStore.pipelined``): while one batch commits in the background,
the next batch's checks must see the store as it will be once that batch is committed."""

from __future__ import annotations

import threading

import pytest


def work(ident: str, title: str = "Moon jar") -> dict:
    return {"kind": "work", "id": ident, "title": {"en": title}}


def instance(ident: str, represents: str) -> dict:
    return {"kind": "instance", "id": ident, "title": {"en": "scan"}, "represents": represents}


def test_link_to_missing_work_is_rejected(ctx) -> None:
    """The check the pipelined case relies on: an Instance must represent a typed Work."""
    result = ctx.records.put([instance("i0", "nowhere")])
    assert result.written == [] and result.rejected


def test_next_batch_sees_in_flight_batch(ctx, monkeypatch) -> None:
    records = ctx.records
    gate = threading.Event()
    real_extend = ctx.store.extend

    def held_extend(quads) -> None:  # keep the first batch in flight until the gate opens
        gate.wait(10)
        real_extend(quads)

    monkeypatch.setattr(ctx.store, "extend", held_extend)
    with records.pipelined():
        assert records.put([work("w1")]).written == ["w1"]
        # w1 is still committing (the gate opens in 0.5 s, after i1 is validated): the link
        # target's type must come from the in-flight quads
        threading.Timer(0.5, gate.set).start()
        second = records.put([instance("i1", "w1")])
        assert second.written == ["i1"], second.rejected
        # the same id as the in-flight batch: waits for it, then replaces (not a duplicate insert)
        third = records.put([work("w1", "Bell")])
        assert third.written == ["w1"]
    assert records.get("w1", "work")["title"]["en"] in ("Bell", ["Bell"])
    assert records.kind_of("i1") == "instance"
    texts = {q.object.value for q in records.quads("w1")}
    assert "Bell" in texts and "Moon jar" not in texts  # replaced whole, not merged
    # entailed types were written with the inserts
    assert ctx.store.ask(f"ASK {{ <{ctx.iris.entity('work', 'w1')}> a crm:E22_Human-Made_Object }}")


def test_progress_only_after_commit(ctx) -> None:
    records = ctx.records
    seen: list[bool] = []
    with records.pipelined():
        records.put([work("w1")])
        records.after_commit(
            lambda: seen.append(
                ctx.store.ask(f"ASK {{ GRAPH <{ctx.iris.record_graph('w1')}> {{ ?s ?p ?o }} }}")
            )
        )
        assert seen == []  # the write may be in flight: not reported yet
    assert seen == [True]  # reported once it was committed
    records.after_commit(lambda: seen.append(False))
    assert seen == [True, False]  # nothing in flight: runs at once


def test_failed_background_write_raises(ctx, monkeypatch) -> None:
    def broken(quads) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ctx.store, "extend", broken)
    with pytest.raises(OSError, match="disk full"), ctx.records.pipelined():
        ctx.records.put([work("w1")])
    assert not ctx.records.exists("w1")
