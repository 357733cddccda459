"""The typing stub matches the built module (mypy.stubtest), and typed code
using the package (the examples, the READMEs' quick starts, a snippet, and
typed/every_call.py, which makes every public call) passes mypy --strict."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BINDING = HERE.parent
EXAMPLES = BINDING.parents[1] / "examples" / "python"

pytest.importorskip("mypy", reason="mypy is installed by `make py-test`")

SNIPPET = '''
import mqttws
from mqttws.auth import TencentDevice, tencent_credentials

def run(url: str) -> list[bytes]:
    out: list[bytes] = []
    with mqttws.Client(url, client_id="x", keepalive=30, will=mqttws.Will("w", b"bye", 1)) as c:
        present: bool = c.connect()
        granted: int | None = c.subscribe("a/#", qos=1)
        many: list[int | None] = c.subscribe([("a", 1), ("b", 2)])
        h = c.publish("a/b", "x", qos=1)
        h.wait(1.0)
        msg = c.recv(timeout=1)
        if msg is not None:
            out.append(msg.payload)
        for m in c.messages(timeout=0.1):
            out.append(m.payload)
    policy = mqttws.ReconnectPolicy(min_delay=0.1, max_delay=5.0)
    queue = mqttws.OfflineQueue(max_messages=10, when_full="drop_oldest")
    with mqttws.Client(url, reconnect=policy, offline_queue=queue, ws_ping=(20.0, 5.0), store_dir="/tmp/s") as r:
        event: mqttws.Event | None = r.poll(timeout=0.5)
        if isinstance(event, mqttws.Reconnecting):
            delay: float = event.delay
        elif isinstance(event, mqttws.Message):
            out.append(event.payload)
        elif isinstance(event, mqttws.Dropped):
            dropped_id: int | None = event.packet_id
        try:
            r.publish("a", "b", qos=1)
        except mqttws.QueueFullError:
            pass
    mqttws.Client(url, reconnect=True)
    creds = tencent_credentials("P", "d", "AAAA", expiry="never")
    user: str | None = creds.username
    dev = TencentDevice("P", "d", "AAAA")
    mqttws.Client(credentials=dev)
    try:
        pass
    except mqttws.ConnectionRefused as e:
        code: int = e.code
    return out
'''


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)


def test_stub_matches_the_module(tmp_path):
    r = run(
        "mypy.stubtest",
        "mqttws",  # and its submodules: _mqttws (the stub), auth, exceptions
        "--allowlist",
        str(BINDING / ".mypy-stubtest-allowlist"),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def quick_starts() -> list[str]:
    """The Python quick starts of the READMEs (the heredocs fed to python)."""
    out = []
    for readme in (BINDING.parents[1] / "README.md", BINDING / "README.md"):
        out += re.findall(r"<<'PY'\n(.*?)\nPY\n", readme.read_text(), re.S)
    assert len(out) == 2
    return out


def test_examples_and_snippet_type_check(tmp_path):
    (tmp_path / "snippet.py").write_text(SNIPPET)
    files = [str(tmp_path / "snippet.py"), str(HERE / "typed" / "every_call.py")]
    for i, code in enumerate(quick_starts()):
        (tmp_path / f"quick_start_{i}.py").write_text(code)
        files.append(str(tmp_path / f"quick_start_{i}.py"))
    files += [str(p) for p in sorted(EXAMPLES.glob("*.py"))]
    r = run("mypy", "--strict", "--no-incremental", *files, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
