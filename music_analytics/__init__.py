"""Music Analytics: raw Sparkify/eventsim data to a tested star schema.

The package holds all pipeline logic and has no Prefect imports, so every
stage can be called from tests, scripts and any orchestrator.
"""

__version__ = "0.1.0"
