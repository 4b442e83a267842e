#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// Presents the pinned solc-js (npm `solc`, see tools/node/package.json) as a native
// `solc` binary, enough for foundry-compilers (`Solc::new(path)`) and `forge --use`:
//
//   solc --version
//       Prints the two lines a native Linux build prints, e.g.
//         solc, the solidity compiler commandline interface
//         Version: 0.8.28+commit.7893614a.Linux.g++
//   solc [--allow-paths P[,P..]] [--base-path B] [--include-path I].. --standard-json
//       Reads Standard JSON input on stdin and writes only the output JSON on stdout.
//       Like native solc, compilation errors are reported inside the JSON (exit 0).
//
// Any other flag or positional argument is rejected with exit code 2. Flags also
// accept the `--flag=value` form. The compiler is called through
// `require('solc').compile(input, { import })`, never the `solcjs` CLI (which prints
// an SMT-solver notice on stdout before the JSON).
'use strict';

const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');
const SOLC_DIR = path.join(REPO_ROOT, '.tools', 'node', 'node_modules', 'solc');
const PROG = 'solc';

function usageError(message) {
  process.stderr.write(
    `${PROG}: ${message}\n` +
      `usage: ${PROG} --version\n` +
      `       ${PROG} [--allow-paths P[,P..]] [--base-path B] [--include-path I].. --standard-json\n`
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [], allowPaths: [] };
  const withValue = new Set(['--allow-paths', '--base-path', '--include-path']);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
      if (!withValue.has(arg)) usageError(`option '${arg}' does not take a value`);
    } else if (withValue.has(arg)) {
      if (i + 1 >= argv.length) usageError(`option '${arg}' needs a value`);
      value = argv[++i];
    }
    switch (arg) {
      case '--version':
        opts.version = true;
        break;
      case '--standard-json':
        opts.standardJson = true;
        break;
      case '--base-path':
        if (value === '') usageError(`option '--base-path' needs a non-empty value`);
        opts.basePath = value;
        break;
      case '--include-path':
        if (value === '') usageError(`option '--include-path' needs a non-empty value`);
        opts.includePaths.push(value);
        break;
      case '--allow-paths':
        opts.allowPaths.push(...value.split(',').filter((p) => p !== ''));
        break;
      default:
        usageError(`unsupported argument '${arg}' (this is a solc-js shim)`);
    }
  }
  if (opts.version === opts.standardJson) usageError('expected exactly one of --version or --standard-json');
  if (opts.includePaths.length > 0 && opts.basePath === null) usageError('--include-path requires --base-path');
  return opts;
}

function loadSolc() {
  if (!fs.existsSync(path.join(SOLC_DIR, 'package.json'))) {
    process.stderr.write(
      `${PROG}: solc-js is not installed (${SOLC_DIR} missing); run ${path.join(REPO_ROOT, 'scripts', 'install-node-tools')}\n`
    );
    process.exit(1);
  }
  return require(SOLC_DIR);
}

// "0.8.28+commit.7893614a.Emscripten.clang" -> "0.8.28+commit.7893614a.Linux.g++"
function nativeVersion(solc) {
  const raw = solc.version();
  const m = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\+commit\.[0-9a-f]+)/.exec(raw);
  if (!m) {
    process.stderr.write(`${PROG}: cannot parse solc-js version '${raw}'\n`);
    process.exit(1);
  }
  return `${m[1]}.Linux.g++`;
}

function isWithin(root, p) {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// Mirrors native solc's file loader: relative source unit names are looked up under the
// base path (default: cwd) and each include path; only files inside the base path, the
// include paths or the allowed paths may be read.
function makeImportCallback(opts) {
  const cwd = process.cwd();
  const base = path.resolve(cwd, opts.basePath ?? '.');
  const roots = [base, ...opts.includePaths.map((p) => path.resolve(cwd, p))];
  const allowed = [...roots, ...opts.allowPaths.map((p) => path.resolve(cwd, p))];
  return (sourceUnitName) => {
    const name = sourceUnitName.replace(/^file:\/\//, '');
    const candidates = path.isAbsolute(name) ? [path.normalize(name)] : roots.map((r) => path.join(r, name));
    const found = [];
    for (const file of candidates) {
      if (!allowed.some((a) => isWithin(a, file))) continue;
      try {
        if (fs.statSync(file).isFile()) found.push(file);
      } catch (_) {
        // not here; try the next root
      }
    }
    if (found.length === 0) return { error: `File not found inside the base path or any of the include paths.` };
    if (found.length > 1) return { error: `Ambiguous import: found in ${found.join(', ')}` };
    try {
      return { contents: fs.readFileSync(found[0], 'utf8') };
    } catch (e) {
      return { error: `Cannot read ${found[0]}: ${e.message}` };
    }
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc();
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion(solc)}\n`);
    return;
  }
  const input = fs.readFileSync(0, 'utf8');
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  // Let Node flush stdout to a pipe before exiting; never call process.exit() here.
  process.stdout.write(output);
}

main();
