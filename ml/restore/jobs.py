"""Restoration and style jobs: run in a small thread pool (bounded concurrency) with a bounded
queue, report progress as events that an SSE stream can follow, and keep the PNG result in memory
until it is evicted (oldest finished jobs first)."""

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

import numpy as np

from kg.errors import Conflict, HeritageError, NotFound
from ml.restore.io import to_png_bytes

Work = Callable[[Callable[[float], None]], tuple[np.ndarray, dict]]
Listener = Callable[[dict], None]


class TooManyJobs(HeritageError):
    status = 429
    title = "Too many jobs"


@dataclass
class Job:
    id: str
    kind: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    info: dict = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))
    result: bytes | None = None
    events: list[dict] = field(default_factory=list)

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "message": self.message,
            "info": self.info,
            "created": self.created,
        }

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class JobRegistry:
    """Thread-safe registry; ``workers`` jobs run at once, at most ``max_pending`` wait or run."""

    def __init__(self, workers: int = 1, max_pending: int = 8, keep: int = 50) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._cond = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hg-restore")
        self._max_pending = max_pending
        self._keep = keep
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(snapshot)`` on every state change (the app's job list follows these)."""
        self._listeners.append(listener)

    def submit(self, kind: str, work: Work, info: dict | None = None) -> str:
        """Queue ``work(progress)`` (returning the image and info); returns the job id at once.
        ``info`` describes the job until its own result info replaces it."""
        with self._cond:
            pending = sum(1 for job in self._jobs.values() if not job.finished)
            if pending >= self._max_pending:
                raise TooManyJobs(f"{pending} restoration jobs are already queued or running; retry later")
            job = Job(id=uuid.uuid4().hex[:16], kind=kind, info=dict(info or {}))
            self._jobs[job.id] = job
            self._event(job)
            self._evict()
        self._pool.submit(self._run, job, work)
        return job.id

    def _event(self, job: Job) -> None:
        # Called with the condition held.
        event = {**job.snapshot(), "seq": len(job.events)}
        job.events.append(event)
        self._cond.notify_all()
        for listener in self._listeners:
            listener(event)

    def _evict(self) -> None:
        finished = [key for key, job in self._jobs.items() if job.finished]
        for key in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[key]

    def _run(self, job: Job, work: Work) -> None:
        last = [0.0]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            # Throttle: at most ~10 events a second, plus every 5% step.
            if now - last[0] < 0.1 and fraction < 1.0:
                return
            last[0] = now
            with self._cond:
                job.progress = max(job.progress, min(1.0, float(fraction)))
                self._event(job)

        with self._cond:
            job.status = "running"
            self._event(job)
        try:
            image, info = work(progress)
            data = to_png_bytes(image)
            with self._cond:
                job.result, job.info, job.progress, job.status = data, info, 1.0, "done"
                job.message = f"{image.shape[1]}x{image.shape[0]} PNG, {len(data)} bytes"
                self._event(job)
        except Exception as exc:  # noqa: BLE001 - a job's failure is reported, never raised in the pool
            detail = exc.detail if isinstance(exc, HeritageError) else f"{type(exc).__name__}: {exc}"
            with self._cond:
                job.status, job.message = "failed", detail
                job.info = {"error": detail, "trace": traceback.format_exc(limit=3)[-1000:]}
                self._event(job)

    def get(self, job_id: str) -> dict:
        with self._cond:
            return self._job(job_id).snapshot()

    def _job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no restoration job {job_id!r}")
        return job

    def result(self, job_id: str) -> bytes:
        """The PNG of a finished job; Conflict while it is still running or when it failed."""
        with self._cond:
            job = self._job(job_id)
            if job.status != "done" or job.result is None:
                raise Conflict(
                    f"job {job_id} is {job.status}: no result yet"
                    + (f" ({job.message})" if job.message else "")
                )
            return job.result

    def events_after(self, job_id: str, seq: int, timeout: float = 1.0) -> tuple[list[dict], bool]:
        """Events with a sequence number >= ``seq`` (waiting up to ``timeout`` for one), and whether
        the job has finished."""
        with self._cond:
            job = self._job(job_id)
            if len(job.events) <= seq and not job.finished:
                self._cond.wait(timeout)
            return list(job.events[seq:]), job.finished

    def wait(self, job_id: str, timeout: float = 60.0) -> dict:
        """Block until the job finishes (tests, CLI); returns its final snapshot."""
        deadline = time.monotonic() + timeout
        with self._cond:
            job = self._job(job_id)
            while not job.finished and time.monotonic() < deadline:
                self._cond.wait(max(0.01, deadline - time.monotonic()))
            return job.snapshot()


_DEFAULT: JobRegistry | None = None
_DEFAULT_LOCK = threading.Lock()


def default_registry() -> JobRegistry:
    """The process-wide registry the API uses (one worker: the machine has two cores)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = JobRegistry()
        return _DEFAULT
