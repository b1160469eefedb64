/**
 * An in-process transport: the daemon's `CoordinatorLink` wired to a real `Coordinator` object
 * without gRPC. Requests go through the same coordinator methods the gRPC handlers call, tensors
 * through the same chunk codec (CRC, shape and size checks), and errors through the same two
 * mappings the wire uses (`toGrpcStatus` on the coordinator's side, `toCoordinatorError` on the
 * daemon's), so a daemon sees what it would see over loopback, minus sockets and real time.
 *
 * A `MemoryNetwork` stands for the coordinator's address: `serve` puts a coordinator behind it,
 * `cut` takes it away as a crash would (open task streams fail UNAVAILABLE, calls are refused
 * until the next `serve`).
 */
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs, type ParamMap } from '@flexmoe/shared';
import {
  PROTOCOL_VERSION,
  assembleTensors,
  chunkTensors,
  totalBytes,
  type JoinRequest__Output,
  type SubmitHeader__Output,
  type TensorChunk__Output,
  type TensorSpec,
  type WireTensor,
  toCallError,
} from '@flexmoe/proto';
import { AbortedError, CoordinatorError, toCoordinatorError } from '@flexmoe/client';
import type { CoordinatorLink, HeartbeatReply, JoinParams, Phase, RoundTask, Session, SubmitResult, TaskEvent, Update } from '@flexmoe/client';
import type { Coordinator } from '../../src/coordinator/coordinator';
import { DrainingError, UnknownSessionError } from '../../src/errors';
import type { SessionEvent } from '../../src/registry/session-proxy';
import { toGrpcStatus } from '../../src/transport/status';

const PHASES = { idle: 'IDLE', downloading: 'DOWNLOADING', training: 'TRAINING', uploading: 'UPLOADING' } as const;

/** What the coordinator's side of the wire turns `err` into, as the daemon's side reads it. */
function overTheWire(call: string, err: unknown): Error {
  const status = toGrpcStatus(err);
  return toCoordinatorError(toCallError(call, Object.assign(new Error(status.details), status), undefined));
}

/** The address daemons dial: at most one coordinator serves behind it at a time. */
export class MemoryNetwork {
  /** Every call made through the network's links, in order, with its outcome. */
  readonly calls: Array<{ call: string; clientId: string; ok: boolean }> = [];
  /** Observer of each call as it is made (a test records the clock with it). */
  onCall: ((call: string, clientId: string) => void) | undefined;
  private current: Coordinator | undefined;
  private readonly cuts = new Set<(err: Error) => void>();

  /** Puts `coordinator` behind the address (a process that started listening). */
  serve(coordinator: Coordinator): void {
    this.current = coordinator;
  }

  /** The coordinator goes away (a crash): open task streams fail, calls are refused. */
  cut(): void {
    this.current = undefined;
    const unavailable = new CoordinatorError('unavailable', 14, 'coordinator unreachable (connection lost)');
    for (const end of [...this.cuts]) end(unavailable);
  }

  /** A link for one client id (its credentials: the id the coordinator authenticates). */
  link(clientId: string): CoordinatorLink {
    return new MemoryLink(this, clientId);
  }

  /** The serving coordinator, or a refusal as a dial to an empty address gets. */
  coordinator(call: string): Coordinator {
    if (!this.current) throw new CoordinatorError('unavailable', 14, `${call}: UNAVAILABLE: no coordinator at this address`);
    return this.current;
  }

  /** Registers a stream to be failed when the connection is cut; returns the unregister function. */
  onCut(end: (err: Error) => void): () => void {
    this.cuts.add(end);
    return () => this.cuts.delete(end);
  }
}

/** Runs one request against the serving coordinator, mapping its errors as the wire does. */
async function request<T>(network: MemoryNetwork, call: string, fn: (c: Coordinator) => T, signal?: AbortSignal): Promise<T> {
  // A real call is never answered in the same tick: let other work interleave as it would.
  await Promise.resolve();
  if (signal?.aborted) throw new AbortedError(`${call} not started: stopping`);
  const coordinator = network.coordinator(call);
  try {
    return fn(coordinator);
  } catch (err) {
    throw overTheWire(call, err);
  }
}

/** The tensors of a task or an update: backbone, then the experts, float32. */
function specsFor(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  return [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))].map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape }));
}

/** Encodes tensors into wire chunks and decodes them again, validated against `specs`. */
function throughCodec(tensors: readonly WireTensor[], specs: readonly TensorSpec[]): Map<string, WireTensor> {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const chunks = [...chunkTensors(tensors)] as TensorChunk__Output[];
  return assembleTensors(chunks, { expect: (name) => byName.get(name), maxBytes: totalBytes(specs) });
}

