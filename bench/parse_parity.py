#!/usr/bin/env python3
"""Compare flightcheck's integrity/parse-error with the real runtimes on a tree.

Usage: bench/parse_parity.py DIR [--flightcheck PATH]

For every Python file the walk would scan, CPython's compile() decides; for every plain
JavaScript file (.js/.mjs/.cjs), `node --check` decides. flightcheck's side is what its
parser finds: reported parse errors plus those the role policy leaves out of the report
(`silenced_by_role`: tests, archived code, static assets). TypeScript is not compared (Node
cannot check it). Prints the counts and every file where the two disagree.
"""
import argparse
import json
import os
import subprocess
import sys

SKIP_DIRS = {
    ".git", "node_modules", "__pycache__", ".venv", "venv", "site-packages", "dist", "build",
    "out", ".next", "coverage", "vendor", "third_party", ".tox", ".mypy_cache", "target",
}


def flightcheck_errors(binary, root):
    out = subprocess.run(
        [binary, "scan", root, "--format", "json", "--fail-on", "never", "--select", "integrity/parse-error"],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(out.stdout)
    skipped = {n["file"] for n in report["notes"] if n.get("file") and "skipped" in n["message"]}
    flagged = {f["file"] for p in report["projects"] for f in p["findings"]}
    # The parser's verdict, whatever the role policy then reports: errors in tests, static
    # assets and archived code are parsed and found, then left out of the findings.
    silenced = {
        s["file"] for p in report["projects"] for s in p.get("silenced_by_role", [])
        if s["rule"] == "integrity/parse-error"
    }
    return flagged | silenced, skipped, silenced


def runtime_errors(root):
    bad, checked = set(), 0
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))]
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if name.endswith(".py"):
                checked += 1
                try:
                    with open(path, "rb") as fh:
                        compile(fh.read(), path, "exec", dont_inherit=True)
                except (SyntaxError, ValueError):
                    bad.add(rel)
            elif name.endswith((".js", ".mjs", ".cjs")) and ".min." not in name:
                checked += 1
                result = subprocess.run(["node", "--check", path], capture_output=True, check=False)
                if result.returncode != 0:
                    bad.add(rel)
    return bad, checked


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--flightcheck", default="target/release/flightcheck")
    args = parser.parse_args()
    import warnings
    warnings.simplefilter("ignore")
    flagged, skipped, silenced = flightcheck_errors(args.flightcheck, args.root)
    bad, checked = runtime_errors(args.root)
    bad -= skipped
    print(f"{args.root}: {checked} files checked by the runtimes; runtimes reject {len(bad)}, flightcheck flags {len(flagged)} ({len(silenced)} of them left out of the report by role: tests, archived, static)")
    for rel in sorted(bad - flagged):
        print(f"  missed (runtime rejects, flightcheck silent): {rel}")
    for rel in sorted(flagged - bad):
        print(f"  extra (flightcheck flags, runtime accepts): {rel}")
    return 0 if bad == flagged else 1


if __name__ == "__main__":
    sys.exit(main())
