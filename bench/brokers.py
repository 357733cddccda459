#!/usr/bin/env python3
"""The same clients against other brokers: is a ratio to a peer the client's
doing, or the broker's pacing?

  bench/brokers.py [--brokers mosquitto,mochi,rumqttd] [--clients mqttws-rust,rumqttc,...]
                   [--cases throughput-qos1,throughput-qos1-wss] [--rounds 3] [--count 50000]
                   [--harness DIR] [--no-build] [--no-pin]

`make bench-brokers` runs it (mk/bench.mk). Each broker runs alone, on free
loopback ports, pinned to CPU 0 (each client to CPU 1, as with BENCH_PIN=1):

* mosquitto through the shared harness's broker/start.sh and stop.sh, the
  broker of `make bench`;
* every other broker through the interop matrix's tests/interop/broker
  (install, then start), with the versions and configurations of
  docs/interop.md.

Every client run goes through the harness's lib/measure.py, so client CPU
and msgs/s mean exactly what they mean in `make bench`; the clients are the
harness's plug-ins (clients.d) and ours (bench/clients.d). The rounds
alternate the clients. Writes target/bench/brokers/<timestamp>.jsonl (one
line per run, with broker=NAME) and prints, per broker and case, each
client's medians and its ratios to rumqttc's. Not part of `make test`; do
not run it beside `make bench` (both use the harness's mosquitto).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# name: (qos, scheme), as the harness names its cases.
CASES = {
    "throughput-qos0": (0, "ws"),
    "throughput-qos1": (1, "ws"),
    "throughput-qos0-wss": (0, "wss"),
    "throughput-qos1-wss": (1, "wss"),
}
READY_TIMEOUT = 180.0  # Java brokers take up to a minute on 2 busy cores.


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(ports, proc, timeout):
    """Until every port accepts a connection; False if `proc` exits or time runs out."""
    end = time.monotonic() + timeout
    pending = list(ports)
    while pending:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", pending[0]), timeout=1):
                pending.pop(0)
                continue
        except OSError:
            pass
        if time.monotonic() > end:
            return False
        time.sleep(0.2)  # polling a port that is not open yet; bounded above
    return True


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1 (PEM; PKCS#8 key)."""
    def run(*cmd):
        subprocess.run(cmd, cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=bench CA",
        "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "30", "-sha256", "-extfile", "server.ext", "-out", "server.crt")
    return {k: os.path.join(d, f) for k, f in
            (("ca", "ca.crt"), ("cert", "server.crt"), ("key", "server.key"))}


class Broker:
    """One running broker: .ws_url, .wss_url, .ca; stop() ends it by its PID."""

    def __init__(self, name, harness, certs, workdir, pin):
        self.name, self.harness, self.pin = name, harness, pin
        self.ws_port, self.wss_port = free_port(), free_port()
        self.ws_url = f"ws://127.0.0.1:{self.ws_port}/mqtt"
        self.wss_url = f"wss://127.0.0.1:{self.wss_port}/mqtt"
        self.proc = None
        self.pid = None
        if name == "mosquitto":
            env = dict(os.environ, BENCH_TCP_PORT=str(free_port()), BENCH_WS_PORT=str(self.ws_port),
                       BENCH_WSS_PORT=str(self.wss_port))
            out = subprocess.run([os.path.join(harness, "broker", "start.sh")], env=env, check=True,
                                 stdout=subprocess.PIPE, text=True, timeout=READY_TIMEOUT).stdout
            self.pid = int(out.split()[-1])
            self.ca = os.path.join(harness, "broker", "run", "ca.crt")
        else:
            iop = os.path.join(workdir, name)
            os.makedirs(iop, exist_ok=True)
            env = dict(os.environ, IOP_DIR=iop, IOP_WS_PORT=str(self.ws_port),
                       IOP_WSS_PORT=str(self.wss_port), IOP_CA=certs["ca"], IOP_CERT=certs["cert"],
                       IOP_KEY=certs["key"], IOP_USER="bench", IOP_PASSWORD="bench-password",
                       IOP_DENIED="denied")
            for i in (1, 2, 3):
                env[f"IOP_PORT_{i}"] = str(free_port())
            log = open(os.path.join(iop, "broker.log"), "wb")
            self.proc = subprocess.Popen([os.path.join(REPO, "tests", "interop", "broker"), "start", name],
                                         cwd=iop, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            self.pid = self.proc.pid
            self.ca = certs["ca"]
        if not wait_listening([self.ws_port, self.wss_port], self.proc, READY_TIMEOUT):
            self.stop()
            sys.exit(f"brokers: {name} did not listen on ws {self.ws_port} and wss {self.wss_port} "
                     f"within {READY_TIMEOUT:.0f} s")
        if pin:
            # -a: every thread, also those a JVM or Go runtime starts later inherit it.
            subprocess.run(["taskset", "-a", "-p", "-c", "0", str(self.pid)], check=True,
                           stdout=subprocess.DEVNULL)

    def stop(self):
        if self.name == "mosquitto":
            subprocess.run([os.path.join(self.harness, "broker", "stop.sh")], stdout=subprocess.DEVNULL,
                           timeout=30)
            return
        if self.proc is None or self.proc.poll() is not None:
            return
        # The broker and its helpers (epmd) share the process group we created.
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def client_script(name, harness):
    for d in (os.path.join(REPO, "bench", "clients.d"), os.path.join(harness, "clients.d")):
        path = os.path.join(d, name + ".sh")
        if os.path.exists(path):
            return path
    sys.exit(f"brokers: no client plug-in named {name} (bench/clients.d, {harness}/clients.d)")


def run_client(a, results, broker, client, case, rnd):
    qos, scheme = CASES[case]
    url = broker.ws_url if scheme == "ws" else broker.wss_url
    cmd = ["bash", client_script(client, a.harness), "--url", url, "--scenario", "throughput",
           "--count", str(a.count), "--size", str(a.size), "--qos", str(qos), "--timeout", "120"]
    if scheme == "wss":
        cmd += ["--cafile", broker.ca]
    if not a.no_pin:
        cmd = ["taskset", "-c", "1"] + cmd
    subprocess.run([sys.executable, os.path.join(a.harness, "lib", "measure.py"), "--results", results,
                    "--client", client, "--case", case, "--round", str(rnd), "--hard-timeout", "180",
                    "--extra", f"broker={broker.name}", "--extra", f"pinned={int(not a.no_pin)}", "--"] + cmd,
                   check=True)


def report(results, peer):
    recs = [json.loads(line) for line in open(results) if line.strip()]
    rows = {}
    for r in recs:
        key = (r["broker"], r["case"], r["client"])
        rows.setdefault(key, []).append(r)
    print(f"\n{'broker':<10} {'case':<20} {'client':<13} {'CPU us/msg':>10} {'msgs/s':>9} "
          f"{'CPU/' + peer:>12} {'rate/' + peer:>12}  runs ok")
    med = {}
    for key, rs in rows.items():
        ok = [r for r in rs if r.get("ok")]
        if ok:
            med[key] = (statistics.median(r["cpu_s"] * 1e6 / r["count"] for r in ok),
                        statistics.median(r["msgs_per_s"] for r in ok), len(ok), len(rs))
        else:
            med[key] = (None, None, 0, len(rs))
    for (b, c, cl), (cpu, rate, n, total) in sorted(med.items()):
        base = med.get((b, c, peer), (None, None))
        rc = f"{cpu / base[0]:.2f}x" if cpu and base[0] else "-"
        rr = f"{rate / base[1]:.2f}x" if rate and base[1] else "-"
        cpu_s = f"{cpu:.2f}" if cpu else "failed"
        rate_s = f"{rate:,.0f}" if rate else "-"
        print(f"{b:<10} {c:<20} {cl:<13} {cpu_s:>10} {rate_s:>9} {rc:>12} {rr:>12}  {n}/{total}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--brokers", default="mosquitto,mochi,rumqttd")
    p.add_argument("--clients", default="mqttws-rust,mqttws-c,rumqttc")
    p.add_argument("--cases", default="throughput-qos1,throughput-qos1-wss")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--count", type=int, default=50000)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--peer", default="rumqttc", help="the client the ratios are taken to")
    p.add_argument("--harness", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "mqttws-bench-harness"))
    p.add_argument("--no-build", action="store_true", help="the clients are built already")
    p.add_argument("--no-pin", action="store_true")
    a = p.parse_args()
    cases = a.cases.split(",")
    for c in cases:
        if c not in CASES:
            p.error(f"unknown case {c}; known: {', '.join(CASES)}")
    clients = a.clients.split(",")
    if not a.no_pin and (shutil.which("taskset") is None or (os.cpu_count() or 1) < 2):
        p.error("pinning needs taskset and 2 CPUs (or --no-pin)")
    if not a.no_build:
        for c in clients:
            subprocess.run(["bash", client_script(c, a.harness), "--build"], check=True)
    out_dir = os.path.join(REPO, "target", "bench", "brokers")
    os.makedirs(out_dir, exist_ok=True)
    results = os.path.join(out_dir, time.strftime("%Y%m%d-%H%M%S") + ".jsonl")
    with tempfile.TemporaryDirectory(prefix="mqttws-brokers-") as work:
        certs = make_certs(work)
        for name in a.brokers.split(","):
            if name != "mosquitto":
                subprocess.run([os.path.join(REPO, "tests", "interop", "broker"), "install", name], check=True)
            broker = Broker(name, a.harness, certs, work, not a.no_pin)
            try:
                for rnd in range(1, a.rounds + 1):
                    for case in cases:
                        # Alternate the order from round to round, so that no
                        # client always runs right after the broker started.
                        order = clients if rnd % 2 else list(reversed(clients))
                        for client in order:
                            run_client(a, results, broker, client, case, rnd)
            finally:
                broker.stop()
    print(f"brokers: results in {os.path.relpath(results, REPO)}")
    report(results, a.peer)


if __name__ == "__main__":
    main()
