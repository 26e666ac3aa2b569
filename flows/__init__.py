"""Prefect flows: what runs in which order, with which retries."""
