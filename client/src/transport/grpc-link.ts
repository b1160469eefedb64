/**
 * `CoordinatorLink` over gRPC: a thin adapter from the shared protocol client (which owns the
 * calls, metadata, deadlines, tensor validation and error reasons) to the daemon's own terms.
 * The only file of the daemon that talks to the wire.
 */
import type { MoEConfig } from '@flexmoe/shared';
import { defaultModelConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs, type ParamMap } from '@flexmoe/shared';
import { ProtocolClient, taskOptimizerFromWire, type Joined, type TaskStreamEvent, type TensorSpec, type WireTensor } from '@flexmoe/proto';
import { CoordinatorError } from '../errors';
import type * as link from '../daemon/link';
import { channelCredentials, type TlsFiles } from './credentials';
import { toCoordinatorError } from './status';

/** Options of a gRPC link. */
export interface GrpcLinkOptions {
  /** `HOST:PORT` of the coordinator. */
  address: string;
  clientId: string;
  token?: string;
  tls?: TlsFiles;
  /** Counts tensor bytes in both directions (metrics). */
  observe?: link.TransferObserver;
  /** Deadline of one WaitTask stream; the daemon reopens it when it runs out. Default 10 min. */
  taskStreamMs?: number;
}

/** Creates the link (the channel connects lazily on the first call). */
export function createGrpcLink(options: GrpcLinkOptions): link.CoordinatorLink {
  const serverName = options.tls?.serverName;
  const client = new ProtocolClient({
    channel: {
      address: options.address,
      credentials: channelCredentials(options.tls ?? {}),
      options: serverName ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {},
    },
    clientId: options.clientId,
    token: options.token,
    observe: options.observe,
  });
  return new GrpcLink(client, options.taskStreamMs);
}

/** Runs a call of the protocol client, mapping its errors to the daemon's. */
async function mapped<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw toCoordinatorError(err);
  }
}

class GrpcLink implements link.CoordinatorLink {
  constructor(
    private readonly client: ProtocolClient,
    private readonly taskStreamMs: number | undefined,
  ) {}

  async join(params: link.JoinParams, signal?: AbortSignal): Promise<link.Session> {
    const reply = await mapped(this.client.join({ ...params, device: { ...params.device } }, { signal }));
    return {
      sessionId: reply.sessionId,
      model: modelOf(reply),
      capacity: reply.capacity,
      heartbeatIntervalMs: reply.heartbeatIntervalMs || 5000,
      run: {
        runId: reply.run?.runId ?? '',
        totalRounds: reply.run?.totalRounds ?? 0,
        completedRounds: reply.run?.completedRounds ?? 0,
        strategy: reply.run?.strategy ?? '',
        seed: reply.run?.seed ?? 0,
      },
    };
  }

  async *tasks(sessionId: string, signal?: AbortSignal): AsyncIterable<link.TaskEvent> {
    try {
      for await (const event of this.client.tasks(sessionId, { signal, streamMs: this.taskStreamMs })) yield toTaskEvent(event);
    } catch (err) {
      throw toCoordinatorError(err);
    }
  }

  async download(session: link.Session, task: link.RoundTask, signal?: AbortSignal): Promise<ParamMap> {
    const specs = taskSpecs(session.model, task.experts);
    const got = await mapped(this.client.download({ sessionId: session.sessionId, round: task.round, attempt: task.attempt ?? 0 }, { specs }, { signal }));
    return Object.fromEntries(got.tensors.map((t) => [t.name, t.data as Float32Array]));
  }

  async reportFailure(sessionId: string, task: link.RoundTask, reason: string, diverged: boolean): Promise<link.SubmitResult> {
    const ack = await mapped(this.client.reportFailure({ sessionId, round: task.round, attempt: task.attempt ?? 0, failure: reason, diverged }));
    return { accepted: ack.accepted, round: ack.round, bytesReceived: ack.bytesReceived, message: ack.message };
  }

  async submit(sessionId: string, model: MoEConfig, update: link.Update, signal?: AbortSignal): Promise<link.SubmitResult> {
    const tensors = uploadTensors(model, update);
    const ack = await mapped(this.client.submit(submitHeader(sessionId, update), tensors, { signal }));
    return { accepted: ack.accepted, round: ack.round, bytesReceived: ack.bytesReceived, message: ack.message };
  }

  async heartbeat(sessionId: string, phase: link.Phase, round: number, progress: number): Promise<link.HeartbeatReply> {
    const reply = await mapped(this.client.heartbeat({ sessionId, phase: PHASES[phase], round, progress }));
    return { currentRound: reply.currentRound, draining: reply.draining };
  }

  async leave(sessionId: string, reason: string): Promise<void> {
    await mapped(this.client.leave(sessionId, reason));
  }

  close(): void {
    this.client.close();
  }
}

const PHASES = { idle: 'IDLE', downloading: 'DOWNLOADING', training: 'TRAINING', uploading: 'UPLOADING' } as const;

/** The validated model config of a Join reply; an unusable one is the coordinator's fault (`invalid`). */
function modelOf(reply: Joined): MoEConfig {
  try {
    return defaultModelConfig(reply.modelConfig as Partial<MoEConfig>);
  } catch (err) {
    throw new CoordinatorError('invalid', 0, `Join: coordinator sent an unusable model config: ${(err as Error).message}`, { cause: err });
  }
}

function toTaskEvent(event: TaskStreamEvent): link.TaskEvent {
  switch (event.kind) {
    case 'task': {
      // The wire's RoundTask has the daemon's fields, the optimizer in its wire form.
      const { localOptimizer, ...task } = event.task;
      return { kind: 'task', task: { ...task, experts: [...task.experts], optimizer: taskOptimizerFromWire(localOptimizer) } };
    }
    case 'complete':
      return { kind: 'complete', completedRounds: event.complete.completedRounds, finalAccuracy: event.complete.finalAccuracy };
    case 'keep-alive':
      return { kind: 'keep-alive' };
  }
}

/** The tensors of a task: the backbone and the given experts, float32, in protocol order. */
function taskSpecs(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  return [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))].map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape }));
}

/** The tensors of an update in protocol order: backbone, then each assigned expert. */
function uploadTensors(model: MoEConfig, update: link.Update): WireTensor[] {
  return taskSpecs(
    model,
    update.experts.map((r) => r.expert),
  ).map((s) => ({ ...s, data: update.params[s.name]! }));
}

function submitHeader(sessionId: string, update: link.Update) {
  return {
    sessionId,
    round: update.round,
    attempt: update.attempt,
    numSamples: update.numSamples,
    expertStats: update.experts.map((r) => ({
      expert: r.expert,
      usage: r.usage,
      accuracy: r.accuracy,
      loss: r.loss,
      ownAccuracy: r.ownAccuracy,
      ownLoss: r.ownLoss,
    })),
    train: { ...update.train },
    test: { ...update.test },
    preLocal: update.preLocal ? { ...update.preLocal } : undefined,
    global: update.global ? { ...update.global } : undefined,
    trainSeconds: update.trainSeconds,
    downloadSeconds: update.downloadSeconds,
  };
}
