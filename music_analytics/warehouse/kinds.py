"""The warehouse kinds, as data: URL scheme, URL form, default port, the settings section the
adapter needs, and where the adapter is. Nothing here imports a driver, so a URL can be checked
(a usage error answered) without loading psycopg2, pandas or pyarrow.

Adding a warehouse: a row here, its adapter module (a `Warehouse` subclass with its `Dialect`),
and SQL files only where its dialect differs (sql/warehouse/<dialect>/). CONTRIBUTING.md has the recipe.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from .base import Warehouse


@dataclass(frozen=True)
class Kind:
    scheme: str
    adapter: str  # module:class, imported only when a warehouse of this kind is opened
    file: bool = False  # scheme:///path (an embedded database file), else scheme://user@host:port/database
    default_port: int | None = None
    aliases: tuple[str, ...] = ()
    # Config sections the adapter is built with (besides its URL), e.g. redshift: ("redshift", "s3").
    settings: tuple[str, ...] = ()
    example: str = ""

    def adapter_class(self) -> type[Warehouse]:
        module, _, name = self.adapter.partition(":")
        cls: type[Warehouse] = getattr(importlib.import_module(module), name)
        return cls


KINDS: tuple[Kind, ...] = (
    Kind(
        "duckdb",
        "music_analytics.warehouse.duckdb:DuckDBWarehouse",
        file=True,
        settings=("duckdb",),
        example="duckdb:///file.duckdb",
    ),
    Kind(
        "postgresql",
        "music_analytics.warehouse.postgres:PostgresWarehouse",
        default_port=5432,
        aliases=("postgres",),
        example="postgresql://user@host:port/db",
    ),
    Kind(
        "redshift",
        "music_analytics.warehouse.redshift:RedshiftWarehouse",
        default_port=5439,
        settings=("redshift", "s3"),
        example="redshift://user@cluster:5439/db",
    ),
)


def kind_of(scheme: str, url: str = "") -> Kind:
    """The kind of a URL scheme (an alias gives its kind); a one-line ConfigError naming the known ones."""
    for kind in KINDS:
        if scheme == kind.scheme or scheme in kind.aliases:
            return kind
    expected = ", ".join(k.example for k in KINDS)
    raise ConfigError(f"warehouse URL {url!r}: unsupported scheme {scheme!r} (expected {expected})")
