// Runs every compiled test file (`<workspace>/dist/test/**/*.test.js`) with node's test runner.
// Pass a substring to run only matching files: `npm test -- solver`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const files = [];
for (const ws of ['shared', 'proto', 'ml', 'server', 'client', 'tools']) walk(join(root, ws, 'dist', 'test'), files);
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// --expose-gc as the daemons run (DAEMON_NODE_FLAGS): the memory-budget tests collect explicitly.
const result = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-concurrency=1', ...selected], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
