"""pytest fixtures for MQTT test rigs: a throwaway mosquitto and a client.

Installed with the package (entry point ``pytest11``), so a test needs no
conftest::

    def test_echo(mqtt_client, mqtt_broker):
        mqtt_client.subscribe("rig/#", qos=1)
        mqtt_client.publish("rig/1", b"on", qos=1, wait=True)
        message = mqtt_client.recv(timeout=5)
        assert message is not None and message.payload == b"on"

* ``mqtt_broker`` (one per test session): a mosquitto started from ``PATH``
  (install it: ``apt-get install mosquitto``; tests using the fixture are
  skipped without it) in a temporary directory, with a plain WebSocket
  listener (``ws_url``), a TLS one (``wss_url``; certificate for
  ``127.0.0.1`` signed by a throwaway CA, ``ca_file``, made with the
  ``openssl`` command) and a plain MQTT listener (``tcp_port``), each on a
  free loopback port. Anonymous access. Stopped at the end of the session.
* ``mqtt_client``: a ``mqttws.Client`` connected to ``mqtt_broker.ws_url``
  with a fresh client id, closed after the test.

``mqtt_broker.client(**kwargs)`` makes more (unconnected) clients;
``mqtt_broker.client(tls=True)`` one over wss.
"""

from __future__ import annotations

import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, List, Optional

import pytest

import mqttws

__all__ = ["MosquittoBroker", "mqtt_broker", "mqtt_client"]

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0


def _free_ports(n: int) -> List[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def _make_certificates(d: Path) -> None:
    """A CA, and a server certificate for 127.0.0.1 and localhost signed by it."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mqttws test CA",
             "-keyout", "ca.key", "-out", "ca.pem", cwd=d)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "server.key", "-out", "server.csr", cwd=d)  # fmt: skip
    (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.cnf", "-out", "server.pem", cwd=d)  # fmt: skip


def _mqtt_ready(port: int, deadline: float) -> bool:
    """Whether mosquitto answers a CONNECT on its plain TCP listener (it does
    so only from its main loop, once every listener is bound)."""
    client_id = b"mqttws-ready-probe"
    body = b"\x00\x04MQTT\x04\x02\x00\x0a" + struct.pack(">H", len(client_id)) + client_id
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(bytes([0x10, len(body)]) + body)
                if s.recv(4)[:1] == b"\x20":
                    s.sendall(b"\xe0\x00")  # DISCONNECT
                    return True
        except OSError:
            pass
        time.sleep(0.02)  # polling a port that is not bound yet
    return False


class MosquittoBroker:
    """A mosquitto process on free loopback ports, in a temporary directory.

    ``start()`` returns once the broker accepts connections; ``stop()``
    ends it (SIGTERM, then SIGKILL). Usable without pytest too.
    """

    def __init__(self, mosquitto: Optional[str] = None) -> None:
        binary = mosquitto or shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/sbin")
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="mqttws-broker-"))
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.tcp_port = self.ws_port = self.wss_port = 0
        self.ca_file = str(self.dir / "ca.pem")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/mqtt"

    @property
    def wss_url(self) -> str:
        return f"wss://127.0.0.1:{self.wss_port}/mqtt"

    @property
    def log(self) -> str:
        """What mosquitto logged so far."""
        try:
            return (self.dir / "mosquitto.log").read_text(errors="replace")
        except OSError:
            return ""

    def client(self, tls: bool = False, **kwargs: Any) -> mqttws.Client:
        """A client for this broker (not connected), with a fresh client id."""
        kwargs.setdefault("client_id", f"rig-{uuid.uuid4().hex[:12]}")
        if tls:
            kwargs.setdefault("ca_file", self.ca_file)
        return mqttws.Client(self.wss_url if tls else self.ws_url, **kwargs)

    def start(self) -> MosquittoBroker:
        # mosquitto started as root runs as the user "mosquitto": it must be
        # able to read the directory and the throwaway key.
        self.dir.chmod(0o755)
        _make_certificates(self.dir)
        for name in ("ca.pem", "server.pem", "server.key"):
            (self.dir / name).chmod(0o644)
        for _ in range(3):  # a port taken between choosing and binding
            if self._start_once():
                return self
        raise RuntimeError(f"mosquitto did not start:\n{self.log}")

    def _start_once(self) -> bool:
        self.tcp_port, self.ws_port, self.wss_port = _free_ports(3)
        d = self.dir
        # WebSocket listeners name the interface: mosquitto 2.0.11 ignores
        # their address and would listen on every interface.
        (d / "mosquitto.conf").write_text(
            "per_listener_settings true\n"
            "set_tcp_nodelay true\n"
            "log_dest stderr\n"
            f"listener {self.tcp_port} 127.0.0.1\nallow_anonymous true\n"
            f"listener {self.ws_port} lo\nprotocol websockets\nallow_anonymous true\n"
            f"listener {self.wss_port} lo\nprotocol websockets\nallow_anonymous true\n"
            f"cafile {d / 'ca.pem'}\ncertfile {d / 'server.pem'}\nkeyfile {d / 'server.key'}\n"
        )
        with open(d / "mosquitto.log", "wb") as log:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(d / "mosquitto.conf")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if _mqtt_ready(self.tcp_port, time.monotonic() + _START_TIMEOUT):
            return True
        self.stop()
        return False

    def stop(self) -> None:
        p, self.process = self.process, None
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=_STOP_TIMEOUT)

    def close(self) -> None:
        """Stops the broker and removes its directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> MosquittoBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture(scope="session")
def mqtt_broker() -> Iterator[MosquittoBroker]:
    """A throwaway mosquitto (ws, wss and plain MQTT on free ports) for the session."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    try:
        broker = MosquittoBroker()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    with broker:
        yield broker


@pytest.fixture
def mqtt_client(mqtt_broker: MosquittoBroker) -> Iterator[mqttws.Client]:
    """A ``mqttws.Client`` connected to ``mqtt_broker.ws_url``, closed after the test."""
    with mqtt_broker.client() as client:
        client.connect()
        yield client
