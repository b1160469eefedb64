/**
 * `flexmoe experiment` on a tiny configuration: two strategies x one seed x two rounds as real
 * fleets, then the comparison table, the results JSON and the SVG plots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'flexmoe.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
    const proc = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('experiment: two strategies on one partition give a table, a results JSON and SVG plots', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-experiment-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'out');
  const json = path.join(dir, 'results.json');
  const r = await run([
    'experiment',
    '--clients',
    '3',
    '--rounds',
    '2',
    '--max-samples',
    '200',
    '--strategies',
    'flexmoe,random',
    '--seeds',
    '4,5',
    '--partition',
    'classes:3',
    '--global-test',
    '300',
    '--out',
    out,
    '--json',
    json,
  ]);
  assert.equal(r.code, 0, r.stderr + r.stdout);

  const results = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(results.command, 'experiment');
  assert.deepEqual(
    results.runs.map((x: { strategy: string; seed: number }) => `${x.strategy}/${x.seed}`),
    ['flexmoe/4', 'random/4', 'flexmoe/5', 'random/5'],
  );
  const kinds = ['preLocalAccuracy', 'postLocalAccuracy', 'globalAccuracy'];
  // The accuracies printed per round are the ones written, run by run (numbers, not null or NaN).
  const printed = [...r.stdout.matchAll(/round +\d+\/2 {2}accuracy pre (\S+) post (\S+) global (\S+)/g)].map((m) => m.slice(1, 4));
  const written = results.runs.flatMap((x: { rounds: Record<string, number>[] }) =>
    x.rounds.map((round) => [round.preLocalAccuracy!, round.accuracy!, round.globalAccuracy!].map((v) => v.toFixed(4))),
  );
  assert.deepEqual(printed, written);
  for (const runResult of results.runs) {
    assert.deepEqual(
      runResult.rounds.map((x: { round: number }) => x.round),
      [1, 2],
    );
    for (const round of runResult.rounds) {
      assert.equal(round.postLocalAccuracy, round.accuracy);
      assert.ok(round.loadCvMin >= 0 && round.loadCvMin <= round.loadCv + 1e-9, `CV ${round.loadCv} below its minimum ${round.loadCvMin}`);
    }
    for (const key of ['accuracy', ...kinds, 'loadCv', 'loadCvMin', 'cumulativeLoadCv', 'bytesPerClientRound']) {
      assert.equal(typeof runResult.final[key], 'number', key);
    }
    assert.equal(runResult.final.preLocalAccuracy, runResult.rounds[1].preLocalAccuracy);
    assert.equal(runResult.final.lockIn, null, 'lock-in needs 5 rounds');
  }
  // Paired comparisons: flexmoe minus random on seeds 4 and 5, for each accuracy.
  const finals = results.comparisons.filter((c: { window: string }) => c.window === 'final');
  assert.deepEqual(
    finals.map((c: { metric: string }) => c.metric),
    kinds,
  );
  for (const c of finals) {
    assert.equal(c.baseline, 'random');
    assert.deepEqual(c.seeds, [4, 5]);
    const diffs = [4, 5].map((seed) => {
      const pick = (strategy: string) =>
        results.runs.find((x: { strategy: string; seed: number }) => x.strategy === strategy && x.seed === seed).final[c.metric];
      return pick('flexmoe') - pick('random');
    });
    assert.ok(Math.abs(c.meanDiff - (diffs[0] + diffs[1]) / 2) < 1e-12);
    assert.equal(c.wins, diffs.filter((d) => d > 0).length);
    assert.ok(c.ci95[0] <= c.meanDiff && c.meanDiff <= c.ci95[1]);
  }
  // Same partition for both strategies: every round's assigned load adds up to the same total.
  const totals = results.runs.flatMap((x: { rounds: { load: number[] }[] }) => x.rounds.map((rd) => rd.load.reduce((a, b) => a + b, 0)));
  assert.equal(new Set(totals).size, 1, `load totals ${totals}`);

  const table = readFileSync(path.join(out, 'table.md'), 'utf8');
  assert.ok(r.stdout.includes(table.trim()), 'the printed table is the one written');
  for (const runResult of results.runs) {
    assert.match(table, new RegExp(`\\| ${runResult.strategy} \\| 2 \\| \\d\\.\\d{4} ± \\d\\.\\d{4} \\| \\d\\.\\d{4} ± \\d\\.\\d{4} \\| \\d\\.\\d{4} ± `));
  }
  assert.match(table, /\| pre-local \| last \| flexmoe − random \| [+-]\d\.\d{4} \| \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\] \| \d \/ 2 \|/);

  for (const name of ['accuracy.svg', 'pre-local-accuracy.svg', 'global-accuracy.svg', 'load-cv.svg', 'expert-load.svg', 'routed-load.svg']) {
    const svg = readFileSync(path.join(out, name), 'utf8');
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
    assert.match(svg, /<\/svg>$/, name);
    assert.match(svg, /flexmoe/, name);
    assert.match(svg, /random/, name);
  }
  // One heatmap cell per (strategy, round, expert) of each strategy's first seed: 2 x 2 x 8.
  const heat = readFileSync(path.join(out, 'expert-load.svg'), 'utf8');
  assert.equal((heat.match(/<title>round /g) ?? []).length, 2 * 2 * 8);
  const firstLoad = results.runs[0].rounds[0].load;
  assert.match(heat, new RegExp(`round 1, expert 0: ${firstLoad[0]}<`));
});

test('experiment: bad flag values exit 2 and name the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--fitness-signal', 'loss-ish'], /--fitness-signal/],
    [['--top-r', '0'], /--top-r/],
    [['--partition', 'classes:11'], /--partition: classes:11/],
    [['--expert-width', '0'], /--expert-width/],
    [['--strategies', 'flexmoe,unknown'], /--strategies/],
  ];
  for (const [args, message] of cases) {
    const r = await run(['experiment', ...args, '--out', path.join(tmpdir(), 'flexmoe-never-written')]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
