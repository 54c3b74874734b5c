"""Turns: how many of a service's request threads run Python at once, and how a thread lends its turn while it waits.

Python runs one thread at a time (the GIL), and SQLite's driver lets go of it at every row it steps: request threads
that all run at once hand the interpreter to each other at each of those points, and every hand-over is a context
switch. Measured on `GET /api/v1/goals` (bench/request_cost.py, 10 connections): 4 threads running at once cost
2.8 ms of CPU per request, one thread 2.0 ms, the same work on the event loop 1.9 ms. So a request's thread takes a
turn before it runs and gives it back when it is done; while it waits on something outside this process (another
service's answer in kit.internal, a PostgreSQL round trip or SQLite's write lock in kit.db) it lends the turn to the
next thread (`waiting()`), so a slow neighbour never holds up the requests that could run.

No web framework here: kit.db and kit.internal use it, and so do workers (outside a turn `waiting()` does nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
_held = threading.local()  # .turns: the Turns this thread holds a turn of, if any


class Turns:
    """At most `size` threads hold a turn at once; the others wait for one, in about the order they came."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self._free = threading.Semaphore(self.size)

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in this thread, once it has a turn (at once if it already holds one of these)."""
        if getattr(_held, "turns", None) is self:
            return fn(*args)
        self._free.acquire()
        _held.turns = self
        try:
            return fn(*args)
        finally:
            _held.turns = None
            self._free.release()


@contextmanager
def waiting() -> Iterator[None]:
    """Lend this thread's turn (if it holds one) to another thread for the block: for waits outside the process."""
    turns: Turns | None = getattr(_held, "turns", None)
    if turns is None:
        yield
        return
    _held.turns = None
    turns._free.release()
    try:
        yield
    finally:
        turns._free.acquire()
        _held.turns = turns


def holding() -> Turns | None:
    """The Turns this thread holds a turn of (for tests and assertions)."""
    return getattr(_held, "turns", None)
