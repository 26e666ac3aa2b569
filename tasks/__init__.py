"""The Prefect layer's tasks: each pipeline stage (music_analytics.pipeline.STAGES) as a Prefect
task with the transient-only retry policy (retry.py), the artifacts a run publishes (artifacts.py)
and credentials from Prefect blocks (credentials.py).

The logic and the order live in the music_analytics package; nothing here decides anything.
"""
