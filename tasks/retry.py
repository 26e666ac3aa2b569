"""Retry policy shared by the tasks: retry transient failures only (connection refused, timeouts).

A data or SQL error fails the same way on every attempt; retrying it only hides the message.
"""

from __future__ import annotations

from typing import Any

from music_analytics.errors import TRANSIENT_RETRIES, TRANSIENT_RETRY_DELAYS, is_transient


def only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry_condition_fn: True when the failure is worth another attempt."""
    exc = state.data if isinstance(getattr(state, "data", None), BaseException) else None
    if exc is None:
        try:
            exc = state.result(raise_on_failure=False)
        except Exception as error:  # reading the result itself failed: judge that error
            exc = error
    return isinstance(exc, BaseException) and is_transient(exc)


def retrying() -> dict[str, Any]:
    """The @task keyword arguments that apply this policy."""
    return {
        "retries": TRANSIENT_RETRIES,
        "retry_delay_seconds": list(TRANSIENT_RETRY_DELAYS),
        "retry_condition_fn": only_transient,
    }
