"""The Great Expectations suites, installed as the data package `music_analytics_expectations`.

Read them through music_analytics.quality.suites, which finds this folder with importlib.resources.
"""
