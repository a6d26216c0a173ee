"""One registry for every background job (upload processing, tile pyramids, index refreshes,
restoration and style transfer): one worker pool, one state table, one listener mechanism.

It lives in ``kg`` because both ``ml`` (restoration jobs) and ``api`` (uploads, HTTP views) use it
and neither may import the other's way. Jobs may run in a *lane* (e.g. ``restoration``) that
bounds how many of its jobs run at once and wait, so a queue of heavy image jobs can neither take
every worker from uploads nor grow without limit."""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kg.errors import Conflict, HeritageError, NotFound

Report = Callable[..., None]  # report(progress: float, message: str = "")
Listener = Callable[["Job"], None]
MAX_EVENTS = 1000  # per job; older events are dropped (their sequence numbers stay absolute)


class TooManyJobs(HeritageError):
    status = 429
    title = "Too many jobs"


@dataclass(frozen=True)
class Lane:
    """Bounds for one family of jobs: ``running`` at once, ``pending`` queued or running (more is
    refused with ``TooManyJobs``), and ``keep`` finished ones kept (with their outputs)."""

    running: int = 1
    pending: int = 8
    keep: int = 50


@dataclass
class Outcome:
    """What a job's work may return instead of a plain result dict: a binary ``output`` (e.g. a
    PNG), ``info`` that replaces the job's parameters, and a final message."""

    result: dict = field(default_factory=dict)
    info: dict | None = None
    output: bytes | None = None
    message: str = ""


Work = Callable[[Report], "dict | Outcome | None"]


@dataclass
class Job:
    id: str
    kind: str
    subject: str
    lane: str = ""
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    result: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: str = ""
    output: bytes | None = field(default=None, repr=False)
    events: list[dict] = field(default_factory=list, repr=False)
    first_seq: int = 0  # sequence number of events[0]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def summary(self) -> dict:
        """The job as ``/api/jobs`` and ``/api/events`` show it (the admin console's table)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "status": self.status,
            "progress": self.progress,
            "message": self.message,
            "result": self.result,
            "created": self.created.isoformat(timespec="seconds"),
            "updated": self.updated,
        }

    def snapshot(self) -> dict:
        """The job as the restoration API shows it (parameters or result ``info``, no subject)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "message": self.message,
            "info": self.info,
            "created": self.created.isoformat(timespec="milliseconds"),
        }


def new_job_id() -> str:
    return uuid.uuid4().hex[:12]


