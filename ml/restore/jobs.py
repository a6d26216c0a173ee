"""Restoration and style jobs on the shared job registry (``kg.jobs``): they run in the
``restoration`` lane (one at a time, at most eight waiting or running, the last fifty results
kept), keep their PNG result in memory, and report progress at most ~10 times a second."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from kg.errors import HeritageError
from kg.jobs import JobRegistry, Lane, Outcome, Report, TooManyJobs, new_job_id
from ml.restore.io import to_png_bytes

__all__ = ["LANE", "RestorationJobs", "TooManyJobs"]

ImageWork = Callable[[Callable[[float], None]], tuple[np.ndarray, dict]]
LANE = "restoration"
DEFAULT_LANE = Lane(running=1, pending=8, keep=50)  # the machine has two cores


class RestorationJobs:
    """The restoration view of a registry: submit image work, read snapshots, events and PNGs of
    jobs in the ``restoration`` lane only (other jobs are "not found" here, as before)."""

    def __init__(self, registry: JobRegistry, base_url: str | None = None, lane: Lane = DEFAULT_LANE) -> None:
        """``base_url`` (e.g. ``/api/restore/jobs``) gives the job table's entries their status and
        result links; without it they have none."""
        self.registry = registry
        self.base_url = base_url
        registry.configure_lane(LANE, lane)

    def submit(self, kind: str, work: ImageWork, info: dict | None = None) -> str:
        """Queue ``work(progress)`` (returning the image and its info); returns the job id at once.
        ``info`` describes the job (its ``method`` is the job table's subject) until the result's
        info replaces it. TooManyJobs when the lane is full."""
        job_id = new_job_id()
        links = {"status_url": f"{self.base_url}/{job_id}"} if self.base_url else {}
        done = {"result_url": f"{self.base_url}/{job_id}/result"} if self.base_url else {}
        subject = str((info or {}).get("method", kind))
        self.registry.submit(
            kind, subject, _png_job(work, done), lane=LANE, info=info, result=links, job_id=job_id
        )
        return job_id

    def get(self, job_id: str) -> dict:
        return self.registry.snapshot(job_id, LANE)

    def result(self, job_id: str) -> bytes:
        """The PNG of a finished job; Conflict while it is still running or when it failed."""
        return self.registry.output(job_id, LANE)

    def events_after(self, job_id: str, seq: int, timeout: float = 1.0) -> tuple[list[dict], bool]:
        return self.registry.events_after(job_id, seq, timeout, LANE)

    def wait(self, job_id: str, timeout: float = 60.0) -> dict:
        return self.registry.wait(job_id, timeout)


def _png_job(work: ImageWork, done: dict) -> Callable[[Report], Outcome]:
    """Adapt image work to the registry: throttled progress, the PNG as output, and errors other
    than the user-fixable ones named with their type (``ValueError: ...``)."""

    def run(report: Report) -> Outcome:
        last = [0.0]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] < 0.1 and fraction < 1.0:  # at most ~10 events a second
                return
            last[0] = now
            report(fraction)

        try:
            image, info = work(progress)
            data = to_png_bytes(image)
        except HeritageError:
            raise
        except Exception as exc:
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from exc
        message = f"{image.shape[1]}x{image.shape[0]} PNG, {len(data)} bytes"
        return Outcome(result=done, info=info, output=data, message=message)

    return run
