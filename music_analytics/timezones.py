"""The listener's time zone, from the state code of an eventsim location ("Austin-Round Rock, TX").

eventsim's locations are US metropolitan areas, "City-City, ST-ST": the state is the first code
after ", " (as in plays_by_location), so a metro spanning states takes its first one (sql/derived/sessions.sql
parses it). A state lying in two zones gets the zone most of its people live in (Texas: Central,
Florida and Indiana: Eastern, Oregon: Pacific). A location without a known code is in UTC and is
counted as unknown (sessions.time_zone_known = false), never guessed.

The mapping is data, written once: create_schema writes it into the warehouse's `state_time_zones`
table, which the derived models join (music_analytics.warehouse.base). IANA names, so the
warehouses' own time zone rules (daylight saving time included) convert the times.
"""

from __future__ import annotations

UNKNOWN = "UTC"

STATE_TIME_ZONES: dict[str, str] = {
    "AK": "America/Anchorage",
    "AL": "America/Chicago",
    "AR": "America/Chicago",
    "AZ": "America/Phoenix",  # no daylight saving time
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DC": "America/New_York",
    "DE": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "IA": "America/Chicago",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "MA": "America/New_York",
    "MD": "America/New_York",
    "ME": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MO": "America/Chicago",
    "MS": "America/Chicago",
    "MT": "America/Denver",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "NE": "America/Chicago",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NV": "America/Los_Angeles",
    "NY": "America/New_York",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "PR": "America/Puerto_Rico",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VA": "America/New_York",
    "VT": "America/New_York",
    "WA": "America/Los_Angeles",
    "WI": "America/Chicago",
    "WV": "America/New_York",
    "WY": "America/Denver",
}
