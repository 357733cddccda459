#!/usr/bin/env python3
"""Noise-free per-message costs of a benchmark client: instructions, heap
allocations, clock reads (callgrind, DHAT), and syscalls and context switches
(perf's tracepoints, at full speed). Not a speed test: these counts hold on a
machine that others are loading, where wall-clock numbers do not.

  bench/profile.py --bin target/release/mqttws-rust-bench \
      --ws ws://127.0.0.1:28080/mqtt --wss wss://127.0.0.1:28443/mqtt --cafile CA \
      [--cases latency-qos0-ws,throughput-qos1-wss,...] [--tools callgrind,dhat,syscalls]

Every figure is a difference between two runs of the same case with a small
and a large count, divided by the difference in messages (round trips for
latency, where the client's warm-up round trips count too), so connects,
start-up and teardown cancel out. The client is any program of the shared
harness's command-line contract (bench/clients.d, ../shared/bench/README.md);
it needs a running broker (the harness's broker/start.sh; pick other ports with
BENCH_*_PORT when another broker runs). Under valgrind a client runs about 50
times slower, so a throughput subscriber finds more messages per read than at
full speed: instructions and allocations per message are those of that
batching; the syscall counts come from a full-speed run (median of --reps).

Prints one markdown table per tool. Not part of `make test`.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

CASES = {
    # name: (scenario, qos, transport)
    "latency-qos0-ws": ("latency", 0, "ws"),
    "latency-qos0-wss": ("latency", 0, "wss"),
    "throughput-qos0-ws": ("throughput", 0, "ws"),
    "throughput-qos1-ws": ("throughput", 1, "ws"),
    "throughput-qos0-wss": ("throughput", 0, "wss"),
    "throughput-qos1-wss": ("throughput", 1, "wss"),
}
SYSCALLS = ["sendto", "write", "writev", "recvfrom", "read", "epoll_wait", "epoll_pwait", "futex",
            "getrandom", "clock_gettime"]


def messages(scenario, n):
    """Messages (throughput) or round trips (latency, warm-up included) of a run of count n."""
    if scenario == "latency":
        return n + min(n // 10, 100)
    return n


def client_cmd(args, case, n):
    scenario, qos, transport = CASES[case]
    url = args.ws if transport == "ws" else args.wss
    cmd = [args.bin, "--url", url, "--scenario", scenario, "--count", str(n), "--size", str(args.size),
           "--qos", str(qos), "--timeout", "600"]
    if transport == "wss":
        cmd += ["--cafile", args.cafile]
    return cmd


def run(prefix, cmd, env=None):
    p = subprocess.run(prefix + cmd, capture_output=True, text=True, env=env)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("{")), None)
    res = json.loads(line) if line else {}
    if p.returncode != 0 or not res.get("ok"):
        sys.exit(f"profile: {' '.join(cmd)} failed: {line or p.stdout[-500:]} {p.stderr[-2000:]}")
    return p.stderr


def callgrind(args, case, n):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg")
        run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"], client_cmd(args, case, n))
        text = open(out, errors="replace").read()
    total = int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))
    # Calls into the C library's clock_gettime (valgrind hides the vDSO, so
    # every clock read goes through it). Callgrind compresses names: "(id) name"
    # the first time, "(id)" afterwards.
    names, clock, target = {}, 0, None
    for ln in text.splitlines():
        m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", ln)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            target = names.get(m.group(1), "") if ln.startswith("cfn=") else None
            continue
        if ln.startswith("calls=") and target is not None:
            if target.split("@")[0].split("'")[0] in ("clock_gettime", "__clock_gettime"):
                clock += int(ln.split()[0][6:])
            target = None
    return {"instructions": total, "clock reads": clock}


def dhat(args, case, n):
    with tempfile.TemporaryDirectory() as tmp:
        err = run(["valgrind", "--tool=dhat", f"--dhat-out-file={os.path.join(tmp, 'dh')}"],
                  client_cmd(args, case, n))
    m = re.search(r"Total:\s+([\d,]+) bytes in ([\d,]+) blocks", err)
    return {"allocations": int(m.group(2).replace(",", "")), "bytes allocated": int(m.group(1).replace(",", ""))}


def syscalls(args, case, n):
    events = ["raw_syscalls:sys_enter", "context-switches"] + [f"syscalls:sys_enter_{s}" for s in SYSCALLS]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "perf")
        run(["perf", "stat", "-x", ",", "-o", out] + sum((["-e", e] for e in events), []),
            client_cmd(args, case, n))
        res = {}
        for ln in open(out):
            f = ln.strip().split(",")
            if len(f) > 2 and f[0].replace(".", "").isdigit():
                name = f[2].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "syscalls")
                res[name] = float(f[0])
    return res


def per_message(tool, args, case, reps):
    scenario = CASES[case][0]
    small, large = (args.lat_n if scenario == "latency" else args.tp_n)
    if tool is not callgrind and tool is not dhat:
        small, large = small * args.speed, large * args.speed
    dm = messages(scenario, large) - messages(scenario, small)
    samples = []
    for _ in range(reps):
        a, b = tool(args, case, small), tool(args, case, large)
        samples.append({k: (b.get(k, 0) - a.get(k, 0)) / dm for k in b})
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="client program (harness contract)")
    ap.add_argument("--ws", default="ws://127.0.0.1:18080/mqtt")
    ap.add_argument("--wss", default="wss://127.0.0.1:18443/mqtt")
    ap.add_argument("--cafile")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--tools", default="callgrind,dhat,syscalls")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--lat-n", type=lambda s: tuple(map(int, s.split(","))), default=(200, 1200),
                    help="small,large round-trip counts under valgrind (default 200,1200)")
    ap.add_argument("--tp-n", type=lambda s: tuple(map(int, s.split(","))), default=(2000, 12000),
                    help="small,large message counts under valgrind (default 2000,12000)")
    ap.add_argument("--speed", type=int, default=5, help="count multiplier for full-speed runs (default 5)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of full-speed runs (median; default 3)")
    args = ap.parse_args()
    tools = {"callgrind": callgrind, "dhat": dhat, "syscalls": syscalls}
    cases = [c for c in args.cases.split(",") if c]
    name = os.path.basename(args.bin)
    for t in args.tools.split(","):
        rows = {}
        for case in cases:
            if CASES[case][2] == "wss" and not args.cafile:
                continue
            reps = 1 if t in ("callgrind", "dhat") else args.reps
            rows[case] = per_message(tools[t], args, case, reps)
            print(f"profile: {name} {t} {case}: " + ", ".join(f"{k} {v:.2f}" for k, v in rows[case].items()),
                  file=sys.stderr)
        if not rows:
            continue
        keys = [k for k in next(iter(rows.values()))]
        print(f"\n#### {name}: {t}, per message (latency: per round trip)\n")
        print("| case | " + " | ".join(keys) + " |")
        print("|---|" + "---:|" * len(keys))
        for case, r in rows.items():
            print(f"| {case} | " + " | ".join(f"{r.get(k, 0):,.2f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
