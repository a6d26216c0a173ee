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


# ---- shared descriptions sent once per pipelined session ---------------------------------------
def held_work(ident: str, museum: str = "Seoul Museum") -> dict:
    return {**work(ident), "museum": museum, "creators": ["Kim Hong-do"]}


def museum_described(ctx, museum: str = "Seoul Museum") -> bool:
    return ctx.store.ask(
        f'ASK {{ GRAPH <{ctx.iris.shared_graph}> {{ ?m a hg:Museum ; rdfs:label "{museum}" }} }}'
    )


def _contents(ctx) -> set[str]:
    """Every quad but change-log datestamps (they differ between two ingests by design)."""
    return {str(q) for q in ctx.store.quads() if not q.predicate.value.endswith("#datestamp")}


def test_later_batches_skip_shared_quads_already_sent(ctx, tmp_path, monkeypatch) -> None:
    from kg.context import HeritageContext
    from kg.settings import load_settings
    from kg.store import OxigraphStore

    sent: list[list] = []
    real_extend = ctx.store.extend
    monkeypatch.setattr(ctx.store, "extend", lambda quads: (sent.append(list(quads)), real_extend(quads)))
    with ctx.records.pipelined():
        for i in range(3):
            assert ctx.records.put([held_work(f"w{i}")]).written == [f"w{i}"]
    label = [q for batch in sent for q in batch if q.object.value == "Seoul Museum"]
    assert len(sent) == 3 and len(label) == 1  # described by the first transaction only
    # the same records in one plain batch: the store holds exactly the same quads
    other = HeritageContext.open(load_settings(tmp_path / "other"), store=OxigraphStore())
    try:
        other.records.put([held_work(f"w{i}") for i in range(3)])
        assert _contents(other) == _contents(ctx)
    finally:
        other.close()


def test_failed_write_does_not_make_later_batches_skip_its_quads(ctx, monkeypatch) -> None:
    real_extend = ctx.store.extend
    calls: list[int] = []

    def first_fails(quads) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        real_extend(quads)

    monkeypatch.setattr(ctx.store, "extend", first_fails)
    with ctx.records.pipelined():
        ctx.records.put([held_work("w1")])
        with pytest.raises(OSError, match="disk full"):
            ctx.records.put([held_work("w2")])
        assert ctx.records.put([held_work("w3")]).written == ["w3"]
    assert not ctx.records.exists("w1") and ctx.records.exists("w3")
    assert museum_described(ctx)


def test_delete_mid_session_does_not_make_later_batches_skip(ctx) -> None:
    with ctx.records.pipelined():
        ctx.records.put([held_work("w1")])
        ctx.records.delete("w1")  # the museum's description goes with its last Work
        assert not museum_described(ctx)
        ctx.records.put([held_work("w2")])
    assert museum_described(ctx)
