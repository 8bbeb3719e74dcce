"""A long-running process's heap: what its startup built is set aside from the collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settled() -> Iterator[None]:
    """Run long work with what exists now out of the garbage collector's sight: modules,
    settings, schema, routes and caches, objects that live as long as the process (~120k in a
    sync process). They are collected once, then frozen (`gc.freeze`), so each full
    collection during the work walks only what the work allocated; walking the rest took a
    quarter of a sync's CPU. Unfrozen at the end: a process that runs several pieces of work
    one after another (a test run) may collect them again."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
