"""The pipeline's stages as Prefect tasks, in the shape `music_analytics.pipeline.run` calls them."""

from __future__ import annotations

from music_analytics.pipeline import Stages

from .ledger import begin, finish
from .load import load
from .quality import lake_gate, warehouse_gate
from .schema import create_schema
from .stage import stage
from .transform import plan, resolve_source, transform

TASKS = Stages(
    resolve_source=resolve_source,
    create_schema=create_schema,
    begin=begin,
    plan=plan,
    transform=transform,
    check_lake=lake_gate,
    stage=stage,
    audit=warehouse_gate,
    load=load,
    finish=finish,
)
