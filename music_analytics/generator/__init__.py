"""Synthetic Sparkify data: an eventsim-faithful generator with fault injection.

    from music_analytics.generator import GeneratorParams, generate
    manifest = generate(GeneratorParams(events=1_000_000, seed=7), Path("data/raw"))

Writes song_data/ and log_data/ exactly as the public Sparkify dataset lays
them out, plus manifest.json describing counts, files and injected faults.
See docs/generator.md.
"""

from .core import GENERATOR_VERSION, MANIFEST_NAME, generate
from .params import GeneratorParams

__all__ = ["GENERATOR_VERSION", "MANIFEST_NAME", "GeneratorParams", "generate"]
