"""Platform signers: the reference vectors of platform-auth.md byte for byte,
presets connecting to mosquitto, fresh signatures per connect, and secrets
kept out of repr() and exception texts."""

from __future__ import annotations

import datetime
import subprocess
import threading

import pytest

import mqttws
from mqttws import auth
from helpers import ALIYUN, CONNACK_OK, TENCENT, ScriptedServer, accept_upgrade, drain, parse_connect, read_frame, read_request, send_frame

PSK = "AAECAwQFBgcICQoLDA0ODw=="  # bytes 00..0f


# ---------------------------------------------------------------- Tencent (2.4)


@pytest.mark.parametrize(
    "method, password",
    [
        ("hmacsha1", "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1"),
        ("hmacsha256", "ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256"),
    ],
)
def test_tencent_vector(method, password):
    c = auth.tencent_credentials(
        "ABCDEFGHIJ", "dev001", PSK, method=method, connid="abcde", expiry=1700000000, now=1699999000
    )
    assert c.client_id == "ABCDEFGHIJdev001"
    assert c.username == "ABCDEFGHIJdev001;12010126;abcde;1700000000"
    assert c.password == password
    assert c.url is None and c.headers == []


def test_tencent_defaults_and_options():
    now = 1_700_000_000
    c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, now=now)
    user = c.username.split(";")
    assert user[1] == "12010126" and len(user[2]) == 5 and user[2].isalnum() and user[3] == str(now + 3600)
    assert c.password.endswith(";hmacsha256")
    c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, expiry=datetime.timedelta(minutes=10), now=now)
    assert c.username.endswith(f";{now + 600}")
    d = auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK, region="us-east", secure=False)
    assert d.url == "ws://ABCDEFGHIJ.us-east.iothub.tencentdevices.com/mqtt"
    c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, expiry="never", sdkappid="21010406", connid="x1")
    assert c.username == "ABCDEFGHIJdev001;21010406;x1;2147483647"


def test_tencent_certificate_device_signs_with_rsa_sha256(tmp_path, broker):
    """Checked with openssl: the password is the RSA PKCS#1 v1.5 SHA-256
    signature of the user name, in lowercase hex."""
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(pub)], check=True, capture_output=True)
    for source in ({"private_key_file": key}, {"private_key": key.read_bytes()}, {"private_key": key.read_text()}):
        c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", connid="abcde", expiry="never", **source)  # type: ignore[arg-type]
        signature, suffix = c.password.split(";")
        assert suffix == "rsa-sha256"
        (tmp_path / "msg").write_text(c.username)
        (tmp_path / "sig").write_bytes(bytes.fromhex(signature))
        subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", str(pub), "-signature", str(tmp_path / "sig"), str(tmp_path / "msg")],
            check=True,
            capture_output=True,
        )
    # The broker's client key is ECDSA: a real AuthError, without key bytes.
    with pytest.raises(mqttws.AuthError) as e:
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", private_key_file=broker.client_key_path)
    assert "BEGIN" not in str(e.value)
    with pytest.raises(mqttws.AuthError):
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", private_key_file=tmp_path / "missing.pem")


def test_tencent_errors():
    with pytest.raises(mqttws.AuthError) as e:
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", "not base64!!", connid="abcde")
    assert "not base64!!" not in str(e.value)
    with pytest.raises(mqttws.InvalidArgument):
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, expiry=1700000000, now=1700000001)
    with pytest.raises(ValueError):
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, method="md5")
    with pytest.raises(ValueError):
        auth.tencent_credentials("ABCDEFGHIJ", "dev001")  # no key at all
    with pytest.raises(TypeError):
        auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, expiry=1.5j)  # type: ignore[arg-type]


# ---------------------------------------------------------------- Alibaba (3.3)


