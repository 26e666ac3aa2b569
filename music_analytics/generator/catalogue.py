"""The song catalogue: Million-Song-Dataset-like songs, their files and song-file faults."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .encode import SONG_FIELDS, song_text
from .wordlists import (
    ARTIST_LOCATIONS,
    FIRST_NAMES,
    LAST_NAMES,
    NON_ASCII_WORDS,
    NUMERIC_NAMES,
    PLURAL_NOUNS,
    TITLE_SUFFIXES,
    TITLE_WORDS,
    VERBS,
)

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HEX = "0123456789ABCDEF"


@dataclass
class Song:
    """One catalogue song. ``*_is_number`` marks a song-file fault: the text is
    written as a bare JSON number in the file (it is still this string in plays)."""

    track_id: str
    song_id: str
    artist_id: str
    artist_name: str
    title: str
    duration: float
    year: int
    latitude: float | None
    longitude: float | None
    location: str
    title_is_number: bool = False
    artist_is_number: bool = False


@dataclass
class SongFile:
    """A file under song_data/ and the catalogue songs it holds (usually one)."""

    path: str
    songs: list[int]
    layout: str = "single"  # single | lines | same_line | pretty


@dataclass
class Catalogue:
    songs: list[Song]
    # Plays of songs that are NOT in the catalogue: (artist, title, duration).
    unknown: list[tuple[str, str, float]]
    files: list[SongFile]
    faults: list[dict[str, Any]] = field(default_factory=list)

    @property
    def artists(self) -> int:
        return len({s.artist_id for s in self.songs})


def _random_codes(g: np.random.Generator, n: int, alphabets: list[str]) -> list[str]:
    """``n`` random strings; character i is drawn from ``alphabets[i]``."""
    cols = []
    for alphabet in alphabets:
        table = np.frombuffer(alphabet.encode("ascii"), dtype="S1")
        cols.append(table[g.integers(0, len(alphabet), n)])
    chars = np.stack(cols, axis=1).copy()
    return [b.decode("ascii") for b in chars.view(f"S{len(alphabets)}").ravel().tolist()]


def _unique_ids(g: np.random.Generator, prefix: str, n: int, alphabets: list[str], used: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        for code in _random_codes(g, n - len(out) + 8, alphabets):
            ident = prefix + code
            if ident not in used and len(out) < n:
                used.add(ident)
                out.append(ident)
    return out


def _ids(g: np.random.Generator, prefix: str, n: int, used: set[str]) -> list[str]:
    """Million-Song-Dataset-style ids: a two-letter prefix and 16 characters."""
    return _unique_ids(g, prefix, n, [_ALNUM] * 16, used)


def _track_ids(g: np.random.Generator, n: int, used: set[str]) -> list[str]:
    # The 3rd-5th characters are the song_data/A/B/C directories. Like the
    # public Sparkify subset, keep the first of them to A/B so a large catalogue
    # spreads over ~1,400 directories instead of 17,576.
    return _unique_ids(g, "TR", n, ["AAB"] + [_UPPER] * 4 + [_HEX] * 11, used)


class _Names:
    """Artist names and titles with the quirks real catalogues have."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.first = [n for n, _, _ in FIRST_NAMES]
        self.last = [n for n, _ in LAST_NAMES]

    def word(self) -> str:
        if self.rnd.random() < 0.04:
            return self.rnd.choice(NON_ASCII_WORDS)
        return self.rnd.choice(TITLE_WORDS)

    def artist(self) -> str:
        r = self.rnd.random()
        ch = self.rnd.choice
        if r < 0.22:
            name = f"The {self.word()} {ch(PLURAL_NOUNS)}"
        elif r < 0.45:
            name = f"{ch(self.first)} {ch(self.last)}"
        elif r < 0.60:
            name = self.word() + ch(("", "", "s", "z", "ville", " Project", " Collective"))
        elif r < 0.68:
            name = f"{ch(self.first)} {ch(self.last)} & The {ch(PLURAL_NOUNS)}"
        elif r < 0.74:
            name = f"{ch(('DJ', 'MC', 'Lil', 'Big', 'Dr.'))} {self.word()}"
        elif r < 0.80:
            name = f"{ch(self.first)} {ch(self.last)} feat. {ch(self.first)} {ch(self.last)}"
        elif r < 0.84:
            # Slashes exercise the logs' \/ escaping.
            name = f"{self.word()}/{self.word()}"
        elif r < 0.88:
            name = f"{ch(self.first)} {ch(self.last)} / {ch(self.first)} {ch(self.last)}"
        elif r < 0.93:
            name = f"{self.rnd.choice(NON_ASCII_WORDS)} {ch(self.last)}"
        else:
            name = f"{self.word()} {self.word()}".upper()
        return name

    def title(self) -> str:
        r = self.rnd.random()
        ch = self.rnd.choice
        w = self.word
        if r < 0.20:
            t = f"{w()} {w()}"
        elif r < 0.32:
            t = f"I {ch(VERBS)} {ch(('You', 'Her', 'Him', 'It', 'Nothing', 'the ' + w()))}"
        elif r < 0.42:
            t = f"{w()} Of {w()}"
        elif r < 0.50:
            t = f"Don't {ch(VERBS)} {ch(('Me', 'Me Now', 'It', 'Away', 'Back'))}"
        elif r < 0.56:
            t = f"{ch(('It', 'That', 'What', 'She', 'He'))}'s {ch(('Alright', 'Over', 'Gone', 'Love', 'Time'))}"
        elif r < 0.64:
            t = w()
        elif r < 0.70:
            t = f"The {w()} {ch(('Song', 'Blues', 'Waltz', 'Theme', 'Dance'))}"
        elif r < 0.76:
            t = f"{w()} {w()} {w()}"
        elif r < 0.80:
            t = f"Rock'n'{w()}"
        elif r < 0.84:
            t = f"{w()} (feat. {ch(self.first)} {ch(self.last)})"
        else:
            t = f"{w()} {ch(('In The', 'On The', 'For The', 'And The', 'Of The'))} {w()}"
        if self.rnd.random() < 0.12:
            t += ch(TITLE_SUFFIXES)
        r2 = self.rnd.random()
        # Real song titles sometimes carry stray leading/trailing spaces.
        if r2 < 0.010:
            t += " "
        elif r2 < 0.015:
            t = " " + t
        return t


