/**
 * The gRPC implementation of `CoordinatorLink`: the only file of the daemon that calls grpc-js.
 * Every call carries the client id (and token) in metadata and its own deadline; tensors go
 * through the shared codec, so what arrives is validated before the daemon sees it.
 */
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { MoEConfig } from '@flexmoe/shared';
import { defaultModelConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs, type ParamMap } from '@flexmoe/shared';
import {
  CHANNEL_OPTIONS,
  PROTOCOL_VERSION,
  RPC_DEADLINES_MS,
  TensorAssembler,
  chunkTensors,
  loadProtocol,
  totalBytes,
  type CoordinatorClient,
  type HeartbeatResponse__Output,
  type JoinResponse__Output,
  type LeaveResponse__Output,
  type SubmitAck__Output,
  type TaskEvent__Output,
  type TensorChunk__Output,
  type TensorSpec,
  type WireTensor,
} from '@flexmoe/proto';
import { AbortedError, CoordinatorError } from '../errors';
import type * as link from '../daemon/link';
import { callMetadata, channelCredentials, type TlsFiles } from './credentials';
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

/** Our channel options on top of the protocol's keepalive settings. */
function channelOptions(tls: TlsFiles | undefined): grpc.ChannelOptions {
  return {
    ...CHANNEL_OPTIONS,
    // Reconnect quickly after a coordinator restart: the daemon paces its own retries with jitter,
    // and grpc-js's default backoff (up to 120 s) would fail our calls long after the server is back.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5000,
    ...(tls?.serverName ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {}),
  };
}

/** Creates the link (the channel connects lazily on the first call). */
export function createGrpcLink(options: GrpcLinkOptions): link.CoordinatorLink {
  const proto = loadProtocol();
  const client = new proto.flexmoe.v1.Coordinator(
    options.address,
    channelCredentials(options.tls ?? {}),
    channelOptions(options.tls),
  ) as CoordinatorClient;
  return new GrpcLink(client, options);
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

class GrpcLink implements link.CoordinatorLink {
  constructor(
    private readonly client: CoordinatorClient,
    private readonly options: GrpcLinkOptions,
  ) {}

  private metadata(): grpc.Metadata {
    return callMetadata(this.options.clientId, this.options.token);
  }

  private observe(direction: 'sent' | 'received', bytes: number): void {
    this.options.observe?.(direction, bytes);
  }

  /** Runs one unary call with a deadline; an abort cancels it. */
  private unary<T>(name: string, timeoutMs: number, signal: AbortSignal | undefined, start: (md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<T>) => grpc.ClientUnaryCall): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError(`${name} not started: stopping`));
      const call = start(this.metadata(), { deadline: Date.now() + timeoutMs }, (err, value) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(signal?.aborted ? new AbortedError(`${name} abandoned: stopping`) : toCoordinatorError(name, err));
        else resolve(value as T);
      });
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async join(params: link.JoinParams, signal?: AbortSignal): Promise<link.Session> {
    const request = {
      clientId: params.clientId,
      protocolVersion: PROTOCOL_VERSION,
      capacity: params.capacity,
      numSamples: params.numSamples,
      numTestSamples: params.numTestSamples,
      device: { ...params.device },
      replace: params.replace,
    };
    const reply = await this.unary<JoinResponse__Output>('Join', RPC_DEADLINES_MS.join, signal, (md, opts, cb) => this.client.join(request, md, opts, cb));
    let model: MoEConfig;
    try {
      model = defaultModelConfig(JSON.parse(reply!.modelConfigJson) as Partial<MoEConfig>);
    } catch (err) {
      throw new CoordinatorError('invalid', 0, `Join: coordinator sent an unusable model config: ${(err as Error).message}`, { cause: err });
    }
    const run = reply!.run;
    return {
      sessionId: reply!.sessionId,
      model,
      capacity: reply!.capacity,
      heartbeatIntervalMs: reply!.heartbeatIntervalMs || 5000,
      run: {
        runId: run?.runId ?? '',
        totalRounds: run?.totalRounds ?? 0,
        completedRounds: run?.completedRounds ?? 0,
        strategy: run?.strategy ?? '',
        seed: run?.seed ?? 0,
      },
    };
  }

  async *tasks(sessionId: string, signal?: AbortSignal): AsyncIterable<link.TaskEvent> {
    if (signal?.aborted) throw new AbortedError('task stream not opened: stopping');
    const deadline = Date.now() + (this.options.taskStreamMs ?? 600_000);
    const call = this.client.waitTask({ sessionId }, this.metadata(), { deadline });
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const event of call as AsyncIterable<TaskEvent__Output>) yield toTaskEvent(event);
    } catch (err) {
      if (signal?.aborted) throw new AbortedError('task stream closed: stopping');
      const mapped = toCoordinatorError('WaitTask', err);
      // Our own stream deadline ran out: a normal end, the daemon reopens the stream.
      if (mapped instanceof CoordinatorError && mapped.kind === 'deadline' && Date.now() >= deadline) return;
      throw mapped;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  async download(session: link.Session, task: link.RoundTask, signal?: AbortSignal): Promise<ParamMap> {
    if (signal?.aborted) throw new AbortedError('download not started: stopping');
    const specs = downloadSpecs(session.model, task.experts);
    const byName = new Map(specs.map((s) => [s.name, s]));
    const assembler = new TensorAssembler({ expect: (name) => byName.get(name), maxBytes: totalBytes(specs) });
    const call = this.client.download({ sessionId: session.sessionId, round: task.round, attempt: task.attempt ?? 0 }, this.metadata(), {
      deadline: Date.now() + RPC_DEADLINES_MS.download,
    });
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of call as AsyncIterable<TensorChunk__Output>) {
        assembler.push(chunk);
        this.observe('received', chunk.data?.length ?? 0);
      }
    } catch (err) {
      if (signal?.aborted) throw new AbortedError('download abandoned: stopping');
      if (err instanceof Error && !('metadata' in err)) {
        throw new CoordinatorError('invalid', 0, `Download: coordinator sent a bad tensor: ${err.message}`, { cause: err });
      }
      throw toCoordinatorError('Download', err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
    return collectParams(assembler, specs);
  }

  async reportFailure(sessionId: string, task: link.RoundTask, reason: string, diverged: boolean): Promise<link.SubmitResult> {
    const ack = await this.unary<SubmitAck__Output>('Submit', RPC_DEADLINES_MS.submit, undefined, (md, opts, cb) => {
      const call = this.client.submit(md, opts, cb);
      call.write({ header: { sessionId, round: task.round, attempt: task.attempt ?? 0, failure: reason || 'failed', diverged } });
      call.end();
      return call as unknown as grpc.ClientUnaryCall;
    });
    return { accepted: ack!.accepted, round: ack!.round, bytesReceived: ack!.bytesReceived, message: ack!.message };
  }

  async submit(sessionId: string, model: MoEConfig, update: link.Update, signal?: AbortSignal): Promise<link.SubmitResult> {
    const tensors = uploadTensors(model, update);
    let sent = 0;
    const ack = await this.unary<SubmitAck__Output>('Submit', RPC_DEADLINES_MS.submit, signal, (md, opts, cb) => {
      const call = this.client.submit(md, opts, cb);
      (async () => {
        call.write({ header: submitHeader(sessionId, update, tensors) });
        for (const chunk of chunkTensors(tensors)) {
          sent += (chunk.data as Buffer).length;
          if (!call.write({ chunk })) await once(call, 'drain');
        }
        call.end();
      })().catch(() => call.cancel()); // the callback reports the cause (status of the call)
      return call as unknown as grpc.ClientUnaryCall;
    });
    this.observe('sent', sent);
    return { accepted: ack!.accepted, round: ack!.round, bytesReceived: ack!.bytesReceived, message: ack!.message };
  }

  async heartbeat(sessionId: string, phase: link.Phase, round: number, progress: number): Promise<link.HeartbeatReply> {
    const request = { sessionId, phase: PHASES[phase], round, progress };
    const reply = await this.unary<HeartbeatResponse__Output>('Heartbeat', RPC_DEADLINES_MS.heartbeat, undefined, (md, opts, cb) =>
      this.client.heartbeat(request, md, opts, cb),
    );
    return { currentRound: reply!.currentRound, draining: reply!.draining };
  }

  async leave(sessionId: string, reason: string): Promise<void> {
    await this.unary<LeaveResponse__Output>('Leave', RPC_DEADLINES_MS.leave, undefined, (md, opts, cb) => this.client.leave({ sessionId, reason }, md, opts, cb));
  }

  close(): void {
    this.client.close();
  }
}

