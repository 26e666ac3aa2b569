"""The CLI's runner: a temporary Prefect server waited for while it makes progress, and a command
line answered before Prefect, pandas, GX or pyspark are imported."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from music_analytics_flows.runner import PrefectStartError, TemporaryServer

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("prefect", "pandas", "great_expectations", "pyspark", "sqlalchemy")


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server(code: str, *, stall_seconds: float = 1.0) -> TemporaryServer:
    port = _unused_port()
    process = subprocess.Popen([sys.executable, "-c", code.replace("PORT", str(port))])
    return TemporaryServer(process, f"http://127.0.0.1:{port}/api", stall_seconds=stall_seconds)


# Works (uses CPU) for SECONDS, then answers /api/health: a slow start on a busy machine.
STARTS_AFTER = """
import http.server, time
end = time.monotonic() + SECONDS
while time.monotonic() < end:
    pass
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", PORT), Health).serve_forever()
"""
SLOW_BUT_WORKING = STARTS_AFTER.replace("SECONDS", "3")


def test_a_slow_start_is_waited_for_as_long_as_the_server_works() -> None:
    server = _server(SLOW_BUT_WORKING, stall_seconds=1.0)  # the stall limit is shorter than the start
    started = time.monotonic()
    try:
        server.wait(None)
        assert time.monotonic() - started >= 2.5
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.poll() is not None, "stopped with the run"


def test_a_server_that_uses_no_cpu_is_given_up_with_one_line() -> None:
    server = _server("import time; time.sleep(120)", stall_seconds=1.0)
    with pytest.raises(PrefectStartError, match=r"used no CPU for 1 s before it was up: start one with") as raised:
        server.wait(None)
    assert "PREFECT_API_URL=" in str(raised.value) and "\n" not in str(raised.value)
    assert server.process.poll() is not None, "the stalled server is stopped"


def test_a_server_that_exits_is_one_line_with_its_exit_code() -> None:
    server = _server("import sys; sys.exit(3)")
    with pytest.raises(PrefectStartError, match=r"exited \(code 3\) before it was up"):
        server.wait(None)


def test_a_server_that_exits_at_once_is_started_again_on_another_port() -> None:
    """As when another process took its port between choosing it and binding it."""
    spares = [_server(STARTS_AFTER.replace("SECONDS", "1"), stall_seconds=10.0)]

    def respawn() -> tuple[subprocess.Popen[bytes], str]:
        spare = spares.pop()
        return spare.process, spare.api_url

    first = _server("import sys; sys.exit(1)")
    server = TemporaryServer(first.process, first.api_url, stall_seconds=10.0, respawn=respawn)
    try:
        server.wait(None)
        assert server.respawns == 1 and server.process.poll() is None
    finally:
        server.stop()


def test_a_limit_the_user_set_still_applies() -> None:
    server = _server(SLOW_BUT_WORKING, stall_seconds=60)
    with pytest.raises(PrefectStartError, match=r"did not start within 1 s \(PREFECT_SERVER_EPHEMERAL_STARTUP"):
        server.wait("1")
    assert server.process.poll() is not None


@pytest.mark.parametrize(
    "args",
    [["flows/main.py", "--help"], ["flows/main.py", "--version"], ["flows/main.py", "--end", "2018-11-02"]],
)
def test_the_command_line_answers_without_the_heavy_imports(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "music_analytics.cli" in imported
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == [], heavy[:10]
