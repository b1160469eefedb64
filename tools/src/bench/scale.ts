/**
 * The scale benchmark (`flexmoe bench --suite scale`): a real coordinator process against the
 * in-process load generator for 100, 500 and 1,000 clients with 8 and 64 experts. Per case:
 * rounds per minute, p50 / p99 round overhead (round time minus the slowest client's think
 * time), coordinator peak RSS and CPU per round, bytes per round. Round 1 (join storm, warm-up)
 * is left out of the steady-state figures. The load generator shares the machine's cores with
 * the coordinator, so wall-clock figures are upper bounds; CPU seconds per round is the
 * coordinator's own cost.
 */
import * as os from 'node:os';
import type { Logger } from '@flexmoe/shared';
import type { BenchRow } from './rows';
import { measureAggregationMemory } from '../loadgen/aggregation-memory';
import { runScaleCase, type ScaleCaseResult } from '../loadgen/scale-case';

/** Targets of the 1,000 x 64 case. */
export const SCALE_TARGETS = Object.freeze({ overheadSeconds: 5, peakRssMiB: 1536 });

interface CaseSpec {
  readonly clients: number;
  readonly experts: number;
}

const FULL_CASES: readonly CaseSpec[] = [100, 500, 1000].flatMap((clients) => [8, 64].map((experts) => ({ clients, experts })));
const QUICK_CASES: readonly CaseSpec[] = [
  { clients: 50, experts: 8 },
  { clients: 50, experts: 64 },
];
/** A small model for the quick variant; the full run uses the default model. */
const QUICK_MODEL = ['--feature-dim', '32', '--expert-hidden', '16'];

/**
 * The load generator shares the machine with the coordinator; in worker threads on every core
 * (up to 4) it keeps up with the coordinator instead of pacing the rounds from one event loop.
 */
const LOADGEN_THREADS = Math.max(1, Math.min(4, os.availableParallelism()));

/** Runs the scale suite (`quick`: 50 clients, small model, 3 rounds per case). */
export async function runScaleSuite(opts: { quick?: boolean; logger?: Logger } = {}): Promise<BenchRow[]> {
  const quick = opts.quick === true;
  const rows: BenchRow[] = [];
  for (const c of quick ? QUICK_CASES : FULL_CASES) {
    opts.logger?.info({ clients: c.clients, experts: c.experts }, 'scale case started');
    const thinkMs = quick ? 100 : 500;
    const result = await runScaleCase({
      clients: c.clients,
      experts: c.experts,
      rounds: quick ? 3 : 4,
      thinkMs,
      modelArgs: quick ? QUICK_MODEL : [],
      loadgenThreads: LOADGEN_THREADS,
    });
    rows.push(...caseRows(result, { thinkMs, model: quick ? 'mlp 784-32, experts 32-16-10' : 'default (mlp 784-128, experts 128-64-10)' }));
    opts.logger?.info(
      { clients: c.clients, experts: c.experts, overheadP99: result.overheadP99, peakRssMiB: result.peakRssBytes / 2 ** 20 },
      'scale case finished',
    );
  }
  rows.push(await aggregationRow(quick ? 100 : 1000));
  return rows;
}

/** Memory a round's aggregation keeps alive: streaming prototype vs holding every update (in this process). */
async function aggregationRow(updates: number): Promise<BenchRow> {
  const m = await measureAggregationMemory(updates, 64);
  const mib = (b: number) => b / 2 ** 20;
  return {
    suite: 'scale',
    name: `aggregation memory, ${updates} updates (default model, 2 of 64 experts): streaming vs hold-all (lower is better)`,
    batch: null,
    value: mib(m.streamingRetainedBytes),
    unit: 'MiB',
    baseline: mib(m.holdAllRetainedBytes),
    ratio: m.streamingRetainedBytes / m.holdAllRetainedBytes,
    streamingSeconds: m.streamingSeconds,
    holdAllSeconds: m.holdAllSeconds,
  };
}

/** The benchmark rows of one case. */
export function caseRows(r: ScaleCaseResult, setup: { thinkMs: number; model: string }): BenchRow[] {
  const label = `scale ${r.clients}x${r.experts}`;
  const mib = (b: number) => b / 2 ** 20;
  const facts = {
    clients: r.clients,
    experts: r.experts,
    roundsMeasured: Math.max(0, r.rounds.length - 1),
    thinkMs: setup.thinkMs,
    model: setup.model,
    channels: r.channels,
    loadgenThreads: r.loadgenThreads,
    loadgenCpuPerRound: r.loadgenCpuSecondsPerRound,
    solveP50: r.solveP50,
    aggregateP50: r.aggregateP50,
    cpuCores: r.cpuCores,
    loadAverage: os.loadavg()[0],
    rounds: r.rounds,
  };
  const row = (name: string, value: number, unit: string, extra: Record<string, unknown> = {}): BenchRow => ({
    suite: 'scale',
    name: `${label}: ${name}`,
    batch: null,
    value,
    unit,
    baseline: null,
    ratio: null,
    ...facts,
    ...extra,
  });
  return [
    row('rounds per minute', r.roundsPerMinute, 'rounds/min'),
    row('round overhead p50 (round time - slowest think)', r.overheadP50, 's'),
    row('round overhead p99 (round time - slowest think)', r.overheadP99, 's', {
      target: SCALE_TARGETS.overheadSeconds,
      meetsTarget: r.overheadP99 < SCALE_TARGETS.overheadSeconds,
    }),
    row('coordinator peak RSS (VmHWM)', mib(r.peakRssBytes), 'MiB', {
      target: SCALE_TARGETS.peakRssMiB,
      meetsTarget: mib(r.peakRssBytes) < SCALE_TARGETS.peakRssMiB,
    }),
    row('coordinator CPU per round', r.cpuSecondsPerRound, 's'),
    row(`load generator CPU per round (same machine, ${r.loadgenThreads} thread(s))`, r.loadgenCpuSecondsPerRound, 's'),
    row('bytes per round (down + up)', mib(r.bytesPerRound), 'MiB'),
  ];
}
