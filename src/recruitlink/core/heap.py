"""A long-running process set for its work: what its startup built is set aside from the
collector, its threads share one malloc arena, and they take turns at the interpreter often."""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
TURN_S = 0.001
"""How long a thread keeps the interpreter while another waits for it (Python's default: 5 ms)."""


@contextmanager
def settled() -> Iterator[None]:
    """Run long work with what exists now out of the garbage collector's sight: modules,
    settings, schema, routes and caches, objects that live as long as the process (~120k in a
    sync process). They are collected once, then frozen (`gc.freeze`), so each full
    collection during the work walks only what the work allocated; walking the rest took a
    quarter of a sync's CPU. Unfrozen at the end: a process that runs several pieces of work
    one after another (a test run) may collect them again. Threads started from here on
    share one malloc arena (`one_arena`), and threads take turns every millisecond
    (`TURN_S`)."""
    gc.collect()
    gc.freeze()
    one_arena()
    turn = sys.getswitchinterval()
    # A thread whose answer has come (a LinkedIn call's, a request's) waits for the one
    # computing (building the next page) to hand over the interpreter: up to 5 ms by default,
    # several times a batch, while the other side of the call waits too.
    sys.setswitchinterval(TURN_S)
    try:
        yield
    finally:
        sys.setswitchinterval(turn)
        gc.unfreeze()


def one_arena() -> None:
    """Have every thread of the process allocate from one malloc arena. glibc gives each
    new thread an arena of its own, whose freed memory only that arena reuses: the sync's
    call and read-ahead threads grew the process by ~5 MB that way, for nothing, since the
    threads of one Python process take turns anyway. Outside glibc, nothing changes."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 1)
