"""Create (or update) the Prefect blocks the deployments name, from the environment.

    PREFECT_API_URL=... MA_WAREHOUSE_URL='postgresql://etl:secret@db:5432/music' \\
        python deployments/blocks.py --warehouse-block music-warehouse
    AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_DEFAULT_REGION=us-west-2 \\
        python deployments/blocks.py --aws-block music-aws

Values come from environment variables, never from arguments (which shells keep in history and
`ps` shows to every user). Nothing secret is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import unquote, urlsplit


def warehouse_block(name: str) -> None:
    from prefect_sqlalchemy import ConnectionComponents, SqlAlchemyConnector, SyncDriver

    url = os.environ.get("MA_WAREHOUSE_URL")
    if not url:
        sys.exit("error: set MA_WAREHOUSE_URL to the warehouse URL (postgresql://user:password@host:port/db)")
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "redshift"):
        sys.exit(f"error: MA_WAREHOUSE_URL: a block holds a database server's URL, not {parts.scheme}://")
    components = ConnectionComponents(
        driver=SyncDriver.POSTGRESQL_PSYCOPG2,
        database=parts.path.lstrip("/"),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname,
        port=parts.port or (5439 if parts.scheme == "redshift" else 5432),
    )
    SqlAlchemyConnector(connection_info=components).save(name, overwrite=True)
    print(f"saved SqlAlchemyConnector block {name!r} for {parts.hostname}:{components.port}/{components.database}")


def aws_block(name: str) -> None:
    from prefect_aws import AwsCredentials

    AwsCredentials(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
        region_name=os.environ.get("AWS_DEFAULT_REGION"),
    ).save(name, overwrite=True)
    print(f"saved AwsCredentials block {name!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse-block", metavar="NAME", help="SqlAlchemyConnector block from MA_WAREHOUSE_URL")
    parser.add_argument("--aws-block", metavar="NAME", help="AwsCredentials block from the AWS_* variables")
    args = parser.parse_args()
    if not (args.warehouse_block or args.aws_block):
        parser.error("give --warehouse-block and/or --aws-block")
    if args.warehouse_block:
        warehouse_block(args.warehouse_block)
    if args.aws_block:
        aws_block(args.aws_block)


if __name__ == "__main__":
    main()
