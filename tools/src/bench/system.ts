/**
 * The `system` benchmark suite: a real coordinator process and four real client daemons on
 * Fashion-MNIST shards (default model, k_c = 2 of E = 8), plus a loopback transfer probe.
 * Rows: one daemon's VmHWM alone on a 6,000- and a 60,000-sample shard against the 256 MiB goal,
 * fleet daemon peak RSS against the 200 MB goal, bytes per client per round against the dense
 * model, the round time split, and gRPC tensor MB/s against raw TCP on the same loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@flexmoe/shared';
import type { BenchRow } from './rows';
import { defaultModelConfig } from '@flexmoe/shared';
import { DAEMON_NODE_FLAGS } from '@flexmoe/ml/training';
import { backboneSpecs, expertSpecs, sizeOf } from '@flexmoe/shared';
import { exitPeakRssBytes, measureClientMemory } from './client-memory';
import { start, until, type Proc } from './procs';
import { measureTransfer } from './transfer-probe';
import { loopbackServerArgs } from '../loopback';

const CLIENTS = 4;
const RSS_GOAL_MB = 200;
/** A device with 512 MB (Raspberry Pi Zero 2, Pi 3) leaves the daemon about half of it. */
const SHARD_RSS_GOAL_MIB = 256;

/** Options of the suite (as every suite takes them). */
export interface SystemSuiteOptions {
  readonly quick?: boolean;
  readonly logger?: Logger;
}

interface HistoryEntry {
  round: number;
  participants: string[];
  bytesDown: number;
  bytesUp: number;
  seconds: number;
  timings: { solve: number; collect: number; aggregate: number; trainMean: number };
}

async function status(port: number): Promise<{ round: number; history: HistoryEntry[] }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/status`);
  return (await res.json()) as { round: number; history: HistoryEntry[] };
}

/** Bytes of the dense model that travels (backbone + every expert; the gate never travels). */
function denseBytes(experts: number): number {
  const cfg = defaultModelConfig({ experts });
  const specs = [...backboneSpecs(cfg), ...Array.from({ length: experts }, (_, e) => expertSpecs(cfg, e)).flat()];
  return specs.reduce((s, p) => s + 4 * sizeOf(p.shape), 0);
}

function row(name: string, value: number, unit: string, baseline: number | null, extra: Record<string, unknown> = {}): BenchRow {
  return { suite: 'system', name, batch: null, value, unit, baseline, ratio: baseline ? value / baseline : null, ...extra };
}

/** Runs the fleet, returns the coordinator's history and the daemons' peak RSS (bytes). */
async function runFleet(rounds: number, samples: number, dir: string, log?: Logger): Promise<{ history: HistoryEntry[]; rss: number[] }> {
  const server = start([
    'server',
    ...loopbackServerArgs(path.join(dir, 'c')),
    '--rounds',
    String(rounds),
    '--min-clients',
    String(CLIENTS),
    '--keep-serving',
    '--log-level',
    'warn',
    '--seed',
    '1',
  ]);
  const procs: Proc[] = [server];
  try {
    const [, port, metricsPort] = await until('coordinator start', () => /grpc=[^:]+:(\d+) metrics=[^:]+:(\d+)/.exec(server.out()) ?? undefined, 30_000);
    for (let i = 0; i < CLIENTS; i++) {
      procs.push(
        start(
          [
            'client',
            '--server',
            `127.0.0.1:${port}`,
            '--data',
            'fashion-mnist',
            '--partition',
            'iid',
            '--shard',
            `${i}/${CLIENTS}`,
            '--max-samples',
            String(samples),
            '--capacity',
            '2',
            '--id',
            `bench-${i}`,
            '--state-dir',
            path.join(dir, `d${i}`),
            '--log-level',
            'info',
          ],
          { nodeFlags: DAEMON_NODE_FLAGS },
        ),
      );
    }
    log?.info({ rounds, samples }, 'system suite fleet started');
    const done = await until(
      'the rounds',
      async () => {
        const s = await status(Number(metricsPort)).catch(() => undefined);
        return s && s.round >= rounds ? s : undefined;
      },
      600_000,
    );
    await Promise.all(procs.slice(1).map((p) => p.exited));
    const rss = procs.slice(1).map((p) => exitPeakRssBytes(p.err()));
    return { history: done.history, rss };
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}

/** One daemon alone on a 6,000- and a 60,000-sample shard: its VmHWM against the 256 MiB goal. */
async function clientMemoryRows(log?: Logger): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const samples of [6000, 60000]) {
    const r = await measureClientMemory({ samples });
    log?.info({ samples, peakRssMiB: r.peakRssBytes / 2 ** 20, exitCode: r.exitCode }, 'client memory case finished');
    if (r.exitCode !== 0) throw new Error(`client memory case (${samples} samples): daemon exited ${r.exitCode ?? r.signal}`);
    const value = r.peakRssBytes / 2 ** 20;
    rows.push(
      row(`client daemon peak RSS (VmHWM), ${samples.toLocaleString('en-US')}-sample shard vs 256 MiB goal`, value, 'MiB', SHARD_RSS_GOAL_MIB, {
        meetsTarget: value < SHARD_RSS_GOAL_MIB,
        samplesPerSecond: Math.round(r.samplesPerSecond),
        testAccuracy: r.testAccuracy,
      }),
    );
  }
  return rows;
}

/** The system suite's rows (quick: fewer samples and rounds, figures indicative only). */
export async function runSystemSuite(opts: SystemSuiteOptions = {}): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-bench-system-'));
  try {
    const rounds = opts.quick ? 2 : 4;
    const { history, rss } = await runFleet(rounds, opts.quick ? 300 : 2000, dir, opts.logger);
    const steady = history.slice(1).length > 0 ? history.slice(1) : history;
    const mean = (f: (h: HistoryEntry) => number) => steady.reduce((s, h) => s + f(h), 0) / steady.length;
    const perClient = mean((h) => (h.bytesDown + h.bytesUp) / h.participants.length);
    const dense = 2 * denseBytes(8);
    const transfer = await measureTransfer(opts.quick ? 8 : 32);
    const shardRows = await clientMemoryRows(opts.logger);
    return [
      ...shardRows,
      row('client daemon peak RSS (default model) vs 200 MB goal', Math.max(...rss) / 2 ** 20, 'MB', RSS_GOAL_MB, { perDaemonMB: rss.map((b) => b / 2 ** 20) }),
      row('bytes per client per round (k=2 of E=8) vs dense model', perClient / 1e6, 'MB', dense / 1e6, { direction: 'down+up' }),
      row('gRPC tensor transfer vs raw TCP (loopback)', transfer.grpcMBs, 'MB/s', transfer.tcpMBs, { megabytes: transfer.megabytes }),
      row(
        'round time, 4 clients: total',
        mean((h) => h.seconds),
        's',
        null,
        { rounds: steady.map((h) => h.round) },
      ),
      row(
        'round time, 4 clients: training (mean client)',
        mean((h) => h.timings.trainMean),
        's',
        null,
      ),
      row(
        'round time, 4 clients: transfer and waiting (collect - training)',
        mean((h) => Math.max(0, h.timings.collect - h.timings.trainMean)),
        's',
        null,
      ),
      row(
        'round time, 4 clients: assignment solve',
        mean((h) => h.timings.solve),
        's',
        null,
      ),
      row(
        'round time, 4 clients: aggregation',
        mean((h) => h.timings.aggregate),
        's',
        null,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
