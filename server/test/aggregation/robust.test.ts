import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParamMap } from '@flexmoe/shared';
import { defaultModelConfig } from '@flexmoe/shared';
import { SeededRandom } from '@flexmoe/shared';
import { globalParameters } from '../../src/coordinator/coordinator';
import { DEFAULT_NORM_POLICY } from '../../src/coordinator/coordinator';
import { distance, groupNames, groupNorm, NormHistory } from '../../src/aggregation/norms';
import { RobustAggregator, type RobustUpdate } from '../../src/aggregation/robust';
import { coordinateWise, parseAggregationRule, type AggregationRule } from '../../src/aggregation/rules';

const model = defaultModelConfig({ inputShape: [1, 6, 6], featureDim: 12, expertHidden: 8, experts: 4 });
const current = globalParameters(model, 5);
const names = groupNames(current);

function update(id: string, experts: number[], samples: number, f: (v: number, rng: SeededRandom) => number): RobustUpdate {
  const rng = new SeededRandom(7, id);
  const params: ParamMap = {};
  for (const [name, t] of Object.entries(current)) {
    if (name.startsWith('backbone.') || experts.some((e) => name.startsWith(`expert.${e}.`))) params[name] = t.map((v) => f(v, rng));
  }
  return { clientId: id, samples, params, experts: experts.map((e) => ({ expert: e, usage: samples, accuracy: 0.5, loss: 1 })) };
}

const honest = (id: string, experts: number[]) => update(id, experts, 100, (v, r) => v + (r.next() - 0.5) * 0.02);

function run(rule: AggregationRule, updates: RobustUpdate[], history = new NormHistory(DEFAULT_NORM_POLICY)) {
  const agg = new RobustAggregator(current, model.experts, rule, 'samples', history);
  for (const u of updates) agg.add(u);
  return { agg, result: agg.result() };
}

function maxDiff(a: ParamMap, b: ParamMap): number {
  let m = 0;
  for (const [name, t] of Object.entries(a)) t.forEach((v, i) => (m = Math.max(m, Math.abs(v - b[name]![i]!))));
  return m;
}

test('aggregation rules parse, and bad ones are refused with the accepted forms', () => {
  assert.deepEqual(parseAggregationRule('median'), { kind: 'median' });
  assert.deepEqual(parseAggregationRule('trimmed-mean:0.2'), { kind: 'trimmed-mean', fraction: 0.2 });
  for (const bad of ['mean', 'trimmed-mean:0.5', 'trimmed-mean:', 'trimmed-mean:-1'])
    assert.throws(() => parseAggregationRule(bad), /fedavg, median or trimmed-mean:F/);
});

test('coordinate-wise median and trimmed mean', () => {
  const ts = [
    [1, 10],
    [2, -5],
    [100, 0],
    [3, 1],
    [4, 2],
  ].map((v) => Float32Array.from(v));
  assert.deepEqual([...coordinateWise(ts)], [3, 1]);
  assert.deepEqual([...coordinateWise(ts, 0.2)], [3, 1]); // drops one at each end: mean of 2,3,4 and 0,1,2
  assert.deepEqual([...coordinateWise(ts.slice(0, 4))], [2.5, 0.5]);
  const mean = coordinateWise(ts, 0);
  assert.equal(mean[0], 22);
  assert.ok(Math.abs(mean[1]! - 1.6) < 1e-6);
});

for (const [what, poison] of [
  ['constant 100 weights', (_v: number) => 100],
  ['weights scaled by 1e6', (v: number) => v * 1e6],
  ['zeros', (_v: number) => 0],
] as const) {
  test(`an update of ${what} is rejected with a named reason and the rest is the FedAvg of the honest ones`, () => {
    const good = [honest('a', [0, 1]), honest('b', [1, 2]), honest('c', [0, 3])];
    const bad = update('mallory', [0, 2], 480, poison);
    const { result } = run({ kind: 'fedavg' }, [good[0]!, bad, good[1]!, good[2]!]);
    assert.deepEqual(
      result.rejected.map((r) => r.clientId),
      ['mallory'],
    );
    assert.match(result.rejected[0]!.reason, /^rejected: outlier: backbone moved .* over 10 x the round's reference/);
    const clean = run({ kind: 'fedavg' }, good).result;
    assert.ok(maxDiff(result.params, clean.params) < 1e-7);
  });
}

test('an update beyond the bound but not an outlier is clipped onto the bound', () => {
  const history = new NormHistory(DEFAULT_NORM_POLICY);
  const bb = names.get('backbone')!;
  const d0 = distance(current, honest('a', [0]).params, bb);
  history.record(new Map([['backbone', [d0]]]));
  const bound = history.bound('backbone', groupNorm(current, bb));
  assert.ok(Math.abs(bound - 3 * d0) < 1e-9 * bound, 'the bound is 3 x the last median distance');
  // Five times the honest step: beyond the bound (3x), within the outlier limit (10x).
  const big = update('big', [0], 100, (v, r) => v + (r.next() - 0.5) * 0.1);
  const { result } = run({ kind: 'fedavg' }, [big], history);
  assert.deepEqual(result.rejected, []);
  assert.deepEqual(result.clipped, ['big']);
  const moved = distance(current, result.params, bb);
  assert.ok(Math.abs(moved - bound) < 1e-4 * bound, `moved ${moved}, bound ${bound}`);
});

test('median and trimmed mean resist an attacker that is not rejected', () => {
  const lenient = new NormHistory({ ...DEFAULT_NORM_POLICY, rejectMultiplier: 1e12 });
  const good = [honest('a', [0]), honest('b', [0]), honest('c', [0])];
  const bad = update('m', [0], 100, () => 100);
  for (const rule of [{ kind: 'median' }, { kind: 'trimmed-mean', fraction: 0.25 }] as AggregationRule[]) {
    const { result } = run(rule, [...good, bad], lenient);
    assert.deepEqual(result.rejected, []);
    // Clipped to the group's norm and then outvoted coordinate by coordinate: within the honest spread.
    assert.ok(maxDiff(result.params, current) < 0.02, `${rule.kind}: ${maxDiff(result.params, current)}`);
  }
  const fedavg = run({ kind: 'fedavg' }, [...good, bad], lenient).result;
  assert.ok(maxDiff(fedavg.params, current) > 0.02, 'FedAvg alone is dragged by the clipped attacker');
});

test('the next bound comes from the clipped distances: a lone attacker on an expert cannot raise it', () => {
  const history = new NormHistory(DEFAULT_NORM_POLICY);
  const lone = honest('m', [3]);
  for (const name of names.get(3)!) lone.params[name] = lone.params[name]!.map(() => 100); // honest backbone, poisoned expert
  const { agg, result } = run({ kind: 'fedavg' }, [honest('a', [0]), honest('b', [0]), lone], history);
  assert.deepEqual(result.clipped, ['m'], 'alone on expert 3: not an outlier by its own median, clipped to the bootstrap bound');
  const first = agg.bound(3);
  history.record(result.accepted);
  const norm = groupNorm(current, names.get(3)!);
  assert.ok(Math.abs(history.bound(3, norm) - 3 * first) < 1e-9 * first, 'next bound = 3 x the clipped distance, not 3 x 1e4');
});
