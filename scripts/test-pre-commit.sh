#!/usr/bin/env bash
# Proves the pre-commit hook installs and runs: `pre-commit try-repo` against this
# repository's HEAD on a sample repository (a copy of examples/booking-bot), which must
# fail the hook with flightcheck's verdict (the example is RED by design). Needs pre-commit
# (`pip install pre-commit`), Python and Rust: the hook builds flightcheck with maturin on
# first install (a few minutes).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/examples/booking-bot/." "$work/sample"
cd "$work/sample"
git init -q -b main
git add -A
git -c user.name=test -c user.email=test@example.com commit -q -m sample
export PRE_COMMIT_HOME="$work/cache"
set +e
pre-commit try-repo "$repo" flightcheck --all-files > "$work/out.txt" 2>&1
code=$?
set -e
if [ "$code" -ne 1 ] || ! grep -q "NOT PRODUCTION READY" "$work/out.txt" \
    || ! grep -q "flightcheck production-readiness review\.*Failed" "$work/out.txt"; then
    echo "pre-commit try-repo did not install and run the hook as expected (exit $code)" >&2
    cat "$work/out.txt" >&2
    exit 1
fi
echo "pre-commit try-repo: hook installed, ran, and failed the RED example (exit $code)"