@pytest.mark.parametrize(
    "method, digest",
    [
        ("hmacsha1", "fafd82a3d602b37fb0fa8b7892f24a477f851a14"),
        ("hmacsha256", "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57"),
        ("hmacmd5", "14b198324fe55e1d3c88f2e705e201ee"),
    ],
)
def test_aliyun_vector(method, digest):
    kw = dict(client_id="12345", timestamp=789, method=method, secure=False)
    c = auth.aliyun_credentials("pk", "device", "secret", **kw)  # type: ignore[arg-type]
    assert c.client_id == f"12345|securemode=3,signmethod={method},timestamp=789|"
    assert c.username == "device&pk"
    assert c.password == digest.upper()  # the C SDKs' case, the default
    assert c.url is None
    lower = auth.aliyun_credentials("pk", "device", "secret", lowercase_hex=True, **kw)  # type: ignore[arg-type]
    assert lower.password == digest


def test_aliyun_options():
    c = auth.aliyun_credentials("a1B2c3D4e5F", "dev001", "s", timestamp="omit")
    assert c.client_id == "a1B2c3D4e5F.dev001|securemode=2,signmethod=hmacsha256|"
    c = auth.aliyun_credentials("pk", "dn", "s", secure=False, now=1.5)
    assert c.client_id == "pk.dn|securemode=3,signmethod=hmacsha256,timestamp=1500|"
    d = auth.AliyunDevice("a1B2c3D4e5F", "dev001", "s", region="cn-shanghai")
    assert d.url == "wss://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com/"
    d = auth.AliyunDevice("pk", "dn", "s", instance="iot-06z00ab1c2d3e4f", secure=False)
    assert d.url == "ws://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com:443/"
    assert auth.AliyunDevice("pk", "dn", "s").url is None
    with pytest.raises(mqttws.AuthError):
        auth.aliyun_credentials("pk", "dn", "")
    with pytest.raises(mqttws.InvalidArgument):
        auth.AliyunDevice("pk", "dn", "s", region="a", instance="b")


# ---------------------------------------------------------------- AWS (4.3)

AWS_HOST = "example-ats.iot.us-east-1.amazonaws.com"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AWS_NOW = datetime.datetime(2015, 8, 30, 12, 36, tzinfo=datetime.timezone.utc)
AWS_URL_A = (
    "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request"
    "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"
)


def test_aws_sigv4_vector():
    c = auth.aws_credentials(AWS_HOST, "AKIDEXAMPLE", AWS_SECRET, client_id="sensor-42", now=AWS_NOW)
    assert c.url == AWS_URL_A
    assert c.client_id == "sensor-42" and c.username is None and c.password is None
    t = auth.aws_credentials(
        AWS_HOST, "AKIDEXAMPLE", AWS_SECRET, client_id="s", session_token="AQoDYXdzEXAMPLETOKEN+/=", now=1440938160
    )
    assert t.url == AWS_URL_A + "&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D"
    assert "X-Amz" not in repr(t) and "EXAMPLETOKEN" not in repr(t)


def test_aws_preset_and_custom_auth():
    signer = auth.AwsSigV4(AWS_HOST, "AKIDEXAMPLE", AWS_SECRET, client_id="s")
    assert signer.url == f"wss://{AWS_HOST}/mqtt"
    assert signer.credentials(now=AWS_NOW).url.startswith(AWS_URL_A.split("&X-Amz-Signature")[0])
    assert signer.keepalive_range == (1, 1200)
    assert AWS_SECRET not in repr(signer)
    c = auth.aws_custom_auth_credentials(
        AWS_HOST, client_id="c", authorizer_name="auth1", token_key_name="x-token", token="t0k"
    )
    assert c.url == f"wss://{AWS_HOST}/mqtt"
    assert c.headers == [("x-amz-customauthorizer-name", "auth1"), ("x-token", "t0k")]
    assert "t0k" not in repr(c)
    q = auth.aws_custom_auth_credentials(AWS_HOST, client_id="c", token_key_name="k", token="a b", query_string=True)
    assert q.url == f"wss://{AWS_HOST}/mqtt?k=a%20b" and q.headers == []
    assert "a%20b" not in repr(q)


