/**
 * `flexmoe fleet` end to end: a real coordinator and real client daemons as processes over
 * loopback gRPC on a tiny Fashion-MNIST partition; results, logs and that no process survives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FleetError } from '../src/experiment/errors';
import { runFleet } from '../src/experiment/fleet-runner';
import { FLEET_COMMAND, fleetConfig } from '../src/experiment/options';
import { parseCommand } from '@flexmoe/shared';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'flexmoe.js');
const TINY = ['--clients', '3', '--rounds', '2', '--max-samples', '200', '--grace', '5'];

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-fleet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `flexmoe fleet`; `onLine` may act on stdout lines (e.g. interrupt the fleet). */
function fleetCli(
  args: string[],
  onLine?: (line: string, pid: number) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
    const proc = spawn(process.execPath, [BIN, 'fleet', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      const before = stdout.length;
      stdout += d.toString();
      for (const line of stdout.slice(before).split('\n')) if (line) onLine?.(line, proc.pid!);
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The pid each child logged (pino lines carry it), by log file name. */
function loggedPids(outDir: string): Map<string, number> {
  const pids = new Map<string, number>();
  const logs = path.join(outDir, 'logs');
  for (const f of readdirSync(logs)) {
    const m = /"pid":(\d+)/.exec(readFileSync(path.join(logs, f), 'utf8'));
    if (m) pids.set(f, Number(m[1]));
  }
  return pids;
}

/** True if `pid` is still a running flexmoe process (checks the command line against pid reuse). */
function flexmoeAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('flexmoe.js') && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function cv(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) / mean;
}

test('a tiny fleet runs end to end, writes consistent results and leaves no process behind', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out');
  const json = path.join(dir, 'copy', 'results.json');
  const r = await fleetCli([...TINY, '--out', out, '--json', json]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /client\s+samples\s+c0/, 'partition table printed first');
  assert.match(r.stdout, /round 1\/2 {2}accuracy pre 0\.\d{4} post 0\.\d{4} global 0\.\d{4} {2}load CV \d\.\d{3} \(min \d\.\d{3}\)/);
  assert.match(r.stdout, /round 2\/2 /);
  assert.match(r.stdout, /flexmoe seed 1: 2 rounds, final accuracy pre 0\.\d{4} post/);

  const results = JSON.parse(readFileSync(json, 'utf8'));
  assert.deepEqual(results, JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')));
  assert.equal(results.runs.length, 1);
  const run = results.runs[0];
  assert.equal(run.strategy, 'flexmoe');
  assert.equal(run.seed, 1);
  assert.deepEqual(
    run.rounds.map((x: { round: number }) => x.round),
    [1, 2],
  );
  const printedPost = [...r.stdout.matchAll(/round \d\/2 {2}accuracy pre \S+ post (\S+) /g)].map((m) => m[1]);
  assert.deepEqual(
    printedPost,
    run.rounds.map((x: { accuracy: number }) => x.accuracy.toFixed(4)),
    'the printed accuracies are the written ones',
  );
  for (const round of run.rounds) {
    assert.ok(round.seconds > 0);
    assert.equal(round.load.length, 8);
    // Every client holds 2 experts and all 3 have at least 200 samples under this partition.
    assert.equal(
      round.load.reduce((a: number, b: number) => a + b, 0),
      3 * 200 * 2,
    );
    assert.ok(Math.abs(round.loadCv - cv(round.load)) < 1e-9, 'load CV is the CV of the reported loads');
  }
  assert.equal(run.final.accuracy, run.rounds[1].accuracy);
  assert.ok(Math.abs(run.final.loadCv - (run.rounds[0].loadCv + run.rounds[1].loadCv) / 2) < 1e-12);
  const cumulative = run.rounds[0].load.map((v: number, e: number) => v + run.rounds[1].load[e]);
  assert.ok(Math.abs(run.final.cumulativeLoadCv - cv(cumulative)) < 1e-9);
  assert.ok(run.final.bytesPerClientRound > 0);

  const pids = loggedPids(out);
  assert.deepEqual([...pids.keys()].sort(), ['client-0.log', 'client-1.log', 'client-2.log', 'server.log']);
  for (const [log, pid] of pids) assert.equal(flexmoeAlive(pid), false, `${log}: pid ${pid} survived the fleet`);
});

test('Ctrl-C stops the fleet and every child process', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out');
  let interrupted = false;
  const r = await fleetCli([...TINY, '--rounds', '20', '--out', out], (line, pid) => {
    if (!interrupted && /^round +1\//.test(line)) {
      interrupted = true;
      process.kill(pid, 'SIGINT');
    }
  });
  assert.ok(interrupted, r.stdout + r.stderr);
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.match(r.stdout, /fleet interrupted/);
  assert.equal(existsSync(path.join(out, 'results.json')), false, 'an interrupted run writes no results');
  const pids = loggedPids(out);
  assert.equal(pids.size, 4);
  for (const [log, pid] of pids) assert.equal(flexmoeAlive(pid), false, `${log}: pid ${pid} survived Ctrl-C`);
});

test('a client that dies fails the fleet with its stderr tail, and the rest are stopped', async (t) => {
  const dir = tempDir(t);
  const parsed = parseCommand(FLEET_COMMAND, [...TINY, '--rounds', '20'], {});
  assert.equal(parsed.help, null);
  const config = fleetConfig(parsed.options!, { strategy: 'greedy', seed: 2, dataSeed: 2, outDir: dir });
  let killed: number | undefined;
  const lines: string[] = [];
  const failure = runFleet(config, {
    print: (line) => {
      lines.push(line);
      if (killed === undefined && /^round +1\//.test(line)) {
        killed = loggedPids(dir).get('client-1.log')!;
        process.kill(killed, 'SIGKILL');
      }
    },
  });
  await assert.rejects(failure, (err: Error) => {
    assert.ok(err instanceof FleetError, String(err));
    assert.match(err.message, /client 1 was killed by SIGKILL/);
    assert.match(err.message, /client-1\.log/);
    return true;
  });
  assert.ok(killed, lines.join('\n'));
  for (const [log, pid] of loggedPids(dir)) assert.equal(flexmoeAlive(pid), false, `${log}: pid ${pid} survived`);
});
