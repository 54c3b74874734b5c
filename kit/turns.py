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
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
_held = threading.local()  # .turns: the Turns this thread holds a turn of, if any; .since: when it took it
QUANTUM = 0.02  # seconds a thread runs before it lets those waiting go first (share(), and after waiting())


class Turns:
    """At most `size` threads hold a turn at once. The others queue for one and are handed it in order, those taking
    their turn back after lending it first: a request that has begun finishes before new ones begin, and nobody is
    overtaken (a plain semaphore lets a thread that just gave a turn back take it again before the one it woke)."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self._free = self.size
        self._mutex = threading.Lock()
        self._new: deque[threading.Lock] = deque()
        self._returning: deque[threading.Lock] = deque()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in this thread, once it has a turn (at once if it already holds one of these)."""
        if getattr(_held, "turns", None) is self:
            return fn(*args)
        self._take(self._new)
        _held.turns, _held.since = self, time.monotonic()
        try:
            return fn(*args)
        finally:
            _held.turns = None
            self._give()

    def _take(self, line: deque[threading.Lock]) -> None:
        with self._mutex:
            if self._free and not self._returning and not self._new:
                self._free -= 1
                return
            gate = threading.Lock()
            gate.acquire()
            line.append(gate)
        gate.acquire()  # released by _give: the turn is handed over, never taken back in between

    def _give(self) -> None:
        with self._mutex:
            line = self._returning or self._new
            if line:
                line.popleft().release()
            else:
                self._free += 1


@contextmanager
def waiting() -> Iterator[None]:
    """Lend this thread's turn (if it holds one) to another thread for the block: for waits outside the process."""
    turns: Turns | None = getattr(_held, "turns", None)
    if turns is None:
        yield
        return
    _held.turns = None
    turns._give()
    try:
        yield
    finally:
        long = time.monotonic() - _held.since > QUANTUM  # one that has had its share queues as a new one
        turns._take(turns._new if long else turns._returning)
        _held.turns = turns
        if long:
            _held.since = time.monotonic()


def share() -> None:
    """Let those waiting for a turn go first if this thread has held its turn for longer than QUANTUM: a long
    request (an export, a large scorecard) takes turns with short ones instead of holding them all up."""
    turns: Turns | None = getattr(_held, "turns", None)
    if turns is None or time.monotonic() - _held.since <= QUANTUM or not (turns._new or turns._returning):
        return
    turns._give()
    turns._take(turns._new)
    _held.since = time.monotonic()


def holding() -> Turns | None:
    """The Turns this thread holds a turn of (for tests and assertions)."""
    return getattr(_held, "turns", None)
