#!/usr/bin/env python3
"""Checks the [PERF2] issue's targets against one harness run: every ratio is
taken between clients measured in the same run.

  targets.py RESULTS.jsonl        # prints a markdown table (met / missed)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summary import load  # noqa: E402

MIB = 1024 * 1024


def main():
    path = sys.argv[1]
    s = load(path)
    meta_path = path[: -len(".jsonl")] + ".meta.json"
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    rows = []

    def get(case, client, metric):
        return (s.get(case, {}).get(client) or {}).get(metric)

    def check(what, ours, ref, factor, op, unit):
        if ours is None or ref is None:
            rows.append((what, "–", "–", "–", "not measured"))
            return
        bound = ref * factor
        met = ours <= bound if op == "<=" else ours >= bound
        ratio = ours / ref if ref else float("inf")
        rows.append((what, f"{ours:,.2f} {unit}", f"{op} {bound:,.2f} {unit} ({factor:g} x {ref:,.2f})",
                     f"{ratio:.2f} x", "met" if met else "**missed**"))

    ours = ("mqttws-rust", "mqttws-c")
    for case in ("throughput-qos0", "throughput-qos1"):
        for c in ours:
            check(f"{case} {c}: client CPU µs/msg vs rumqttc", get(case, c, "cpu_us_per_msg"),
                  get(case, "rumqttc", "cpu_us_per_msg"), 0.5, "<=", "µs")
    for c in ours:
        check(f"throughput-qos1-wss {c}: client CPU µs/msg vs rumqttc",
              get("throughput-qos1-wss", c, "cpu_us_per_msg"),
              get("throughput-qos1-wss", "rumqttc", "cpu_us_per_msg"), 0.6, "<=", "µs")
        check(f"throughput-qos1-wss {c}: msgs/s vs rumqttc", get("throughput-qos1-wss", c, "msgs_per_s"),
              get("throughput-qos1-wss", "rumqttc", "msgs_per_s"), 1.2, ">=", "msg/s")
    for case in ("latency-qos0", "latency-qos0-wss"):
        for c in ours:
            check(f"{case} {c}: p50 vs paho-c", get(case, c, "p50_us"),
                  get(case, "paho-c", "p50_us"), 0.8, "<=", "µs")
            check(f"{case} {c}: p99 vs paho-c", get(case, c, "p99_us"),
                  get(case, "paho-c", "p99_us"), 1.0, "<=", "µs")
            check(f"{case} {c}: client CPU per round trip vs paho-c", get(case, c, "cpu_us_per_msg"),
                  get(case, "paho-c", "cpu_us_per_msg"), 0.6, "<=", "µs")
        for c in ("mqttws-go", "mqttws-python"):
            check(f"{case} {c}: p50 vs paho-c", get(case, c, "p50_us"),
                  get(case, "paho-c", "p50_us"), 1.0, "<=", "µs")
    for case in ("throughput-qos0", "throughput-qos1"):
        check(f"{case} mqttws-go: msgs/s vs mqttws-c", get(case, "mqttws-go", "msgs_per_s"),
              get(case, "mqttws-c", "msgs_per_s"), 0.8, ">=", "msg/s")
        check(f"{case} mqttws-python: msgs/s vs paho-python", get(case, "mqttws-python", "msgs_per_s"),
              get(case, "paho-python", "msgs_per_s"), 10.0, ">=", "msg/s")
    for case in ("connect-ws", "connect-wss"):
        for c in ours:
            check(f"{case} {c}: mean connect vs rumqttc", get(case, c, "connect_ms"),
                  get(case, "rumqttc", "connect_ms"), 1.0, "<=", "ms")

    def peak(client):
        v = [m.get("max_rss_mib") for case, per in s.items() if case != "startup"
             for cl, m in per.items() if cl == client and m.get("max_rss_mib")]
        return max(v) if v else None

    check("peak RSS (max over cases) mqttws-c vs paho-c", peak("mqttws-c"), peak("paho-c"), 1.0, "<=", "MiB")
    so = [f for c in meta.get("clients", []) if c.get("client") == "mqttws-c"
          for f in c.get("footprint", []) if f.get("kind") == "lib"]
    if so and so[0].get("bytes"):
        size = so[0]["bytes"] / MIB
        rows.append(("stripped libmqttws.so (TLS included)", f"{size:.2f} MiB", "<= 2.00 MiB", "–",
                     "met" if size <= 2.0 else "**missed**"))

    print(f"### Targets of the [PERF2] issue, run {os.path.basename(path)[:-6]}")
    print()
    print("| target | ours | bound (peer in the same run) | ratio to peer | |")
    print("|---|---:|---:|---:|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
