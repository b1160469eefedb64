/**
 * Answers that do not depend on how busy the machine is: the same instances solved without and
 * with a spinning worker thread (or process) on every core give the same answer apart from the
 * timings, and a solve the time limit cuts short says so (status, flag, note).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateProblem, solveAssignment, type AssignmentProblem, type AssignmentResult, type SolveOptions } from '@flexmoe/server';
import { withoutTimings } from '@flexmoe/server';
import { withCpuHogs } from '../src/bench/cpu-hogs';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const CASES: ReadonlyArray<[string, AssignmentProblem, SolveOptions]> = [
  ['1,000 x 64, auto', generateProblem({ clients: 1000, experts: 64, seed: 1 }), {}],
  ['200 x 16, heuristic with restarts and pair swaps', generateProblem({ clients: 200, experts: 16, seed: 4 }), { solver: 'heuristic', delta: 0.03 }],
  ['12 x 8, auto (exact glpk.js)', generateProblem({ clients: 12, experts: 8, seed: 2 }), {}],
  ['40 x 8, infeasible (elastic with a proof)', generateProblem({ clients: 40, experts: 8, seed: 6 }), { solver: 'heuristic', delta: 0 }],
];

test('the same instance gives the same answer idle and with a spinning thread on every core', { timeout: 120_000 }, async () => {
  const idle: AssignmentResult[] = [];
  for (const [, problem, options] of CASES) idle.push(await solveAssignment(problem, options));
  const loaded = await withCpuHogs(async () => {
    const out: AssignmentResult[] = [];
    for (const [, problem, options] of CASES) out.push(await solveAssignment(problem, options));
    return out;
  });
  CASES.forEach(([name], i) => {
    assert.equal(idle[i].timedOut, false, `${name}: the safety net did not fire`);
    assert.deepEqual(withoutTimings(loaded[i]), withoutTimings(idle[i]), `${name}: identical apart from timings`);
  });
  assert.equal(idle[0].violation, 0);
  assert.ok(['optimal', 'heuristic'].includes(idle[0].status), idle[0].status);
  assert.equal(idle[2].status, 'optimal');
  assert.equal(idle[3].status, 'elastic');
  assert.ok(idle[3].infeasibility, 'an elastic answer names why the bounds cannot hold');
});

test('a solve cut by the time limit says so and still respects the capacities', async () => {
  const p = generateProblem({ clients: 2000, experts: 32, seed: 5 });
  // Flattening the instance alone takes longer than this limit, so the safety net fires for sure.
  const r = await solveAssignment(p, { timeLimitSeconds: 1e-6 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.timedOut, true);
  assert.ok(
    r.notes.some((n) => n.includes('time limit')),
    r.notes.join('; '),
  );
  r.assignment.forEach((experts, c) => assert.equal(new Set(experts).size, p.clients[c].capacity));
  const full = await solveAssignment(p);
  assert.equal(full.timedOut, false);
  assert.equal(full.violation, 0);
});

/** `flexmoe solve` as its own process; returns the answer JSON without its timings. */
async function solveProcess(instance: string, out: string): Promise<Record<string, unknown>> {
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'bin', 'flexmoe.js'), 'solve', '--instance', instance, '--json', out]);
  const { seconds: _wall, cpuSeconds: _cpu, ...rest } = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  return rest;
}

test('flexmoe solve gives the same answer idle and with every core saturated by other processes', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-solve-load-'));
  const p = generateProblem({ clients: 1000, experts: 64, seed: 1 });
  const instance = path.join(dir, 'instance.json');
  writeFileSync(instance, JSON.stringify({ q: p.q, samples: p.clients.map((c) => c.samples), capacity: p.clients.map((c) => c.capacity) }));
  const idle = await solveProcess(instance, path.join(dir, 'idle.json'));
  const spinners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    const busy = await solveProcess(instance, path.join(dir, 'busy.json'));
    assert.deepEqual(busy, idle);
    assert.ok(['optimal', 'heuristic'].includes(idle.status as string), String(idle.status));
    assert.equal(idle.violation, 0);
    assert.equal(idle.timedOut, false);
  } finally {
    spinners.forEach((s) => s.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  }
});
