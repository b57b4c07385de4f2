#!/usr/bin/env bash
# Builds the PyPI wheel (maturin, `bin` bindings) and proves it installs and runs: a fresh
# venv, `pip install` of the wheel, `flightcheck --version` and a scan of the example.
# The release workflow runs the same build per platform. Needs Python 3.8+ and Rust; maturin
# comes from PyPI into a throwaway venv when it is not on PATH. WHEEL_OUT=DIR keeps the
# wheel (the release workflow runs this script on each platform); MATURIN_ARGS adds build
# options (Linux releases: `--zig --compatibility manylinux2014`, with `pip install ziglang`,
# for a wheel that installs on glibc 2.17+).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python="$(command -v python3 || command -v python)"
# A venv's programs are in bin/, on Windows in Scripts/.
venv_bin() { if [ -d "$1/Scripts" ]; then echo "$1/Scripts"; else echo "$1/bin"; fi; }

maturin_bin="$(command -v maturin || true)"
if [ -z "$maturin_bin" ]; then
    "$python" -m venv "$work/tools"
    "$(venv_bin "$work/tools")/pip" install --quiet "maturin>=1.5,<2"
    maturin_bin="$(venv_bin "$work/tools")/maturin"
fi

start=$(date +%s)
# shellcheck disable=SC2086 # MATURIN_ARGS is a list: `--zig --compatibility manylinux2014`
"$maturin_bin" build --release --quiet --out "$work/wheels" ${MATURIN_ARGS:-}
wheel="$(ls "$work"/wheels/flightcheck-*.whl)"
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) in $(( $(date +%s) - start )) s"

"$python" -m venv "$work/venv"
bin="$(venv_bin "$work/venv")"
now_ms() { "$python" -c 'import time; print(int(time.time() * 1000))'; }
start=$(now_ms)
"$bin/pip" install --quiet "$wheel"
echo "pip install: $(( $(now_ms) - start )) ms"

# shellcheck source=scripts/lib/expect-red-example.sh
source scripts/lib/expect-red-example.sh
expect_red_example wheel "$bin/flightcheck"
if [ -n "${WHEEL_OUT:-}" ]; then
    mkdir -p "$WHEEL_OUT"
    cp "$wheel" "$WHEEL_OUT/"
fi
