"""Every exception class, each raised by a real cause; argument checking;
secrets kept out of messages."""

from __future__ import annotations

import builtins
import errno
import socket
import sys
import threading
import time

import pytest

import mqttws
from helpers import (
    CONNACK_OK,
    ScriptedServer,
    accept_upgrade,
    drain,
    new_id,
    read_frame,
    read_request,
    send_frame,
    wait_until,
)


def test_hierarchy():
    for name in mqttws.exceptions.__all__:
        assert issubclass(getattr(mqttws, name), mqttws.MqttError)
    assert issubclass(mqttws.TimeoutError, builtins.TimeoutError)
    assert issubclass(mqttws.IoError, OSError)
    assert issubclass(mqttws.InvalidArgument, ValueError)


def test_tls_error_for_an_untrusted_server(broker):
    with mqttws.Client(broker.wss_url, client_id=new_id(), ca_file=broker.wrong_ca_pem_path) as c:
        with pytest.raises(mqttws.TlsError, match="unknown CA"):
            c.connect()
    # insecure=True accepts it (tests only)
    with mqttws.Client(broker.wss_url, client_id=new_id(), insecure=True) as c:
        c.connect()


def test_tls_error_without_a_client_certificate(broker):
    with mqttws.Client(broker.wss_mtls_url, client_id=new_id(), ca_file=broker.ca_pem_path) as c:
        with pytest.raises((mqttws.TlsError, mqttws.ClosedError, mqttws.IoError)):
            c.connect()


def test_connection_refused_carries_the_code(broker):
    password = "not-the-right-one"
    c = mqttws.Client(broker.ws_auth_url, client_id=new_id(), username="alice", password=password)
    with pytest.raises(mqttws.ConnectionRefused) as e:
        c.connect()
    assert e.value.code == 5  # mosquitto: not authorized
    assert "not authorized" in str(e.value) and password not in str(e.value)
    assert not c.is_connected
    ok = mqttws.Client(broker.ws_auth_url, client_id=new_id(), username="alice", password="s3cret-pw")
    ok.connect()
    ok.close()


