"""Credentials from Prefect blocks: a deployment names a block instead of carrying a URL or key.

Loading a block talks to the Prefect API, so this lives on the Prefect side; the library only
ever sees a warehouse URL and the standard AWS environment variables. Every secret read here is
registered with music_analytics.secrets, so it is masked wherever the pipeline prints.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

from music_analytics import secrets
from music_analytics.errors import ConfigError


def warehouse_url_from_block(name: str) -> str:
    """The warehouse URL held by a prefect-sqlalchemy SqlAlchemyConnector block.

    The block's driver suffix (postgresql+psycopg2) is dropped: the adapter picks its own driver.
    """
    from prefect_sqlalchemy import ConnectionComponents, SqlAlchemyConnector

    try:
        block: SqlAlchemyConnector = SqlAlchemyConnector.load(name)
    except ValueError as exc:
        raise ConfigError(f"warehouse_block {name!r}: no SqlAlchemyConnector block of that name ({exc})") from None
    info = block.connection_info
    if isinstance(info, ConnectionComponents):
        url = info.create_url()
        secrets.register(url.password)
        text = url.render_as_string(hide_password=False)
    else:
        text = str(info)
    parts = urlsplit(text)
    if parts.password:
        secrets.register(parts.password)
    scheme = parts.scheme.split("+", 1)[0]
    if parts.username and parts.password:
        # Re-quote: the block stores the raw password, a URL needs it escaped.
        netloc = f"{quote(parts.username, safe='')}:{quote(parts.password, safe='')}@{parts.netloc.rsplit('@', 1)[1]}"
        parts = parts._replace(netloc=netloc)
    return str(urlunsplit(parts._replace(scheme=scheme)))


def export_aws_credentials(name: str) -> None:
    """Put a prefect-aws AwsCredentials block's keys where boto3 and DuckDB look (this process only)."""
    from prefect_aws import AwsCredentials

    try:
        block: AwsCredentials = AwsCredentials.load(name)
    except ValueError as exc:
        raise ConfigError(f"aws_credentials_block {name!r}: no AwsCredentials block of that name ({exc})") from None
    values = {
        "AWS_ACCESS_KEY_ID": block.aws_access_key_id,
        "AWS_SECRET_ACCESS_KEY": block.aws_secret_access_key.get_secret_value()
        if block.aws_secret_access_key
        else None,
        "AWS_SESSION_TOKEN": block.aws_session_token,
        "AWS_DEFAULT_REGION": block.region_name,
        "AWS_PROFILE": block.profile_name,
    }
    for key, value in values.items():
        if value:
            if key in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                secrets.register(value)
            os.environ[key] = value
