"""One rule for exit codes (errors.exit_code, used by every entry point) and one for what a retry
can fix (errors.is_transient: by class, SQLSTATE, botocore's kinds; message substrings last)."""

from __future__ import annotations

import psycopg2
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from music_analytics.errors import (
    ConfigError,
    PipelineError,
    QualityGateError,
    SourceError,
    TransientWarehouseError,
    WarehouseError,
    exit_code,
    is_transient,
)
from music_analytics.ledger import SourceMismatch


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ConfigError("x"), 2),
        (SourceMismatch("x"), 2),
        (QualityGateError("x"), 3),
        (WarehouseError("x"), 1),
        (TransientWarehouseError("x"), 1),
        (SourceError("x"), 1),
        (RuntimeError("x"), 1),
        (KeyboardInterrupt(), 130),
    ],
)
def test_exit_codes(exc: BaseException, code: int) -> None:
    assert exit_code(exc) == code


def test_user_errors_are_typed_and_still_value_errors() -> None:
    import datetime as dt

    from music_analytics.generator import GeneratorParams
    from music_analytics.insights import period_values

    with pytest.raises(ConfigError):
        GeneratorParams(events=-5)
    with pytest.raises(ValueError, match="ends"):
        period_values(dt.date(2018, 11, 2), dt.date(2018, 11, 1))
    assert issubclass(ConfigError, PipelineError) and issubclass(ConfigError, ValueError)


class _PgError(psycopg2.Error):
    """A driver error carrying a SQLSTATE, as psycopg2 raises them."""

    def __init__(self, pgcode: str) -> None:
        super().__init__(f"error {pgcode}")
        self._pgcode = pgcode

    @property
    def pgcode(self) -> str:  # type: ignore[override]
        return self._pgcode


@pytest.mark.parametrize(
    ("pgcode", "transient"),
    [
        ("08006", True),  # connection failure
        ("08001", True),
        ("57P01", True),  # admin shutdown
        ("57P03", True),  # cannot connect now (starting up)
        ("53300", True),  # too many connections
        ("40001", True),  # serialization failure
        ("23505", False),  # unique violation: data
        ("42P01", False),  # undefined table: SQL
        ("22P02", False),  # invalid text representation: data
    ],
)
def test_sqlstates(pgcode: str, transient: bool) -> None:
    assert is_transient(_PgError(pgcode)) is transient


def test_classes_before_messages() -> None:
    assert is_transient(TransientWarehouseError("x"))
    # A typed pipeline error is never retried, whatever its message says.
    assert not is_transient(WarehouseError("connection refused"))
    assert is_transient(psycopg2.OperationalError("could not translate host name"))
    assert is_transient(ConnectionResetError())
    assert is_transient(TimeoutError())
    assert not is_transient(ValueError("bad value"))
    # Unknown drivers: the message is the last resort.
    assert is_transient(RuntimeError("the database system is starting up"))


def test_botocore_errors() -> None:
    assert is_transient(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    throttled = ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "GetObject")
    assert is_transient(throttled)
    missing = ClientError(
        {"Error": {"Code": "NoSuchBucket"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "ListObjects"
    )
    assert not is_transient(missing)
    denied = ClientError({"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetObject")
    assert not is_transient(denied)
