/**
 * One simulated client session speaking the real protocol: Join (replace), WaitTask, and for each
 * task Download -> think -> Submit with valid tensors and per-expert statistics; heartbeats;
 * rejoin with jittered backoff when the coordinator restarts or forgets the session. Training is
 * replaced by `fake-training`, so the coordinator is what gets measured.
 */
import * as grpc from '@grpc/grpc-js';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';
import { sleep } from '@flexmoe/shared';
import { ProtocolClient, RpcError, type ClientPhase, type CoordinatorClient, type RoundTask__Output, type TensorSpec } from '@flexmoe/proto';
import type { DownloadStore } from './download-store';
import { expertStats, mixHash, perturbedCopy, summaryMetrics } from './fake-training';
import type { LoadEvents } from './recorder';

/** Who the simulated client is. */
export interface ClientProfile {
  readonly clientId: string;
  readonly capacity: number;
  readonly samples: number;
  readonly thinkMs: number;
  readonly token?: string;
}

/**
 * How a dropping client behaves: `silent` skips the round and stays connected (the coordinator
 * only learns at the round deadline), `leave` says Leave and joins again (a dropout with notice).
 */
export type DropMode = 'silent' | 'leave';

/** Settings shared by every simulated client. */
export interface SimSettings {
  readonly dropProbability: number;
  readonly dropMode: DropMode;
  readonly seed: number;
  /** Deadline of one WaitTask stream (reopened when it runs out). */
  readonly taskStreamMs: number;
  /** Downloaded tensors shared by the sessions (each still receives and checksums its own bytes). */
  readonly downloads: DownloadStore;
}

/** Status codes after which joining again cannot help. */
const FATAL = new Set<number>([grpc.status.UNAUTHENTICATED, grpc.status.INVALID_ARGUMENT]);

class SessionGone extends Error {}

/** The gRPC status code of a refused call, or undefined for a local error. */
function statusCode(err: unknown): number | undefined {
  return err instanceof RpcError ? err.status : undefined;
}

/** Refusals after which joining again cannot help: bad credentials or request, another protocol version. */
function isFatal(err: unknown): boolean {
  return err instanceof RpcError && (FATAL.has(err.status) || err.reason === 'ERROR_REASON_PROTOCOL_VERSION');
}

function codeName(err: unknown): string {
  const code = statusCode(err);
  return code === undefined ? 'local' : (grpc.status[code] ?? String(code));
}

/** A simulated client; `run()` resolves when the run completes, on a fatal refusal, or on abort. */
export class SimulatedClient {
  private failures = 0;
  private joined = false;
  private phase: ClientPhase = 'IDLE';
  private round = 0;
  /** Upload buffers of the previous round, by tensor position (an update is sent before the next task). */
  private uploads: Float32Array[] = [];
  /** How the session ended. */
  outcome: 'complete' | 'fatal' | 'stopped' | undefined;

  private readonly client: ProtocolClient;

  /** `channel` is shared with other sessions (its owner closes it). */
  constructor(
    private readonly profile: ClientProfile,
    channel: CoordinatorClient,
    private readonly settings: SimSettings,
    private readonly recorder: LoadEvents,
  ) {
    this.client = new ProtocolClient({ channel, clientId: profile.clientId, token: profile.token });
  }

  /** Joins and serves tasks until the run is complete or `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const end = await this.session(signal);
        if (end === 'complete') return void (this.outcome = 'complete');
      } catch (err) {
        this.recorder.error(codeName(err));
        if (isFatal(err)) {
          this.recorder.fatal();
          return void (this.outcome = 'fatal');
        }
      }
      await sleep(this.backoffMs(), signal);
    }
    this.outcome = 'stopped';
  }

  /** Exponential backoff with full jitter, 100 ms .. 3 s. */
  private backoffMs(): number {
    this.failures++;
    const cap = Math.min(3000, 100 * 2 ** Math.min(5, this.failures));
    return cap / 2 + Math.random() * (cap / 2);
  }

  private async session(outer: AbortSignal): Promise<'complete' | 'lost'> {
    const reply = await this.client.join({
      capacity: this.profile.capacity,
      numSamples: this.profile.samples,
      numTestSamples: Math.max(1, Math.round(this.profile.samples / 4)),
      device: { platform: 'loadgen', arch: process.arch, cpus: 1, totalMemoryBytes: 0, runtime: `node ${process.version}`, hostname: 'loadgen' },
      replace: true,
    });
    this.recorder.joined(this.joined);
    this.joined = true;
    this.failures = 0;
    const model = defaultModelConfig(reply.modelConfig as Partial<MoEConfig>);
    const lost = new AbortController();
    const signal = AbortSignal.any([outer, lost.signal]);
    const beat = setInterval(() => {
      this.beat(reply.sessionId, lost).catch((err: unknown) => this.recorder.error(codeName(err)));
    }, reply.heartbeatIntervalMs || 5000);
    try {
      return await this.serveTasks(reply.sessionId, model, signal);
    } finally {
      clearInterval(beat);
    }
  }