def test_handshake_error_carries_status_and_body():
    def script(conn):
        read_request(conn)
        body = b"no mqtt here"
        conn.sendall(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        drain(conn)

    with ScriptedServer(script) as server:
        with pytest.raises(mqttws.HandshakeError) as e:
            mqttws.Client(server.url, client_id="x").connect()
    assert e.value.status == 404 and e.value.body == "no mqtt here"
    assert "404" in str(e.value)


def test_handshake_error_without_subprotocol():
    def script(conn):
        accept_upgrade(conn, read_request(conn), protocol=None)
        drain(conn)

    with ScriptedServer(script) as server:
        with pytest.raises(mqttws.HandshakeError, match="subprotocol") as e:
            mqttws.Client(server.url, client_id="x").connect()
    assert e.value.status in (None, 101)


def test_io_error_for_a_closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends
    with pytest.raises(mqttws.IoError) as e:
        mqttws.Client(f"ws://127.0.0.1:{port}/mqtt", client_id="x").connect()
    assert e.value.errno == errno.ECONNREFUSED
    assert isinstance(e.value, OSError)


@pytest.mark.parametrize("stage", ["handshake", "connack"])
def test_timeout_error(stage):
    def script(conn):
        request = read_request(conn)
        if stage == "connack":
            accept_upgrade(conn, request)
            read_frame(conn)  # CONNECT, never answered
        drain(conn)

    with ScriptedServer(script) as server:
        c = mqttws.Client(server.url, client_id="x", connect_timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(mqttws.TimeoutError) as e:
            c.connect()
        assert 0.25 < time.monotonic() - t0 < 2
    assert isinstance(e.value, builtins.TimeoutError)
    assert e.value.phase == {"handshake": "WebSocket handshake", "connack": "waiting for CONNACK"}[stage]


def test_protocol_error_for_a_text_frame():
    def script(conn):
        accept_upgrade(conn, read_request(conn))
        read_frame(conn)
        send_frame(conn, 2, CONNACK_OK)
        send_frame(conn, 1, b"MQTT does not use text frames")
        drain(conn)

    with ScriptedServer(script) as server:
        c = mqttws.Client(server.url, client_id="x")
        c.connect()
        with pytest.raises(mqttws.ProtocolError, match="text frame"):
            c.recv(timeout=5)
        assert not c.is_connected
        with pytest.raises(mqttws.ClosedError, match="text frame"):
            c.publish("t", b"x")  # the reason the connection ended is kept


def test_closed_error():
    c = mqttws.Client("ws://127.0.0.1:1/mqtt", client_id="x")
    with pytest.raises(mqttws.ClosedError, match="connect"):
        c.publish("t", b"x")
    with pytest.raises(mqttws.ClosedError):
        c.recv(timeout=0)
    c.close()
    with pytest.raises(mqttws.ClosedError, match="closed"):
        c.subscribe("t")


@pytest.mark.parametrize("how", ["close frame", "reset"])
def test_closed_error_when_the_server_goes_away(how):
    def script(conn):
        accept_upgrade(conn, read_request(conn))
        read_frame(conn)
        send_frame(conn, 2, CONNACK_OK)
        time.sleep(0.1)
        if how == "close frame":
            send_frame(conn, 8, b"\x03\xe8going away")  # code 1000
            drain(conn)
        else:
            conn.close()

    with ScriptedServer(script) as server:
        c = mqttws.Client(server.url, client_id="x")
        c.connect()
        with pytest.raises(mqttws.ClosedError, match="going away" if how == "close frame" else None):
            c.recv(timeout=5)
        assert not c.is_connected


def test_invalid_argument(connect):
    c = connect()
    with pytest.raises(mqttws.InvalidArgument, match="wildcard|invalid"):
        c.publish("a/#", b"x")
    with pytest.raises(ValueError, match="qos must be 0, 1 or 2, got 3"):
        c.publish("a", b"x", qos=3)
    with pytest.raises(mqttws.InvalidArgument):
        mqttws.Client("http://example.com/", client_id="x")
    with pytest.raises(mqttws.InvalidArgument, match="keepalive must be between 0 and 65535"):
        mqttws.Client("ws://h/", keepalive=70000)
    with pytest.raises(mqttws.InvalidArgument, match="connect_timeout"):
        mqttws.Client("ws://h/", connect_timeout=-1)
    with pytest.raises(mqttws.InvalidArgument, match="cert_file and key_file"):
        mqttws.Client("wss://h/", cert_file="c.pem")
    with pytest.raises(mqttws.InvalidArgument, match="url is required"):
        mqttws.Client(client_id="x")
    with pytest.raises(mqttws.InvalidArgument, match="cannot read CA file"):
        mqttws.Client("wss://h/", ca_file="/nonexistent/ca.pem")
    with pytest.raises(mqttws.InvalidArgument, match="handshake"):
        mqttws.Client("ws://h/", headers={"Upgrade": "x"})
    assert c.is_connected  # none of that touched the connection


def test_type_errors():
    # Plain str/int/bool/float arguments are checked by pyo3, which names the
    # argument in a note ("while processing 'keepalive'") on Python 3.11+.
    named = sys.version_info >= (3, 11)
    with pytest.raises(TypeError, match="url" if named else "str"):
        mqttws.Client(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keepalive" if named else "integer"):
        mqttws.Client("ws://h/", keepalive="60")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="retain" if named else "bool"):
        mqttws.Client("ws://h/").publish("t", b"", retain=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="headers"):
        mqttws.Client("ws://h/", headers=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="will"):
        mqttws.Client("ws://h/", will=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="credentials"):
        mqttws.Client("ws://h/", credentials="token")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ca_file"):
        mqttws.Client("wss://h/", ca_file=5)  # type: ignore[arg-type]
    c = mqttws.Client("ws://h/", client_id="x")
    with pytest.raises(TypeError, match="payload must be bytes"):
        c.publish("t", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="topic"):
        c.subscribe(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="topic"):
        c.subscribe([("t", "1")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="now"):
        mqttws.auth.huawei_credentials("h.example.com", "d", "s", now="noon")  # type: ignore[arg-type]


def test_interrupted(connect, topic):
    c = connect()
    c.subscribe(topic)
    result = []

    def receiver():
        try:
            c.recv()
        except mqttws.Interrupted as e:
            result.append(e)

    t = threading.Thread(target=receiver)
    t.start()
    time.sleep(0.2)
    c.interrupt()
    t.join(5)
    assert result and not t.is_alive()
    assert c.is_connected  # not fatal
    c.interrupt()  # nobody waiting: the next wait raises it
    with pytest.raises(mqttws.Interrupted):
        c.recv(timeout=5)
    assert c.recv(timeout=0.05) is None


def test_publish_handle_timeout_is_not_fatal():
    """A server that never acknowledges: wait() raises TimeoutError, the
    message stays in flight and the connection stays up."""

    def script(conn):
        accept_upgrade(conn, read_request(conn))
        read_frame(conn)
        send_frame(conn, 2, CONNACK_OK)
        drain(conn)

    with ScriptedServer(script) as server:
        c = mqttws.Client(server.url, client_id="x", operation_timeout=0.2)
        c.connect()
        h = c.publish("t", b"x", qos=1)
        with pytest.raises(mqttws.TimeoutError) as e:
            h.wait(0.2)
        assert e.value.phase == "waiting for an acknowledgement"
        with pytest.raises(mqttws.TimeoutError):
            c.publish("t", b"y", qos=1, wait=True)  # operation_timeout
        assert not h.done and c.inflight == 2 and c.is_connected
        c.close()


def test_proxy_error_carries_the_status():
    seen = []

    def proxy(conn):
        seen.append(read_request(conn).split(b"\r\n")[0])
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        drain(conn)

    with ScriptedServer(proxy) as server:
        c = mqttws.Client("ws://broker.invalid:1883/mqtt", client_id="x", proxy=f"http://u:pr0xy-pw@127.0.0.1:{server.port}")
        with pytest.raises(mqttws.ProxyError) as e:
            c.connect()
    assert e.value.status == 407 and "pr0xy-pw" not in str(e.value)
    assert seen == [b"CONNECT broker.invalid:1883 HTTP/1.1"]


def test_round_trip_through_an_http_proxy(broker, topic):
    def proxy(conn):
        target = read_request(conn).split(b" ")[1].decode()
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    b.sendall(data)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
        t.start()
        pipe(conn, upstream)
        t.join(5)
        upstream.close()

    with ScriptedServer(proxy) as server:
        with mqttws.Client(broker.wss_url, client_id=new_id(), ca_file=broker.ca_pem_path, proxy=f"127.0.0.1:{server.port}") as c:
            c.connect()
            c.subscribe(topic, qos=1)
            c.publish(topic, b"tunnelled", qos=1, wait=True)
            msg = c.recv(timeout=5)
            assert msg is not None and msg.payload == b"tunnelled"


def test_auth_error_by_a_real_cause():
    with pytest.raises(mqttws.AuthError) as e:
        mqttws.auth.azure_credentials("hub.azure-devices.net", "dev", "bm90IGEga2V5!")
    assert "bm90IGEga2V5" not in str(e.value)


def test_secrets_never_appear_in_messages_or_reprs(broker):
    secret = "hunter2-S3CR3T"
    c = mqttws.Client(broker.ws_auth_url, client_id="x", username="alice", password=secret)
    assert secret not in repr(c)
    with pytest.raises(mqttws.ConnectionRefused) as e:
        c.connect()
    assert secret not in str(e.value) and secret not in repr(e.value)
    with pytest.raises(mqttws.InvalidArgument) as e2:
        mqttws.Client(f"http://u:{secret}@h/", password=secret)
    assert secret not in str(e2.value)
    signed = "wss://h/mqtt?X-Amz-Signature=" + secret
    assert secret not in repr(mqttws.Client(signed, client_id="x"))


def test_bad_arguments_are_invalid_argument_before_connecting(broker):
    c = mqttws.Client(broker.ws_url, client_id=new_id())
    with pytest.raises(mqttws.InvalidArgument):
        c.publish("", b"x")
    with pytest.raises(mqttws.InvalidArgument, match="wildcard"):
        c.publish("a/+", b"x", qos=1)
    with pytest.raises(mqttws.InvalidArgument):
        c.subscribe("a/#/b")
    with pytest.raises(mqttws.InvalidArgument):
        c.unsubscribe("")
    c.close()


def test_huge_timeouts_mean_no_deadline_and_never_panic(broker, topic):
    # A panic would surface as pyo3's PanicException, a BaseException that
    # `except Exception` does not catch.
    with mqttws.Client(
        broker.ws_url,
        client_id=new_id(),
        connect_timeout=1e19,
        operation_timeout=1e19,
        ws_ping=(1e19, 1),
    ) as c:
        c.connect()
        c.subscribe(topic, qos=1)
        handle = c.publish(topic, b"x", qos=1)
        handle.wait(timeout=1e19)
        m = c.recv(timeout=1e19)
        assert m is not None and m.payload == b"x"
        c.interrupt()
        with pytest.raises(mqttws.Interrupted):
            c.poll(timeout=1e19)
    # Beyond what a duration can hold: refused, never a panic.
    with pytest.raises(mqttws.InvalidArgument):
        mqttws.Client(broker.ws_url, connect_timeout=1e300)
    with pytest.raises(mqttws.InvalidArgument):
        mqttws.Client(broker.ws_url).recv(timeout=float("inf"))


def test_a_flood_while_waiting_for_an_ack_is_held_within_the_incoming_bound():
    # A broker that withholds the PUBACK and floods 65 kB QoS 0 messages:
    # the client holds at most its incoming bound, then stops reading, so
    # the flood stalls (the binding keeps no unbounded buffer of its own).
    cap = 1500
    result: dict = {}
    payload = b"\x07" * 65000
    n = 2 + 5 + len(payload)  # remaining length: topic length, topic, payload
    publish = b"\x30" + bytes([0x80 | (n & 0x7F), 0x80 | ((n >> 7) & 0x7F), n >> 14])
    publish += b"\x00\x05flood" + payload

    def script(conn: socket.socket) -> None:
        accept_upgrade(conn, read_request(conn))
        read_frame(conn)  # CONNECT
        send_frame(conn, 2, CONNACK_OK)
        read_frame(conn)  # the client's PUBLISH, never acknowledged
        conn.settimeout(1.0)
        sent = 0
        try:
            for _ in range(cap):
                send_frame(conn, 2, publish)
                sent += 1
        except (socket.timeout, OSError):
            pass
        result["sent"] = sent
        conn.settimeout(10.0)
        drain(conn)

    with ScriptedServer(script) as server:
        c = mqttws.Client(server.url, client_id=new_id(), operation_timeout=2.0,
                          incoming_queue=(1000, 1 << 20))
        c.connect()
        with pytest.raises(mqttws.TimeoutError):
            c.publish("t", b"x", qos=1, wait=True)
        assert wait_until(lambda: "sent" in result, timeout=10)
        assert result["sent"] < 200, f"{result['sent']} of {cap} 65 kB messages went out"
        got = 0
        while c.recv(timeout=2.0) is not None:
            got += 1
        assert got >= result["sent"]
        c.close()
    with pytest.raises(mqttws.InvalidArgument):
        mqttws.Client("ws://h/", incoming_queue=(0, 1))
