"""The project's SQL files, installed as the data package `music_analytics_sql` (no Python here).

Read them through music_analytics.sql, which finds this folder with importlib.resources.
"""
