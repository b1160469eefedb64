/**
 * The client daemon's true memory peak on a Fashion-MNIST shard of a given size: a real
 * coordinator and one real daemon (`--shard 0/1 --max-samples N`), optionally inside a memory
 * cgroup with a hard kernel limit. The peak is the kernel's VmHWM of the daemon process (its
 * training worker is a thread of the same process), polled from outside, and the figure the
 * daemon itself reports when it exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DAEMON_NODE_FLAGS } from '@flexmoe/ml/training';
import { createMemoryCgroup, type MemoryCgroup } from './cgroup';
import { start, until, type Proc } from './procs';
import { sampleProcess } from '../loadgen/proc-stats';
import { loopbackServerArgs } from '../loopback';

/** What to run. */
export interface ClientMemoryOptions {
  /** Training samples of the daemon's shard (the 60,000-image train set caps it). */
  readonly samples: number;
  /** Rounds the coordinator runs (default 1). */
  readonly rounds?: number;
  /** Hard kernel memory limit for the daemon, bytes (none when omitted). */
  readonly limitBytes?: number;
  /**
   * A data spec to load whole instead (e.g. `idx:images.gz,labels.gz`, as a device with its own
   * data runs); `samples` then only labels the result. Default: the Fashion-MNIST shard.
   */
  readonly data?: string;
  /** Gives up after this long (default 15 min: a loaded 2-core machine is slow). */
  readonly timeoutMs?: number;
}

/** What one run measured. */
export interface ClientMemoryResult {
  readonly samples: number;
  /** Largest VmHWM read from /proc/<pid>/status while the daemon ran, bytes. */
  readonly peakRssBytes: number;
  /** The `peakRssBytes` the daemon logged when it exited (NaN if it did not get that far). */
  readonly reportedPeakRssBytes: number;
  /** Training samples per second of the last round (from the daemon's round log line). */
  readonly samplesPerSecond: number;
  /** Local test accuracy after the last round. */
  readonly testAccuracy: number;
  /** Rounds the daemon finished training. */
  readonly roundsTrained: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** OOM kills in the daemon's cgroup (0 without a limit). */
  readonly oomKills: number;
  /** Cgroup version used for the limit, if any. */
  readonly cgroup?: 'v1' | 'v2';
  /** The daemon's log (stderr), for diagnosis. */
  readonly log: string;
}

interface RoundLine {
  seconds: number;
  testAccuracy: number;
}

function roundLines(log: string, trainSamples: number): { perSecond: number; testAccuracy: number; count: number } {
  const lines = log
    .split('\n')
    .filter((l) => l.includes('"local training done"'))
    .map((l) => JSON.parse(l) as RoundLine);
  const last = lines[lines.length - 1];
  return { perSecond: last ? trainSamples / last.seconds : NaN, testAccuracy: last?.testAccuracy ?? NaN, count: lines.length };
}

/** The daemon's own peak figure: `peakRssBytes` of its `exiting` log line (NaN when absent). */
export function exitPeakRssBytes(log: string): number {
  const line = log.split('\n').find((l) => l.includes('"msg":"exiting"'));
  return Number(line === undefined ? NaN : (/"peakRssBytes":(\d+)/.exec(line)?.[1] ?? NaN));
}

function trainSamplesOf(log: string): number {
  return Number(/"train":(\d+)/.exec(log)?.[1] ?? NaN);
}

/** Runs a coordinator and one daemon to the end of `rounds` rounds and reports the daemon's peak. */
export async function measureClientMemory(opts: ClientMemoryOptions): Promise<ClientMemoryResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-client-memory-'));
  const cgroup: MemoryCgroup | undefined = opts.limitBytes === undefined ? undefined : createMemoryCgroup(opts.limitBytes);
  const procs: Proc[] = [];
  try {
    const server = start([
      'server',
      ...loopbackServerArgs(path.join(dir, 'c')),
      '--rounds',
      String(opts.rounds ?? 1),
      '--min-clients',
      '1',
      '--log-level',
      'warn',
      '--seed',
      '1',
      '--round-deadline',
      '1800',
    ]);
    procs.push(server);
    const [, port] = await until('coordinator start', () => /grpc=[^:]+:(\d+)/.exec(server.out()) ?? undefined, 60_000);
    const data =
      opts.data === undefined
        ? ['--data', 'fashion-mnist', '--partition', 'iid', '--shard', '0/1', '--max-samples', String(opts.samples)]
        : ['--data', opts.data];
    const client = start(
      [
        'client',
        '--server',
        `127.0.0.1:${port}`,
        ...data,
        '--capacity',
        '2',
        '--id',
        'memory-probe',
        '--state-dir',
        path.join(dir, 'd'),
        '--log-level',
        'info',
      ],
      { procsFile: cgroup?.procsFile, nodeFlags: DAEMON_NODE_FLAGS },
    );
    procs.push(client);
    let peak = 0;
    const poll = setInterval(() => {
      try {
        peak = Math.max(peak, sampleProcess(client.child.pid!).peakRssBytes);
      } catch {
        // The process has exited; the last reading stands.
      }
    }, 50);
    const timeout = opts.timeoutMs ?? 15 * 60_000;
    const timer = setTimeout(() => client.child.kill('SIGKILL'), timeout);
    await client.exited;
    clearInterval(poll);
    clearTimeout(timer);
    const log = client.err();
    const rounds = roundLines(log, trainSamplesOf(log));
    return {
      samples: opts.samples,
      peakRssBytes: peak,
      reportedPeakRssBytes: exitPeakRssBytes(log),
      samplesPerSecond: rounds.perSecond,
      testAccuracy: rounds.testAccuracy,
      roundsTrained: rounds.count,
      exitCode: client.child.exitCode,
      signal: client.child.signalCode,
      oomKills: cgroup?.oomKills() ?? 0,
      cgroup: cgroup?.version,
      log,
    };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    cgroup?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