# ---------------------------------------------------------------- Azure (5)

AZURE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def test_azure_vector():
    c = auth.azure_credentials("myhub.azure-devices.net", "dev001", AZURE_KEY, now=1700000000 - 3600)
    assert c.password == (
        "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001"
        "&sig=IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000"
    )
    assert c.username == "myhub.azure-devices.net/dev001/?api-version=2021-04-12"
    assert c.client_id == "dev001"
    assert c.url is None
    d = auth.AzureDevice("myhub.azure-devices.net", "dev001", AZURE_KEY)
    assert d.url == "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true"
    m = auth.azure_credentials("myhub.azure-devices.net", "dev001", AZURE_KEY, module_id="m1", ttl=60, now=1700000000)
    assert m.client_id == "dev001/m1" and m.password.endswith("&se=1700000060")
    with pytest.raises(mqttws.AuthError):
        auth.azure_credentials("myhub.azure-devices.net", "dev001", "%%%")


# ---------------------------------------------------------------- Huawei (6)


def test_huawei_vector():
    now = datetime.datetime(2024, 1, 1, 12, 34, 56, tzinfo=datetime.timezone.utc)
    c = auth.huawei_credentials("h.st1.iotda-device.cn-north-4.myhuaweicloud.com", "65a1b2c3d4e5f6a7b8c9d0e1_dev001", "mySecret123", now=now)
    assert c.client_id == "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112"
    assert c.password == "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679"
    assert c.username == "65a1b2c3d4e5f6a7b8c9d0e1_dev001"
    d = auth.HuaweiDevice("h.st1.iotda-device.cn-north-4.myhuaweicloud.com", "d", "s")
    assert d.url == "wss://h.st1.iotda-device.cn-north-4.myhuaweicloud.com/mqtt"
    checked = auth.huawei_credentials("h.example.com", "d", "s", check_timestamp=True, now=now.timestamp())
    assert checked.client_id == "d_0_1_2024010112"


# ---------------------------------------------------------------- presets


def test_presets_know_url_and_keepalive_and_redact_secrets():
    devices = [
        (auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK), PSK),
        (auth.AliyunDevice("a1B2c3D4e5F", "dev001", "sup3r-secret", region="cn-shanghai"), "sup3r-secret"),
        (auth.AzureDevice("myhub.azure-devices.net", "dev001", AZURE_KEY), AZURE_KEY),
        (auth.HuaweiDevice("h.example.com", "dev", "hw-secret"), "hw-secret"),
    ]
    for device, secret in devices:
        assert isinstance(device, auth.Platform)
        assert device.url and device.url.startswith("wss://")
        assert device.keepalive_range is not None
        assert secret not in repr(device) and "<redacted>" in repr(device)
        creds = device.credentials()
        assert creds.url is None
        assert creds.password is not None and creds.password not in repr(creds)
    with pytest.raises(mqttws.AuthError):
        auth.TencentDevice("ABCDEFGHIJ", "dev001", "***")  # validated at construction
    with pytest.raises(mqttws.InvalidArgument) as e:
        mqttws.Client(credentials=auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK), keepalive=1000).connect()
    assert "0..=900" in str(e.value)


