"""Admission control: at most `limit` requests work on the database at once; the rest wait in a
bounded queue, and beyond it (or past the wait limit) get a fast 503 with Retry-After.

Why: a sync route holds its pooled connection across two thread-pool trips (the handler, then
response validation). With more requests in flight than connections, the threads fill up with
requests waiting for a connection while those holding one wait for a thread: 256 connections
on `/v1/lookup` deadlocked into 30 s pool time-outs answered as 500, and `/healthz` waited in
the same thread pool. Bounding what runs, below the pool and the thread pool, makes that
impossible: a request admitted here always finds a connection and a thread.
"""

import asyncio
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.errors import error_response

RETRY_AFTER_SECONDS = 1


async def send_unavailable(path: str, send: Send, detail: str) -> None:
    status, body, media_type = error_response(
        path, 503, "unavailable", "Service unavailable", detail
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Admission:
    """Counts what is running and waiting, for `/metrics` too."""

    def __init__(self, limit: int, queue: int, wait_seconds: float) -> None:
        self.limit = limit
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.running = 0
        self.waiting = 0
        self.refused = 0
        self._slots: asyncio.Semaphore | None = None

    def slots(self) -> asyncio.Semaphore:
        # Made on first use, inside the server's event loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        return self._slots

    async def enter(self) -> str | None:
        """None once admitted (call `leave()` after), or the reason it was refused."""
        slots = self.slots()
        if slots.locked() and self.waiting >= self.queue:
            self.refused += 1
            metrics.UNAVAILABLE.labels("queue").inc()
            return "The service is at capacity; try again in a moment."
        self.waiting += 1
        metrics.DB_WAITING.inc()
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.wait_seconds):
                await slots.acquire()
        except TimeoutError:
            self.refused += 1
            metrics.UNAVAILABLE.labels("queue").inc()
            waited = time.monotonic() - started
            return f"The database is saturated (waited {waited:.1f} s); try again in a moment."
        finally:
            self.waiting -= 1
            metrics.DB_WAITING.dec()
        self.running += 1
        metrics.DB_RUNNING.inc()
        return None

    def leave(self) -> None:
        self.running -= 1
        metrics.DB_RUNNING.dec()
        self.slots().release()


class AdmissionMiddleware:
    """Admits each request (see `Admission`), then gives it `deadline` seconds to start its
    answer: a request stuck on a database that stopped answering (a peer that accepts bytes
    and never replies defeats every socket time-out) gets a 503 instead of hanging. The stuck
    work keeps its admission slot until it ends, so stuck requests can never pile up past
    the limit; an answer already started (a stream) is left to finish."""

    def __init__(
        self,
        app: ASGIApp,
        admission: Admission,
        exempt: Callable[[str], bool],
        deadline: float,
        no_deadline: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.admission = admission
        self.exempt = exempt  # paths that never touch the database pool (health, metrics)
        self.deadline = deadline
        self.no_deadline = no_deadline  # long by nature (an import of 50 MB)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        refused = await self.admission.enter()
        if refused is not None:
            await send_unavailable(scope["path"], send, refused)
            return
        if self.no_deadline(scope["path"]):
            try:
                await self.app(scope, receive, send)
            finally:
                self.admission.leave()
            return
        started = abandoned = False

        async def answer(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, answer))
        task.add_done_callback(self._finished)
        done, _ = await asyncio.wait({task}, timeout=self.deadline)
        if done or started:
            await task
            return
        abandoned = True
        metrics.UNAVAILABLE.labels("deadline").inc()
        await send_unavailable(
            scope["path"],
            send,
            f"The database did not answer within {self.deadline:g} s; try again later.",
        )

    def _finished(self, task: "asyncio.Future[None]") -> None:
        self.admission.leave()
        if not task.cancelled():
            task.exception()  # retrieved here when nobody awaits an abandoned request
