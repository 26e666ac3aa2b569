"""Tables the warehouse derives from its merged events (sql/derived/<table>.sql): level history,
play skips, sessions.

Each is rebuilt, inside the merge transaction, for the users or sessions the run's staged events
touch, from all their events in the warehouse: so a late event, a rerun or any split of files into
runs gives the same rows as one load of everything. A warehouse that had events before these
tables existed gets them built from all its events once (`touched` = the events table itself).
"""

from __future__ import annotations

from . import sql, timezones
from .tables import Table

# How much earlier than its song's end the next event may start without the play being a skip.
SKIP_TOLERANCE_MS = 1000

STAGED = "staging.events"
ALL_EVENTS = "events"


def statements(table: Table, touched: str) -> list[str]:
    """The DELETE + INSERT that rebuild `table` for the (user, session) keys found in `touched`."""
    return sql.render(
        f"derived/{table.name}.sql",
        touched=touched,
        tolerance_ms=SKIP_TOLERANCE_MS,
        unknown_zone=sql.literal(timezones.UNKNOWN),
    )