class JobRegistry:
    """Thread-safe; ``workers`` jobs run at once in total, lanes bound their own jobs further."""

    def __init__(self, workers: int = 2, keep: int = 500, lanes: dict[str, Lane] | None = None) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: list[tuple[Job, Work]] = []
        self._running: dict[str, int] = {}  # lane -> running jobs ("" = all)
        self._cond = threading.Condition()
        self._workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hg-job")
        self._keep = keep
        self._lanes: dict[str, Lane] = dict(lanes or {})
        self._listeners: list[Listener] = []
        self._closed = False

    # ---- configuration and listeners -------------------------------------------------------
    def configure_lane(self, name: str, lane: Lane) -> Lane:
        """Register a lane unless one of that name exists; returns the lane in force."""
        with self._cond:
            return self._lanes.setdefault(name, lane)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(job)`` on every state change, with the registry's lock held: keep it
        short and never call back into the registry."""
        with self._cond:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._cond:
            self._listeners = [fn for fn in self._listeners if fn is not listener]

    # ---- submitting and running ------------------------------------------------------------
    def submit(
        self,
        kind: str,
        subject: str,
        work: Work,
        *,
        lane: str = "",
        info: dict | None = None,
        result: dict | None = None,
        job_id: str | None = None,
    ) -> Job:
        """Queue ``work(report)``; returns the job at once. ``info`` describes the job until an
        ``Outcome`` replaces it; ``result`` is shown until the work's result is merged into it."""
        with self._cond:
            bounds = self._lanes.get(lane) if lane else None
            if bounds is not None:
                pending = sum(1 for job in self._jobs.values() if job.lane == lane and not job.finished)
                if pending >= bounds.pending:
                    raise TooManyJobs(f"{pending} {lane} jobs are already queued or running; retry later")
            job = Job(
                job_id or new_job_id(), kind, subject, lane, result=dict(result or {}), info=dict(info or {})
            )
            self._jobs[job.id] = job
            self._event(job)
            self._evict()
            self._queue.append((job, work))
            self._dispatch()
        return job

    def _dispatch(self) -> None:
        # Called with the lock held: start queued jobs, oldest first, while their lane and the
        # pool have room; the pool itself never queues, so a full lane cannot block other jobs.
        for entry in list(self._queue):
            if self._running.get("", 0) >= self._workers or self._closed:
                return
            job = entry[0]
            bounds = self._lanes.get(job.lane) if job.lane else None
            if bounds is not None and self._running.get(job.lane, 0) >= bounds.running:
                continue
            self._queue.remove(entry)
            self._running[""] = self._running.get("", 0) + 1
            self._running[job.lane] = self._running.get(job.lane, 0) + 1
            job.status = "running"
            self._event(job)
            self._pool.submit(self._run, *entry)

    def _run(self, job: Job, work: Work) -> None:
        def report(progress: float, message: str = "") -> None:
            with self._cond:
                job.progress, job.message = max(job.progress, min(1.0, float(progress))), message
                self._event(job)

        try:
            outcome = work(report)
            if not isinstance(outcome, Outcome):
                outcome = Outcome(result=outcome or {})
            with self._cond:
                job.result = {**job.result, **outcome.result}
                if outcome.info is not None:
                    job.info = outcome.info
                job.output, job.status, job.progress = outcome.output, "done", 1.0
                job.message = outcome.message or job.message
                self._finish(job)
        except Exception as exc:  # noqa: BLE001 - a failed job reports, it does not kill the pool
            with self._cond:
                job.status, job.message = "failed", str(exc)
                job.info = {"error": str(exc), "trace": traceback.format_exc(limit=3)[-1000:]}
                self._finish(job)

    def _finish(self, job: Job) -> None:
        # Called with the lock held.
        self._running[""] -= 1
        self._running[job.lane] -= 1
        self._event(job)
        self._evict()
        self._dispatch()

    def _event(self, job: Job) -> None:
        # Called with the lock held: log the change, wake waiters, tell the listeners.
        job.updated = datetime.now(UTC).isoformat(timespec="milliseconds")
        job.events.append({**job.snapshot(), "seq": job.first_seq + len(job.events)})
        if len(job.events) > MAX_EVENTS:
            drop = len(job.events) - MAX_EVENTS // 2
            del job.events[:drop]
            job.first_seq += drop
        self._cond.notify_all()
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:  # noqa: BLE001, S112 - a broken listener must not fail the job
                continue

    def _evict(self) -> None:
        # Oldest finished jobs go first: beyond ``keep`` in all, or beyond their lane's ``keep``.
        finished = [job for job in self._jobs.values() if job.finished]
        for job in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[job.id]
        for name, bounds in self._lanes.items():
            mine = [job for job in self._jobs.values() if job.finished and job.lane == name]
            for job in mine[: max(0, len(mine) - bounds.keep)]:
                del self._jobs[job.id]

    # ---- reading ---------------------------------------------------------------------------
    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every kept job, newest first."""
        with self._cond:
            return list(reversed(self._jobs.values()))

    def job(self, job_id: str, lane: str | None = None) -> Job:
        """The job (in ``lane`` when given); NotFound otherwise."""
        job = self._jobs.get(job_id)
        if job is None or (lane is not None and job.lane != lane):
            raise NotFound(f"no {lane + ' ' if lane else ''}job {job_id!r}")
        return job

    def snapshot(self, job_id: str, lane: str | None = None) -> dict:
        with self._cond:
            return self.job(job_id, lane).snapshot()

    def output(self, job_id: str, lane: str | None = None) -> bytes:
        """The binary output of a finished job; Conflict while it runs or when it failed."""
        with self._cond:
            job = self.job(job_id, lane)
            if job.status != "done" or job.output is None:
                raise Conflict(
                    f"job {job_id} is {job.status}: no result yet"
                    + (f" ({job.message})" if job.message else "")
                )
            return job.output

    def events_after(
        self, job_id: str, seq: int, timeout: float = 1.0, lane: str | None = None
    ) -> tuple[list[dict], bool]:
        """Logged events with a sequence number >= ``seq`` (waiting up to ``timeout`` for one),
        and whether the job has finished."""
        with self._cond:
            job = self.job(job_id, lane)
            if job.first_seq + len(job.events) <= seq and not job.finished:
                self._cond.wait(timeout)
            return list(job.events[max(0, seq - job.first_seq) :]), job.finished

    def wait(self, job_id: str, timeout: float = 60.0) -> dict:
        """Block until the job finishes (tests, CLI); returns its final snapshot."""
        deadline = time.monotonic() + timeout
        with self._cond:
            job = self.job(job_id)
            while not job.finished and time.monotonic() < deadline:
                self._cond.wait(max(0.01, deadline - time.monotonic()))
            return job.snapshot()

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            self._queue.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
