"""Warehouse adapters: one per database, chosen by the warehouse URL's scheme."""

from __future__ import annotations

from ..config import WarehouseURL
from ..errors import ConfigError
from .base import MERGE_ORDER, MergeCounts, Warehouse, WarehouseLock


def connect(url: WarehouseURL, memory_limit: str | None = None) -> Warehouse:
    """The adapter for `url` (not yet connected: connections are opened per operation).

    `memory_limit` bounds the embedded DuckDB warehouse (it spills to disk beyond it).
    """
    if url.scheme == "duckdb":
        from .duckdb import DuckDBWarehouse

        return DuckDBWarehouse(url, memory_limit)
    if url.scheme == "postgresql":
        from .postgres import PostgresWarehouse

        return PostgresWarehouse(url)
    raise ConfigError(f"warehouse {url}: no adapter for {url.scheme!r} in this version")


__all__ = ["MERGE_ORDER", "MergeCounts", "Warehouse", "WarehouseLock", "connect"]
