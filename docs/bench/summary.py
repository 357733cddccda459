"""Per-client, per-case medians from a harness results .jsonl, computed the
way the harness's lib/report.py computes its table cells (median over the
successful rounds; client CPU net of the client's start-up CPU)."""
import json
import statistics
from collections import defaultdict


def _med(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    return statistics.median(vals) if vals else None


def _bcpu(r):
    v = r.get("broker_cpu_net_s")
    return v if v is not None else r.get("broker_cpu_s")


def load(path):
    """{case: {client: {metric: median}}}; metrics as in the report's columns."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[r.get("case", "?")][r["client"]].append(r)
    startup = {c: _med([r.get("cpu_s") for r in rs if r.get("ok")]) or 0.0
               for c, rs in by.get("startup", {}).items()}
    out = {}
    for case, per in by.items():
        out[case] = {}
        for client, rs in per.items():
            ok = [r for r in rs if r.get("ok") and r.get("exit_code", 0) == 0]
            m = {"n_ok": len(ok), "n": len(rs)}
            if ok:
                su = startup.get(client, 0.0)
                scen = ok[0].get("scenario")
                n = ok[0].get("count") or 1
                if scen == "latency":
                    n = n + min(n // 10, 100)
                m.update(
                    msgs_per_s=_med([r.get("msgs_per_s") for r in ok]),
                    p50_us=_med([r.get("p50_us") for r in ok]),
                    p99_us=_med([r.get("p99_us") for r in ok]),
                    connect_ms=_med([r.get("connect_ms") for r in ok]),
                    max_rss_mib=(_med([r.get("max_rss_kb") for r in ok]) or 0) / 1024,
                    cpu_us_per_msg=_med([max(0.0, r["cpu_s"] - su) / n * 1e6 for r in ok]),
                    broker_us_per_msg=_med([_bcpu(r) / n * 1e6 for r in ok if _bcpu(r) is not None]),
                    cpu_ms_per_connect=_med([max(0.0, r["cpu_s"] - su) / n * 1e3 for r in ok]),
                )
            out[case][client] = m
    return out
