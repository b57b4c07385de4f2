#!/usr/bin/env node
// Launcher of the flightcheck binary: npm installs the one platform package that matches this
// machine (optionalDependencies with `os`/`cpu`), and this script runs its binary with the
// same arguments, stdio and exit code. Nothing of the scan runs in Node.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const platformPackage = `@flightcheck/cli-${process.platform}-${process.arch}`;
const exe = process.platform === 'win32' ? 'flightcheck.exe' : 'flightcheck';

function binaryPath() {
  if (process.env.FLIGHTCHECK_BINARY) {
    return process.env.FLIGHTCHECK_BINARY;
  }
  try {
    const manifest = require.resolve(`${platformPackage}/package.json`);
    return path.join(path.dirname(manifest), 'bin', exe);
  } catch {
    console.error(
      `flightcheck: no binary for ${process.platform}-${process.arch}: the optional dependency ` +
        `${platformPackage} is not installed (was the install run with --no-optional, or is ` +
        'this platform unsupported?). Set FLIGHTCHECK_BINARY to a flightcheck binary to use it.',
    );
    process.exit(2);
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  console.error(`flightcheck: cannot run the binary: ${result.error.message}`);
  process.exit(2);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
