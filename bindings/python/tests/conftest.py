"""Shared fixtures: one real mosquitto for the whole run.

The broker comes from the tests crate's ``mqttws-test-broker`` binary (see
tests/src/lib.rs): it prints one JSON line with its URLs, ports and
certificate paths, and runs until its stdin closes. ``MQTTWS_TEST_BROKER``
may name a prebuilt binary; otherwise it is built with cargo once.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterator, List, Optional, Tuple

import pytest

import mqttws
import mqttws.auth
from helpers import ALIYUN, TENCENT, Waker, new_id

REPO = Path(__file__).resolve().parents[3]

# The plain user of the password listeners. Deterministic cloud credentials
# (helpers.TENCENT, helpers.ALIYUN) are registered too, so that presets can
# connect to mosquitto with their signatures as ordinary passwords.
USER, PASSWORD = "alice", "s3cret-pw"


def cloud_users() -> List[Tuple[str, str]]:
    users = []
    for creds in (
        mqttws.auth.tencent_credentials(**TENCENT),  # type: ignore[arg-type]
        mqttws.auth.aliyun_credentials(**ALIYUN),  # type: ignore[arg-type]
    ):
        assert creds.username is not None and creds.password is not None
        users.append((creds.username, creds.password))
    return users


def broker_binary() -> Path:
    env = os.environ.get("MQTTWS_TEST_BROKER")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "mqttws-test-broker"
    if not binary.exists():
        subprocess.run(
            ["cargo", "build", "-q", "-p", "mqttws-tests", "--bin", "mqttws-test-broker"],
            cwd=REPO,
            check=True,
        )
    return binary


@pytest.fixture(scope="session")
def broker() -> Iterator[SimpleNamespace]:
    args = [str(broker_binary()), "--user", USER, PASSWORD]
    for user, password in cloud_users():
        args += ["--user", user, password]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        pytest.fail(f"mqttws-test-broker did not start (exit {proc.returncode})")
    info = SimpleNamespace(**json.loads(line))
    try:
        yield info
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=5)
        proc.stdout.close()


@pytest.fixture
def topic() -> str:
    """A topic no other test uses."""
    return f"test/{new_id()}"


@pytest.fixture
def connect(broker: SimpleNamespace) -> Iterator[Callable[..., mqttws.Client]]:
    """Factory for connected clients, closed at teardown."""
    clients: List[mqttws.Client] = []

    def make(url: Optional[str] = None, **kwargs: object) -> mqttws.Client:
        kwargs.setdefault("client_id", new_id())
        if (url or broker.ws_url).startswith("wss://"):
            kwargs.setdefault("ca_file", broker.ca_pem_path)
        c = mqttws.Client(url or broker.ws_url, **kwargs)
        clients.append(c)
        c.connect()
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def waker(broker: SimpleNamespace) -> Iterator[Waker]:
    w = Waker(broker.tcp_port)
    yield w
    w.close()
