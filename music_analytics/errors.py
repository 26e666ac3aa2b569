"""Error types, the exit code of each, and the transient/permanent split used for retries.

Every entry point (run, generate, insights, export-interactions, the spark-submit job) turns an
error into one line and `exit_code(exc)`: 2 for configuration and usage errors, 3 when a quality
gate blocks the run, 1 for everything else (130 when interrupted).
"""

from __future__ import annotations

import socket

# How often, and after how long, an orchestrator retries a transient failure (is_transient): the
# Prefect tasks (music_analytics_tasks.retry) and the Airflow DAG's tasks both apply it.
TRANSIENT_RETRIES = 3
TRANSIENT_RETRY_DELAYS = (2, 10, 30)  # seconds before each retry


class PipelineError(Exception):
    """An expected failure: the message says what went wrong and where, with no traceback needed."""


class ConfigError(PipelineError, ValueError):
    """Bad configuration or usage: unknown keys, invalid values, unreadable config file, wrong arguments.

    Also a ValueError: library callers that pass a bad value (a period that ends before it starts,
    invalid generator parameters) get the exception type they would expect from Python."""


class SourceError(PipelineError):
    """The raw input cannot be read (missing folder, unreadable file, wrong layout)."""


class LakeError(PipelineError):
    """The lake could not be written (a full disk, permissions): nothing of the run was published."""


class WarehouseError(PipelineError):
    """The warehouse cannot be reached or refused a statement."""


class QualityGateError(PipelineError):
    """A quality gate found a critical expectation failing: nothing of the run was published."""


class RejectedTooMuchError(QualityGateError):
    """More of the run's records were rejected than [pipeline] max_rejected_fraction allows."""


class TransientWarehouseError(WarehouseError):
    """A failure worth retrying: connection refused or reset, timeouts, server restarting."""


class TransientSourceError(SourceError):
    """A source failure worth retrying: S3 5xx or throttling (after boto3's own retries), the network."""


# Most specific first: the first class an error is an instance of gives its code.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (KeyboardInterrupt, 130),
    (ConfigError, 2),
    (QualityGateError, 3),
    (PipelineError, 1),
)


def exit_code(exc: BaseException) -> int:
    """The process exit code for an error that ends an entry point."""
    return next((code for cls, code in EXIT_CODES if isinstance(exc, cls)), 1)


# SQLSTATEs a retry can fix: connection exceptions (class 08), the server shutting down, crashed
# or not yet accepting connections (57P01-57P03), too many connections (53300), a serialization
# failure (40001: run the transaction again).
TRANSIENT_SQLSTATE_CLASSES = ("08",)
TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40001"})
# The driver's own errors for a connection that failed or went away (they carry no SQLSTATE).
_CONNECTION_ERRORS = {("psycopg2", "OperationalError"), ("psycopg2", "InterfaceError")}
# botocore's errors that mean "the network or the service, not the request".
_BOTO_RETRYABLE = frozenset(
    {"EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError", "ConnectTimeoutError", "ConnectionError"}
)
_AWS_RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "SlowDown",
        "RequestTimeout",
        "RequestLimitExceeded",
        "InternalError",
        "ServiceUnavailable",
    }
)
# Last resort, for errors of drivers not known above: messages that mean "try again later".
_TRANSIENT_MARKERS = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "connection reset",
    "timeout expired",
    "timed out",
    "the database system is starting up",
    "the database system is shutting down",
    "terminating connection due to administrator command",
    "could not receive data from server",
    "no route to host",
)


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry can fix (network, restarts); False for data, SQL and config errors.

    Retrying a data error only repeats it and delays the real message, so retries key on this:
    by exception class first, then the SQLSTATE, then botocore's error kinds, message substrings last.
    """
    if isinstance(exc, (TransientWarehouseError, TransientSourceError)):
        return True
    if isinstance(exc, PipelineError):
        return False
    if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
        return True
    pgcode = getattr(exc, "pgcode", None)
    if isinstance(pgcode, str):
        return pgcode.startswith(TRANSIENT_SQLSTATE_CLASSES) or pgcode in TRANSIENT_SQLSTATES
    cls = type(exc)
    if (cls.__module__.split(".")[0], cls.__name__) in _CONNECTION_ERRORS:
        return True  # no SQLSTATE: the client could not reach the server, or lost it
    if cls.__module__.startswith("botocore"):
        if cls.__name__ in _BOTO_RETRYABLE:
            return True
        response = getattr(exc, "response", None) or {}
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status >= 500 or status == 429 or response.get("Error", {}).get("Code") in _AWS_RETRYABLE_CODES
    message = str(exc).lower()
    return any(marker in message for marker in _TRANSIENT_MARKERS)
