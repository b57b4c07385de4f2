# Sourced by the packaging scripts. `expect_red_example WHAT COMMAND...` runs COMMAND
# --version, then COMMAND scan of examples/booking-bot, and fails unless the scan exits 1
# with the RED verdict: the example is RED by design, so exit 1 is the gate working.
expect_red_example() {
    local what="$1"
    shift
    "$@" --version
    local out code
    out="$(mktemp)"
    set +e
    "$@" scan "$(dirname "${BASH_SOURCE[0]}")/../../examples/booking-bot" --quiet --no-progress > "$out"
    code=$?
    set -e
    if [ "$code" -ne 1 ] || ! grep -q "NOT PRODUCTION READY" "$out"; then
        echo "the installed $what did not scan the example as expected (exit $code)" >&2
        cat "$out" >&2
        rm -f "$out"
        return 1
    fi
    echo "installed $what scans the example: exit $code, $(tail -1 "$out")"
    rm -f "$out"
}
