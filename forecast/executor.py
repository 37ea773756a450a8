"""Run one function over many items in parallel: in-process, a local process pool, or a Dask distributed cluster."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterator, Sequence

from threadpoolctl import threadpool_limits

from autarky.errors import AutarkyError

EXECUTORS = ("local", "dask")
# Items per task sent to a worker: fewer round trips without starving a worker at the end of the run.
CHUNK_SIZE = 8
# Below this many items a pool costs more to start than it saves.
MIN_PARALLEL_ITEMS = 16
# Imported once by the fork server, so each worker starts with them loaded.
_PRELOAD = ["autarky.forecast.engine", "statsforecast.models", "statsforecast.distributions", "prophet", "scipy.optimize"]


class ExecutorError(AutarkyError):
    """The executor could not be started (bad name, unreachable Dask scheduler, missing dask extra)."""


def _run_chunk(function: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    """The items one after the other, with one BLAS thread: the fits are small, and OpenBLAS threads in every worker
    fight over the cores (scipy's optimisers ran 4x slower in a pool of 2 on 2 cores; BENCHMARKS.md, round 4)."""
    with threadpool_limits(limits=1):
        return [function(item) for item in chunk]


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parallel_map(function: Callable[[Any], Any], items: Sequence[Any], *, executor: str = "local",
                 workers: int | None = None, address: str | None = None,
                 chunk_size: int = CHUNK_SIZE) -> Iterator[Any]:
    """Yield function(item) for every item, in completion order (not input order)."""
    if executor not in EXECUTORS:
        raise ExecutorError(f"unknown executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    if executor == "dask":
        yield from _dask_map(function, items, address, chunk_size)
        return
    workers = workers or default_workers()
    if workers <= 1 or len(items) < MIN_PARALLEL_ITEMS:
        with threadpool_limits(limits=1):
            for item in items:
                yield function(item)
        return
    yield from _pool_map(function, items, workers, chunk_size)


def _pool_map(function, items, workers, chunk_size) -> Iterator[Any]:
    methods = multiprocessing.get_all_start_methods()
    # forkserver: workers fork from a clean process that preloaded the models (safe with threads in the parent).
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(_PRELOAD)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_run_chunk, function, chunk) for chunk in _chunks(items, chunk_size)]
        for future in as_completed(futures):
            yield from future.result()


def _dask_map(function, items, address, chunk_size) -> Iterator[Any]:
    if not address:
        raise ExecutorError("--executor dask needs --address tcp://HOST:PORT of a Dask scheduler")
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ExecutorError("the dask executor needs the dask extra: pip install 'autarky[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        futures = client.map(_run_chunk, [function] * len(_chunks(items, chunk_size)), _chunks(items, chunk_size),
                             pure=False)
        for future in dask_completed(futures):
            yield from future.result()
    finally:
        client.close()
