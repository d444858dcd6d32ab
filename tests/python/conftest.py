"""Fixtures for the Python client tests: a bulkhead server on a free loopback port."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
MANAGEMENT_ACCOUNT = "000000000000"


def _binary():
    explicit = os.environ.get("BULKHEAD_BIN")
    if explicit:
        return explicit
    for profile in ("release", "debug"):
        candidate = REPOSITORY / "target" / profile / "bulkhead"
        if candidate.exists():
            return str(candidate)
    pytest.fail("no bulkhead binary: run `cargo build --release` or set BULKHEAD_BIN")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tmp_path, *extra_args):
    """Start `bulkhead serve` with an in-memory store; return the process and its endpoint URL."""
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen(
        [_binary(), "serve", "--in-memory", "--listen", f"127.0.0.1:{port}", *extra_args],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/_bulkhead/health", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("bulkhead did not start: " + (tmp_path / "server.log").read_text())
            time.sleep(0.05)


def stop_server(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture()
def endpoint(tmp_path):
    """A bulkhead server with room for 50 accounts per organization, as an endpoint URL."""
    process, url = start_server(tmp_path, "--max-accounts", "50")
    yield url
    stop_server(process)


@pytest.fixture()
def client_env():
    """Environment for AWS clients: explicit test credentials, no metadata lookups."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": MANAGEMENT_ACCOUNT,
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }
    )
    return env