def _artist_variant(name: str, rnd: random.Random) -> str:
    """A spelling variant of an artist name, as different releases credit it."""
    if name.startswith("The "):
        return name[4:]
    options = [
        name.upper() if name.upper() != name else name.title(),
        name.replace(" & ", " and ") if " & " in name else name + " & Friends",
        "The " + name,
        name.replace(" feat. ", " featuring ") if " feat. " in name else name + " (Live Band)",
    ]
    variant = rnd.choice(options)
    return variant if variant != name else name + " Jr."


def build_catalogue(n_songs: int, seed_rng: np.random.Generator, fault_rate: float) -> Catalogue:
    """Generate ``n_songs`` songs (and some unknown ones for unmatched plays)."""
    rnd = random.Random(int(seed_rng.integers(0, 2**63 - 1)))
    names = _Names(rnd)
    used_ids: set[str] = set()
    used_tracks: set[str] = set()

    n_artists = max(1, round(n_songs / 2.6))
    # Each artist gets one song, the rest follow a log-normal popularity, so
    # a few artists have dozens of songs and most have one or two.
    weights = seed_rng.lognormal(0.0, 1.0, n_artists)
    extra = seed_rng.multinomial(max(0, n_songs - n_artists), weights / weights.sum())
    per_artist: list[int] = (1 + extra).tolist() if n_songs >= n_artists else [1] * n_songs

    durations = np.exp(seed_rng.normal(np.log(240.0), 0.38, n_songs + n_songs // 4 + 60))
    durations = np.clip(durations, 15.0, 2600.0)
    dur_iter = iter((np.round(durations * 1e5) / 1e5).tolist())

    artist_ids = _ids(seed_rng, "AR", n_artists, used_ids)
    song_ids = iter(_ids(seed_rng, "SO", n_songs, used_ids))
    track_ids = iter(_track_ids(seed_rng, n_songs, used_tracks))
    artist_names: set[str] = set()
    songs: list[Song] = []
    triples: set[tuple[str, str, float]] = set()
    for count in per_artist:
        name = names.artist()
        while name in artist_names:
            name = names.artist()
        artist_names.add(name)
        artist_id = artist_ids[len(artist_names) - 1]
        r = rnd.random()
        if r < 0.40:
            location, lat, lon = "", None, None
        else:
            location, la, lo = rnd.choice(ARTIST_LOCATIONS)
            lat, lon = (la, lo) if rnd.random() < 0.8 else (None, None)
        titles: list[str] = []
        for _ in range(count):
            duration = next(dur_iter)
            # A few of an artist's songs are another version of an earlier
            # one: same title and artist, different duration (as in real
            # catalogues; it makes the duration part of the play match matter).
            title = rnd.choice(titles) if titles and rnd.random() < 0.03 else names.title()
            while (title, name, duration) in triples:
                title = names.title()
            triples.add((title, name, duration))
            titles.append(title)
            year = 0 if rnd.random() < 0.45 else int(min(2010, max(1954, round(rnd.gauss(1997, 10)))))
            songs.append(
                Song(
                    track_id=next(track_ids),
                    song_id=next(song_ids),
                    artist_id=artist_id,
                    artist_name=name,
                    title=title,
                    duration=duration,
                    year=year,
                    latitude=lat,
                    longitude=lon,
                    location=location,
                )
            )
    # Shuffle so file order, artist grouping and popularity rank are unrelated.
    rnd.shuffle(songs)

    unknown: list[tuple[str, str, float]] = []
    n_unknown = max(50, n_songs // 5)
    catalogue_artists = sorted(artist_names)
    while len(unknown) < n_unknown:
        artist = rnd.choice(catalogue_artists) if rnd.random() < 0.5 else names.artist()
        title = names.title()
        duration = round(float(np.clip(rnd.lognormvariate(np.log(240.0), 0.38), 15.0, 2600.0)) * 1e5) / 1e5
        if (title, artist, duration) not in triples:
            triples.add((title, artist, duration))
            unknown.append((artist, title, duration))

    files = [SongFile(path=_song_path(s.track_id), songs=[i]) for i, s in enumerate(songs)]
    catalogue = Catalogue(songs=songs, unknown=unknown, files=files)
    if fault_rate > 0:
        _inject_song_faults(catalogue, rnd, fault_rate)
    return catalogue


def _song_path(track_id: str) -> str:
    return f"song_data/{track_id[2]}/{track_id[3]}/{track_id[4]}/{track_id}.json"


def _inject_song_faults(cat: Catalogue, rnd: random.Random, fault_rate: float) -> None:
    """Song-file faults: numbers for text, artist spelling conflicts, multi-object files."""
    songs = cat.songs
    n = len(songs)
    per_kind = max(1, round(fault_rate * n / 4))
    involved: set[int] = set()
    by_artist: dict[str, list[int]] = {}
    for i, s in enumerate(songs):
        by_artist.setdefault(s.artist_id, []).append(i)
    artist_order = sorted(by_artist)  # sorted ids: no dependence on hash order
    triples = {(s.title, s.artist_name, s.duration) for s in songs}

    # numeric_title: the song's title is a number-like string, written unquoted.
    candidates = list(range(n))
    rnd.shuffle(candidates)
    placed = 0
    for i in candidates:
        if placed >= per_kind:
            break
        s = songs[i]
        title = rnd.choice(NUMERIC_NAMES)
        if (title, s.artist_name, s.duration) in triples:
            continue
        triples.discard((s.title, s.artist_name, s.duration))
        s.title = title
        s.title_is_number = True
        triples.add((s.title, s.artist_name, s.duration))
        involved.add(i)
        placed += 1

    # numeric_artist_name: a whole artist is named like "311"; prefer artists
    # with a single song so one file carries the whole quirk.
    artists = [a for a in artist_order if not involved.intersection(by_artist[a])]
    rnd.shuffle(artists)
    artists.sort(key=lambda a: len(by_artist[a]))
    taken_names = {s.artist_name for s in songs}
    numeric_names = [x for x in NUMERIC_NAMES if x not in taken_names]
    rnd.shuffle(numeric_names)
    for a, name in zip(artists, numeric_names[:per_kind], strict=False):
        for i in by_artist[a]:
            s = songs[i]
            triples.discard((s.title, s.artist_name, s.duration))
            s.artist_name = name
            s.artist_is_number = True
            triples.add((s.title, s.artist_name, s.duration))
            involved.add(i)

    # conflicting_artist_name: one song of a multi-song artist credits a variant spelling.
    multi = [a for a in artist_order if len(by_artist[a]) >= 2 and not involved.intersection(by_artist[a])]
    rnd.shuffle(multi)
    conflicting: list[int] = []
    for a in multi[:per_kind]:
        i = by_artist[a][-1]
        s = songs[i]
        variant = _artist_variant(s.artist_name, rnd)
        if (s.title, variant, s.duration) in triples:
            continue
        triples.discard((s.title, s.artist_name, s.duration))
        s.artist_name = variant
        triples.add((s.title, s.artist_name, s.duration))
        involved.update(by_artist[a])
        conflicting.append(i)

    # multi_object_song_file: a file holds a second song, which has no file of its own.
    free = [i for i in range(n) if i not in involved]
    rnd.shuffle(free)
    layouts = ("lines", "same_line", "pretty")
    guests: set[int] = set()
    hosts: dict[int, tuple[int, str]] = {}
    for k in range(min(per_kind, len(free) // 2)):
        host, guest = free[2 * k], free[2 * k + 1]
        hosts[host] = (guest, layouts[k % len(layouts)])
        guests.add(guest)

    files: list[SongFile] = []
    for i, s in enumerate(songs):
        if i in guests:
            continue
        if i in hosts:
            guest, layout = hosts[i]
            files.append(SongFile(path=_song_path(s.track_id), songs=[i, guest], layout=layout))
        else:
            files.append(SongFile(path=_song_path(s.track_id), songs=[i]))
    cat.files = files

    conflicting_set = set(conflicting)
    for f in files:
        first = songs[f.songs[0]]
        if first.title_is_number:
            cat.faults.append(_song_fault("numeric_title", f.path, 1, f"title written as the number {first.title}"))
        if first.artist_is_number:
            cat.faults.append(
                _song_fault("numeric_artist_name", f.path, 1, f"artist_name written as the number {first.artist_name}")
            )
        if f.songs[0] in conflicting_set:
            cat.faults.append(
                _song_fault(
                    "conflicting_artist_name",
                    f.path,
                    1,
                    f"artist {first.artist_id} credited as {first.artist_name!r} here, differently elsewhere",
                )
            )
        if len(f.songs) > 1:
            line = _second_object_line(f)
            cat.faults.append(
                _song_fault("multi_object_song_file", f.path, line, f"second song object ({f.layout}) starts here")
            )


def _song_fault(kind: str, path: str, line: int, detail: str) -> dict[str, Any]:
    return {"kind": kind, "file": path, "line": line, "expect": "loaded", "detail": detail}


def _json_number(text: str) -> int | float:
    value: int | float = float(text) if "." in text else int(text)
    if json.dumps(value) != text:
        raise ValueError(f"{text!r} does not round-trip as a JSON number")
    return value


def song_record(s: Song) -> dict[str, Any]:
    """The song as the file stores it, field order and JSON types as in the real files."""
    return {
        "num_songs": 1,
        "artist_id": s.artist_id,
        "artist_latitude": s.latitude,
        "artist_longitude": s.longitude,
        "artist_location": s.location,
        "artist_name": _json_number(s.artist_name) if s.artist_is_number else s.artist_name,
        "song_id": s.song_id,
        "title": _json_number(s.title) if s.title_is_number else s.title,
        "duration": s.duration,
        "year": s.year,
    }


def song_file_text(f: SongFile, songs: list[Song]) -> str:
    records = [song_record(songs[i]) for i in f.songs]
    if f.layout == "pretty":
        return "\n".join(json.dumps(r, ensure_ascii=True, indent=4) for r in records)
    texts = [song_text(r) for r in records]
    if f.layout == "same_line":
        return "".join(texts)
    return "\n".join(texts)


def _second_object_line(f: SongFile) -> int:
    if f.layout == "pretty":
        # "{", one line per field, "}", then the second object.
        return len(SONG_FIELDS) + 3
    if f.layout == "same_line":
        return 1
    return 2


def render_song_files(cat: Catalogue) -> tuple[list[tuple[str, bytes]], list[dict[str, Any]]]:
    """Every song file's bytes, and the manifest entries, in path order."""
    files: list[tuple[str, bytes]] = []
    entries: list[dict[str, Any]] = []
    for f in sorted(cat.files, key=lambda x: x.path):
        text = song_file_text(f, cat.songs)
        data = text.encode("ascii")
        files.append((f.path, data))
        entries.append({"path": f.path, "lines": text.count("\n") + 1, "records": len(f.songs), "bytes": len(data)})
    return files, entries
