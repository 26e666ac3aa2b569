"""Error types the CLI turns into one-line messages, and the transient/permanent split used for retries."""

from __future__ import annotations

import socket


class PipelineError(Exception):
    """An expected failure: the message says what went wrong and where, with no traceback needed."""


class ConfigError(PipelineError):
    """Bad configuration: unknown keys, invalid values, unreadable config file."""


class SourceError(PipelineError):
    """The raw input cannot be read (missing folder, unreadable file, wrong layout)."""


class WarehouseError(PipelineError):
    """The warehouse cannot be reached or refused a statement."""


class QualityGateError(PipelineError):
    """A quality gate found a critical expectation failing: nothing of the run was published."""


class TransientWarehouseError(WarehouseError):
    """A failure worth retrying: connection refused or reset, timeouts, server restarting."""


class TransientSourceError(SourceError):
    """A source failure worth retrying: S3 5xx or throttling (after boto3's own retries), the network."""


# Substrings of driver messages that mean "try again later" rather than "your data or SQL is wrong".
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

    Retrying a data error only repeats it and delays the real message, so retries key on this.
    """
    if isinstance(exc, (TransientWarehouseError, TransientSourceError)):
        return True
    if isinstance(exc, PipelineError):
        return False
    if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
        return True
    message = str(exc).lower()
    return any(marker in message for marker in _TRANSIENT_MARKERS)
