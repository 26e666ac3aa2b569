"""A throwaway, real PostgreSQL server for tests that stop or restart the database mid-run.

The suite's shared server on 127.0.0.1:5432 is used by parallel workers, so a test that takes the
database away from a running pipeline needs a server of its own. This one lives in a private
directory, listens on 127.0.0.1 only, on a free port, and trades durability for speed (fsync off).

    with TempPostgres(tmp_path) as pg:
        url = pg.create_database("warehouse")
        ...
        pg.stop()
        ...
        pg.start()
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Literal, get_args

import psycopg2
from psycopg2 import sql

StopMode = Literal["smart", "fast", "immediate"]

# The server's own waits (-t) are shorter than ours so pg_ctl reports its failure before we kill it.
_PG_CTL_WAIT_S = 30
_SUBPROCESS_TIMEOUT_S = 60
# sun_path is 108 bytes on Linux; the socket file name adds "/.s.PGSQL.NNNNN" and a lock file suffix.
_MAX_SOCKET_DIR_LEN = 80
# The OS user the server runs as when we are root: initdb and postgres refuse to run as root.
_SERVER_OS_USER = "postgres"


def _bin_dir() -> Path:
    """The server binaries: Debian keeps them off PATH, under /usr/lib/postgresql/<major>/bin."""
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "pg_ctl").is_file()]
    numeric = [p for p in candidates if p.parent.name.isdigit()]
    if numeric:
        return max(numeric, key=lambda p: int(p.parent.name))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True)
        path = Path(out.stdout.strip())
        if (path / "pg_ctl").is_file():
            return path
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries (pg_ctl, initdb) not found")


def _free_port() -> int:
    # The kernel picks an unused port; it does not hand the same ephemeral port out again at once,
    # which leaves the window until the server binds it small.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class TempPostgres:
    """One private PostgreSQL cluster: initdb on first start, removed by cleanup()."""

    def __init__(self, base_dir: Path) -> None:
        self.bin_dir = _bin_dir()
        self.port: int = _free_port()
        self._as_root = os.geteuid() == 0
        self._server_uid = pwd.getpwnam(_SERVER_OS_USER).pw_uid if self._as_root else os.geteuid()
        self._server_gid = pwd.getpwnam(_SERVER_OS_USER).pw_gid if self._as_root else os.getegid()
        self.root = self._make_root(Path(base_dir))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log_file = self.root / "server.log"
        self._initialized = False
        self._atexit_registered = False

    # -- layout ---------------------------------------------------------------------------------

    def _make_root(self, base_dir: Path) -> Path:
        """A directory the server user owns, preferably under base_dir.

        pytest's tmp dirs sit under /tmp/pytest-of-root (0700), which the postgres user cannot
        traverse; loosening pytest's dirs would affect every other test's files, so in that case
        (or when the path is too long for a unix socket) the cluster gets its own mkdtemp dir.
        """
        base_dir.mkdir(parents=True, exist_ok=True)
        # mkdtemp, not a fixed name: two clusters may share one base_dir.
        fits = len(str(base_dir / "pgc-XXXXXXXX" / "sock")) <= _MAX_SOCKET_DIR_LEN
        if fits and self._server_can_enter(base_dir):
            root = Path(tempfile.mkdtemp(prefix="pgc-", dir=base_dir))
        else:
            root = Path(tempfile.mkdtemp(prefix="pgc-"))
        os.chown(root, self._server_uid, self._server_gid)
        root.chmod(0o700)
        return root

    def _server_can_enter(self, path: Path) -> bool:
        # We create the cluster root ourselves and chown it, so the server only needs to traverse.
        if not self._as_root:
            return os.access(path, os.W_OK | os.X_OK)
        # os.access answers for root; ask as the server user instead.
        probe = subprocess.run(
            ["runuser", "-u", _SERVER_OS_USER, "--", "test", "-x", str(path)],
            capture_output=True,
            timeout=_SUBPROCESS_TIMEOUT_S,
            check=False,
        )
        return probe.returncode == 0

    # -- running the server's tools ---------------------------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = _SUBPROCESS_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", _SERVER_OS_USER, "--", *cmd]
        # PG* variables from the test environment (PGDATA, PGPORT, ...) would silently redirect the tools.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        # cwd: as the server user, the caller's cwd (e.g. /root) may be unreadable and initdb warns.
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=self.root, check=False)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def _initdb(self) -> None:
        result = self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            # The shared server is C.UTF-8; matching it keeps sort orders the same across both.
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.socket_dir, self._server_uid, self._server_gid)
        settings = {
            "listen_addresses": _conf_quote("127.0.0.1"),
            "port": str(self.port),
            # The default socket dir (/var/run/postgresql) is the shared server's; keep ours private.
            "unix_socket_directories": _conf_quote(str(self.socket_dir)),
            # A test server's data only has to survive its own crash, not the OS's: skip the syncs.
            "fsync": "off",
            "full_page_writes": "off",
            # synchronous_commit stays on: off would let stop("immediate") (a simulated crash) lose
            # transactions that had already reported COMMIT, which is what crash tests check.
            "shared_buffers": _conf_quote("16MB"),
            "huge_pages": "off",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/pgcluster.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._initialized = True

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.root.is_dir():
            # cleanup() removed the private dir; a reused port and root would hide a test's bug.
            raise RuntimeError(f"{self!r} was cleaned up; make a new TempPostgres")
        if self.is_running():
            return
        if not self._initialized:
            self._initdb()
        if not self._atexit_registered:
            # A test that dies before cleanup() must not leave a postmaster behind for the next run.
            atexit.register(self.cleanup)
            self._atexit_registered = True
        result = self._run(
            "pg_ctl", "start", "-w", "-t", str(_PG_CTL_WAIT_S), "-D", str(self.data_dir), "-l", str(self.log_file)
        )
        if result.returncode != 0:
            # A server that did not become ready in time may still be coming up; don't leave it.
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data_dir))
            raise RuntimeError(
                f"PostgreSQL did not start on port {self.port} ({result.returncode}): "
                f"{result.stdout.strip()} {result.stderr.strip()}\n--- server log tail ---\n{self._log_tail()}"
            )

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server; a no-op when it is not running, so cleanup paths can always call it."""
        if mode not in get_args(StopMode):
            raise ValueError(f"stop mode must be one of {get_args(StopMode)}, not {mode!r}")
        if not self.is_running():
            return
        result = self._run("pg_ctl", "stop", "-m", mode, "-w", "-t", str(_PG_CTL_WAIT_S), "-D", str(self.data_dir))
        if result.returncode != 0 and self.is_running():
            raise RuntimeError(
                f"pg_ctl stop -m {mode} failed ({result.returncode}): {result.stdout.strip()} {result.stderr.strip()}"
            )

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").is_file():
            return False
        # pg_ctl status: 0 running, 3 not running, 4 no data dir. It also sees a stale postmaster.pid
        # left by a killed server as "not running".
        return self._run("pg_ctl", "status", "-D", str(self.data_dir)).returncode == 0

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        conn = psycopg2.connect(self.url(), connect_timeout=5)
        try:
            # CREATE DATABASE refuses to run inside a transaction block.
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()
        return self.url(name)

    def cleanup(self) -> None:
        """Stop the server (immediate: its data is about to go) and remove everything it wrote."""
        if self._atexit_registered:
            atexit.unregister(self.cleanup)
            self._atexit_registered = False
        try:
            self.stop("immediate")
        finally:
            self._remove_root()
        self._initialized = False

    def _remove_root(self) -> None:
        # A postmaster can take a moment to unlink its socket and pid file after pg_ctl returns.
        for _ in range(10):
            try:
                shutil.rmtree(self.root)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TempPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        return f"TempPostgres(port={self.port}, root={str(self.root)!r})"


__all__ = ["StopMode", "TempPostgres"]
