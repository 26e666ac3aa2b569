"""eventsim's page model: pages, auth states, levels and transition probabilities.

A session is a Markov chain over states (auth, level, page). From each state
the listed destinations have the given probabilities; whatever probability is
left over ends the session. The figures follow eventsim's music-site
configuration and the notes in docs/generator.md: from a free NextSong the
next page is NextSong ~75%, Roll Advert ~8%, Thumbs Up ~5%, Add to Playlist
~2.5%, Home and Logout ~2% each, Upgrade ~1%, and the session ends ~1.2%;
paid listeners stay on NextSong ~85% and rarely see adverts or leave.

The chain is compiled into flat integer tables so the simulation loop only
does list indexing: ``trans[state * QUANT + r]`` is the next state for a
uniform integer ``r`` in [0, QUANT), or ``END``.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGES: tuple[str, ...] = (
    "Home",
    "About",
    "Help",
    "Error",
    "Register",
    "Submit Registration",
    "Login",
    "Logout",
    "NextSong",
    "Thumbs Up",
    "Thumbs Down",
    "Add to Playlist",
    "Add Friend",
    "Roll Advert",
    "Settings",
    "Save Settings",
    "Upgrade",
    "Submit Upgrade",
    "Downgrade",
    "Submit Downgrade",
    "Cancel",
    "Cancellation Confirmation",
)
PAGE_INDEX: dict[str, int] = {p: i for i, p in enumerate(PAGES)}
NEXT_SONG = PAGE_INDEX["NextSong"]
# A play of a song that is not in the catalogue gets its own page code in the
# per-event bookkeeping (it is still page "NextSong" in the file).
NEXT_SONG_UNKNOWN = len(PAGES)

# (method, status) per page, as eventsim's music configuration and the real
# logs have them: redirects after a form or action answer 307 and are PUTs.
METHOD_STATUS: dict[str, tuple[str, int]] = {
    "Home": ("GET", 200),
    "About": ("GET", 200),
    "Help": ("GET", 200),
    "Error": ("GET", 404),
    "Register": ("GET", 200),
    "Submit Registration": ("PUT", 307),
    "Login": ("PUT", 307),
    "Logout": ("PUT", 307),
    "NextSong": ("PUT", 200),
    "Thumbs Up": ("PUT", 307),
    "Thumbs Down": ("PUT", 307),
    "Add to Playlist": ("PUT", 200),
    "Add Friend": ("PUT", 307),
    "Roll Advert": ("GET", 200),
    "Settings": ("GET", 200),
    "Save Settings": ("PUT", 307),
    "Upgrade": ("GET", 200),
    "Submit Upgrade": ("PUT", 307),
    "Downgrade": ("GET", 200),
    "Submit Downgrade": ("PUT", 307),
    "Cancel": ("PUT", 307),
    "Cancellation Confirmation": ("GET", 200),
}

# Pages whose events change a user's lifecycle; fault injection leaves them
# alone so level and churn histories stay intact in the loaded data.
LIFECYCLE_PAGES: frozenset[str] = frozenset(
    {"Submit Registration", "Submit Upgrade", "Submit Downgrade", "Cancel", "Cancellation Confirmation"}
)

LOGGED_IN, LOGGED_OUT, GUEST, CANCELLED = 0, 1, 2, 3
AUTH_NAMES: tuple[str, ...] = ("Logged In", "Logged Out", "Guest", "Cancelled")
FREE, PAID = 0, 1
LEVEL_NAMES: tuple[str, ...] = ("free", "paid")

# Timing kinds: an ordinary page comes an exponential think time after the
# previous event; a 307 redirect follows one second after the request that
# caused it (as in the real logs); a song starts when the previous one ends.
TIME_GAP, TIME_REDIRECT, TIME_SONG = 0, 1, 2

# What the simulation loop emits for a state: a logged-in play, another
# logged-in page, a page without a user (logged out or guest), or the
# churn confirmation (auth "Cancelled" with the user's details).
KIND_SONG, KIND_PAGE, KIND_ANON, KIND_CANCELLED = 0, 1, 2, 3

QUANT = 1 << 14
END = -1

Dest = tuple[int, int, str]  # (auth, level, page)
Spec = dict[str, float]

_SHARED_ACTIONS: Spec = {
    "NextSong": 0.85,
    "Home": 0.03,
    "Add to Playlist": 0.02,
    "Add Friend": 0.01,
    "Thumbs Up": 0.01,
    "Logout": 0.01,
}

_FREE: dict[str, Spec] = {
    "NextSong": {
        "NextSong": 0.75,
        "Roll Advert": 0.08,
        "Thumbs Up": 0.05,
        "Thumbs Down": 0.01,
        "Add to Playlist": 0.025,
        "Add Friend": 0.012,
        "Home": 0.02,
        "Logout": 0.02,
        "Upgrade": 0.01,
        "Settings": 0.004,
        "Help": 0.004,
        "About": 0.002,
        "Error": 0.001,
    },
    "Home": {
        "NextSong": 0.74,
        "Home": 0.01,
        "Roll Advert": 0.04,
        "Settings": 0.02,
        "Upgrade": 0.03,
        "Help": 0.015,
        "About": 0.01,
        "Logout": 0.02,
        "Error": 0.002,
    },
    "Roll Advert": {
        "NextSong": 0.80,
        "Home": 0.05,
        "Roll Advert": 0.03,
        "Thumbs Down": 0.01,
        "Upgrade": 0.02,
        "Logout": 0.02,
        "Help": 0.005,
    },
    "Thumbs Up": dict(_SHARED_ACTIONS),
    "Thumbs Down": {"NextSong": 0.85, "Home": 0.04, "Thumbs Down": 0.01, "Logout": 0.02, "Upgrade": 0.005},
    "Add to Playlist": dict(_SHARED_ACTIONS),
    "Add Friend": {"NextSong": 0.75, "Add Friend": 0.10, "Home": 0.05, "Thumbs Up": 0.02, "Logout": 0.01},
    "Settings": {
        "Save Settings": 0.25,
        "NextSong": 0.35,
        "Home": 0.15,
        "Settings": 0.05,
        "Help": 0.05,
        "Upgrade": 0.03,
        "Cancel": 0.03,
        "Logout": 0.02,
        "About": 0.01,
    },
    "Save Settings": {"Home": 0.60, "NextSong": 0.25, "Settings": 0.10},
    "Help": {
        "NextSong": 0.35,
        "Home": 0.30,
        "Help": 0.10,
        "Settings": 0.05,
        "Upgrade": 0.02,
        "About": 0.01,
        "Cancel": 0.006,
        "Logout": 0.02,
        "Error": 0.002,
    },
    "About": {"NextSong": 0.35, "Home": 0.30, "About": 0.05, "Help": 0.05, "Settings": 0.02, "Logout": 0.02},
    "Error": {"NextSong": 0.30, "Home": 0.40, "Help": 0.05, "Error": 0.02, "Logout": 0.02},
    "Upgrade": {
        "Submit Upgrade": 0.10,
        "NextSong": 0.46,
        "Home": 0.20,
        "Upgrade": 0.05,
        "Help": 0.03,
        "Logout": 0.02,
        "Settings": 0.02,
    },
}

_PAID: dict[str, Spec] = {
    "NextSong": {
        "NextSong": 0.87,
        "Thumbs Up": 0.045,
        "Thumbs Down": 0.008,
        "Add to Playlist": 0.025,
        "Add Friend": 0.013,
        "Roll Advert": 0.001,
        "Home": 0.012,
        "Logout": 0.008,
        "Downgrade": 0.006,
        "Settings": 0.004,
        "Help": 0.003,
        "About": 0.001,
        "Error": 0.001,
    },
    "Home": {
        "NextSong": 0.80,
        "Home": 0.01,
        "Settings": 0.02,
        "Downgrade": 0.02,
        "Help": 0.015,
        "About": 0.01,
        "Logout": 0.02,
        "Roll Advert": 0.005,
        "Error": 0.002,
    },
    "Roll Advert": {"NextSong": 0.85, "Home": 0.05, "Logout": 0.02},
    "Thumbs Up": dict(_SHARED_ACTIONS),
    "Thumbs Down": {"NextSong": 0.85, "Home": 0.04, "Thumbs Down": 0.01, "Logout": 0.02, "Downgrade": 0.005},
    "Add to Playlist": dict(_SHARED_ACTIONS),
    "Add Friend": {"NextSong": 0.75, "Add Friend": 0.10, "Home": 0.05, "Thumbs Up": 0.02, "Logout": 0.01},
    "Settings": {
        "Save Settings": 0.25,
        "NextSong": 0.40,
        "Home": 0.15,
        "Settings": 0.05,
        "Help": 0.03,
        "Downgrade": 0.04,
        "Cancel": 0.025,
        "Logout": 0.02,
        "About": 0.01,
    },
    "Save Settings": {"Home": 0.60, "NextSong": 0.25, "Settings": 0.10},
    "Help": {
        "NextSong": 0.40,
        "Home": 0.30,
        "Help": 0.08,
        "Settings": 0.05,
        "Downgrade": 0.02,
        "About": 0.01,
        "Cancel": 0.002,
        "Logout": 0.02,
        "Error": 0.002,
    },
    "About": {"NextSong": 0.40, "Home": 0.30, "About": 0.05, "Help": 0.05, "Settings": 0.02, "Logout": 0.02},
    "Error": {"NextSong": 0.35, "Home": 0.40, "Help": 0.05, "Error": 0.02, "Logout": 0.02},
    "Downgrade": {
        "Submit Downgrade": 0.04,
        "Cancel": 0.05,
        "NextSong": 0.55,
        "Home": 0.15,
        "Downgrade": 0.07,
        "Help": 0.02,
        "Logout": 0.02,
        "Settings": 0.02,
    },
}

_LOGGED_OUT: dict[str, Spec] = {
    "Home": {"Login": 0.55, "Home": 0.08, "About": 0.07, "Help": 0.04, "Error": 0.002},
    "About": {"Login": 0.40, "Home": 0.30, "Help": 0.03, "About": 0.05},
    "Help": {"Login": 0.50, "Home": 0.30, "Help": 0.05, "About": 0.02},
    "Error": {"Home": 0.50, "Login": 0.20, "Error": 0.02},
}

_GUEST: dict[str, Spec] = {
    "Home": {"Register": 0.35, "About": 0.08, "Help": 0.05, "Home": 0.10, "Error": 0.003},
    "About": {"Register": 0.20, "Home": 0.30, "Help": 0.05, "About": 0.05},
    "Help": {"Register": 0.20, "Home": 0.30, "Help": 0.10, "About": 0.02},
    "Error": {"Home": 0.50, "Help": 0.05, "Error": 0.02},
    "Register": {"Submit Registration": 0.70, "Home": 0.08, "Help": 0.03, "About": 0.01, "Register": 0.05},
}

# First page of a session (eventsim's "new-session" weights).
START_LOGGED_IN: dict[int, Spec] = {
    FREE: {"Home": 1000, "NextSong": 1500, "Help": 10, "About": 5, "Error": 1},
    PAID: {"Home": 1000, "NextSong": 1750, "Help": 5, "About": 5, "Error": 1},
}
START_LOGGED_OUT: Spec = {"Home": 1000, "Login": 500, "About": 10, "Help": 10, "Error": 1}
START_GUEST: Spec = {"Home": 100, "About": 20, "Help": 10, "Register": 30, "Error": 5}
# Returning users start logged in 10:1 (eventsim's "auths" weights).
P_START_LOGGED_OUT = 1.0 / 11.0


def _dest(auth: int, level: int, page: str) -> Dest:
    """Where a transition from (auth, level) to ``page`` lands, auth/level changes included."""
    if auth == LOGGED_IN:
        if page == "Cancellation Confirmation":
            return (CANCELLED, level, page)
        return (LOGGED_IN, level, page)
    if auth == LOGGED_OUT:
        return (LOGGED_OUT, level, page)
    return (GUEST, FREE, page)


def _after_redirect(auth: int, level: int, page: str) -> Dest | None:
    """Forced follow-ups: the page a redirect always lands on, None if not forced."""
    if auth == LOGGED_IN:
        if page == "Logout":
            return (LOGGED_OUT, level, "Home")
        if page == "Submit Upgrade":
            return (LOGGED_IN, PAID, "Home")
        if page == "Submit Downgrade":
            return (LOGGED_IN, FREE, "Home")
        if page == "Cancel":
            return (CANCELLED, level, "Cancellation Confirmation")
    if auth == LOGGED_OUT and page == "Login":
        return (LOGGED_IN, level, "Home")
    if auth == GUEST and page == "Submit Registration":
        return (LOGGED_IN, FREE, "Home")
    return None


@dataclass(frozen=True)
class Machine:
    """The compiled chain: per-state attributes and the quantised transition table."""

    states: tuple[Dest, ...]
    index: dict[Dest, int]
    page: list[int]
    auth: list[int]
    level: list[int]
    timing: list[int]
    kind: list[int]
    trans: list[int]
    start_logged_in: tuple[list[int], list[int]]
    start_logged_out: tuple[list[int], list[int]]
    start_guest: list[int]


def _quantise(spec: dict[int, float]) -> list[int]:
    """QUANT slots holding destination state ids (END for the leftover mass)."""
    total = sum(spec.values())
    if total > 1.0 + 1e-9:
        raise ValueError(f"transition probabilities sum to {total} > 1")
    slots: list[int] = []
    cum = 0.0
    for dest, p in spec.items():
        cum += p
        upto = min(QUANT, round(cum * QUANT))
        slots.extend([dest] * (upto - len(slots)))
    slots.extend([END] * (QUANT - len(slots)))
    return slots


def _normalised(weights: Spec) -> Spec:
    total = float(sum(weights.values()))
    return {k: v / total for k, v in weights.items()}


def build_machine() -> Machine:
    """Compile the page model into lookup tables."""
    specs: dict[Dest, Spec] = {}
    for level, table in ((FREE, _FREE), (PAID, _PAID)):
        for page, spec in table.items():
            specs[(LOGGED_IN, level, page)] = spec
        for page, spec in _LOGGED_OUT.items():
            specs[(LOGGED_OUT, level, page)] = spec
    for page, spec in _GUEST.items():
        specs[(GUEST, FREE, page)] = spec

    # Collect every reachable state in a fixed order (no hash-order dependence:
    # dicts keep insertion order and the specs are literals).
    order: list[Dest] = []
    seen: set[Dest] = set()

    def add(state: Dest) -> None:
        if state not in seen:
            seen.add(state)
            order.append(state)

    for src, spec in specs.items():
        add(src)
        for page in spec:
            add(_dest(src[0], src[1], page))
    for level in (FREE, PAID):
        for page in START_LOGGED_IN[level]:
            add((LOGGED_IN, level, page))
        for page in START_LOGGED_OUT:
            add((LOGGED_OUT, level, page))
    for page in START_GUEST:
        add((GUEST, FREE, page))
    changed = True
    while changed:
        changed = False
        for state in list(order):
            forced = _after_redirect(*state)
            if forced is not None and forced not in seen:
                add(forced)
                changed = True

    index = {s: i for i, s in enumerate(order)}
    trans: list[int] = []
    for state in order:
        forced = _after_redirect(*state)
        if forced is not None:
            trans.extend([index[forced]] * QUANT)
        elif state[2] == "Cancellation Confirmation":
            trans.extend([END] * QUANT)
        else:
            state_spec = specs.get(state)
            if state_spec is None:
                raise ValueError(f"no transitions defined for state {state}")
            trans.extend(_quantise({index[_dest(state[0], state[1], p)]: q for p, q in state_spec.items()}))

    def timing(state: Dest) -> int:
        if state[2] == "NextSong":
            return TIME_SONG
        return TIME_REDIRECT if METHOD_STATUS[state[2]][1] == 307 else TIME_GAP

    def kind(state: Dest) -> int:
        if state[0] == CANCELLED:
            return KIND_CANCELLED
        if state[0] != LOGGED_IN:
            return KIND_ANON
        return KIND_SONG if state[2] == "NextSong" else KIND_PAGE

    def start_table(auth: int, level: int, weights: Spec) -> list[int]:
        return _quantise({index[(auth, level, p)]: q for p, q in _normalised(weights).items()})

    return Machine(
        states=tuple(order),
        index=index,
        page=[PAGE_INDEX[s[2]] for s in order],
        auth=[s[0] for s in order],
        level=[s[1] for s in order],
        timing=[timing(s) for s in order],
        kind=[kind(s) for s in order],
        trans=trans,
        start_logged_in=(
            start_table(LOGGED_IN, FREE, START_LOGGED_IN[FREE]),
            start_table(LOGGED_IN, PAID, START_LOGGED_IN[PAID]),
        ),
        start_logged_out=(
            start_table(LOGGED_OUT, FREE, START_LOGGED_OUT),
            start_table(LOGGED_OUT, PAID, START_LOGGED_OUT),
        ),
        start_guest=start_table(GUEST, FREE, START_GUEST),
    )
