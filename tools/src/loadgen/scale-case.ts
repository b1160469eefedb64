/**
 * One measured scale case: a real coordinator process and an in-process load generator for R
 * rounds, then the figures: rounds per minute, per-round overhead (round time minus the slowest
 * client's think time), coordinator peak RSS and CPU, bytes per round, solver and aggregation time.
 * Round 1 (join storm, JIT warm-up) is reported apart and left out of the steady-state figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CoordinatorProcess, CoordinatorProcessError } from './coordinator-process';
import { parseDistribution } from './distributions';
import { LoadGenerator, type LoadReport } from './loadgen';
import type { ProcSample } from './proc-stats';
import { loopbackServerArgs } from '../loopback';

/** What to run. */
export interface ScaleCaseOptions {
  readonly clients: number;
  readonly experts: number;
  /** Rounds in total (the first is the warm-up). At least 2. */
  readonly rounds: number;
  readonly thinkMs: number;
  readonly dropProbability?: number;
  readonly dropMode?: 'silent' | 'leave';
  readonly seed?: number;
  /** Distribution specs of the fleet. Defaults `lognormal:6,1` and `uniform:1,4`. */
  readonly samples?: string;
  readonly capacity?: string;
  /** Model size flags of `flexmoe server` (e.g. `['--feature-dim', '32']`); default: the default model. */
  readonly modelArgs?: readonly string[];
  /** Other `flexmoe server` flags (they win over ours). */
  readonly serverArgs?: readonly string[];
  readonly roundDeadlineSeconds?: number;
  /** Clients that must report; default all of them (no drops) or 50 % (with drops). */
  readonly minClients?: number;
  readonly channels?: number;
  /** Threads of the load generator (default 1; see LoadGenOptions.threads). */
  readonly loadgenThreads?: number;
  /** Flags for the coordinator's node (e.g. `--cpu-prof`: the profile lands in the case directory). */
  readonly nodeArgs?: readonly string[];
  /** Give up (CoordinatorProcessError) when the rounds are not done within this many seconds. */
  readonly maxSeconds?: number;
  /** Keep the data directory and log (default: removed). */
  readonly keepDir?: boolean;
}

/** Per-round figures from the coordinator's history and what the clients saw. */
export interface RoundFigures {
  readonly round: number;
  readonly attempt: number;
  readonly seconds: number;
  readonly overheadSeconds: number;
  readonly solveSeconds: number;
  readonly aggregateSeconds: number;
  readonly reported: number;
  readonly failures: number;
  readonly bytes: number;
}

/** The result of a case. */
export interface ScaleCaseResult {
  readonly clients: number;
  readonly experts: number;
  readonly rounds: readonly RoundFigures[];
  readonly roundsPerMinute: number;
  readonly overheadP50: number;
  readonly overheadP99: number;
  readonly solveP50: number;
  readonly aggregateP50: number;
  readonly peakRssBytes: number;
  /** Coordinator CPU seconds per steady-state round, and cores used meanwhile. */
  readonly cpuSecondsPerRound: number;
  readonly cpuCores: number;
  readonly bytesPerRound: number;
  readonly channels: number;
  readonly loadgenThreads: number;
  /** CPU seconds per steady-state round of this process (the load generator and its workers). */
  readonly loadgenCpuSecondsPerRound: number;
  readonly load: LoadReport;
  readonly dataDir: string;
  /** The coordinator's count of solves cut by the solver time limit (flexmoe_assignment_solve_timeouts_total). */
  readonly solveTimeouts: number;
}

interface HistoryEntry {
  round: number;
  attempt: number;
  startedAtMs: number;
  seconds: number;
  reported: string[];
  /** Present on every record; `reported` is trimmed to [] on records older than the detail window. */
  reportedCount?: number;
  failures: unknown[];
  bytesDown: number;
  bytesUp: number;
  timings: { solve: number; aggregate: number };
}

