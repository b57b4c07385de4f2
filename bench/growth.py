#!/usr/bin/env python3
"""Growth benchmark: is `flightcheck scan` linear in the size of one file, for every shape
that was once super-linear?

For each shape it writes a one-file project at N, 2N and 4N units, scans it (median of
--runs), and prints the time per size and the ratio per doubling. A ratio above --limit
(default 2.6: doubling may at most double the time, plus noise) fails with exit code 1.

Usage: bench/growth.py [--bin target/release/flightcheck] [--runs 3] [--limit 2.6] [--only SHAPE]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = '{"name":"growth","main":"index.js","scripts":{"start":"node index.js"}}'


def js(name, body):
    return {"package.json": PACKAGE, "index.js": body}


def shapes():
    """name -> (base size, function from size to {file: text})"""
    handler = (
        "const fs = require('fs');\nconst app = require('express')();\n"
        "app.get('/a', (q, r) => {\n{}\n}});\napp.listen(3000);\n"
    )
    return {
        "blank lines (JS)": (100_000, lambda n: js("i", "const a = 1;" + "\n" * n + "module.exports = a;\n")),
        "&& chain (JS)": (20_000, lambda n: js("i", "const x = a" + " && a" * n + ";\n")),
        "+ chain (JS)": (20_000, lambda n: js("i", "const x = a" + " + a" * n + ";\n")),
        "! chain (JS)": (40_000, lambda n: js("i", "const x = " + "!" * n + "true;\n")),
        ".then chain (JS)": (15_000, lambda n: js("i", "Promise.resolve(1)" + ".then(x => x)" * n + ";\n")),
        "and chain (Python)": (20_000, lambda n: {"requirements.txt": "requests\n", "main.py": "x = a" + " and a" * n + "\n"}),
        "comparison chain (Python)": (20_000, lambda n: {"requirements.txt": "requests\n", "main.py": "x = a" + " < a" * n + "\n"}),
        "conditional chain (Python)": (10_000, lambda n: {"requirements.txt": "requests\n", "main.py": "x = " + "a if b else " * n + "c\n"}),
        "findings in one file (JS)": (5_000, lambda n: js("i", handler.replace("{}", "  fs.readFileSync('a');\n" * n).replace("}}", "}"))),
        "config array (JS)": (12_000, lambda n: js("i", "module.exports = [\n" + "".join(f"  'item{i}',\n" for i in range(n)) + "];\n")),
        "compose services": (1_500, lambda n: {
            "package.json": PACKAGE,
            "index.js": "require('http').createServer().listen(3000);\n",
            "docker-compose.yml": "services:\n" + "".join(
                f"  s{i}:\n    image: node:20\n    environment:\n      - A=1\n    command: node index.js\n"
                for i in range(n)
            ),
        }),
    }


def scan(binary, files, runs):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "p"
        root.mkdir()
        for name, text in files.items():
            (root / name).write_text(text)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [binary, "scan", str(root), "--no-progress", "--fail-on", "never", "--format", "json"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                timeout=600,
            )
            times.append(time.perf_counter() - start)
        return statistics.median(times), sum(len(t) for t in files.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/flightcheck")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=float, default=2.6)
    ap.add_argument("--only")
    args = ap.parse_args()
    failed = []
    print(f"{'shape':<28} {'N':>8} {'bytes':>9} {'time':>8}  ratio per doubling")
    for name, (base, make) in shapes().items():
        if args.only and args.only not in name:
            continue
        previous = None
        ratios = []
        for n in (base, 2 * base, 4 * base):
            t, size = scan(args.bin, make(n), args.runs)
            ratio = "" if previous is None else f"{t / previous:.2f}"
            if previous is not None:
                ratios.append(t / previous)
            print(f"{name:<28} {n:>8} {size:>9} {t:>7.3f}s  {ratio}")
            previous = max(t, 0.005)  # below 5 ms the ratio is noise
        if ratios and max(ratios) > args.limit and previous > 0.05:
            failed.append(name)
    if failed:
        print("super-linear: " + ", ".join(failed))
        return 1
    print("every shape grows linearly (each doubling within the limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
