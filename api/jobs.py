"""Processing jobs with a status, and ``GET /api/events`` (server-sent events) for live status.

Jobs run in a small thread pool; every state change is published to all SSE subscribers."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime


@dataclass
class Job:
    id: str
    kind: str
    subject: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    result: dict = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    updated: str = ""


class JobRegistry:
    def __init__(self, workers: int = 2, keep: int = 500) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hg-job")
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
        self._keep = keep

    def _publish(self, job: Job) -> None:
        job.updated = datetime.now(UTC).isoformat(timespec="milliseconds")
        payload = asdict(job)
        for loop, queue in list(self._subscribers):
            try:
                loop.call_soon_threadsafe(queue.put_nowait, payload)
            except RuntimeError:  # loop closed: drop the subscriber
                self.unsubscribe(queue)

    def submit(self, kind: str, subject: str, work: Callable[[Callable[[float, str], None]], dict]) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, subject)
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                self._jobs.pop(oldest)
        self._publish(job)

        def report(progress: float, message: str = "") -> None:
            job.progress, job.message = progress, message
            self._publish(job)

        def run() -> None:
            job.status = "running"
            self._publish(job)
            try:
                job.result = work(report) or {}
                job.status, job.progress = "done", 1.0
            except Exception as exc:  # noqa: BLE001 - a failed job reports, it does not kill the pool
                job.status, job.message = "failed", str(exc)
            self._publish(job)

        self._pool.submit(run)
        return job

    def observe(self, kind: str, subject: str, snapshot: dict) -> None:
        """Record the state of a job run by another registry (restoration and style jobs keep
        their PNG results in their own), so ``/api/jobs`` and ``/api/events`` show every job."""
        with self._lock:
            job = self._jobs.get(snapshot["id"])
            if job is None:
                job = self._jobs[snapshot["id"]] = Job(snapshot["id"], kind, subject)
                if len(self._jobs) > self._keep:
                    self._jobs.pop(next(iter(self._jobs)))
        job.status, job.progress = snapshot["status"], snapshot["progress"]
        job.message, job.result = snapshot.get("message", ""), snapshot.get("result", {})
        self._publish(job)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        return list(reversed(self._jobs.values()))

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._subscribers.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers = [(lp, q) for lp, q in self._subscribers if q is not queue]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
