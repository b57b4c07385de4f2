#!/usr/bin/env bash
# Builds the npm packages for this machine's platform and proves they install and run: the
# launcher `@flightcheck/cli` (npm/cli) and the platform package with the binary
# (`@flightcheck/cli-<platform>-<arch>`, made here from the release build), packed with
# `npm pack`, installed from the tarballs into a fresh folder, then `npx flightcheck
# --version` and a scan of the example. The release workflow runs the same per platform.
# Needs Rust and Node 18+.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

version="$(node -p "require('./npm/cli/package.json').version")"
platform="$(node -p 'process.platform')"
arch="$(node -p 'process.arch')"
name="@flightcheck/cli-$platform-$arch"
exe=flightcheck
[ "$platform" = win32 ] && exe=flightcheck.exe

binary="${FLIGHTCHECK_BIN:-}"
if [ -z "$binary" ]; then
    cargo build --release --locked -p flightcheck --quiet
    binary="${CARGO_TARGET_DIR:-target}/release/$exe"
fi

pkg="$work/platform"
mkdir -p "$pkg/bin"
cp "$binary" "$pkg/bin/$exe"
command -v strip >/dev/null 2>&1 && [ "$platform" = linux ] && strip "$pkg/bin/$exe"
cat > "$pkg/package.json" <<JSON
{
  "name": "$name",
  "version": "$version",
  "description": "The flightcheck binary for $platform-$arch (installed by @flightcheck/cli)",
  "license": "MIT",
  "os": ["$platform"],
  "cpu": ["$arch"],
  "files": ["bin/"]
}
JSON

mkdir -p "$work/tarballs"
(cd "$pkg" && npm pack --silent --pack-destination "$work/tarballs" > /dev/null)
(cd npm/cli && npm pack --silent --pack-destination "$work/tarballs" > /dev/null)
ls -l "$work/tarballs"

mkdir -p "$work/app"
cd "$work/app"
npm init -y > /dev/null
now_ms() { node -e 'console.log(Date.now())'; }
start=$(now_ms)
# The other platforms' packages are optional: npm skips what it cannot install.
npm install --no-audit --no-fund --silent "$work"/tarballs/*.tgz
echo "npm install: $(( $(now_ms) - start )) ms"
# shellcheck source=scripts/lib/expect-red-example.sh
source "$repo/scripts/lib/expect-red-example.sh"
expect_red_example "npm packages" npx --no-install flightcheck
if [ -n "${NPM_OUT:-}" ]; then
    mkdir -p "$NPM_OUT"
    cp "$work"/tarballs/*.tgz "$NPM_OUT/"
fi
