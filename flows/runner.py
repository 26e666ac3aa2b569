"""How `music-analytics run` and `python flows/main.py` carry a run out: the runner the CLI finds
(entry point group music_analytics.runners), importable without importing Prefect.

With PREFECT_API_URL set, the flow runs against that server. Without it, the run needs a temporary
server, and this module starts one itself rather than leaving it to Prefect, for three reasons:

- overlap: the server process is started first, before this process imports Prefect (~3 s),
  Great Expectations (~6 s) and the rest, so its 10-25 s start-up runs on the other core meanwhile;
  Prefect's own start comes only when the flow begins, after all of that. The flow then talks to it
  as to any server (PREFECT_API_URL), so this process never imports Prefect's server code either.
- patience: Prefect gives up on its temporary server after a fixed limit (on a machine at load ~20
  a start took more than 120 s). Here a start is waited for as long as the server process is alive
  and using CPU; only a process that exited or used no CPU for STALL_SECONDS fails the run, with one
  line saying how to go on. A limit the user set (STARTUP_LIMIT) still applies, as with Prefect.
- nothing to do: a rerun that finds nothing new (pipeline.nothing_new) stops the server unused and
  runs without Prefect: the warehouse's run ledger records it; no flow run does.

The server is the one Prefect starts (its uvicorn command, its environment); it is stopped when
the run ends.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.errors import PipelineError
from music_analytics.pipeline import Hooks
from music_analytics.summary import outcome_dict

STARTUP_LIMIT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
# How long the server may go without using any CPU before a run gives up on it.
STALL_SECONDS = 60.0
_HOW = "start one with `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"


class PrefectStartError(PipelineError):
    """Prefect's temporary server did not come up: nothing ran."""


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TemporaryServer:
    """Prefect's temporary API server as a child process of this run (see the module docstring)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        api_url: str,
        stall_seconds: float = STALL_SECONDS,
        respawn: Callable[[], tuple[subprocess.Popen[bytes], str]] | None = None,
    ) -> None:
        self.process, self.api_url, self.stall_seconds = process, api_url, stall_seconds
        self.respawn, self.respawns = respawn, 0
        self.started = time.monotonic()
        atexit.register(self.stop)

    @classmethod
    def start(cls) -> TemporaryServer:
        """Start the server process (Prefect's SubprocessASGIServer command and environment)."""
        spec = importlib.util.find_spec("prefect")  # where Prefect is, without importing it
        if spec is None or not spec.submodule_search_locations:
            raise PrefectStartError("Prefect is not installed: reinstall the project (make setup)")
        app_dir = str(Path(next(iter(spec.submodule_search_locations))).parent)

        def spawn() -> tuple[subprocess.Popen[bytes], str]:
            port = _free_port()  # another process may take it first: respawn() then tries another
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--app-dir",
                    app_dir,
                    "--factory",
                    "prefect.server.api.server:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "error",
                    "--lifespan",
                    "on",
                ],
                env={
                    # An import profile asked of the run is the run's: the server's would interleave
                    # with it on the same stderr (and a server stopped unused would leave half of one).
                    **{k: v for k, v in os.environ.items() if k != "PYTHONPROFILEIMPORTTIME"},
                    "PREFECT_UI_ENABLED": "0",
                    "PREFECT__SERVER_EPHEMERAL": "1",
                    "PREFECT__SERVER_FINAL": "1",
                    "PREFECT_SERVER_ANALYTICS_ENABLED": os.environ.get("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                },
                stdin=subprocess.DEVNULL,
            )
            return process, f"http://127.0.0.1:{port}/api"

        return cls(*spawn(), respawn=spawn)

    def _cpu_seconds(self) -> float | None:
        """CPU the server process has used (user + system); None where the system does not say (no /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def wait(self, limit: str | None) -> None:
        """Until the server answers; PrefectStartError when it exited, stalled or missed `limit` (s)."""
        cpu, progressed = self._cpu_seconds(), time.monotonic()
        while not self._healthy():
            now = time.monotonic()
            if self.process.poll() is not None:
                if self.respawn is not None and self.respawns < 2:  # e.g. its port was taken meanwhile
                    self.respawns += 1
                    self.process, self.api_url = self.respawn()
                    cpu, progressed = None, now
                    continue
                raise PrefectStartError(
                    f"Prefect's temporary server exited (code {self.process.returncode}) before it was up: {_HOW}"
                )
            if limit is not None and now - self.started > float(limit):
                self.stop()
                raise PrefectStartError(
                    f"Prefect's temporary server did not start within {float(limit):g} s ({STARTUP_LIMIT}): "
                    f"{_HOW}, or raise the limit"
                )
            used = self._cpu_seconds()
            if used is None or cpu is None or used > cpu:  # no /proc: the user's limit is the only one
                cpu, progressed = used, now
            elif now - progressed > self.stall_seconds:
                self.stop()
                raise PrefectStartError(
                    f"Prefect's temporary server used no CPU for {self.stall_seconds:g} s before it was up: {_HOW}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class CliFormatter(logging.Formatter):
    """The terminal's line: time, the stage, the message; no traceback (the server's log keeps it).

    `06:38:26  stage                  staged 154 rows into staging.artists`
    """

    def format(self, record: logging.LogRecord) -> str:
        stage = getattr(record, "task_name", None)
        if stage is None:
            run = str(getattr(record, "flow_run_name", ""))
            stage = run if run.startswith("day-") else ("run" if run else record.name)
        level = "" if record.levelno == logging.INFO else f"{record.levelname}: "
        when = self.formatTime(record, "%H:%M:%S")
        return f"{when}  {stage:<22} {level}{record.getMessage()}"


def run_without_prefect(cfg: Config) -> dict[str, Any]:
    """The run as the library carries it out: the same stages, ledger row and summary, no tasks."""
    log = logging.getLogger("music_analytics.run")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(CliFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    say = logging.LoggerAdapter(log, {"task_name": "run"}).info  # the stage column of CliFormatter
    return outcome_dict(pipeline.execute(cfg, Hooks(say), run_id=uuid.uuid4().hex))


def warm_up(cfg: Config) -> None:
    """Import what the run will need while the server starts (GX alone is ~6 s of imports)."""
    if cfg.quality.gates:
        import great_expectations  # noqa: F401

        from music_analytics.quality import duckdb_gx  # noqa: F401


def run_cli(cfg: Config, request: dict[str, Any], *, backfill: bool, verbose: bool) -> dict[str, Any]:
    """`music-analytics run`: the flow, in this process, with the configuration the CLI resolved;
    `request` is what the flow run records as its parameter (no secret in it)."""
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        limit = os.environ.get(STARTUP_LIMIT)  # the user's, if any: read before flows/main.py sets a default
        server = TemporaryServer.start()
        if not backfill and pipeline.nothing_new(cfg):
            server.stop()
            # 10-25 s of start-up to record that there was nothing to do is not worth it; nor is
            # importing Prefect (~3 s).
            print("nothing new to load: run without Prefect's temporary server (no flow run recorded)", file=sys.stderr)
            return run_without_prefect(cfg)
        print(
            "starting Prefect's temporary server for this run (set PREFECT_API_URL to use a running one)",
            file=sys.stderr,
        )
    try:
        from music_analytics_flows import main

        if not verbose:
            main.console_for_the_cli()
        warm_up(cfg)
        if server is None:
            return main.run_flow(cfg, request, backfill=backfill)
        server.wait(limit)
        return main.run_flow(cfg, request, backfill=backfill, api_url=server.api_url)
    finally:
        if server is not None:
            server.stop()
