#!/usr/bin/env python3
"""Draws the benchmark chart from a harness results .jsonl: client CPU per
message (throughput over ws, QoS 0 and QoS 1) and latency (QoS 0 round trip,
p50 and p99) side by side, one bar per client and measure.

  chart.py RESULTS.jsonl [-o docs/bench/chart.png] [--builtin]

Uses matplotlib when it can be imported (make bench-chart installs it into a
private venv); otherwise, or with --builtin, a small pure-Python renderer
(bitmap font, zlib + struct PNG writer) draws the same bars.
"""
import argparse
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summary import load  # noqa: E402

OURS = ["mqttws-rust", "mqttws-c", "mqttws-go", "mqttws-python"]
PANELS = [
    ("Client CPU per message (throughput, ws://), µs - lower is better",
     [("throughput-qos0", "cpu_us_per_msg", "QoS 0", (31, 119, 180)),
      ("throughput-qos1", "cpu_us_per_msg", "QoS 1", (255, 127, 14))]),
    ("Latency round trip (QoS 0, ws://), µs - lower is better",
     [("latency-qos0", "p50_us", "p50", (44, 160, 44)),
      ("latency-qos0", "p99_us", "p99", (214, 39, 40))]),
]


def series(data):
    clients = set()
    for _title, bars in PANELS:
        for case, _m, _l, _c in bars:
            clients |= set(data.get(case, {}))
    order = [c for c in OURS if c in clients] + sorted(clients - set(OURS))
    panels = []
    for title, bars in PANELS:
        vals = [(label, color, [data.get(case, {}).get(c, {}).get(metric) for c in order])
                for case, metric, label, color in bars]
        panels.append((title, vals))
    return order, panels


# ---- matplotlib ------------------------------------------------------------------
def draw_matplotlib(order, panels, title, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 0.55 * len(order) + 2.2))
    for ax, (ptitle, vals) in zip(axes, panels):
        h = 0.8 / len(vals)
        for k, (label, color, ys) in enumerate(vals):
            pos = [i + (k - (len(vals) - 1) / 2) * h for i in range(len(order))]
            ys0 = [y or 0 for y in ys]
            bars = ax.barh(pos, ys0, height=h, label=label, color=[c / 255 for c in color])
            for b, y in zip(bars, ys):
                ax.text(b.get_width(), b.get_y() + b.get_height() / 2,
                        f" {y:,.1f}" if y is not None else " n/a", va="center", fontsize=7)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels(order)
        ax.invert_yaxis()
        ax.set_title(ptitle, fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
        ys_all = [y for _l, _c, ys in vals for y in ys if y]
        if ys_all and max(ys_all) / min(ys_all) > 30:
            # One outlier (e.g. a p99 in milliseconds) would flatten the rest.
            ax.set_xscale("log")
            ax.set_xlim(min(ys_all) / 2, max(ys_all) * 3)
            ax.set_title(ptitle + " (log scale)", fontsize=10)
        else:
            ax.set_xlim(0, max(ys_all or [1]) * 1.18)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


# ---- built-in renderer ---------------------------------------------------------------
GLYPHS = {
    "A": "01110 10001 10001 11111 10001 10001 10001", "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110", "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111", "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111", "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110", "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001", "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001", "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110", "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101", "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110", "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110", "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010", "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 01010 00100 00100 00100 00100", "Z": "11111 00001 00010 00100 01000 10000 11111",
    "0": "01110 10001 10011 10101 11001 10001 01110", "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111", "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010", "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110", "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110", "9": "01110 10001 10001 01111 00001 00010 01100",
    " ": "00000 00000 00000 00000 00000 00000 00000", ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000", "-": "00000 00000 00000 11111 00000 00000 00000",
    "(": "00010 00100 01000 01000 01000 00100 00010", ")": "01000 00100 00010 00010 00010 00100 01000",
    "/": "00000 00001 00010 00100 01000 10000 00000", ":": "00000 01100 01100 00000 01100 01100 00000",
    "%": "11000 11001 00010 00100 01000 10011 00011", "_": "00000 00000 00000 00000 00000 00000 11111",
    "+": "00000 00100 00100 11111 00100 00100 00000", "=": "00000 00000 11111 00000 11111 00000 00000",
    "µ": "00000 10001 10001 10001 10011 11101 10000", "?": "01110 10001 00001 00010 00100 00000 00100",
}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))

    def rect(self, x0, y0, x1, y1, rgb):
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        row = bytes(rgb) * max(0, x1 - x0)
        for y in range(max(0, int(y0)), min(self.h, int(y1))):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, scale=2, rgb=(0, 0, 0)):
        for ch in s:
            g = (GLYPHS.get(ch) or GLYPHS.get(ch.upper()) or GLYPHS["?"]).split()
            for r, bits in enumerate(g):
                for c, b in enumerate(bits):
                    if b == "1":
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, rgb)
            x += 6 * scale
        return x

    @staticmethod
    def text_width(s, scale=2):
        return len(s) * 6 * scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(tag, data):
            return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def draw_builtin(order, panels, title, out):
    bar_h, gap, label_w, panel_w, top = 14, 12, 170, 560, 70
    rows_h = len(order) * (2 * bar_h + gap)
    W, H = 2 * (label_w + panel_w) + 40, top + rows_h + 60
    cv = Canvas(W, H)
    cv.text(20, 14, title, 2)
    for p, (ptitle, vals) in enumerate(panels):
        x0 = 20 + p * (label_w + panel_w + 20)
        cv.text(x0, 44, ptitle, 1)
        vmax = max([y for _l, _c, ys in vals for y in ys if y is not None] or [1]) * 1.25
        plot_x, plot_w = x0 + label_w, panel_w - 20
        cv.rect(plot_x - 1, top - 4, plot_x, top + rows_h, (90, 90, 90))
        for i, client in enumerate(order):
            y = top + i * (2 * bar_h + gap)
            cv.text(x0, y + bar_h - 7, client, 2)
            for k, (label, color, ys) in enumerate(vals):
                v = ys[i]
                yy = y + k * bar_h
                w = 0 if v is None else v / vmax * plot_w
                cv.rect(plot_x, yy, plot_x + w, yy + bar_h - 2, color)
                cv.text(plot_x + w + 4, yy + 2, f"{v:,.1f}" if v is not None else "n/a", 1)
        lx = plot_x
        for label, color, _ys in vals:
            cv.rect(lx, top + rows_h + 14, lx + 14, top + rows_h + 28, color)
            lx = cv.text(lx + 20, top + rows_h + 14, label, 2) + 20
    with open(out, "wb") as f:
        f.write(cv.png())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "chart.png"))
    ap.add_argument("--builtin", action="store_true", help="do not use matplotlib")
    a = ap.parse_args()
    order, panels = series(load(a.results))
    title = f"mqttws vs peers, harness run {os.path.basename(a.results)[:-len('.jsonl')]} (medians over rounds)"
    use_mpl = not a.builtin
    if use_mpl:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            use_mpl = False
    (draw_matplotlib if use_mpl else draw_builtin)(order, panels, title, a.out)
    print(f"chart: wrote {a.out} ({'matplotlib' if use_mpl else 'built-in renderer'})")


if __name__ == "__main__":
    main()
