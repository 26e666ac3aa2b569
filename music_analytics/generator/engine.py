"""The event simulation: users, sessions and the page chain, streamed in time order.

Design, driven by the speed target (>= 100k events/s in pure Python):

* A whole session is simulated as soon as it starts. Within a session nothing
  depends on other sessions, and a user's next session can only start 30
  minutes after the previous one ended, so per-user state (level, churn) is
  always final before it is read again.
* Session starts are one global Poisson process whose hourly rate follows
  the daily and weekly cycle. Each start goes to a user picked by activity
  weight (log-normal, as eventsim's per-user rates); a superposition of
  per-user Poisson processes is exactly that. Picking a user who is busy, in
  the 30-minute break, not yet registered or cancelled is simply retried.
* The hourly rate is steered towards the requested number of events (the
  events of each session are known when it starts), which keeps the total
  within a few percent at any size without a calibration run.
* Every random number comes from numpy Generators in large batches, consumed
  through C-level iterators; event lines are assembled from JSON fragments
  serialised once per user, per song and per session.
* Lines are buffered with their timestamp and flushed at hour boundaries
  (every ~150k events, and at each day's end): a stable argsort by time
  gives the file order, and memory does not grow with the events per day.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .catalogue import Catalogue
from .encode import event_value, float_text, user_agent_value
from .model import (
    AUTH_NAMES,
    KIND_ANON,
    KIND_PAGE,
    KIND_SONG,
    LEVEL_NAMES,
    METHOD_STATUS,
    NEXT_SONG,
    NEXT_SONG_UNKNOWN,
    P_START_LOGGED_OUT,
    PAGES,
    QUANT,
    TIME_REDIRECT,
    TIME_SONG,
    Machine,
)
from .wordlists import FIRST_NAMES, LAST_NAMES, LOCATIONS, USER_AGENTS

DAY = 86_400
HOUR_MS = 3_600_000
SESSION_BREAK_MS = 30 * 60 * 1000
MEAN_THINK_TIME = 90.0  # eventsim's alpha: mean seconds between page views
# Sizing priors; the rate controller corrects for any error in them.
PRIOR_EVENTS_PER_SESSION = 30.0
SESSIONS_PER_USER_DAY = 0.35
NEW_USERS_PER_MONTH = 0.12  # registrations during 30 days, share of the initial users
GUEST_REGISTRATION_PROB = 0.35  # measured share of guest sessions that register
# Subscribers are picked this many times more often: paid listeners make
# most of the plays in real Sparkify data, which keeps NextSong near 80%.
PAID_ACTIVITY = 4.0
CONTROL_GAIN = 0.3
BATCH = 1 << 16
# Buffered events that trigger a flush at the next hour boundary.
SEGMENT_EVENTS = 150_000

# Per-event bookkeeping code: sessionId << 6 | has_userId << 5 | page code.
CODE_SHIFT = 6
HAS_UID = 32
PAGE_MASK = 31


@dataclass
class DaySegment:
    """A run of one UTC day's events in file order: line texts and codes.

    A day arrives as one or more segments (``first`` / ``last`` mark the ends)
    so the buffer stays bounded whatever the events-per-day ratio.
    """

    day: int
    lines: list[str]
    codes: np.ndarray
    first: bool
    last: bool


@dataclass
class SimStats:
    users_initial: int = 0
    users_initial_paid: int = 0
    sessions_started: int = 0
    events_generated: int = 0
    skips: int = 0
    session_user: list[int] = field(default_factory=list)


def _stream(gen: np.random.Generator, draw: Callable[[np.random.Generator], np.ndarray]) -> Iterator[int]:
    """An endless iterator over batches of draws (the batching stays invisible)."""

    def batches() -> Iterator[list[int]]:
        while True:
            yield draw(gen).tolist()

    return itertools.chain.from_iterable(batches())


def _fstream(gen: np.random.Generator) -> Iterator[float]:
    def batches() -> Iterator[list[float]]:
        while True:
            yield gen.random(BATCH).tolist()

    return itertools.chain.from_iterable(batches())


def _weighted(gen: np.random.Generator, weights: list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=np.float64)
    return gen.choice(len(p), size=size, p=p / p.sum())


def activity_shape(hour_index: int, start_weekday: int) -> float:
    """Relative session-start rate for one hour of the period (UTC hour index).

    Peak at 16:30 UTC (mid-morning on the US west coast, lunch on the east
    coast) and a trough around 04:30 UTC, about 4:1 as in the real logs;
    weekends (in US Central time) at about half the weekday level.
    """
    hour_of_day = hour_index % 24 + 0.5
    diurnal = 1.0 + 0.6 * math.cos(2.0 * math.pi * (hour_of_day - 16.5) / 24.0)
    local_day = (hour_index - 6) // 24
    weekday = (start_weekday + local_day) % 7
    return diurnal * (0.55 if weekday >= 5 else 1.0)


class Engine:
    """Simulates the period and hands finished day segments to ``sink``."""

    def __init__(
        self,
        *,
        events: int,
        days: int,
        start_epoch_s: int,
        start_weekday: int,
        skip_rate: float,
        unknown_song_rate: float,
        catalogue: Catalogue,
        machine: Machine,
        seed_seq: np.random.SeedSequence,
        sink: Callable[[DaySegment], None],
        progress: Callable[[str], None] | None,
    ) -> None:
        self.target = events
        self.days = days
        self.start_weekday = start_weekday
        self.skip_rate = skip_rate
        self.sink = sink
        self.progress = progress
        self.m = machine
        self.stats = SimStats()

        (g_users, g_pick, g_page, g_gap, g_song, g_misc, g_arr, g_ms) = (
            np.random.Generator(np.random.PCG64(s)) for s in seed_seq.spawn(8)
        )
        # A constant millisecond part, like real eventsim output (every ts and
        # registration in the sample ends in the same three digits).
        self.base_ms = start_epoch_s * 1000 + int(g_ms.integers(0, 1000))
        self.t_end_ms = self.base_ms + days * DAY * 1000
        self.g_arr = g_arr

        self._build_users(g_users)
        self._build_songs(catalogue, unknown_song_rate, g_song)

        cum = np.cumsum(np.asarray(self.u_weight, dtype=np.float64))
        cum /= cum[-1]
        self.pick_it: Iterator[int] = _stream(
            g_pick, lambda g: np.minimum(np.searchsorted(cum, g.random(BATCH), side="right"), len(cum) - 1)
        )
        self.page_it: Iterator[int] = _stream(g_page, lambda g: g.integers(0, QUANT, BATCH))
        # Think times in whole seconds, as ms (every ts shares one ms part).
        self.gap_it: Iterator[int] = _stream(
            g_gap, lambda g: np.floor(g.exponential(MEAN_THINK_TIME, BATCH)).astype(np.int64) * 1000
        )
        self.misc_it: Iterator[float] = _fstream(g_misc)

        self.buf_lines: list[str] = []
        self.buf_t: list[int] = []
        self.buf_codes: list[int] = []
        self.next_sid = 1
        self.started_days: set[int] = set()

        # Page fragments: method/page, then song/status/ts prefix.
        self.pm = [f',"method":"{METHOD_STATUS[p][0]}","page":{event_value(p)}' for p in PAGES]
        self.ps = [f',"song":null,"status":{METHOD_STATUS[p][1]},"ts":' for p in PAGES]
        self.anon_head = [
            '{"artist":null,"auth":' + event_value(a) + ',"firstName":null,"gender":null,"itemInSession":'
            for a in AUTH_NAMES
        ]
        self.anon_level = [f',"lastName":null,"length":null,"level":"{lv}","location":null' for lv in LEVEL_NAMES]

    # ------------------------------------------------------------------ users
    def _build_users(self, g: np.random.Generator) -> None:
        n_initial = max(8, round(self.target / (PRIOR_EVENTS_PER_SESSION * SESSIONS_PER_USER_DAY * self.days)))
        expected_new = NEW_USERS_PER_MONTH * n_initial * self.days / 30.0
        n_pool = int(expected_new * 2.5) + 10
        n = n_initial + n_pool
        first = _weighted(g, [w for _, _, w in FIRST_NAMES], n).tolist()
        last = _weighted(g, [w for _, w in LAST_NAMES], n).tolist()
        loc = _weighted(g, [w for _, w in LOCATIONS], n).tolist()
        agent = _weighted(g, [w for _, w in USER_AGENTS], n).tolist()
        paid = (g.random(n) < 2.0 / 12.0).tolist()
        # Registration of existing users: up to ~2 months before the period.
        reg_offset = np.round(g.uniform(3600, 60 * DAY, n)).astype(np.int64).tolist()
        # Log-normal activity, as eventsim's per-user rates; subscribers listen more.
        weight = g.lognormal(0.0, 0.7, n)
        weight[:n_initial] *= np.where(np.asarray(paid[:n_initial]), PAID_ACTIVITY, 1.0)
        self.u_weight: list[float] = weight.tolist()
        self.u_first = first
        self.u_last = last
        self.u_loc = loc
        self.u_agent = agent
        self.u_reg_offset = reg_offset
        # status: 0 = not registered yet (guest pool), 1 = active, 2 = cancelled
        self.u_status = [1] * n_initial + [0] * n_pool
        self.u_level = [1 if paid[i] else 0 for i in range(n_initial)] + [0] * n_pool
        self.u_avail = [0] * n
        self.u_frag: list[tuple[str, str, str, str, str] | None] = [None] * n
        self.u_id = [str(i + 1) for i in range(n_initial)] + [""] * n_pool
        self.next_user_id = n_initial + 1
        self.next_pool = n_initial
        self.expected_new = expected_new
        self.stats.users_initial = n_initial
        self.stats.users_initial_paid = sum(self.u_level)

    def _fragments(self, u: int, reg_ms: int) -> tuple[str, str, str, str, str]:
        fname, gender = FIRST_NAMES[self.u_first[u]][0], FIRST_NAMES[self.u_first[u]][1]
        c1 = (
            ',"auth":"Logged In","firstName":'
            + event_value(fname)
            + ',"gender":'
            + event_value(gender)
            + ',"itemInSession":'
        )
        c2 = ',"lastName":' + event_value(LAST_NAMES[self.u_last[u]][0]) + ',"length":'
        loc = ',"location":' + event_value(LOCATIONS[self.u_loc[u]][0])
        reg = ',"registration":' + float_text(float(reg_ms))
        c5 = (
            ',"userAgent":'
            + event_value(user_agent_value(USER_AGENTS[self.u_agent[u]][0]))
            + ',"userId":"'
            + self.u_id[u]
            + '"}\n'
        )
        frag = (c1, c2, loc, reg, c5)
        self.u_frag[u] = frag
        return frag

    def _register(self, t: int) -> int:
        """A guest completed Submit Registration at ``t`` (epoch ms): a new user."""
        u = self.next_pool
        if u >= len(self.u_status):
            # Pool exhausted (extreme parameters): grow it by one; the new
            # user just cannot be picked for later sessions.
            for lst, v in ((self.u_first, 0), (self.u_last, 0), (self.u_loc, 0), (self.u_agent, 0)):
                lst.append(v)
            self.u_weight.append(0.0)
            self.u_reg_offset.append(0)
            self.u_status.append(0)
            self.u_level.append(0)
            self.u_avail.append(0)
            self.u_frag.append(None)
            self.u_id.append("")
        self.next_pool += 1
        self.u_status[u] = 1
        self.u_id[u] = str(self.next_user_id)
        self.next_user_id += 1
        self._fragments(u, t)
        return u

    # ------------------------------------------------------------------ songs
    def _build_songs(self, cat: Catalogue, unknown_rate: float, g: np.random.Generator) -> None:
        sa: list[str] = []
        ss: list[str] = []
        sl: list[str] = []
        sd: list[int] = []
        scode: list[int] = []
        for s in cat.songs:
            sa.append(event_value(s.artist_name))
            ss.append(event_value(s.title))
            sl.append(float_text(s.duration))
            sd.append(int(s.duration) * 1000)
            scode.append(HAS_UID | NEXT_SONG)
        for artist, title, duration in cat.unknown:
            sa.append(event_value(artist))
            ss.append(event_value(title))
            sl.append(float_text(duration))
            sd.append(int(duration) * 1000)
            scode.append(HAS_UID | NEXT_SONG_UNKNOWN)
        # sd_ms: whole seconds a song plays, in ms (the next song starts then).
        self.sa, self.ss, self.sl, self.sd_ms, self.scode = sa, ss, sl, sd, scode
        n_cat = len(cat.songs)
        n_unk = len(cat.unknown)
        # Zipf-like popularity over a random ranking of the catalogue.
        ranks = g.permutation(n_cat)
        pop = 1.0 / np.power(ranks + 8.0, 0.95)
        cum = np.cumsum(pop)
        cum /= cum[-1]
        unk_cum = np.cumsum(1.0 / np.power(np.arange(n_unk) + 4.0, 0.8))
        unk_cum /= unk_cum[-1]

        def draw(gen: np.random.Generator) -> np.ndarray:
            idx = np.minimum(np.searchsorted(cum, gen.random(BATCH), side="right"), n_cat - 1)
            if unknown_rate > 0:
                unk = gen.random(BATCH) < unknown_rate
                alt = n_cat + np.minimum(np.searchsorted(unk_cum, gen.random(BATCH), side="right"), n_unk - 1)
                idx = np.where(unk, alt, idx)
            return idx

        self.song_it: Iterator[int] = _stream(g, draw)

    # --------------------------------------------------------------- sessions
    def _session(self, t: int, user: int) -> int:
        """Simulate one session starting at ``t`` (epoch ms); return its event count.

        ``user`` < 0 starts a guest (a visitor without an account) session.
        This loop is the generator's hot path: locals only, one f-string per
        event, no per-event allocation besides the line itself.
        """
        m = self.m
        trans = m.trans
        st_kind = m.kind
        st_level = m.level
        st_page = m.page
        st_timing = m.timing
        st_auth = m.auth
        page_it = self.page_it
        gap_it = self.gap_it
        song_it = self.song_it
        lines_append = self.buf_lines.append
        t_append = self.buf_t.append
        codes_append = self.buf_codes.append
        sa, ss, sl, sd, scode = self.sa, self.ss, self.sl, self.sd_ms, self.scode
        pm, ps = self.pm, self.ps
        t_end = self.t_end_ms
        skip_rate = self.skip_rate

        sid = self.next_sid
        self.next_sid += 1
        sid_text = str(sid)
        sid64 = sid << CODE_SHIFT
        self.stats.session_user.append(user)
        anon_sid = ',"registration":null,"sessionId":' + sid_text
        anon_head = self.anon_head
        anon_level = self.anon_level
        anon_tail = ',"userAgent":null,"userId":""}\n'

        c1 = c2 = c5 = song_mid = nlv = nrs = cancelled_c1 = ""
        cur_level = -1
        frag: tuple[str, str, str, str, str] | None = None
        if user < 0:
            s = m.start_guest[next(page_it)]
        else:
            frag = self.u_frag[user]
            if frag is None:
                frag = self._fragments(user, self.base_ms - self.u_reg_offset[user] * 1000)
            c1, c2, _, _, c5 = frag
            lv0 = self.u_level[user]
            if next(page_it) < P_START_LOGGED_OUT * QUANT:
                s = m.start_logged_out[lv0][next(page_it)]
            else:
                s = m.start_logged_in[lv0][next(page_it)]
                # Build the logged-in fragments now: a NextSong never checks.
                cur_level = lv0
                level_loc = ',"level":"' + LEVEL_NAMES[lv0] + '"' + frag[2]
                nrs = frag[3] + ',"sessionId":' + sid_text
                song_mid = level_loc + ',"method":"PUT","page":"NextSong"' + nrs + ',"song":'
                nlv = level_loc

        item = 0
        song_end = 0
        while True:
            kind = st_kind[s]
            if kind == KIND_SONG:
                k = next(song_it)
                lines_append(f'{{"artist":{sa[k]}{c1}{item}{c2}{sl[k]}{song_mid}{ss[k]},"status":200,"ts":{t}{c5}')
                codes_append(sid64 | scode[k])
                song_end = t + sd[k]
            elif kind == KIND_PAGE:
                lv = st_level[s]
                if lv != cur_level:
                    # Entered logged-in state (login, registration) or the
                    # level changed (Submit Upgrade / Submit Downgrade).
                    assert frag is not None
                    cur_level = lv
                    level_loc = ',"level":"' + LEVEL_NAMES[lv] + '"' + frag[2]
                    nrs = frag[3] + ',"sessionId":' + sid_text
                    song_mid = level_loc + ',"method":"PUT","page":"NextSong"' + nrs + ',"song":'
                    nlv = level_loc
                p = st_page[s]
                lines_append(f'{{"artist":null{c1}{item}{c2}null{nlv}{pm[p]}{nrs}{ps[p]}{t}{c5}')
                codes_append(sid64 | HAS_UID | p)
            elif kind == KIND_ANON:
                p = st_page[s]
                lines_append(
                    f"{anon_head[st_auth[s]]}{item}{anon_level[st_level[s]]}{pm[p]}{anon_sid}{ps[p]}{t}{anon_tail}"
                )
                codes_append(sid64 | p)
            else:  # Cancellation Confirmation: auth "Cancelled", user shown
                assert frag is not None
                p = st_page[s]
                cancelled_c1 = c1.replace('"Logged In"', '"Cancelled"')
                lines_append(f'{{"artist":null{cancelled_c1}{item}{c2}null{nlv}{pm[p]}{nrs}{ps[p]}{t}{c5}')
                codes_append(sid64 | HAS_UID | p)
                self.u_status[user] = 2
            t_append(t)
            item += 1

            ns = trans[s * QUANT + next(page_it)]
            if ns < 0:
                break
            if kind == KIND_ANON and st_kind[ns] == KIND_PAGE and user < 0:
                user = self._register(t)
                self.stats.session_user[sid - 1] = user
                frag = self.u_frag[user]
                assert frag is not None
                c1, c2, _, _, c5 = frag
            timing = st_timing[ns]
            if timing == TIME_SONG and song_end > t:
                if skip_rate > 0.0 and song_end - t >= 2000 and next(self.misc_it) < skip_rate:
                    # Skip: the next song starts while this one still plays.
                    t += 1000 * (1 + int(next(self.misc_it) * ((song_end - t) // 1000 - 1)))
                    self.stats.skips += 1
                else:
                    t = song_end
            elif timing == TIME_REDIRECT:
                t += 1000
            else:
                t += next(gap_it)
            if t >= t_end:
                break
            s = ns

        if user >= 0:
            if self.u_status[user] == 1:
                self.u_level[user] = st_level[s]
            self.u_avail[user] = self.buf_t[-1] + SESSION_BREAK_MS
        return item

    # -------------------------------------------------------------- main loop
    def run(self) -> SimStats:
        hours = self.days * 24
        shape = np.array([activity_shape(h, self.start_weekday) for h in range(hours)])
        target_cum = self.target * np.cumsum(shape) / shape.sum()
        expected_sessions = self.target / PRIOR_EVENTS_PER_SESSION
        guest_sessions = self.expected_new / GUEST_REGISTRATION_PROB
        p_guest = min(0.5, guest_sessions / max(1.0, expected_sessions))
        pool_end = len(self.u_status)

        generated = 0
        started = 0
        report_step = 1_000_000
        next_report = report_step
        t0 = time.perf_counter()
        g = self.g_arr
        u_status = self.u_status
        u_avail = self.u_avail
        pick_it = self.pick_it
        base = self.base_ms
        for h in range(hours):
            cutoff = base + h * HOUR_MS
            if h and h % 24 == 0:
                self._flush(cutoff, h // 24 - 1, last=True)
            elif len(self.buf_t) >= SEGMENT_EVENTS:
                self._flush(cutoff, h // 24, last=False)
            prev = target_cum[h - 1] if h else 0.0
            want = (target_cum[h] - prev) + CONTROL_GAIN * (prev - generated)
            per_session = (PRIOR_EVENTS_PER_SESSION * 50 + generated) / (50 + started)
            lam = min(max(0.0, want) / per_session, 4.0 * (target_cum[h] - prev) / per_session + 5.0)
            count = int(g.poisson(lam))
            if count == 0:
                continue
            starts = (np.sort(g.integers(0, 3600, count)) * 1000 + cutoff).tolist()
            guest_draw = (g.random(count) < p_guest).tolist()
            for t, is_guest in zip(starts, guest_draw, strict=True):
                if is_guest and self.next_pool < pool_end - 2:
                    user = -1
                else:
                    for _ in range(64):
                        u = next(pick_it)
                        if u_status[u] == 1 and u_avail[u] <= t:
                            user = u
                            break
                    else:
                        continue
                generated += self._session(t, user)
                started += 1
            if self.progress is not None and generated >= next_report:
                elapsed = max(time.perf_counter() - t0, 1e-9)
                self.progress(
                    f"generated {generated:,} / ~{self.target:,} events "
                    f"({h // 24 + 1} of {self.days} days) {generated / elapsed:,.0f} ev/s"
                )
                while next_report <= generated:
                    next_report += report_step
        self._flush(self.t_end_ms, self.days - 1, last=True)
        self.stats.sessions_started = started
        self.stats.events_generated = generated
        return self.stats

    def _flush(self, cutoff: int, day: int, last: bool) -> None:
        """Hand every buffered event before ``cutoff`` (ms) to the sink.

        Sessions are simulated whole when they start, so once session starts
        have passed ``cutoff`` no event before it can still appear. A stable
        sort by time keeps generation order (session start, then
        itemInSession) for events in the same second.
        """
        t_arr = np.fromiter(self.buf_t, dtype=np.int64, count=len(self.buf_t))
        mask = t_arr < cutoff
        inside = np.flatnonzero(mask)
        order = inside[np.argsort(t_arr[inside], kind="stable")]
        lines = self.buf_lines
        seg_lines = [lines[i] for i in order.tolist()]
        codes = np.fromiter(self.buf_codes, dtype=np.int64, count=len(self.buf_codes))
        seg_codes = codes[order]
        rest = np.flatnonzero(~mask).tolist()
        buf_t = self.buf_t
        buf_codes = self.buf_codes
        self.buf_lines = [lines[i] for i in rest]
        self.buf_t = [buf_t[i] for i in rest]
        self.buf_codes = [buf_codes[i] for i in rest]
        del lines, buf_t, buf_codes, t_arr, codes
        first = day not in self.started_days
        self.started_days.add(day)
        self.sink(DaySegment(day=day, lines=seg_lines, codes=seg_codes, first=first, last=last))
