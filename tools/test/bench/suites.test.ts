import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSuite } from '../../src/bench/suites';
import { formatTable } from '../../src/bench/table';

/** A directory of real suite modules, loaded with Node's own require. */
function suiteDir(files: Record<string, string>): { dir: string; requireFn: (id: string) => unknown } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-bench-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return { dir, requireFn: (id) => require(path.join(dir, id)) };
}

test('a missing suite module is skipped with a note, a present one is loaded and runs', async () => {
  const { dir, requireFn } = suiteDir({
    'system.js':
      "exports.runSystemSuite = async (o) => [{ suite: 'system', name: 'x', batch: null, value: o.quick ? 1 : 2, unit: 'MB/s', baseline: null, ratio: null }];",
  });
  try {
    const solver = loadSuite('solver', requireFn);
    assert.ok('skipped' in solver && /solver.*not available/.test(solver.skipped));
    const system = loadSuite('system', requireFn);
    assert.ok('run' in system);
    assert.equal((await system.run({ quick: true }))[0].value, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a suite module without its entry point is skipped; one that fails to load is an error', () => {
  const { dir, requireFn } = suiteDir({
    'scale.js': 'exports.somethingElse = 1;',
    'solver.js': "require('./does-not-exist-dependency');",
  });
  try {
    const scale = loadSuite('scale', requireFn);
    assert.ok('skipped' in scale && /does not export runScaleSuite/.test(scale.skipped));
    assert.throws(() => loadSuite('solver', requireFn), /suite 'solver' failed to load/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the table aligns columns and shows ratios with an x', () => {
  const text = formatTable([
    { suite: 'train', name: 'onnx step vs tfjs-wasm step', batch: 64, value: 91234.5, unit: 'samples/s', baseline: 4500, ratio: 20.27 },
    { suite: 'solver', name: 'solve 100x16', batch: null, value: 0.0123, unit: 's', baseline: null, ratio: null },
  ]);
  const lines = text.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^suite\s+name\s+batch\s+value\s+unit\s+baseline\s+ratio$/);
  assert.match(lines[2], /train\s+onnx step vs tfjs-wasm step\s+64\s+91235\s+samples\/s\s+4500\s+20\.27x/);
  assert.match(lines[3], /solver\s+solve 100x16\s+-\s+0\.0123\s+s\s+-\s+-/);
  // Every line puts the unit column at the same offset.
  const unitAt = lines[0].indexOf('unit');
  assert.equal(lines[2].indexOf('samples/s'), unitAt);
});
