"""Thin Prefect @task wrappers around music_analytics.pipeline, one module per stage.

The logic lives in the music_analytics package; these modules only add Prefect concerns:
names, retries (transient errors only) and logging.
"""