/** The q-quantile (nearest rank) of `values`; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function serverArgs(o: ScaleCaseOptions, dataDir: string): string[] {
  const drops = (o.dropProbability ?? 0) > 0;
  const minClients = o.minClients ?? (drops ? Math.max(1, Math.floor(o.clients / 2)) : o.clients);
  return [
    ...loopbackServerArgs(dataDir),
    '--rounds',
    String(o.rounds),
    '--experts',
    String(o.experts),
    '--min-clients',
    String(minClients),
    '--round-deadline',
    String(o.roundDeadlineSeconds ?? 120),
    '--keep-serving',
    '--log-level',
    'warn',
    '--seed',
    String(o.seed ?? 1),
    '--liveness-timeout',
    '60',
    ...(o.modelArgs ?? []),
    ...(o.serverArgs ?? []),
  ];
}

/** Runs one case end to end; the coordinator and the sessions are stopped before it returns. */
export async function runScaleCase(o: ScaleCaseOptions): Promise<ScaleCaseResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `flexmoe-scale-${o.clients}x${o.experts}-`));
  const coordinator = await CoordinatorProcess.start(serverArgs(o, path.join(dir, 'data')), path.join(dir, 'coordinator.log'), 30_000, o.nodeArgs);
  const gen = new LoadGenerator({
    address: `127.0.0.1:${coordinator.grpcPort}`,
    clients: o.clients,
    samples: parseDistribution('samples', o.samples ?? 'lognormal:6,1'),
    capacity: parseDistribution('capacity', o.capacity ?? 'uniform:1,4'),
    thinkMs: o.thinkMs,
    dropProbability: o.dropProbability ?? 0,
    dropMode: o.dropMode,
    seed: o.seed ?? 1,
    channels: o.channels,
    threads: o.loadgenThreads,
  });
  const running = gen.start();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    if (o.maxSeconds !== undefined) {
      timer = setTimeout(() => reject(new CoordinatorProcessError(`${o.rounds} rounds not completed within ${o.maxSeconds} s`)), o.maxSeconds * 1000);
    }
  });
  try {
    // A short run can finish between two polls of waitForRound: the load generator ending is only
    // an error when the coordinator has not completed round 1 by then.
    const endedEarly = running.then(async () => {
      if ((await coordinator.completedRounds().catch(() => 0)) < 1) throw new Error('load generator ended before round 1');
    });
    await Promise.race([limit, coordinator.waitForRound(1), endedEarly]);
    const afterFirst = coordinator.sample();
    const ownCpu = process.cpuUsage();
    await Promise.race([limit, coordinator.waitForRound(o.rounds)]);
    const end = coordinator.sample();
    const ownCpuUsage = process.cpuUsage(ownCpu);
    const loadgenCpu = (ownCpuUsage.user + ownCpuUsage.system) / 1e6;
    // The coordinator keeps serving: sessions still rejoining (e.g. after a last-round drop) get
    // RunComplete before it goes away.
    let grace: NodeJS.Timeout | undefined;
    const load = await Promise.race([running, new Promise<LoadReport>((r) => (grace = setTimeout(() => r(gen.stop()), 10_000)))]);
    clearTimeout(grace);
    const status = await coordinator.status<{ history: HistoryEntry[] }>();
    const solveTimeouts = await coordinator.solveTimeouts();
    await coordinator.stop('SIGTERM');
    return { ...summarize(o, status.history, load, afterFirst, end, gen.channelCount, loadgenCpu, dir), solveTimeouts };
  } finally {
    clearTimeout(timer);
    await gen.stop();
    await coordinator.stop('SIGKILL');
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(
  o: ScaleCaseOptions,
  history: HistoryEntry[],
  load: LoadReport,
  first: ProcSample,
  end: ProcSample,
  channels: number,
  loadgenCpu: number,
  dir: string,
): Omit<ScaleCaseResult, 'solveTimeouts'> {
  const rounds: RoundFigures[] = history.map((h) => {
    const think = (load.recorder.round(h.round)?.maxThinkMs ?? 0) / 1000;
    return {
      round: h.round,
      attempt: h.attempt,
      seconds: h.seconds,
      overheadSeconds: Math.max(0, h.seconds - think),
      solveSeconds: h.timings.solve,
      aggregateSeconds: h.timings.aggregate,
      reported: h.reportedCount ?? h.reported.length,
      failures: h.failures.length,
      bytes: h.bytesDown + h.bytesUp,
    };
  });
  const steady = history.length > 1 ? history.slice(1) : history;
  const steadyFigures = rounds.length > 1 ? rounds.slice(1) : rounds;
  const spanMs = steady.length > 0 ? steady[steady.length - 1]!.startedAtMs + steady[steady.length - 1]!.seconds * 1000 - steady[0]!.startedAtMs : 0;
  const cpu = end.cpuSeconds - first.cpuSeconds;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    clients: o.clients,
    experts: o.experts,
    rounds,
    roundsPerMinute: spanMs > 0 ? steady.length / (spanMs / 60_000) : 0,
    overheadP50: quantile(
      steadyFigures.map((r) => r.overheadSeconds),
      0.5,
    ),
    overheadP99: quantile(
      steadyFigures.map((r) => r.overheadSeconds),
      0.99,
    ),
    solveP50: quantile(
      steadyFigures.map((r) => r.solveSeconds),
      0.5,
    ),
    aggregateP50: quantile(
      steadyFigures.map((r) => r.aggregateSeconds),
      0.5,
    ),
    peakRssBytes: end.peakRssBytes,
    cpuSecondsPerRound: steady.length > 0 ? cpu / Math.max(1, o.rounds - 1) : cpu,
    cpuCores: end.atMs > first.atMs ? cpu / ((end.atMs - first.atMs) / 1000) : 0,
    bytesPerRound: mean(steadyFigures.map((r) => r.bytes)),
    channels,
    loadgenThreads: o.loadgenThreads ?? 1,
    loadgenCpuSecondsPerRound: loadgenCpu / Math.max(1, o.rounds - 1),
    load,
    dataDir: dir,
  };
}
