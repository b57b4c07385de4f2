#!/usr/bin/env bash
# Benchmark `flightcheck scan` on a generated tree.
#
# Usage: bench/run.sh [LINES]        (default 300000)
#   BENCH_RUNS=N           number of timed runs per tool (default 5)
#   BENCH_SKIP_BUILD=1     use the existing release binary instead of running cargo build
#
# Builds the release binary, generates a synthetic JS/TS/Python monorepo of about LINES lines
# into bench/out/tree, scans it BENCH_RUNS times under GNU time and prints the median wall time,
# files/s, lines/s and peak RSS. If ruff or semgrep are on PATH they are timed on the same tree
# for comparison.
set -euo pipefail

LINES="${1:-300000}"
RUNS="${BENCH_RUNS:-5}"
case "$LINES" in
  '' | *[!0-9]*) echo "usage: bench/run.sh [LINES]" >&2; exit 2 ;;
esac
case "$RUNS" in
  '' | *[!0-9]* | 0) echo "BENCH_RUNS must be a positive integer" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="bench/out"
TREE="$OUT/tree"
BIN="${CARGO_TARGET_DIR:-target}/release/flightcheck"

if [ ! -x /usr/bin/time ]; then
  echo "GNU time is required at /usr/bin/time (Debian/Ubuntu: sudo apt-get install time)" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
  echo "==> skipping cargo build (BENCH_SKIP_BUILD=1)"
else
  echo "==> cargo build --release -p flightcheck"
  cargo build --release -p flightcheck
fi
if [ ! -x "$BIN" ]; then
  echo "no flightcheck binary at $BIN" >&2
  exit 1
fi

echo "==> generating ~$LINES lines into $TREE"
mkdir -p "$OUT"
python3 bench/gen_tree.py --lines "$LINES" --out "$TREE"

count_lines() { # count_lines NAME-PATTERN...: lines of matching files under $TREE
  local args=() first=1 pat
  for pat in "$@"; do
    if [ "$first" -eq 1 ]; then first=0; else args+=(-o); fi
    args+=(-name "$pat")
  done
  find "$TREE" -type f \( "${args[@]}" \) -exec cat {} + | wc -l | tr -d ' '
}
FILES="$(find "$TREE" -type f | wc -l | tr -d ' ')"
SRC_FILES="$(find "$TREE" -type f \( -name '*.js' -o -name '*.ts' -o -name '*.py' \) | wc -l | tr -d ' ')"
SRC_LINES="$(count_lines '*.js' '*.ts' '*.py')"
PY_FILES="$(find "$TREE" -type f -name '*.py' | wc -l | tr -d ' ')"
PY_LINES="$(count_lines '*.py')"
echo "    $FILES files ($SRC_FILES source files, $SRC_LINES source lines; Python: $PY_FILES files, $PY_LINES lines)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Wall time: nanosecond clock when `date +%N` works (GNU), else GNU time's 10 ms resolution.
NS_CLOCK=0
case "$(date +%N 2>/dev/null)" in
  '' | *[!0-9]*) ;;
  *) NS_CLOCK=1 ;;
esac

# to_seconds "h:mm:ss" | "m:ss.ss" -> seconds
to_seconds() {
  awk -v t="$1" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }'
}

# measure LABEL CMD...: runs CMD $RUNS times under GNU time; sets MEDIAN_S and PEAK_KB
measure() {
  local label="$1" i stats wall rss t0 t1
  shift
  : >"$TMP/wall" && : >"$TMP/rss"
  for i in $(seq 1 "$RUNS"); do
    stats="$TMP/time.$i"
    t0="$(date +%s%N)"
    if ! /usr/bin/time -v -o "$stats" "$@" >/dev/null 2>"$TMP/stderr"; then
      echo "$label failed (run $i):" >&2
      cat "$TMP/stderr" "$stats" >&2
      exit 1
    fi
    t1="$(date +%s%N)"
    if [ "$NS_CLOCK" = 1 ]; then
      wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
    else
      wall="$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$stats")")"
    fi
    rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$stats")"
    echo "$wall" >>"$TMP/wall"
    echo "$rss" >>"$TMP/rss"
    printf '    run %d: %ss, %s MB\n' "$i" "$wall" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
  done
  MEDIAN_S="$(sort -n "$TMP/wall" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
  PEAK_KB="$(sort -n "$TMP/rss" | tail -n 1)"
}

# report LABEL FILES LINES
report() {
  awk -v label="$1" -v s="$MEDIAN_S" -v kb="$PEAK_KB" -v f="$2" -v l="$3" -v runs="$RUNS" 'BEGIN {
    if (s <= 0) s = 0.001
    printf "%-12s median %.3f s over %d runs | %.0f files/s | %.0f lines/s | peak RSS %.1f MB\n",
      label, s, runs, f / s, l / s, kb / 1024
  }'
}

echo "==> flightcheck scan ($RUNS runs)"
measure flightcheck "$BIN" scan "$TREE" --format json --no-progress --fail-on never

RESULTS=()
RESULTS+=("$(report flightcheck "$SRC_FILES" "$SRC_LINES")")

if command -v ruff >/dev/null 2>&1; then
  echo "==> ruff $(ruff --version | awk '{ print $2 }') on the Python share ($RUNS runs)"
  measure ruff ruff check --select F,E9,ASYNC --no-cache --quiet --exit-zero "$TREE"
  RESULTS+=("$(report ruff "$PY_FILES" "$PY_LINES")  (Python only)")
else
  RESULTS+=("ruff         not on PATH, skipped")
fi

if command -v semgrep >/dev/null 2>&1; then
  # A small local rule set, so the run needs no network and no registry login.
  cat >"$TMP/rules.yml" <<'YAML'
rules:
  - id: axios-without-timeout
    languages: [javascript, typescript]
    severity: WARNING
    message: axios call without a timeout
    patterns:
      - pattern-either:
          - pattern: axios.$M($URL, $DATA)
          - pattern: axios.$M($URL)
  - id: empty-catch
    languages: [javascript, typescript]
    severity: WARNING
    message: empty catch block
    pattern: try { ... } catch ($E) {}
  - id: requests-without-timeout
    languages: [python]
    severity: WARNING
    message: requests call without timeout
    patterns:
      - pattern: requests.$M(...)
      - pattern-not: requests.$M(..., timeout=$T, ...)
  - id: bare-except-pass
    languages: [python]
    severity: WARNING
    message: exception swallowed
    pattern: |
      try:
          ...
      except:
          pass
YAML
  echo "==> semgrep $(semgrep --version 2>/dev/null | head -n 1) ($RUNS runs, 4 local rules)"
  measure semgrep semgrep scan --config "$TMP/rules.yml" --metrics=off --disable-version-check \
    --quiet --json --output "$TMP/semgrep.json" "$TREE"
  RESULTS+=("$(report semgrep "$SRC_FILES" "$SRC_LINES")")
else
  RESULTS+=("semgrep      not on PATH, skipped")
fi

echo
echo "Tree: $SRC_FILES source files, $SRC_LINES lines ($TREE)"
printf '%s\n' "${RESULTS[@]}"
