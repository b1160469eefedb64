/**
 * The local optimizer end to end: `flexmoe fleet --optimizer adam` runs a real coordinator and
 * two real client daemons (processes, loopback gRPC, ONNX Runtime training), and the daemons
 * really train with Adam: they log it, and the aggregated weights carry Adam's signature (every
 * weight with a gradient moves by about the learning rate per step, whatever its gradient's
 * size), which the same fleet with plain SGD at the same rate does not. Bad optimizer flags exit
 * 2 naming the flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkpointFileName, decodeCheckpoint, globalParameters } from '@flexmoe/server';
import { selectBackbone } from '@flexmoe/shared';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'flexmoe.js');
const LR = 0.002;
// 64 samples in batches of 32: two local steps per client; one round.
const TINY = ['--clients', '2', '--rounds', '1', '--max-samples', '64', '--global-test', '0', '--experts', '4', '--capacity', '2', '--grace', '5'];
const FLAGS = ['--lr', String(LR), '--schedule', 'constant', '--seed', '4'];

async function fleet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
    const proc = spawn(process.execPath, [BIN, 'fleet', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Median absolute change of the backbone's weights that moved at all in round 1. */
function medianStep(out: string): number {
  const file = path.join(out, 'state', 'server', checkpointFileName(1));
  const ckpt = decodeCheckpoint(readFileSync(file), file);
  const before = selectBackbone(globalParameters(ckpt.state.model, ckpt.state.seed));
  const steps: number[] = [];
  for (const [name, after] of Object.entries(selectBackbone(ckpt.params))) {
    for (let i = 0; i < after.length; i++) {
      const d = Math.abs(after[i]! - before[name]![i]!);
      if (d > 1e-7) steps.push(d);
    }
  }
  steps.sort((a, b) => a - b);
  assert.ok(steps.length > 1000, `${steps.length} backbone weights moved`);
  return steps[steps.length >> 1]!;
}

/** The daemons' structured log lines with `msg`. */
function daemonLines(out: string, msg: string): Array<Record<string, unknown>> {
  return ['client-0.log', 'client-1.log'].flatMap((f) =>
    readFileSync(path.join(out, 'logs', f), 'utf8')
      .split('\n')
      .filter((l) => l.includes(`"msg":"${msg}"`))
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

test('a fleet told --optimizer adam trains with Adam in its daemons; the same fleet with SGD does not look like it', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-fleet-opt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [adamOut, sgdOut] = [path.join(dir, 'adam'), path.join(dir, 'sgd')];
  const adam = await fleet([...TINY, ...FLAGS, '--optimizer', 'adam', '--out', adamOut]);
  assert.equal(adam.code, 0, adam.stderr + adam.stdout);
  assert.match(adam.stdout, /local adam, lr 0\.002\n/);
  const received = daemonLines(adamOut, 'round task received');
  assert.equal(received.length, 2);
  for (const l of received) assert.deepEqual({ ...(l.optimizer as object), lr: Math.fround(LR) }, { rule: 'adam', lr: Math.fround(LR), schedule: 'constant' });
  assert.deepEqual(
    daemonLines(adamOut, 'local training done').map((l) => [l.optimizer, l.steps]),
    [
      ['adam', 2],
      ['adam', 2],
    ],
  );
  const sgd = await fleet([...TINY, ...FLAGS, '--optimizer', 'sgd', '--out', sgdOut]);
  assert.equal(sgd.code, 0, sgd.stderr + sgd.stdout);
  // Adam's first step moves each weight by lr * sign(gradient), the second by about lr again;
  // SGD moves it by lr * gradient, far less for these gradients.
  const [adamStep, sgdStep] = [medianStep(adamOut), medianStep(sgdOut)];
  t.diagnostic(`median backbone step: adam ${adamStep.toExponential(3)}, sgd ${sgdStep.toExponential(3)} (lr ${LR})`);
  assert.ok(adamStep > 0.3 * LR && adamStep < 2.5 * LR, `Adam's median step ${adamStep}`);
  assert.ok(sgdStep < 0.1 * LR, `SGD's median step ${sgdStep}`);
});

test('bad optimizer flags exit 2 naming the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--optimizer', 'lamb'], /--optimizer/],
    [['--momentum', '1'], /--momentum must be a number in \[0, 1\)/],
    [['--optimizer', 'adam', '--momentum', '0.5'], /--momentum applies to --optimizer sgd or momentum/],
    [['--warmup', '10'], /--warmup applies to --schedule step/],
    [['--schedule', 'cyclic'], /--schedule/],
  ];
  for (const [args, message] of cases) {
    const r = await fleet([...args, '--out', path.join(tmpdir(), 'flexmoe-never-written')]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
