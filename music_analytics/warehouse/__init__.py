"""Warehouse adapters: one per database, chosen by the warehouse URL's scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Config, WarehouseURL
from ..errors import ConfigError
from .base import MERGE_ORDER, MergeCounts, Warehouse, WarehouseLock

if TYPE_CHECKING:
    from .redshift import RedshiftSettings


def connect(url: WarehouseURL, memory_limit: str | None = None, redshift: RedshiftSettings | None = None) -> Warehouse:
    """The adapter for `url` (not yet connected: connections are opened per operation).

    `memory_limit` bounds the embedded DuckDB warehouse (it spills to disk beyond it); `redshift`
    is what a redshift:// warehouse needs beyond its URL (IAM role, S3 staging prefix).
    """
    if url.scheme == "duckdb":
        from .duckdb import DuckDBWarehouse

        return DuckDBWarehouse(url, memory_limit)
    if url.scheme == "postgresql":
        from .postgres import PostgresWarehouse

        return PostgresWarehouse(url)
    if url.scheme == "redshift":
        from .redshift import RedshiftWarehouse

        return RedshiftWarehouse(url, redshift)
    raise ConfigError(f"warehouse {url}: no adapter for {url.scheme!r} in this version")


def for_config(cfg: Config) -> Warehouse:
    """The adapter of the run's warehouse, with the settings its kind needs from the config."""
    settings = None
    if cfg.warehouse.scheme == "redshift":
        from .redshift import RedshiftSettings

        settings = RedshiftSettings(
            cfg.redshift_iam_role or "",
            cfg.redshift_s3_staging or "",
            cfg.redshift_region,
            cfg.redshift_copy_format,  # type: ignore[arg-type]  # validated there
        )
    return connect(cfg.warehouse, cfg.duckdb_memory_limit, settings)


__all__ = ["MERGE_ORDER", "MergeCounts", "Warehouse", "WarehouseLock", "connect", "for_config"]
