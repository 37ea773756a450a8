"""Text references to functions (`module:qualname`), the one place that makes and resolves them.

Only APScheduler needs them: it stores a job's function by reference in its job store and resolves it itself when
the job runs. Everything else imports what it calls.
"""

from __future__ import annotations

from typing import Any, Callable

from apscheduler.util import obj_to_ref, ref_to_obj


def reference_to(function: Callable[..., Any]) -> str:
    """`module:qualname` of a module-level function, checked to resolve back to the same object."""
    reference = obj_to_ref(function)
    if resolve(reference) is not function:
        raise ValueError(f"{reference} does not resolve back to {function!r}")
    return reference


def resolve(reference: str) -> Any:
    return ref_to_obj(reference)
