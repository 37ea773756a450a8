"""The local executor: every item once, in a pool or in-process, each worker with one BLAS thread."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from autarky.forecast.executor import MIN_PARALLEL_ITEMS, parallel_map


def _blas_threads(item: int) -> tuple[int, int]:
    threads = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    return item, max(threads, default=1)


def test_pool_and_in_process_runs_use_one_blas_thread_each():
    items = list(range(MIN_PARALLEL_ITEMS + 4))
    for workers in (2, 1):
        results = sorted(parallel_map(_blas_threads, items, workers=workers))
        assert [item for item, _ in results] == items
        assert {threads for _, threads in results} == {1}, workers
