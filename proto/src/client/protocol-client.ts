/**
 * The one typed client of the flexmoe.v1 protocol, used by the client daemon, the load generator
 * and the tests: every RPC with the caller's identity in metadata, a deadline per call,
 * cancellation by AbortSignal, validated tensor transfer, and typed errors (`RpcError` with the
 * status code and the precise ErrorReason, `BadReplyError`, `CallAbortedError`).
 */
import * as grpc from '@grpc/grpc-js';
import { PROTOCOL_VERSION, RPC_DEADLINES_MS } from '../constants';
import { loadHealthProtocol } from '../loader';
import { modelConfigFromJoin, type WireModelConfig } from '../model-config';
import type { WireTensor } from '../tensor-codec';
import type {
  CoordinatorClient,
  HealthCheckResponse__Output,
  HealthClient,
  HeartbeatRequest,
  HeartbeatResponse__Output,
  JoinRequest,
  JoinResponse__Output,
  RoundTask__Output,
  RunComplete__Output,
  SubmitAck__Output,
  SubmitHeader,
  SubmitMessage,
  TaskEvent__Output,
} from '../types';
import { cancelOnAbort, identityMetadata, replyOf, toCallError, type CallOptions, type Starter } from './call';
import { openChannel, type ChannelSpec } from './channel';
import { readDownload, updateMessages, writeSubmit, type DownloadExpectation, type Downloaded } from './transfer';
import { CallAbortedError, RpcError } from '../errors';

/** Options of a protocol client. */
export interface ProtocolClientOptions {
  /** A channel to open (owned: `close()` closes it) or an open one shared with other clients. */
  readonly channel: ChannelSpec | CoordinatorClient;
  /** Sent as `x-flexmoe-client-id` on every call. */
  readonly clientId: string;
  /** Sent as `x-flexmoe-token` when set. */
  readonly token?: string;
  /** Counts tensor bytes as they go out or come in (metrics). */
  readonly observe?: (direction: 'sent' | 'received', bytes: number) => void;
}

/** A Join as the caller fills it; the client id and protocol version are the client's own. */
export type JoinParams = Omit<JoinRequest, 'clientId' | 'protocolVersion'> & { protocolVersion?: number };

/** A Join reply with its model configuration decoded (typed message or deprecated JSON). */
export interface Joined extends JoinResponse__Output {
  readonly modelConfig: WireModelConfig;
}

/** An event of the task stream. */
export type TaskStreamEvent =
  | { readonly kind: 'task'; readonly task: RoundTask__Output }
  | { readonly kind: 'complete'; readonly complete: RunComplete__Output }
  | { readonly kind: 'keep-alive'; readonly serverTimeUnixMs: number };

/** Options of the task stream. */
export interface TaskStreamOptions extends Omit<CallOptions, 'timeoutMs'> {
  /** Lifetime of the stream (ms, default 10 min): it then ends normally and the caller reopens it. */
  readonly streamMs?: number;
}

/** Which round's tensors to download. */
export interface DownloadTarget {
  readonly sessionId: string;
  readonly round: number;
  readonly attempt?: number;
}

/** The header of a failure report (no tensors follow). */
export interface FailureReport {
  readonly sessionId: string;
  readonly round: number;
  readonly attempt?: number;
  readonly failure: string;
  readonly diverged?: boolean;
}

/** Serving status of a service, as grpc.health.v1 names it. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** A client of one coordinator for one client id. */
export class ProtocolClient {
  /** The grpc-js client of the Coordinator service (shared or owned). */
  readonly channel: CoordinatorClient;
  private readonly owned: boolean;
  private health: HealthClient | undefined;

  constructor(private readonly options: ProtocolClientOptions) {
    // A spec has an address; an open channel is a grpc-js client (checked by shape, not
    // instanceof, which a second copy of grpc-js in node_modules would defeat).
    const spec = typeof (options.channel as Partial<ChannelSpec>).address === 'string' ? (options.channel as ChannelSpec) : undefined;
    this.owned = spec !== undefined;
    this.channel = spec ? openChannel(spec) : (options.channel as CoordinatorClient);
  }

  /** The client's own metadata: client id and token. */
  metadata(): grpc.Metadata {
    return identityMetadata(this.options.clientId, this.options.token);
  }

  private reply<T>(call: string, defaultMs: number, o: CallOptions, start: Starter<T>): Promise<T> {
    return replyOf(call, o.metadata ?? this.metadata(), o.timeoutMs ?? defaultMs, o.signal, start);
  }

  /** Join; the reply's model configuration is decoded (BadReplyError when unusable). */
  async join(params: JoinParams, o: CallOptions = {}): Promise<Joined> {
    const request: JoinRequest = { protocolVersion: PROTOCOL_VERSION, ...params, clientId: this.options.clientId };
    const reply = await this.reply<JoinResponse__Output>('Join', RPC_DEADLINES_MS.join, o, (md, opts, cb) => this.channel.join(request, md, opts, cb));
    return { ...reply, modelConfig: modelConfigFromJoin(reply) };
  }

