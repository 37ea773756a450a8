"""Helpers for tests that start real `autarky` processes serving on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30
RUN_TIMEOUT_S = 300


def run(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """`autarky ARGS` as a user runs it, to completion; with check, a non-zero exit fails with its stderr."""
    proc = subprocess.run([sys.executable, "-m", "autarky", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=RUN_TIMEOUT_S)
    if check and proc.returncode != 0:
        raise AssertionError(f"autarky {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_autarky(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python -m autarky ARGS` with its output in `log` (a file, so a full pipe never blocks it)."""
    with open(log, "w", encoding="utf-8") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "autarky", *args], env={**os.environ, **env}, stdout=handle,
                                stderr=subprocess.STDOUT, text=True)


def wait_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until Streamlit's health endpoint answers ok; fails with the log if the process ends first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process ended with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer on port {port} within {START_TIMEOUT_S} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> int:
    """SIGTERM, as a service manager sends it; returns the exit code (kills and fails on a hang)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"process did not stop within {STOP_TIMEOUT_S} s of SIGTERM") from None
