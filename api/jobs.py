"""The HTTP side of the job registry (``kg.jobs``): the app's one registry, an asyncio queue that
follows it for ``GET /api/events``, and the server-sent event format."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from fastapi import FastAPI

from kg.jobs import Job, JobRegistry

__all__ = ["JobRegistry", "registry_of", "sse", "subscribe"]


def registry_of(app: FastAPI) -> JobRegistry:
    """The app's one job registry (``create_app`` makes it; a bare test app sets its own)."""
    return app.state.jobs


def subscribe(registry: JobRegistry) -> tuple[asyncio.Queue, Callable[[], None]]:
    """A queue that receives every job's summary on each change, and the function that stops it."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(maxsize=1000)

    def follow(job: Job) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, job.summary())
        except RuntimeError:  # the loop is closed: this subscriber is gone
            registry.remove_listener(follow)

    registry.add_listener(follow)
    return queue, lambda: registry.remove_listener(follow)


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