class MemoryLink implements CoordinatorLink {
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    private readonly clientId: string,
  ) {}

  private call<T>(name: string, fn: (c: Coordinator) => T, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${name} on a closed link`));
    this.network.onCall?.(name, this.clientId);
    const entry = { call: name, clientId: this.clientId, ok: false };
    this.network.calls.push(entry);
    return request(this.network, name, fn, signal).then((v) => {
      entry.ok = true;
      return v;
    });
  }

  async join(params: JoinParams, signal?: AbortSignal): Promise<Session> {
    const req = {
      clientId: params.clientId,
      protocolVersion: PROTOCOL_VERSION,
      capacity: params.capacity,
      numSamples: params.numSamples,
      numTestSamples: params.numTestSamples,
      device: { ...params.device },
      replace: params.replace,
    } as JoinRequest__Output;
    const reply = await this.call('Join', (c) => c.join(this.clientId, req), signal);
    return {
      sessionId: reply.sessionId,
      model: defaultModelConfig(JSON.parse(reply.modelConfigJson) as Partial<MoEConfig>),
      capacity: reply.capacity,
      heartbeatIntervalMs: reply.heartbeatIntervalMs,
      run: { ...reply.run },
    };
  }

  async *tasks(sessionId: string, signal?: AbortSignal): AsyncIterable<TaskEvent> {
    const queue: Array<SessionEvent | Error> = [];
    let wake: (() => void) | undefined;
    const push = (item: SessionEvent | Error): void => {
      queue.push(item);
      wake?.();
    };
    const onAbort = (): void => push(new AbortedError('task stream closed: stopping'));
    const unsubscribe = await this.call(
      'WaitTask',
      (c) => {
        const detach = c.subscribe(this.clientId, sessionId, (event) => {
          // The gRPC handler ends a closed session's stream with this error.
          if (event.kind === 'closed') {
            const stopping = c.state === 'draining' || c.state === 'stopped';
            push(
              overTheWire('WaitTask', stopping ? new DrainingError('coordinator shutting down') : new UnknownSessionError(`session ended: ${event.reason}`)),
            );
          } else push(event);
        });
        return detach;
      },
      signal,
    );
    const uncut = this.network.onCut(push);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const item = queue.shift();
        if (item === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (item instanceof Error) throw item;
        if (item.kind === 'closed') continue;
        if (item.kind === 'complete') {
          yield { kind: 'complete', completedRounds: item.completedRounds, finalAccuracy: item.finalAccuracy };
          return;
        }
        yield { kind: 'task', task: { ...item.task, experts: [...item.task.experts] } };
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      uncut();
      unsubscribe();
    }
  }

  async download(session: Session, task: RoundTask, signal?: AbortSignal): Promise<ParamMap> {
    const tensors = await this.call('Download', (c) => c.download(this.clientId, session.sessionId, task.round, task.attempt ?? 0), signal);
    const received = throughCodec(tensors, specsFor(session.model, task.experts));
    const params: ParamMap = {};
    for (const [name, t] of received) params[name] = t.data as Float32Array;
    return params;
  }

  async submit(sessionId: string, model: MoEConfig, update: Update, signal?: AbortSignal): Promise<SubmitResult> {
    const specs = specsFor(
      model,
      update.experts.map((r) => r.expert),
    );
    const tensors = specs.map((s) => ({ ...s, data: update.params[s.name]! }));
    const header = submitHeader(sessionId, update, { tensorCount: specs.length, totalBytes: totalBytes(specs) });
    return this.call(
      'Submit',
      (c) => {
        const ctx = c.beginSubmit(this.clientId, header);
        try {
          c.finishSubmit(ctx, throughCodec(tensors, [...ctx.plan.specs.values()]), ctx.plan.expectedBytes);
        } catch (err) {
          c.rejectUpdate(this.clientId, 'invalid', (err as Error).message);
          throw err;
        } finally {
          ctx.release();
        }
        return { accepted: true, round: update.round, bytesReceived: ctx.plan.expectedBytes, message: 'ok' };
      },
      signal,
    );
  }

  reportFailure(sessionId: string, task: RoundTask, reason: string, diverged: boolean): Promise<SubmitResult> {
    const header = { sessionId, round: task.round, attempt: task.attempt ?? 0, failure: reason || 'failed', diverged } as SubmitHeader__Output;
    return this.call('Submit', (c) => {
      const recorded = c.reportFailure(this.clientId, header);
      return { accepted: false, round: task.round, bytesReceived: 0, message: `failure recorded: ${recorded}` };
    });
  }

  heartbeat(sessionId: string, phase: Phase, _round: number, _progress: number): Promise<HeartbeatReply> {
    return this.call('Heartbeat', (c) => c.heartbeat(this.clientId, sessionId, PHASES[phase]));
  }

  async leave(sessionId: string, reason: string): Promise<void> {
    await this.call('Leave', (c) => c.leave(this.clientId, sessionId, reason));
  }

  close(): void {
    this.closed = true;
  }
}

/** The SubmitHeader a daemon's update travels with (as the gRPC link builds it). */
function submitHeader(sessionId: string, update: Update, sizes: { tensorCount: number; totalBytes: number }): SubmitHeader__Output {
  return {
    sessionId,
    round: update.round,
    attempt: update.attempt,
    numSamples: update.numSamples,
    expertStats: update.experts.map((r) => ({ ...r })),
    train: { ...update.train },
    test: { ...update.test },
    preLocal: update.preLocal ? { ...update.preLocal } : null,
    global: update.global ? { ...update.global } : null,
    ...sizes,
    trainSeconds: update.trainSeconds,
    downloadSeconds: update.downloadSeconds,
    failure: '',
    diverged: false,
  };
}
