import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateProblem } from '../src/assignment';
import { run } from '../src/cli/solve';
import { summarizeLoad } from '../src/fitness';
import { createStrategy, DenseStrategy, FlexMoEStrategy, GreedyStrategy, RandomStrategy } from '../src/strategies';

test('flexmoe balances load where greedy does not; dense holds every expert; random is seeded', async () => {
  const p = generateProblem({ clients: 60, experts: 8, seed: 4 });
  const flex = await new FlexMoEStrategy().assign(p);
  const greedy = await new GreedyStrategy().assign(p);
  assert.equal(flex.violation, 0);
  assert.ok(summarizeLoad(flex.load).cv <= 0.1 + 1e-9, `flexmoe CV ${summarizeLoad(flex.load).cv}`);
  assert.ok(summarizeLoad(greedy.load).cv > 0.3, `greedy CV ${summarizeLoad(greedy.load).cv}`);
  assert.ok(greedy.objective >= flex.objective, 'greedy ignores balance, so its fitness is an upper bound');
  const dense = await new DenseStrategy().assign(p);
  assert.ok(dense.assignment.every((a) => a.length === 8));
  const r1 = await new RandomStrategy().assign(p);
  const r2 = await new RandomStrategy().assign(p);
  assert.deepEqual(r1.assignment, r2.assignment);
  assert.notDeepEqual(r1.assignment, (await new RandomStrategy().assign({ ...p, round: 1 })).assignment);
  assert.throws(() => createStrategy('best'), /unknown strategy 'best'/);
});

test('flexmoe records deficits once per round, warm-starts and restores from a snapshot', async () => {
  const p = generateProblem({ clients: 80, experts: 8, seed: 5 });
  const s = new FlexMoEStrategy({ solver: 'heuristic' });
  const first = await s.assign(p);
  const after = JSON.stringify(s.snapshot());
  const deficitsOf = (snap: unknown): number[] => (snap as { deficits: { deficits: number[] } }).deficits.deficits;
  const again = await s.assign(p);
  assert.deepEqual(again.assignment, first.assignment, 'a retried round solves the same problem');
  assert.deepEqual(deficitsOf(s.snapshot()), deficitsOf(JSON.parse(after)), 'a retried round is recorded once');
  const restored = new FlexMoEStrategy({ solver: 'heuristic' });
  restored.restore(s.snapshot());
  const next = { ...p, round: 1 };
  assert.deepEqual((await restored.assign(next)).assignment, (await s.assign(next)).assignment);
  assert.ok(
    deficitsOf(s.snapshot()).some((d) => d !== 0),
    'deficits follow the assigned loads',
  );
  assert.throws(() => restored.restore({ prices: ['x'], assignment: {} }), /prices/);
});

test('flexmoe solve writes the answer JSON and rejects malformed instances naming the field', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-solve-'));
  const p = generateProblem({ clients: 12, experts: 4, seed: 3 });
  const instance = path.join(dir, 'instance.json');
  const out = path.join(dir, 'out.json');
  writeFileSync(instance, JSON.stringify({ q: p.q, samples: p.clients.map((c) => c.samples), capacity: p.clients.map((c) => c.capacity), delta: 0.5 }));
  const log = console.log;
  const err = console.error;
  const printed: string[] = [];
  console.log = (s: string) => printed.push(s);
  console.error = (s: string) => printed.push(s);
  try {
    assert.equal(await run(['--instance', instance, '--json', out, '--solver', 'heuristic']), 0);
    const answer = JSON.parse(readFileSync(out, 'utf8'));
    for (const key of ['assignment', 'objective', 'upperBound', 'gap', 'status', 'solver', 'seconds', 'load', 'violation']) assert.ok(key in answer, key);
    assert.equal(answer.assignment.length, 12);
    assert.ok(printed.join('\n').includes('upper bound'));
    const bad = path.join(dir, 'bad.json');
    for (const [body, field] of [
      [{ q: [[1, 2], [3]], samples: [1, 1], capacity: [1, 1] }, /q\[1\]/],
      [{ q: [[1, 2]], samples: [-3], capacity: [1] }, /samples\[0\]/],
      [{ q: [[1, 2]], samples: [3], capacity: [3] }, /capacity\[0\]/],
      [{ q: [[1, 2]], samples: [3] }, /"capacity"/],
    ] as const) {
      writeFileSync(bad, JSON.stringify(body));
      printed.length = 0;
      assert.equal(await run(['--instance', bad]), 2);
      assert.match(printed.join('\n'), field);
    }
  } finally {
    console.log = log;
    console.error = err;
  }
});
