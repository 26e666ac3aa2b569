"""docs/cli.md is the parsers' own help: it cannot drift from the code (regenerate with `make docs`)."""

from __future__ import annotations

from music_analytics import clidoc
from tests.helpers import REPO


def test_the_cli_reference_matches_the_parsers() -> None:
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == clidoc.reference(), "docs/cli.md is stale: run `make docs` and commit it"


def test_the_reference_covers_every_command_and_option() -> None:
    from music_analytics.cli import build_parser

    text = clidoc.reference()
    for name, sub in clidoc._subcommands(build_parser()).items():
        assert f"## music-analytics {name}\n" in text
        for action in sub._actions:
            assert all(flag in text for flag in action.option_strings), (name, action.option_strings)