  private async beat(sessionId: string, lost: AbortController): Promise<void> {
    try {
      await this.client.heartbeat({ sessionId, phase: this.phase, round: this.round, progress: 0 });
    } catch (err) {
      this.recorder.error(codeName(err));
      if (statusCode(err) === grpc.status.NOT_FOUND) lost.abort(new SessionGone('session unknown'));
    }
  }

  private async serveTasks(sessionId: string, model: MoEConfig, signal: AbortSignal): Promise<'complete' | 'lost'> {
    for (;;) {
      const opened = Date.now();
      try {
        // Ends normally when its own lifetime runs out; then it is reopened.
        for await (const event of this.client.tasks(sessionId, { signal, streamMs: this.settings.taskStreamMs })) {
          if (event.kind === 'complete') return 'complete';
          if (event.kind === 'task' && (await this.runTask(sessionId, model, event.task, signal)) === 'left') return 'lost';
        }
      } catch (err) {
        if (signal.aborted) return 'lost';
        throw err;
      }
      if (signal.aborted || Date.now() - opened < 1000) return 'lost';
    }
  }

  /** Runs one task; 'left' when the client dropped out with a Leave (the session is over). */
  private async runTask(sessionId: string, model: MoEConfig, task: RoundTask__Output, signal: AbortSignal): Promise<'done' | 'left'> {
    const { clientId, thinkMs } = this.profile;
    this.recorder.task(task.round, thinkMs);
    const roll = mixHash(clientId, (this.settings.seed * 7919) ^ task.round ^ (task.seed << 3)) / 4294967296;
    if (roll < this.settings.dropProbability) {
      this.recorder.drop(task.round);
      if (this.settings.dropMode === 'silent') return 'done';
      await this.client.leave(sessionId, 'simulated drop').catch((err: unknown) => this.recorder.error(codeName(err)));
      return 'left';
    }
    await this.work(sessionId, model, task, signal);
    return 'done';
  }

  private async work(sessionId: string, model: MoEConfig, task: RoundTask__Output, signal: AbortSignal): Promise<void> {
    const { clientId, thinkMs } = this.profile;
    this.round = task.round;
    try {
      this.phase = 'DOWNLOADING';
      const specs = taskSpecs(model, task.experts);
      const target = { sessionId, round: task.round, attempt: task.attempt };
      const downloaded = await this.client.download(target, { specs, store: this.settings.downloads }, { signal });
      this.recorder.downloaded(task.round, downloaded.bytes);
      this.phase = 'TRAINING';
      await sleep(thinkMs, signal);
      if (signal.aborted) return;
      this.phase = 'UPLOADING';
      // Perturbed just before sending, so the checksum pass finds the values still in cache.
      this.uploads = downloaded.tensors.map((t, i) =>
        perturbedCopy(t.data as Float32Array, mixHash(clientId, task.round * 1009 + i), task.learningRate * 0.01, this.uploads[i]),
      );
      const tensors = downloaded.tensors.map((t, i) => ({ ...t, data: this.uploads[i]! }));
      const stats = expertStats(clientId, task.experts, this.profile.samples, task.routingTopK);
      const metrics = summaryMetrics(stats, this.profile.samples);
      const header = {
        sessionId,
        round: task.round,
        attempt: task.attempt,
        numSamples: this.profile.samples,
        expertStats: stats,
        train: metrics,
        test: metrics,
        trainSeconds: thinkMs / 1000,
      };
      const ack = await this.client.submit(header, tensors);
      if (ack.accepted) this.recorder.accepted(task.round, ack.bytesReceived);
      else this.recorder.refused(task.round, 'not-accepted');
    } catch (err) {
      if (signal.aborted) return;
      this.recorder.refused(task.round, codeName(err));
      const code = statusCode(err);
      if (code === grpc.status.NOT_FOUND || code === grpc.status.UNAVAILABLE) throw err;
    } finally {
      this.phase = 'IDLE';
      this.round = 0;
    }
  }
}

/** The tensors of a task (backbone and assigned experts), float32, in protocol order. */
export function taskSpecs(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  return [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))].map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape }));
}