const PHASES = { idle: 'IDLE', downloading: 'DOWNLOADING', training: 'TRAINING', uploading: 'UPLOADING' } as const;

function toTaskEvent(event: TaskEvent__Output): link.TaskEvent {
  if (event.event === 'task' && event.task) {
    const t = event.task;
    return {
      kind: 'task',
      task: {
        round: t.round,
        experts: [...t.experts],
        learningRate: t.learningRate,
        batchSize: t.batchSize,
        localEpochs: t.localEpochs,
        deadlineUnixMs: t.deadlineUnixMs,
        routingTopK: t.routingTopK,
        seed: t.seed,
        attempt: t.attempt,
      },
    };
  }
  if (event.event === 'complete' && event.complete) {
    return { kind: 'complete', completedRounds: event.complete.completedRounds, finalAccuracy: event.complete.finalAccuracy };
  }
  return { kind: 'keep-alive' };
}

/** What travels down for a task: the backbone and the assigned experts, float32. */
function downloadSpecs(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  const specs = [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))];
  return specs.map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape }));
}

function collectParams(assembler: TensorAssembler, specs: TensorSpec[]): ParamMap {
  let tensors: Map<string, WireTensor>;
  try {
    tensors = assembler.finish();
  } catch (err) {
    throw new CoordinatorError('invalid', 0, `Download: ${(err as Error).message}`, { cause: err });
  }
  const params: ParamMap = {};
  for (const spec of specs) {
    const tensor = tensors.get(spec.name);
    if (!tensor) throw new CoordinatorError('invalid', 0, `Download: tensor ${spec.name} missing`);
    params[spec.name] = tensor.data as Float32Array;
  }
  return params;
}

/** The tensors of an update in protocol order: backbone, then each assigned expert. */
function uploadTensors(model: MoEConfig, update: link.Update): WireTensor[] {
  const specs = [...backboneSpecs(model), ...update.experts.flatMap((r) => expertSpecs(model, r.expert))];
  return specs.map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape, data: update.params[s.name] }));
}

function submitHeader(sessionId: string, update: link.Update, tensors: WireTensor[]) {
  return {
    sessionId,
    round: update.round,
    attempt: update.attempt,
    numSamples: update.numSamples,
    expertStats: update.experts.map((r) => ({ expert: r.expert, usage: r.usage, accuracy: r.accuracy, loss: r.loss, ownAccuracy: r.ownAccuracy, ownLoss: r.ownLoss })),
    train: { ...update.train },
    test: { ...update.test },
    preLocal: update.preLocal ? { ...update.preLocal } : undefined,
    global: update.global ? { ...update.global } : undefined,
    tensorCount: tensors.length,
    totalBytes: totalBytes(tensors),
    trainSeconds: update.trainSeconds,
    downloadSeconds: update.downloadSeconds,
  };
}