def test_presets_connect_to_the_broker(broker, topic):
    tencent = auth.TencentDevice(**TENCENT)  # type: ignore[arg-type]
    aliyun = auth.AliyunDevice(**ALIYUN)  # type: ignore[arg-type]
    for device in (tencent, aliyun):
        with mqttws.Client(broker.wss_auth_url, credentials=device, ca_file=broker.ca_pem_path, keepalive=60) as c:
            c.connect()
            c.subscribe(topic, qos=1)
            c.publish(topic, b"signed", qos=1, wait=True)
            msg = c.recv(timeout=5)
            assert msg is not None and msg.payload == b"signed"
    # Static credentials work the same way, and a wrong signature is refused.
    creds = auth.tencent_credentials(**TENCENT)  # type: ignore[arg-type]
    with mqttws.Client(broker.ws_auth_url, credentials=creds) as c:
        c.connect()
    bad = auth.tencent_credentials(**{**TENCENT, "connid": "zzzzz"})  # type: ignore[arg-type]
    with mqttws.Client(broker.ws_auth_url, credentials=bad) as c:
        with pytest.raises(mqttws.ConnectionRefused) as e:
            c.connect()
        assert e.value.code in (4, 5)
        assert bad.password not in str(e.value)


def test_preset_signs_afresh_at_every_connect():
    """A scripted server records each CONNECT: the Tencent user name carries a
    new random connid per attempt, and the password follows it."""
    seen = []
    lock = threading.Lock()

    def script(conn):
        accept_upgrade(conn, read_request(conn))
        _, packet = read_frame(conn)
        with lock:
            seen.append(parse_connect(packet))
        send_frame(conn, 2, CONNACK_OK)
        drain(conn)

    with ScriptedServer(script) as server:
        device = auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK)
        with mqttws.Client(server.url, credentials=device, operation_timeout=1) as c:
            for _ in range(3):
                c.connect()
                c.disconnect()
        assert not server.errors
    assert len(seen) == 3
    assert len({s["username"] for s in seen}) == 3
    assert len({s["password"] for s in seen}) == 3
    assert {s["client_id"] for s in seen} == {"ABCDEFGHIJdev001"}


def test_unset_options_keep_the_core_defaults_and_functions_take_the_class_arguments():
    """None is "not given": the core's defaults apply (the binding restates
    none), and each *_credentials function takes its class's arguments."""
    now = 1_700_000_000
    explicit_none = auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK, method=None, sdkappid=None, region=None)
    assert explicit_none.url == auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK).url
    assert explicit_none.url == "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt"
    c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, sdkappid=None, method=None, now=now)
    assert c.username.split(";")[1] == "12010126" and c.password.endswith(";hmacsha256")
    # Arguments that only the device class used to take work in the function too.
    assert auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, region="europe", secure=False, now=now).client_id == "ABCDEFGHIJdev001"
    azure = auth.azure_credentials("myhub.azure-devices.net", "dev001", AZURE_KEY, ttl=None, api_version=None, now=now)
    assert azure.username.endswith("?api-version=2021-04-12") and azure.password.endswith(f"&se={now + 3600}")
    assert auth.AwsSigV4(AWS_HOST, "AK", "SK", client_id="c", port=None).url == f"wss://{AWS_HOST}/mqtt"
    assert auth.AwsSigV4(AWS_HOST, "AK", "SK", client_id="c", port=8443).url == f"wss://{AWS_HOST}:8443/mqtt"
    assert auth.aws_custom_auth_credentials(AWS_HOST, client_id="c", now=now).url == f"wss://{AWS_HOST}/mqtt"
    assert auth.aliyun_credentials.__name__ == "aliyun_credentials" and "AliyunDevice" in (auth.aliyun_credentials.__doc__ or "")
    with pytest.raises(TypeError):
        auth.huawei_credentials("h.example.com", "d", "s", no_such_option=1)
    with pytest.raises(TypeError):
        auth.huawei_credentials("h.example.com", "d", "s", now="yesterday")


def test_a_preset_is_checked_at_construction_a_one_shot_at_its_now():
    """A fixed expiry already past: the preset refuses it at once (it could
    never connect); the function signs for the `now` it is given."""
    with pytest.raises(mqttws.InvalidArgument):
        auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK, expiry=1700000000)
    c = auth.tencent_credentials("ABCDEFGHIJ", "dev001", PSK, connid="abcde", expiry=1700000000, now=1699999000)
    assert c.username == "ABCDEFGHIJdev001;12010126;abcde;1700000000"
    # The check is only skipped inside the function: the next preset is checked again.
    with pytest.raises(mqttws.InvalidArgument):
        auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK, expiry=1700000000)


