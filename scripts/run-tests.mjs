// Runs the compiled test files (`<workspace>/dist/test/**/*.test.js`) with node's test runner, in two
// layers (README, "Testing"):
//   unit    `*.test.js` except the system ones: one process, fake clock, in-memory transport;
//           reports line and function coverage of the product code (--coverage: system too).
//   system  `*.system.test.js`: real processes, gRPC over loopback, ONNX Runtime training, solver
//           under load (Docker's own suite is `npm run test:docker`).
// `node scripts/run-tests.mjs [--unit|--system] [--coverage|--no-coverage] [substring...]`: without
// a layer flag both run, unit first. A substring runs only matching files: `npm test -- solver`.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { coverageSummary } from './coverage-summary.mjs';

const root = new URL('..', import.meta.url).pathname;
const WORKSPACES = ['shared', 'proto', 'ml', 'server', 'client', 'tools'];
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filter = args.filter((a) => !a.startsWith('--'));
const layers = flags.has('--unit') ? ['unit'] : flags.has('--system') ? ['system'] : ['unit', 'system'];

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

/** The TypeScript source of a compiled test: tsc -b keeps outputs of deleted sources, never run those. */
function sourceOf(file) {
  return file.replace(/\/dist\//, '/').replace(/\.js$/, '.ts');
}

const files = [];
for (const ws of WORKSPACES) walk(join(root, ws, 'dist', 'test'), files);
// The guide's example strategy (docs/writing-a-strategy.md), compiled and tested like a package.
walk(join(root, 'docs', 'examples', 'dist', 'test'), files);
const live = files.filter((f) => existsSync(sourceOf(f)));

function selected(layer) {
  return live
    .map((f) => relative(root, f))
    .filter((f) => (layer === 'system') === f.endsWith('.system.test.js'))
    .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
    .sort();
}

function run(layer) {
  const tests = selected(layer);
  if (tests.length === 0) {
    console.log(`# ${layer}: no matching test files`);
    return { layer, status: 0, files: 0 };
  }
  // Coverage by default for the unit layer (cheap there); `--coverage` adds it to the system
  // layer, where it also measures the processes the tests start (those that exit normally).
  const coverage = flags.has('--coverage') || (layer === 'unit' && !flags.has('--no-coverage'));
  const v8 = coverage ? mkdtempSync(join(tmpdir(), `flexmoe-coverage-${layer}-`)) : undefined;
  const env = v8 ? { ...process.env, NODE_V8_COVERAGE: v8 } : process.env;
  const started = Date.now();
  // --expose-gc as the daemons run (DAEMON_NODE_FLAGS): the memory-budget tests collect explicitly.
  const result = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-concurrency=1', ...tests], { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# ${layer}: ${tests.length} files, ${seconds} s wall, exit ${result.status}`);
  if (v8) {
    console.log(`# ${layer} coverage: ${coverageSummary(v8, root)}`);
    rmSync(v8, { recursive: true, force: true });
  }
  return { layer, status: result.status ?? 1, files: tests.length };
}

const results = layers.map(run);
if (results.every((r) => r.files === 0)) {
  console.error('no test files found');
  process.exit(1);
}
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
