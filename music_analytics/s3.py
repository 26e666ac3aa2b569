"""S3 (and S3-compatible stores): raw sources under s3://bucket/prefix, and the lake's upload.

A run lists the source prefix once, then copies only the objects it needs (the range's event
files, the song files) into a local mirror, <data_dir>/work/s3/<bucket>/<prefix>/, where the
engines and the run ledger read them like any folder. A mirrored object is fetched again only
when its ETag changes, so a daily run downloads its day's file and nothing else. Downloads and
uploads stream in chunks (boto3's managed transfers): no object is held whole in memory.

Credentials: boto3's usual chain (AWS_* variables, a Prefect AwsCredentials block exported to
them by the flow, ~/.aws, an instance role), or [s3] access_key_id / secret_access_key. The
secret is registered with `secrets`; no message here contains it. [s3] endpoint_url points at an
S3-compatible store (MinIO, moto in the tests).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import secrets
from .errors import SourceError, TransientSourceError
from .sources import SourceFiles, file_day, in_range, undated

if TYPE_CHECKING:
    from .config import Config, S3Settings

Progress = Callable[[str], None]
_FOLDERS = ("song_data", "log_data")


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def split_uri(uri: str) -> tuple[str, str]:
    """(bucket, prefix without slashes at either end) of an s3:// URI; a SourceError if it has no bucket."""
    rest = uri[len("s3://") :] if is_s3(uri) else ""
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceError(f"source {uri}: expected s3://bucket/prefix")
    return bucket, prefix.strip("/")


@dataclass(frozen=True)
class S3Object:
    key: str
    relative: str  # to the source prefix, e.g. log_data/2018/11/2018-11-15-events.json
    size: int
    etag: str


def client(settings: S3Settings) -> Any:
    """A boto3 S3 client from the [s3] settings (endpoint, region, keys) or boto3's own chain."""
    import boto3
    from botocore.config import Config as BotoConfig

    kwargs: dict[str, Any] = {
        # Standard retry mode: 5xx, throttling and connection errors retried with backoff.
        "config": BotoConfig(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10, read_timeout=60),
    }
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    if settings.region:
        kwargs["region_name"] = settings.region
    if settings.access_key_id and settings.secret_access_key:
        kwargs["aws_access_key_id"] = settings.access_key_id
        kwargs["aws_secret_access_key"] = settings.secret_access_key.reveal()
    return boto3.client("s3", **kwargs)


def _error(uri: str, exc: Exception) -> SourceError:
    """A one-line error naming the object; transient (retried) for 5xx, throttling and the network."""
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, EndpointConnectionError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        message = f"{uri}: {err.get('Code', 'error')}: {err.get('Message', '')}".rstrip(": ")
        return TransientSourceError(message) if status >= 500 or status == 429 else SourceError(message)
    if isinstance(exc, (EndpointConnectionError, ConnectionError)):
        return TransientSourceError(f"{uri}: {secrets.redact(str(exc))}")
    if isinstance(exc, BotoCoreError):
        return SourceError(f"{uri}: {secrets.redact(str(exc))}")
    return SourceError(f"{uri}: {type(exc).__name__}: {secrets.redact(str(exc).splitlines()[0] if str(exc) else '')}")


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def list_source(settings: S3Settings, uri: str) -> list[S3Object]:
    """Every *.json object under <uri>/song_data/ and <uri>/log_data/ (hidden names skipped, like a folder)."""
    bucket, prefix = split_uri(uri)
    s3 = client(settings)
    base = f"{prefix}/" if prefix else ""
    found: list[S3Object] = []
    try:
        paginator = s3.get_paginator("list_objects_v2")
        for folder in _FOLDERS:
            for page in paginator.paginate(Bucket=bucket, Prefix=f"{base}{folder}/"):
                for item in page.get("Contents", []):
                    rel = item["Key"][len(base) :]
                    if rel.endswith(".json") and not _hidden(rel):
                        found.append(S3Object(item["Key"], rel, int(item["Size"]), str(item["ETag"]).strip('"')))
    except Exception as exc:
        raise _error(uri, exc) from exc
    if not found:
        raise SourceError(f"source {uri}: no .json files under song_data/ or log_data/")
    return sorted(found, key=lambda o: o.relative)


