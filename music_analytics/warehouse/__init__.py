"""Warehouse adapters: one per database, found by the warehouse URL's scheme (kinds.KINDS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import MergeCounts, Warehouse, WarehouseLock
from .kinds import kind_of

if TYPE_CHECKING:
    from ..config import Config, WarehouseURL


def connect(url: WarehouseURL, cfg: Config | None = None) -> Warehouse:
    """The adapter for `url` (not yet connected: connections are opened per operation), built with
    the config sections its kind needs (kinds.Kind.settings; their defaults without a config)."""
    kind = kind_of(url.scheme, str(url))
    settings = {name: getattr(cfg, name) for name in kind.settings} if cfg is not None else {}
    return kind.adapter_class()(url, **settings)


def for_config(cfg: Config) -> Warehouse:
    """The adapter of the run's warehouse."""
    return connect(cfg.warehouse, cfg)


__all__ = ["MergeCounts", "Warehouse", "WarehouseLock", "connect", "for_config"]
