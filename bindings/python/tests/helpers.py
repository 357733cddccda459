"""Test helpers: ids, a broker waker, and a scripted WebSocket server.

The scripted server is a loopback TCP listener on a free port whose every
connection runs a Python function: it can answer the upgrade with any HTTP
status, stay silent, or speak just enough MQTT to reach a given state, so
that each error class can be provoked by a real cause.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import threading
import time
import uuid
from typing import Any, Callable, List, Optional, Tuple

# Deterministic cloud credentials (no clock, fixed connid / timestamp) that
# the broker fixture registers as users of its password listeners.
TENCENT = dict(
    product_id="ABCDEFGHIJ",
    device_name="dev001",
    psk="AAECAwQFBgcICQoLDA0ODw==",
    connid="abcde",
    expiry="never",
)
ALIYUN = dict(
    product_key="a1B2c3D4e5F",
    device_name="dev001",
    device_secret="device-secret",
    timestamp=2524608000000,
)


def new_id(prefix: str = "py") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_until(pred: Callable[[], bool], timeout: float = 5.0, step: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def rss_kib() -> int:
    """Resident set size of this process, in KiB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


class Waker:
    """Keeps mosquitto's main loop busy (a PINGREQ every ~1 ms on a plain TCP
    MQTT connection), so that WebSocket handshakes do not wait for its 100 ms
    idle tick (as /work/shared/bench/broker/waker.py does for the benches)."""

    def __init__(self, port: int, period: float = 0.001) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cid = f"waker-{os.getpid()}-{uuid.uuid4().hex[:6]}".encode()
        var = b"\x00\x04MQTT\x04\x02" + struct.pack(">H", 600)
        body = var + struct.pack(">H", len(cid)) + cid
        self.sock.sendall(b"\x10" + bytes([len(body)]) + body)
        ack = self.sock.recv(4)
        assert ack[:1] == b"\x20" and ack[3:4] == b"\x00", ack
        self.sock.setblocking(False)
        self.period = period
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(self.period):
            try:
                self.sock.send(b"\xc0\x00")  # PINGREQ
            except BlockingIOError:
                pass
            try:
                self.sock.recv(65536)  # PINGRESPs
            except BlockingIOError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


# ------------------------------------------------------------------ scripted

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("client closed before sending the request")
        data += chunk
    return data


def accept_upgrade(conn: socket.socket, request: bytes, protocol: Optional[str] = "mqtt") -> None:
    key = b""
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
    lines = [
        b"HTTP/1.1 101 Switching Protocols",
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Accept: " + accept,
    ]
    if protocol:
        lines.append(b"Sec-WebSocket-Protocol: " + protocol.encode())
    conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n")


def recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(conn: socket.socket) -> Tuple[int, bytes]:
    b0, b1 = recv_exact(conn, 2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack(">H", recv_exact(conn, 2))
    elif n == 127:
        (n,) = struct.unpack(">Q", recv_exact(conn, 8))
    mask = recv_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
    data = bytes(c ^ mask[i % 4] for i, c in enumerate(recv_exact(conn, n)))
    return b0 & 0x0F, data


def send_frame(conn: socket.socket, opcode: int, payload: bytes) -> None:
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack(">Q", n)
    conn.sendall(head + payload)


def parse_connect(packet: bytes) -> dict:
    """Client id, user name and password of an MQTT 3.1.1 CONNECT."""
    first, body = split_packet(packet)
    assert first == 0x10, packet[:1]
    flags = body[7]
    pos = 10

    def field() -> bytes:
        nonlocal pos
        (n,) = struct.unpack(">H", body[pos : pos + 2])
        value = body[pos + 2 : pos + 2 + n]
        pos += 2 + n
        return value

    out: dict = {"client_id": field().decode()}
    if flags & 0x04:
        out["will_topic"] = field().decode()
        out["will_payload"] = field()
    out["username"] = field().decode() if flags & 0x80 else None
    out["password"] = field().decode() if flags & 0x40 else None
    return out


CONNACK_OK = b"\x20\x02\x00\x00"


class ScriptedServer:
    """Runs ``script(conn)`` on a thread for every accepted connection."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.script = script
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/mqtt"
        self.conns: List[socket.socket] = []
        self.errors: List[BaseException] = []
        self.closing = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.script(conn)
        except (ConnectionError, OSError):
            pass
        except BaseException as e:  # noqa: BLE001 - reported by the test
            if not self.closing:
                self.errors.append(e)

    def close(self) -> None:
        self.closing = True
        self.listener.close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def __enter__(self) -> "ScriptedServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def drain(conn: socket.socket) -> None:
    """Reads until the peer closes."""
    while conn.recv(65536):
        pass


# ------------------------------------------------------------------ relay


class Relay:
    """A loopback TCP relay in front of ``127.0.0.1:target_port`` that a test
    controls: ``cut()`` ends every relayed connection (a FIN both ways, as a
    dying NAT or broker restart looks to the client), ``block()`` makes it
    close new connections at once (the broker is "down"), ``unblock()`` lets
    them through again. Every socket operation has a timeout; nothing sleeps."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.live: List[socket.socket] = []
        self.blocked = False
        self.accepted = 0
        self.refused = 0
        # recv() calls that got client bytes: at most one per client write.
        self.client_reads = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path: str = "/mqtt") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                blocked = self.blocked
                if blocked:
                    self.refused += 1
            if blocked:
                _kill(conn)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _kill(conn)
                continue
            conn.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.live += [conn, upstream]
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(src, dst, src is conn), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    with self.lock:
                        self.client_reads += 1
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            _kill(s)

    def cut(self) -> None:
        """Ends every relayed connection now."""
        with self.lock:
            live, self.live = self.live, []
        for s in live:
            _kill(s)

    def block(self) -> None:
        with self.lock:
            self.blocked = True

    def unblock(self) -> None:
        with self.lock:
            self.blocked = False

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)
        self.cut()

    def __enter__(self) -> "Relay":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kill(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


# ------------------------------------------------------------------ MQTT 5
# Just enough MQTT 5 for a scripted server: what the client's CONNECT asked
# for, and CONNACK / SUBACK / DISCONNECT with reason codes and properties.

# Property identifiers (MQTT 5 section 2.2.2.2) and how their values are laid out.
PROPERTY_TYPES = {
    0x11: ("session_expiry", "u32"),
    0x21: ("receive_maximum", "u16"),
    0x27: ("maximum_packet_size", "u32"),
    0x22: ("topic_alias_maximum", "u16"),
    0x19: ("request_response_information", "u8"),
    0x17: ("request_problem_information", "u8"),
    0x26: ("user_properties", "pair"),
    0x1F: ("reason_string", "str"),
    0x1C: ("server_reference", "str"),
    0x12: ("assigned_client_identifier", "str"),
}
PROPERTY_IDS = {name: pid for pid, (name, _) in PROPERTY_TYPES.items()}


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n % 128, n // 128
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def mqtt_str(s: str) -> bytes:
    data = s.encode()
    return struct.pack(">H", len(data)) + data


def mqtt_packet(first: int, body: bytes) -> bytes:
    return bytes([first]) + varint(len(body)) + body


def v5_properties(**values: Any) -> bytes:
    """Encoded properties, e.g. ``v5_properties(reason_string="x")``;
    ``user_properties`` is a list of pairs."""
    out = b""
    for name, value in values.items():
        pid = PROPERTY_IDS[name]
        kind = PROPERTY_TYPES[pid][1]
        items = value if kind == "pair" else [value]
        for v in items:
            out += bytes([pid])
            if kind == "str":
                out += mqtt_str(v)
            elif kind == "pair":
                out += mqtt_str(v[0]) + mqtt_str(v[1])
            else:
                out += int(v).to_bytes({"u8": 1, "u16": 2, "u32": 4}[kind], "big")
    return varint(len(out)) + out


def split_packet(data: bytes) -> Tuple[int, bytes]:
    """The first byte and the body of one MQTT packet."""
    i, mult, length = 1, 1, 0
    while True:
        b = data[i]
        length += (b & 0x7F) * mult
        mult *= 128
        i += 1
        if not b & 0x80:
            break
    return data[0], data[i : i + length]


def read_properties(body: bytes, pos: int) -> Tuple[dict, int]:
    """The properties at ``body[pos:]`` by name, and where they end."""
    length, shift = 0, 0
    while True:
        b = body[pos]
        pos += 1
        length += (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    end = pos + length
    out: dict = {}
    while pos < end:
        name, kind = PROPERTY_TYPES[body[pos]]
        pos += 1
        if kind in ("str", "pair"):
            strings = []
            for _ in range(1 if kind == "str" else 2):
                (n,) = struct.unpack(">H", body[pos : pos + 2])
                strings.append(body[pos + 2 : pos + 2 + n].decode())
                pos += 2 + n
            if kind == "pair":
                out.setdefault(name, []).append(tuple(strings))
            else:
                out[name] = strings[0]
        else:
            n = {"u8": 1, "u16": 2, "u32": 4}[kind]
            out[name] = int.from_bytes(body[pos : pos + n], "big")
            pos += n
    return out, end


def parse_v5_connect(packet: bytes) -> dict:
    """Protocol level, client id and properties of a CONNECT."""
    first, body = split_packet(packet)
    assert first == 0x10, packet[:1]
    props, end = read_properties(body, 10)
    (n,) = struct.unpack(">H", body[end : end + 2])
    return {"level": body[6], "client_id": body[end + 2 : end + 2 + n].decode(), "properties": props}


def connack_v5(reason: int = 0, props: bytes = b"\0") -> bytes:
    return mqtt_packet(0x20, bytes([0, reason]) + props)


def disconnect_v5(reason: int, props: bytes = b"\0") -> bytes:
    return mqtt_packet(0xE0, bytes([reason]) + props)


def suback_v5(subscribe: bytes, codes: List[int]) -> bytes:
    """The SUBACK answering ``subscribe`` (a SUBSCRIBE's body) with ``codes``."""
    return mqtt_packet(0x90, subscribe[:2] + b"\0" + bytes(codes))


class V5Script:
    """A ScriptedServer script for one MQTT 5 client: accepts the upgrade,
    keeps the CONNECT (``connects``), sends ``replies`` (a CONNACK first),
    then hands every packet to ``on_packet(conn, first_byte, body)`` until
    DISCONNECT (without ``on_packet``: reads until the client closes)."""

    def __init__(
        self,
        *replies: bytes,
        on_packet: Optional[Callable[[socket.socket, int, bytes], None]] = None,
    ) -> None:
        self.replies = replies or (connack_v5(),)
        self.on_packet = on_packet
        self.connects: List[bytes] = []

    def __call__(self, conn: socket.socket) -> None:
        accept_upgrade(conn, read_request(conn))
        self.connects.append(read_frame(conn)[1])
        for reply in self.replies:
            send_frame(conn, 2, reply)
        if self.on_packet is None:
            drain(conn)
            return
        while True:
            first, body = split_packet(read_frame(conn)[1])
            if first == 0xE0:
                return
            self.on_packet(conn, first, body)
