"""The one job registry (``kg.jobs``): failures are reported without stopping other jobs, lanes
bound their own jobs without blocking the rest, listeners and the event log see every change."""

from __future__ import annotations

import threading

import pytest

from kg.errors import Conflict, NotFound
from kg.jobs import JobRegistry, Lane, Outcome, TooManyJobs


@pytest.fixture
def registry():
    jobs = JobRegistry(workers=1, lanes={"heavy": Lane(running=1, pending=2, keep=1)})
    yield jobs
    jobs.shutdown()


def test_a_failing_job_is_failed_and_the_next_one_runs(registry) -> None:
    def boom(report):
        report(0.5, "half way")
        raise ValueError("the scan is unreadable")

    bad = registry.submit("process-upload", "item-1", boom)
    good = registry.submit("process-upload", "item-2", lambda report: {"format": "png"})
    assert registry.wait(bad.id, 10)["status"] == "failed"
    assert registry.wait(good.id, 10)["status"] == "done"
    failed = registry.job(bad.id).summary()
    assert failed["message"] == "the scan is unreadable" and failed["result"] == {}
    assert "ValueError" in registry.job(bad.id).info["trace"]
    assert registry.job(good.id).summary()["result"] == {"format": "png"}
    with pytest.raises(Conflict):
        registry.output(bad.id)


def test_a_full_lane_does_not_hold_up_other_jobs(registry) -> None:
    gate = threading.Event()
    heavy = registry.submit("restore", "telea", lambda report: gate.wait(10) and {}, lane="heavy")
    waiting = registry.submit("restore", "telea", lambda report: {}, lane="heavy")
    with pytest.raises(TooManyJobs):
        registry.submit("restore", "telea", lambda report: {}, lane="heavy")
    # The only worker is busy with the heavy job, so the light job waits for the worker, not the
    # lane; once the gate opens, both the light job and the waiting heavy job run.
    light = registry.submit("refresh-indexes", "vectors", lambda report: {"ok": True})
    assert registry.job(waiting.id).status == "queued"
    gate.set()
    for job in (heavy, waiting, light):
        assert registry.wait(job.id, 10)["status"] == "done"
    # keep=1 in the lane: the older finished heavy job is evicted, the light one stays.
    assert [job.id for job in registry.all()] == [light.id, waiting.id]
    with pytest.raises(NotFound):
        registry.job(heavy.id)


def test_lane_running_limit_lets_other_jobs_pass() -> None:
    registry = JobRegistry(workers=2, lanes={"heavy": Lane(running=1, pending=4)})
    gate = threading.Event()
    try:
        first = registry.submit("style", "gatys", lambda report: gate.wait(10) and {}, lane="heavy")
        second = registry.submit("style", "gatys", lambda report: {}, lane="heavy")
        light = registry.submit("process-upload", "item-1", lambda report: {})
        # The second worker is free but the lane allows one running job: the upload gets it.
        assert registry.wait(light.id, 10)["status"] == "done"
        assert registry.job(second.id).status == "queued"
        gate.set()
        assert registry.wait(first.id, 10)["status"] == "done"
        assert registry.wait(second.id, 10)["status"] == "done"
    finally:
        registry.shutdown()


def test_listeners_and_event_log_follow_every_change(registry) -> None:
    seen: list[tuple[str, str]] = []
    registry.add_listener(lambda job: seen.append((job.id, job.status)))

    def work(report):
        report(0.25, "reading")
        return Outcome(result={"url": "/x"}, info={"method": "m"}, output=b"PNG", message="made")

    job = registry.submit("restore", "m", work, info={"method": "auto"}, result={"status_url": "/s"})
    registry.wait(job.id, 10)
    statuses = [status for job_id, status in seen if job_id == job.id]
    assert statuses[0] == "queued" and statuses[-1] == "done" and "running" in statuses
    events, finished = registry.events_after(job.id, 0)
    assert finished and [e["seq"] for e in events] == list(range(len(events)))
    assert events[-1]["info"] == {"method": "m"} and events[-1]["message"] == "made"
    assert registry.output(job.id) == b"PNG"
    assert registry.job(job.id).summary()["result"] == {"status_url": "/s", "url": "/x"}
    with pytest.raises(NotFound):
        registry.snapshot(job.id, lane="heavy")