  /**
   * The task stream. Ends when the coordinator closes it (the run is complete) or its own
   * lifetime runs out; throws RpcError (e.g. NOT_FOUND when the session was replaced).
   */
  async *tasks(sessionId: string, o: TaskStreamOptions = {}): AsyncGenerator<TaskStreamEvent> {
    if (o.signal?.aborted) throw new CallAbortedError(`WaitTask not started: ${String(o.signal.reason)}`);
    const deadline = Date.now() + (o.streamMs ?? 600_000);
    const call = this.channel.waitTask({ sessionId }, o.metadata ?? this.metadata(), { deadline });
    const stop = cancelOnAbort(call, o.signal);
    try {
      for await (const event of call as AsyncIterable<TaskEvent__Output>) yield toStreamEvent(event);
    } catch (err) {
      const mapped = toCallError('WaitTask', err, o.signal);
      // Our own lifetime ran out: a normal end, the caller reopens the stream.
      if (mapped instanceof RpcError && mapped.status === grpc.status.DEADLINE_EXCEEDED && Date.now() >= deadline) return;
      throw mapped;
    } finally {
      stop();
      call.cancel();
    }
  }

  /** Downloads a round's tensors, each checked (CRC-32, name, shape, finite) as its chunks arrive. */
  download(request: DownloadTarget, expect: DownloadExpectation, o: CallOptions = {}): Promise<Downloaded> {
    if (o.signal?.aborted) return Promise.reject(new CallAbortedError(`Download not started: ${String(o.signal.reason)}`));
    const call = this.channel.download({ sessionId: request.sessionId, round: request.round, attempt: request.attempt ?? 0 }, o.metadata ?? this.metadata(), {
      deadline: Date.now() + (o.timeoutMs ?? RPC_DEADLINES_MS.download),
    });
    return readDownload(call, expect, o.signal, (bytes) => this.options.observe?.('received', bytes));
  }

  /** Submits an update: the header (tensor count and bytes filled in), then the tensors in chunks. */
  submit(header: SubmitHeader, tensors: readonly WireTensor[], o: CallOptions = {}): Promise<SubmitAck__Output> {
    return this.submitMessages(updateMessages(header, tensors), o);
  }

  /** Tells the coordinator this client cannot do a task: a Submit of a header with `failure` and no tensors. */
  reportFailure(report: FailureReport, o: CallOptions = {}): Promise<SubmitAck__Output> {
    const header = {
      sessionId: report.sessionId,
      round: report.round,
      attempt: report.attempt ?? 0,
      failure: report.failure || 'failed',
      diverged: report.diverged ?? false,
    };
    return this.submitMessages([{ header }], o);
  }

  /** A Submit of any message sequence, as given (tests send malformed or stalled ones on purpose). */
  async submitMessages(messages: Iterable<SubmitMessage> | AsyncIterable<SubmitMessage>, o: CallOptions = {}): Promise<SubmitAck__Output> {
    let written: Promise<number> = Promise.resolve(0);
    const ack = await this.reply<SubmitAck__Output>('Submit', RPC_DEADLINES_MS.submit, o, (md, opts, cb) => {
      const call = this.channel.submit(md, opts, cb);
      written = writeSubmit(call, messages);
      return call;
    });
    this.options.observe?.('sent', await written);
    return ack;
  }

  /** Liveness (unary). */
  heartbeat(request: HeartbeatRequest, o: CallOptions = {}): Promise<HeartbeatResponse__Output> {
    return this.reply('Heartbeat', RPC_DEADLINES_MS.heartbeat, o, (md, opts, cb) => this.channel.heartbeat(request, md, opts, cb));
  }

  /** Leave (unary, idempotent). */
  async leave(sessionId: string, reason: string, o: CallOptions = {}): Promise<void> {
    await this.reply('Leave', RPC_DEADLINES_MS.leave, o, (md, opts, cb) => this.channel.leave({ sessionId, reason }, md, opts, cb));
  }

  /** grpc.health.v1 Check of `service` ('' for the server as a whole) over the same channel. */
  async check(service = '', o: CallOptions = {}): Promise<ServingStatus> {
    const Ctor = loadHealthProtocol().grpc.health.v1.Health;
    this.health ??= new Ctor('unused', grpc.credentials.createInsecure(), { channelOverride: this.channel.getChannel() });
    const health = this.health;
    const reply = await replyOf<HealthCheckResponse__Output>(
      'Check',
      o.metadata ?? new grpc.Metadata(),
      o.timeoutMs ?? RPC_DEADLINES_MS.heartbeat,
      o.signal,
      (md, opts, cb) => health.check({ service }, md, opts, cb),
    );
    return reply.status as ServingStatus;
  }

  /** Closes the channel when this client opened it (a shared one is closed by its owner). */
  close(): void {
    if (this.owned) this.channel.close();
  }
}

function toStreamEvent(event: TaskEvent__Output): TaskStreamEvent {
  if (event.event === 'task' && event.task) return { kind: 'task', task: event.task };
  if (event.event === 'complete' && event.complete) return { kind: 'complete', complete: event.complete };
  return { kind: 'keep-alive', serverTimeUnixMs: event.keepAlive?.serverTimeUnixMs ?? 0 };
}
