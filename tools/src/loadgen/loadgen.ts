/**
 * The load generator: N simulated client sessions in one process over a few shared gRPC
 * channels, with seeded data sizes and capacities, a think time and a drop probability. It runs
 * until every session saw the run complete, `durationRounds` rounds have passed, or it is stopped.
 */
import { setMaxListeners } from 'node:events';
import { InvalidArgumentError } from '@flexmoe/shared';
import { drawFleet, type DistributionSpec } from './distributions';
import { LoadRecorder } from './recorder';
import { runSessions, type SessionOutcome, type SessionSettings } from './sessions';
import type { ClientProfile, DropMode } from './sim-client';
import { runSessionsInWorkers } from './worker-pool';

/** Options of a load generator (validated by `validateLoadOptions`). */
export interface LoadGenOptions {
  /** `HOST:PORT` of the coordinator. */
  readonly address: string;
  readonly clients: number;
  /** n_c per client. */
  readonly samples: DistributionSpec;
  /** k_c per client (clamped to >= 1; the coordinator caps it at E). */
  readonly capacity: DistributionSpec;
  /** Simulated training time per round (ms). */
  readonly thinkMs: number;
  /** Probability that a client silently skips a round it was given. */
  readonly dropProbability: number;
  /** `silent` (default): skip the round, stay connected; `leave`: Leave, then join again. */
  readonly dropMode?: DropMode;
  readonly seed: number;
  /** gRPC channels (HTTP/2 connections) shared by the sessions. Default min(8, ceil(N / 128)). */
  readonly channels?: number;
  /** Stop once this many rounds have completed after the first task (default: until the run completes). */
  readonly durationRounds?: number;
  /** Client ids are `<prefix>-<00001>`. Default `load`. */
  readonly idPrefix?: string;
  /** Client id -> token, when the coordinator uses a tokens file. */
  readonly tokens?: ReadonlyMap<string, string>;
  /** Deadline of one WaitTask stream (ms). Default 1 hour. */
  readonly taskStreamMs?: number;
  /**
   * Threads running the sessions (default 1: all in the calling thread). More threads split the
   * sessions and channels among worker threads, so the load generator can use more cores.
   */
  readonly threads?: number;
}

/** What a finished load run reports. */
export interface LoadReport {
  readonly clients: number;
  readonly channels: number;
  readonly complete: number;
  readonly fatal: number;
  readonly stoppedBy: 'complete' | 'duration' | 'stop';
  readonly recorder: LoadRecorder;
}

/** Throws InvalidArgumentError naming the bad option. */
export function validateLoadOptions(o: LoadGenOptions): void {
  if (!/^[^:\s]+:\d+$/.test(o.address)) throw new InvalidArgumentError(`server address '${o.address}' must be HOST:PORT`);
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new InvalidArgumentError(`clients must be a positive integer (got ${o.clients})`);
  if (!(o.thinkMs >= 0)) throw new InvalidArgumentError(`think-ms must be >= 0 (got ${o.thinkMs})`);
  if (!(o.dropProbability >= 0 && o.dropProbability < 1)) throw new InvalidArgumentError(`drop must be in [0, 1) (got ${o.dropProbability})`);
  if (o.dropMode !== undefined && o.dropMode !== 'silent' && o.dropMode !== 'leave')
    throw new InvalidArgumentError(`drop-mode must be silent or leave (got ${String(o.dropMode)})`);
  if (o.channels !== undefined && (!Number.isInteger(o.channels) || o.channels < 1))
    throw new InvalidArgumentError(`channels must be >= 1 (got ${o.channels})`);
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 64))
    throw new InvalidArgumentError(`threads must be an integer in [1, 64] (got ${o.threads})`);
  if (o.durationRounds !== undefined && (!Number.isInteger(o.durationRounds) || o.durationRounds < 1)) {
    throw new InvalidArgumentError(`duration-rounds must be a positive integer (got ${o.durationRounds})`);
  }
}

/** The seeded fleet: ids, data sizes, capacities, think times, tokens. */
export function fleetProfiles(o: LoadGenOptions): ClientProfile[] {
  const samples = drawFleet(o.samples, o.clients, o.seed, 'loadgen:samples', 1, 10_000_000);
  const capacity = drawFleet(o.capacity, o.clients, o.seed, 'loadgen:capacity', 1, 1024);
  const prefix = o.idPrefix ?? 'load';
  return samples.map((n, i) => {
    const clientId = `${prefix}-${String(i + 1).padStart(5, '0')}`;
    return { clientId, samples: n, capacity: capacity[i]!, thinkMs: o.thinkMs, token: o.tokens?.get(clientId) };
  });
}

/** Runs a simulated fleet. `start()` once, then await `finished` or call `stop()`. */
export class LoadGenerator {
  readonly recorder = new LoadRecorder();
  readonly channelCount: number;
  private readonly abort = new AbortController();
  private stoppedBy: LoadReport['stoppedBy'] = 'complete';
  private running: Promise<LoadReport> | undefined;

  constructor(private readonly options: LoadGenOptions) {
    validateLoadOptions(options);
    this.channelCount = options.channels ?? Math.min(8, Math.ceil(options.clients / 128));
    // Every session listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** Opens the channels and starts every session; resolves `finished` when they are all done. */
  start(): Promise<LoadReport> {
    this.running ??= this.runAll();
    return this.running;
  }

  /** Ends every session now and resolves with the report. */
  async stop(): Promise<LoadReport> {
    if (!this.abort.signal.aborted) {
      this.stoppedBy = 'stop';
      this.abort.abort();
    }
    return this.start();
  }

  private async runAll(): Promise<LoadReport> {
    const o = this.options;
    this.watchDuration();
    const settings: SessionSettings = {
      dropProbability: o.dropProbability,
      dropMode: o.dropMode ?? 'silent',
      seed: o.seed,
      taskStreamMs: o.taskStreamMs ?? 3_600_000,
    };
    const profiles = fleetProfiles(o);
    const threads = Math.min(o.threads ?? 1, profiles.length);
    const outcomes: SessionOutcome[] =
      threads > 1
        ? await runSessionsInWorkers(o.address, profiles, threads, this.channelCount, settings, this.recorder, this.abort.signal)
        : await runSessions(o.address, profiles, this.channelCount, settings, this.recorder, this.abort.signal);
    const complete = outcomes.filter((c) => c === 'complete').length;
    this.recorder.totals.completed = complete;
    return { clients: o.clients, channels: this.channelCount, complete, fatal: this.recorder.totals.fatal, stoppedBy: this.stoppedBy, recorder: this.recorder };
  }

  /** With `durationRounds`, stops when the task of round first + R arrives (rounds first..first+R-1 are done). */
  private watchDuration(): void {
    const r = this.options.durationRounds;
    if (r === undefined) return;
    let first: number | undefined;
    this.recorder.onNewRound((round) => {
      first ??= round;
      if (round >= first + r && !this.abort.signal.aborted) {
        this.stoppedBy = 'duration';
        this.abort.abort();
      }
    });
  }
}