def check(settings: S3Settings, uri: str) -> None:
    """Fail fast (one line) when the source prefix cannot be listed: bucket, credentials, endpoint."""
    bucket, prefix = split_uri(uri)
    try:
        client(settings).list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/" if prefix else "", MaxKeys=1)
    except Exception as exc:
        raise _error(uri, exc) from exc


def mirror_root(cfg: Config, uri: str) -> Path:
    bucket, prefix = split_uri(uri)
    return cfg.work_path / "s3" / bucket / prefix


def fetch(cfg: Config, uri: str, objects: list[S3Object], progress: Progress = lambda _m: None) -> Path:
    """Copy `objects` into the local mirror (skipping those whose ETag it already has); return its root."""
    bucket, _ = split_uri(uri)
    root = mirror_root(cfg, uri)
    etags_file = root / "_etags.json"
    try:
        etags: dict[str, str] = json.loads(etags_file.read_text()) if etags_file.exists() else {}
    except (OSError, ValueError):
        etags = {}
    wanted = [o for o in objects if etags.get(o.relative) != o.etag or not (root / o.relative).is_file()]
    if wanted:
        progress(
            f"downloading {len(wanted):,} of {len(objects):,} objects from {uri} "
            f"({sum(o.size for o in wanted) / 1e6:,.1f} MB); the rest are mirrored already"
        )
    s3 = client(cfg.s3)
    for i, obj in enumerate(wanted, start=1):
        target = root / obj.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            s3.download_file(bucket, obj.key, str(partial))
        except Exception as exc:
            raise _error(f"s3://{bucket}/{obj.key}", exc) from exc
        partial.replace(target)
        etags[obj.relative] = obj.etag
        if i % 1000 == 0:
            progress(f"  {i:,} of {len(wanted):,} downloaded")
            etags_file.write_text(json.dumps(etags))
    root.mkdir(parents=True, exist_ok=True)
    etags_file.write_text(json.dumps(etags))
    return root


def discover(
    cfg: Config, uri: str, start: dt.date | None, end: dt.date | None, progress: Progress = lambda _m: None
) -> SourceFiles:
    """sources.discover for an s3:// source: list, mirror the range's objects, describe the local copies."""
    objects = list_source(cfg.s3, uri)
    songs = [o for o in objects if o.relative.startswith("song_data/")]
    events = [o for o in objects if o.relative.startswith("log_data/")]
    chosen = [o for o in events if in_range(o.relative, start, end)]
    earlier = [
        (o.relative, o.size)
        for o in events
        if start is not None and (day := file_day(o.relative.rsplit("/", 1)[-1])) is not None and day < start
    ]
    root = fetch(cfg, uri, songs + chosen, progress).resolve()
    return SourceFiles(
        root=root,
        song_files=tuple(root / o.relative for o in songs),
        event_files=tuple(root / o.relative for o in chosen),
        skipped_event_files=len(events) - len(chosen),
        earlier=tuple(earlier),
        unnamed=tuple(
            (o.relative, undated(name))
            for o in events
            if (start or end) and file_day(name := o.relative.rsplit("/", 1)[-1]) is None
        ),
    )


def upload_tree(settings: S3Settings, local: Path, uri: str, progress: Progress = lambda _m: None) -> list[str]:
    """Upload every file under `local` (hidden names skipped) to s3://bucket/prefix/<relative>; return keys."""
    bucket, prefix = split_uri(uri)
    s3 = client(settings)
    keys: list[str] = []
    files = sorted(p for p in local.rglob("*") if p.is_file() and not _hidden(p.relative_to(local).as_posix()))
    progress(f"uploading {len(files):,} lake files ({sum(p.stat().st_size for p in files) / 1e6:,.1f} MB) to {uri}")
    for path in files:
        key = "/".join(x for x in (prefix, path.relative_to(local).as_posix()) if x)
        try:
            s3.upload_file(str(path), bucket, key)
        except Exception as exc:
            raise _error(f"s3://{bucket}/{key}", exc) from exc
        keys.append(key)
    return keys


def iter_keys(settings: S3Settings, uri: str) -> Iterator[str]:
    """Every key under an s3:// prefix (tests, checks)."""
    bucket, prefix = split_uri(uri)
    s3 = client(settings)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield str(item["Key"])
