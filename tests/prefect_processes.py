"""Real Prefect processes for end-to-end deployment tests: a server, a process work pool, a worker.

Plain helpers, no fixtures. Every process gets its own PREFECT_HOME and SQLite database under
`home`, a free local port, analytics off, and the project directory in MUSIC_ANALYTICS_PROJECT_DIR
(the pull step of prefect.yaml changes into it), so tests never share state and nothing reaches
the network. Typical use:

    with PrefectStack(tmp_path / "prefect", REPO) as stack:
        stack.start_server()
        stack.create_pool()
        stack.deploy_all()
        stack.start_worker()
        state, output = stack.run_deployment("music_analytics_etl/manual", {"date": "2018-11-15"})

`stop()` (also run by `__exit__`) ends the worker, the flow runs it started and the server.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

_BIN = Path(sys.executable).parent / "prefect"
# The prefect entry point of the running interpreter's environment (the venv's), so every process
# runs the same Prefect as the tests.
PREFECT_COMMAND: tuple[str, ...] = (str(_BIN),) if _BIN.exists() else (sys.executable, "-m", "prefect")

SERVER_TIMEOUT = 120.0
WORKER_TIMEOUT = 60.0
STOP_GRACE = 15.0
_FLOW_RUN_ID = re.compile(r"UUID:\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _json_default(value: object) -> object:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Path | uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {value!r}")


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (Linux)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    """All processes below pid, including those that started their own session."""
    tree = _children()
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _signal(pid: int, sig: signal.Signals, group: bool) -> None:
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class PrefectStack:
    """A Prefect server, a process work pool and its worker, as real processes, for one test."""

    def __init__(
        self, home: Path, project_dir: Path, pool: str = "music-analytics", env: Mapping[str, str] | None = None
    ) -> None:
        self.home = Path(home).resolve()
        self.home.mkdir(parents=True, exist_ok=True)
        self.project_dir = Path(project_dir).resolve()
        self.pool = pool
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.server_log = self.home / "server.log"
        self.worker_log = self.home / "worker.log"
        self.worker_name = f"test-worker-{uuid.uuid4().hex[:8]}"
        self._extra_env = dict(env or {})
        self._server: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []
        # Every pid this stack started or saw below its processes, for stop() and the tests' checks.
        self.pids: set[int] = set()

    # -- environment -----------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The environment of every Prefect process of this stack.

        Inherited PREFECT_* variables are dropped (a test process may have set PREFECT_HOME or
        PREFECT_API_URL for an in-process harness); the extra env given to the constructor is
        applied last and wins.
        """
        env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
        env.update(
            {
                "PREFECT_HOME": str(self.home),
                "PREFECT_API_URL": self.api_url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
                "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{self.home / 'prefect.db'}",
                # No UI: no browser in tests, and the server skips copying the UI build into PREFECT_HOME.
                "PREFECT_SERVER_UI_ENABLED": "false",
                # The worker looks for scheduled runs every 2 s instead of 10 s.
                "PREFECT_WORKER_QUERY_SECONDS": "2",
                # Rich output one run per line, so flow run ids and states are not wrapped.
                "COLUMNS": "200",
                "MUSIC_ANALYTICS_PROJECT_DIR": str(self.project_dir),
            }
        )
        env.update(self._extra_env)
        return env

    # -- commands --------------------------------------------------------------------------------

    def run(self, *args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Any prefect CLI command with this stack's environment (output captured, never raises)."""
        return subprocess.run(
            [*PREFECT_COMMAND, *args],
            env=self.env(),
            cwd=cwd or self.project_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def _check(self, what: str, result: subprocess.CompletedProcess[str]) -> str:
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed (exit {result.returncode}):\n{output}")
        return output

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("ab")
        self._logs.append(handle)
        proc = subprocess.Popen(
            [*PREFECT_COMMAND, *args],
            env=self.env(),
            cwd=self.project_dir,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pids.add(proc.pid)
        return proc

    def api(self, method: str, path: str, body: object = None, timeout: float = 10) -> Any:
        """One call to this stack's REST API; the decoded JSON answer."""
        data = None if body is None else json.dumps(body, default=_json_default).encode()
        request = urllib.request.Request(
            f"{self.api_url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    # -- server ----------------------------------------------------------------------------------

    def start_server(self) -> None:
        if self._server is not None:
            return
        self._server = self._spawn(
            ["server", "start", "--host", "127.0.0.1", "--port", str(self.port)], self.server_log
        )
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if self._server.poll() is not None:
                raise RuntimeError(
                    f"prefect server exited with {self._server.returncode} before it was "
                    f"healthy; {self.server_log}:\n{log_tail(self.server_log)}"
                )
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"prefect server not healthy at {self.api_url} after {SERVER_TIMEOUT:.0f} s; "
                    f"{self.server_log}:\n{log_tail(self.server_log)}"
                )
            time.sleep(0.5)

    # -- pool, deployments, worker ---------------------------------------------------------------

    def create_pool(self) -> None:
        """The process work pool (an existing one is kept)."""
        result = self.run("work-pool", "create", self.pool, "--type", "process")
        if result.returncode != 0 and "already exists" not in result.stdout + result.stderr:
            self._check(f"prefect work-pool create {self.pool}", result)

    def deploy_all(self, timeout: float = 300) -> str:
        """`prefect --no-prompt deploy --all` in the project directory; its output."""
        return self._check(
            "prefect deploy --all", self.run("--no-prompt", "deploy", "--all", timeout=timeout, cwd=self.project_dir)
        )

    def workers(self) -> list[dict[str, Any]]:
        """The workers the server knows for this stack's pool."""
        found: list[dict[str, Any]] = self.api("POST", f"/work_pools/{self.pool}/workers/filter", {})
        return found

    def start_worker(self) -> None:
        """A process worker on the pool; returns once it has sent its first heartbeat."""
        if self._worker is not None:
            return
        self._worker = self._spawn(
            [
                "worker",
                "start",
                "--pool",
                self.pool,
                "--name",
                self.worker_name,
                "--type",
                "process",
                "--install-policy",
                "never",
            ],
            self.worker_log,
        )
        deadline = time.monotonic() + WORKER_TIMEOUT
        while True:
            if self._worker.poll() is not None:
                raise RuntimeError(
                    f"prefect worker exited with {self._worker.returncode}; "
                    f"{self.worker_log}:\n{log_tail(self.worker_log)}"
                )
            try:
                if any(worker.get("name") == self.worker_name for worker in self.workers()):
                    return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"prefect worker {self.worker_name} not registered after {WORKER_TIMEOUT:.0f} s; "
                    f"{self.worker_log}:\n{log_tail(self.worker_log)}"
                )
            time.sleep(0.5)

    def flow_run(self, flow_run_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api("GET", f"/flow_runs/{flow_run_id}")
        return found

    def run_deployment(self, name: str, params: Mapping[str, object], timeout: float = 600) -> tuple[str, str]:
        """Run deployment FLOW/DEPLOYMENT with params and wait for the end.

        Returns (state name, CLI output): "Completed", "Failed", "Crashed"... A failed flow run is
        not an error here; a run that has not finished within timeout raises TimeoutError.
        Parameters go as one JSON object (dates and datetimes as ISO strings): Prefect validates
        them against the flow's signature, so "2018-11-15" reaches a `datetime.date` parameter as
        a date.
        """
        args = [
            "deployment",
            "run",
            name,
            "--params",
            json.dumps(dict(params), default=_json_default),
            "--watch",
            "--watch-timeout",
            str(max(1, int(timeout))),
        ]
        try:
            result = self.run(*args, timeout=timeout + 60)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(
                f"prefect deployment run {name} hung past {timeout + 60:.0f} s\n"
                f"worker log:\n{log_tail(self.worker_log)}"
            ) from exc
        output = result.stdout + result.stderr
        match = _FLOW_RUN_ID.search(output)
        if match is None:
            raise RuntimeError(
                f"prefect deployment run {name} created no flow run (exit {result.returncode}):\n{output}"
            )
        state = self.flow_run(match.group(1)).get("state") or {}
        state_name = str(state.get("name"))
        if state.get("type") not in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            raise TimeoutError(
                f"flow run {match.group(1)} of {name} still {state_name!r} after {timeout:.0f} s:\n"
                f"{output}\nworker log:\n{log_tail(self.worker_log)}"
            )
        return state_name, output

    # -- teardown --------------------------------------------------------------------------------

    def _stop(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None:
            return
        below = descendants(proc.pid) if proc.poll() is None else []
        self.pids.update(below)
        _signal(proc.pid, signal.SIGTERM, group=True)
        for pid in below:  # flow runs may sit in sessions of their own
            _signal(pid, signal.SIGTERM, group=False)
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline:
            proc.poll()
            if proc.returncode is not None and not any(alive(pid) for pid in below):
                break
            time.sleep(0.2)
        if proc.poll() is None:  # still up after the grace period: whatever it started since, too
            below += [pid for pid in descendants(proc.pid) if pid not in below]
            self.pids.update(below)
        _signal(proc.pid, signal.SIGKILL, group=True)
        for pid in below:
            if alive(pid):
                _signal(pid, signal.SIGKILL, group=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)

    def stop(self) -> None:
        """Worker (with its flow runs) then server: SIGTERM, SIGKILL after 15 s. Idempotent."""
        worker, self._worker = self._worker, None
        server, self._server = self._server, None
        self._stop(worker)
        self._stop(server)
        for handle in self._logs:
            handle.close()
        self._logs.clear()

    def __enter__(self) -> PrefectStack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