def test_credentials_object():
    c = auth.Credentials("id", "user", "pw", url="wss://h/mqtt?sig=abc", headers={"x-a": "1"})
    assert (c.client_id, c.username, c.password, c.url, c.headers) == ("id", "user", "pw", "wss://h/mqtt?sig=abc", [("x-a", "1")])
    r = repr(c)
    assert "pw" not in r.replace("password", "") and "abc" not in r and "x-a" in r
    assert c == auth.Credentials("id", "user", "pw", url="wss://h/mqtt?sig=abc", headers=[("x-a", "1")])
    with pytest.raises(mqttws.InvalidArgument):
        auth.Credentials("id", url="http://nope")


def test_device_reprs_are_the_call_with_secrets_redacted():
    cases = [
        (
            auth.TencentDevice("ABCDEFGHIJ", "dev001", PSK, method="hmacsha1"),
            "TencentDevice('ABCDEFGHIJ', 'dev001', psk=<redacted>, method='hmacsha1')",
            PSK,
        ),
        (
            auth.AliyunDevice("a1B2c3D4e5F", "dev001", "sup3r-secret", region="cn-shanghai", secure=False),
            "AliyunDevice('a1B2c3D4e5F', 'dev001', device_secret=<redacted>, region='cn-shanghai', secure=False)",
            "sup3r-secret",
        ),
        (
            auth.AwsSigV4("a1.iot.us-east-1.amazonaws.com", "AKIDEXAMPLE", "wJalr-secret", client_id="c1", session_token="tok"),
            "AwsSigV4('a1.iot.us-east-1.amazonaws.com', 'AKIDEXAMPLE', secret_access_key=<redacted>, client_id='c1', session_token=<redacted>)",
            "wJalr-secret",
        ),
        (
            auth.AwsCustomAuth("a1.iot.us-east-1.amazonaws.com", client_id="c1", authorizer_name="az", token_key_name="k", token="t0k3n"),
            "AwsCustomAuth('a1.iot.us-east-1.amazonaws.com', client_id='c1', authorizer_name='az', token_key_name='k', token=<redacted>)",
            "t0k3n",
        ),
        (
            auth.AzureDevice("myhub.azure-devices.net", "dev001", AZURE_KEY, ttl=600),
            "AzureDevice('myhub.azure-devices.net', 'dev001', key=<redacted>, ttl=600)",
            AZURE_KEY,
        ),
        (
            auth.HuaweiDevice("h.example.com", "dev", "hw-secret", check_timestamp=True),
            "HuaweiDevice('h.example.com', 'dev', secret=<redacted>, check_timestamp=True)",
            "hw-secret",
        ),
    ]
    for device, expected, secret in cases:
        assert repr(device) == expected
        assert secret not in repr(device)


def test_the_module_docstring_examples_build_clients():
    """The examples of ``mqttws.auth``'s docstring run as written (up to
    ``connect()``, which needs the cloud): building the client from a
    one-shot function's credentials used to pass ``creds.url``, None for
    Tencent, and raise."""
    import textwrap

    doc = auth.__doc__ or ""
    blocks = [b for b in doc.split("::\n\n")[1:]]
    ran = 0
    for block in blocks:
        lines = []
        for line in block.splitlines():
            if line and not line.startswith("      "):
                break
            lines.append(line)
        code = textwrap.dedent("\n".join(lines)).strip()
        if "Client(" not in code:
            continue
        scope = {"mqttws": mqttws, "psk": PSK, **{n: getattr(auth, n) for n in auth.__all__}}
        exec(code, scope)  # noqa: S102 - the docstring's own example
        assert isinstance(scope["client"], mqttws.Client)
        ran += 1
    assert ran == 2
