/**
 * The gRPC edge of the coordinator: authenticates every call, turns the protocol's messages into
 * Coordinator requests and back, streams tensors in chunks with backpressure, and maps every
 * error to its status through `toGrpcStatus`. The only module besides health/credentials that
 * knows grpc-js.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@flexmoe/shared';
import {
  CHANNEL_OPTIONS,
  CONNECTION_WINDOW_BYTES,
  COORDINATOR_SERVICE,
  FLOW_CONTROL_WINDOW_BYTES,
  KEEPALIVE_EVENT_MS,
  MAX_MESSAGE_BYTES,
  TensorAssembler,
  loadHealthProtocol,
  taskOptimizerToWire,
  loadProtocol,
  type CoordinatorHandlers,
  type SubmitMessage__Output,
  type SubmitAck,
  type DownloadRequest__Output,
  type TensorChunk,
  type TaskEvent,
  type WaitTaskRequest__Output,
} from '@flexmoe/proto';
import { InvalidArgumentError, FlexMoEError } from '@flexmoe/shared';
import type { Coordinator, SubmitContext } from '../coordinator/coordinator';
import { ClientFailureError, DrainingError, StaleRoundError, UnknownSessionError } from '../errors';

/** HTTP/2 streams one connection may hold open at once. */
export const MAX_CONCURRENT_STREAMS = 1024;

/** Time a Submit stream has to send its header. */
const SUBMIT_HEADER_MS = 30_000;
import type { SessionEvent } from '../registry/session-proxy';
import { authenticate, type AuthOptions } from './auth';
import { withReusedResponseEncoding } from './encoded-chunks';
import { widenServerFlowControl } from './flow-control';
import { HealthService } from './health';
import { toGrpcStatus } from './status';

/** Transport options. */
export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly credentials: grpc.ServerCredentials;
  readonly auth: AuthOptions;
  readonly logger: Logger;
}

/** A running gRPC server bound to a port. */
export interface RunningGrpcServer {
  readonly port: number;
  readonly health: HealthService;
  /** Download handlers still running (each holds its round's chunks). */
  readonly downloadsInFlight: number;
  /** NOT_SERVING, refuse new work, close task streams with UNAVAILABLE, then shut down. */
  stop(graceMs: number): Promise<void>;
}

const RESULT_BY_CODE: Readonly<Record<string, string>> = {
  FLEXMOE_ERR_CHECKSUM: 'checksum',
  FLEXMOE_ERR_SHAPE: 'shape',
  FLEXMOE_ERR_NON_FINITE: 'non_finite',
  FLEXMOE_ERR_TOO_LARGE: 'too_large',
  FLEXMOE_ERR_STALE_ROUND: 'stale',
  FLEXMOE_ERR_UNAUTHENTICATED: 'unauthenticated',
  FLEXMOE_ERR_UNKNOWN_SESSION: 'unknown_session',
  FLEXMOE_ERR_DRAINING: 'draining',
  FLEXMOE_ERR_INVALID_ARGUMENT: 'invalid',
};

function resultLabel(err: unknown): string {
  return err instanceof FlexMoEError ? (RESULT_BY_CODE[err.code] ?? 'invalid') : 'error';
}

function toTaskEvent(e: Exclude<SessionEvent, { kind: 'closed' }>): TaskEvent {
  if (e.kind === 'complete') return { complete: { completedRounds: e.completedRounds, finalAccuracy: e.finalAccuracy } };
  const t = e.task;
  return {
    task: {
      round: t.round,
      experts: [...t.experts],
      learningRate: t.learningRate,
      localOptimizer: taskOptimizerToWire(t.optimizer),
      batchSize: t.batchSize,
      localEpochs: t.localEpochs,
      deadlineUnixMs: t.deadlineUnixMs,
      routingTopK: t.routingTopK,
      seed: t.seed,
      attempt: t.attempt,
    },
  };
}

/** Builds the Coordinator service handlers around `coordinator`. */
function coordinatorHandlers(
  coordinator: Coordinator,
  o: GrpcServerOptions,
  streams: Set<grpc.ServerWritableStream<WaitTaskRequest__Output, TaskEvent>>,
  downloads: Set<DownloadCall>,
): CoordinatorHandlers {
  const log = o.logger;
  const unary =
    <Req, Res>(name: string, fn: (clientId: string, req: Req) => Res): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      try {
        callback(null, fn(authenticate(call, o.auth), call.request));
      } catch (err) {
        log.warn({ rpc: name, err: (err as Error).message }, 'call refused');
        callback(toGrpcStatus(err));
      }
    };
  return {
    Join: unary('Join', (clientId, req) => coordinator.join(clientId, req as never)),
    Heartbeat: unary('Heartbeat', (clientId, req: { sessionId: string; phase: string }) => ({
      ...coordinator.heartbeat(clientId, req.sessionId, req.phase),
      serverTimeUnixMs: Date.now(),
    })),
    Leave: unary('Leave', (clientId, req: { sessionId: string; reason: string }) => {
      coordinator.leave(clientId, req.sessionId, req.reason);
      return {};
    }),
    WaitTask: (call) => waitTask(coordinator, o, streams, call),
    Download: (call) => {
      downloads.add(call);
      download(coordinator, o, call)
        .catch((err: unknown) => o.logger.error({ err }, 'download failed'))
        .finally(() => downloads.delete(call));
    },
    Submit: (call, callback) => submit(coordinator, o, call, callback),
  };
}

function waitTask(
  coordinator: Coordinator,
  o: GrpcServerOptions,
  streams: Set<grpc.ServerWritableStream<WaitTaskRequest__Output, TaskEvent>>,
  call: grpc.ServerWritableStream<WaitTaskRequest__Output, TaskEvent>,
): void {
  let unsubscribe: (() => void) | undefined;
  const keepAlive = setInterval(() => call.write({ keepAlive: { serverTimeUnixMs: Date.now() } }), KEEPALIVE_EVENT_MS);
  const cleanup = () => {
    clearInterval(keepAlive);
    streams.delete(call);
    unsubscribe?.();
    unsubscribe = undefined;
  };
  call.on('cancelled', cleanup);
  call.on('close', cleanup);
  try {
    const clientId = authenticate(call, o.auth);
    streams.add(call);
    unsubscribe = coordinator.subscribe(clientId, call.request.sessionId, (event) => {
      if (event.kind === 'closed') {
        // A replaced or expired session's stream ends now instead of lingering with its timer.
        cleanup();
        const stopping = coordinator.state === 'draining' || coordinator.state === 'stopped';
        call.emit('error', toGrpcStatus(stopping ? new DrainingError('coordinator shutting down') : new UnknownSessionError(`session ended: ${event.reason}`)));
        return;
      }
      call.write(toTaskEvent(event));
      if (event.kind === 'complete') {
        cleanup();
        call.end();
      }
    });
  } catch (err) {
    cleanup();
    o.logger.warn({ rpc: 'WaitTask', err: (err as Error).message }, 'call refused');
    call.emit('error', toGrpcStatus(err));
  }
}

type DownloadCall = grpc.ServerWritableStream<DownloadRequest__Output, TensorChunk>;

/**
 * Resolves true when `call` drains, false when it ends first: a cancelled grpc-js stream is
 * destroyed and never emits 'drain', and waiting for it would hold the round's chunks forever.
 */
function drainedOrEnded(call: DownloadCall): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (drained: boolean) => () => {
      call.off('drain', onDrain).off('cancelled', onEnd).off('close', onEnd).off('error', onEnd);
      resolve(drained);
    };
    const onDrain = settle(true);
    const onEnd = settle(false);
    call.once('drain', onDrain).once('cancelled', onEnd).once('close', onEnd).once('error', onEnd);
  });
}

async function download(coordinator: Coordinator, o: GrpcServerOptions, call: DownloadCall): Promise<void> {
  try {
    const clientId = authenticate(call, o.auth);
    // Chunks (with their CRC-32) are built once per round and shared by every client of the round.
    const chunks = coordinator.downloadChunks(clientId, call.request.sessionId, call.request.round, call.request.attempt);
    for (const chunk of chunks) {
      if (call.cancelled || call.destroyed) return;
      if (!call.write(chunk) && !(await drainedOrEnded(call))) return;
    }
    call.end();
  } catch (err) {
    o.logger.warn({ rpc: 'Download', err: (err as Error).message }, 'call refused');
    call.emit('error', toGrpcStatus(err));
  }
}

function submit(
  coordinator: Coordinator,
  o: GrpcServerOptions,
  call: grpc.ServerReadableStream<SubmitMessage__Output, SubmitAck>,
  callback: grpc.sendUnaryData<SubmitAck>,
): void {
  let clientId = 'unknown';
  let ctx: SubmitContext | undefined;
  let assembler: TensorAssembler | undefined;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const fail = (err: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    ctx?.release();
    assembler = undefined; // the partial tensors go now, not when the stream object does
    coordinator.rejectUpdate(clientId, resultLabel(err), (err as Error).message);
    callback(toGrpcStatus(err));
  };
  // A Submit is bounded in time: its header within SUBMIT_HEADER_MS, its tensors by the task's
  // deadline. A stalled stream is ended then and its buffers dropped.
  timer = setTimeout(() => fail(new StaleRoundError('no SubmitHeader in time')), SUBMIT_HEADER_MS);
  call.on('close', () => clearTimeout(timer));
  try {
    clientId = authenticate(call, o.auth);
  } catch (err) {
    fail(err);
    return;
  }
  call.on('cancelled', () => fail(new ClientFailureError('Submit cancelled by the client')));
  call.on('data', (msg: SubmitMessage__Output) => {
    if (done) return;
    try {
      if (msg.header) {
        if (ctx) throw new InvalidArgumentError('second SubmitHeader in one Submit');
        if (msg.header.failure) {
          const reason = coordinator.reportFailure(clientId, msg.header);
          done = true;
          clearTimeout(timer);
          callback(null, { accepted: false, round: msg.header.round, bytesReceived: 0, message: `failure recorded: ${reason}` });
          return;
        }
        ctx = coordinator.beginSubmit(clientId, msg.header);
        clearTimeout(timer);
        const left = ctx.plan.task.deadlineUnixMs - Date.now();
        timer = setTimeout(() => fail(new StaleRoundError(`round ${ctx!.plan.task.round} deadline passed with the Submit still open`)), Math.max(0, left));
        const specs = ctx.plan.specs;
        assembler = new TensorAssembler({ expect: (n) => specs.get(n), maxBytes: ctx.plan.expectedBytes });
      } else if (msg.chunk) {
        if (!assembler) throw new InvalidArgumentError('tensor chunk before the SubmitHeader');
        assembler.push(msg.chunk);
      }
    } catch (err) {
      fail(err);
    }
  });
  call.on('end', () => {
    if (done) return;
    try {
      if (!ctx || !assembler) throw new InvalidArgumentError('Submit ended without a SubmitHeader');
      const tensors = assembler.finish();
      clearTimeout(timer);
      coordinator.finishSubmit(ctx, tensors, assembler.receivedBytes);
      done = true;
      ctx.release();
      callback(null, { accepted: true, round: ctx.plan.task.round, bytesReceived: assembler.receivedBytes, message: 'ok' });
    } catch (err) {
      fail(err);
    }
  });
  call.on('error', (err) => fail(err));
}

/** Starts the gRPC server (coordinator + health) and resolves with the bound port. */
export async function startGrpcServer(coordinator: Coordinator, o: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    ...CHANNEL_OPTIONS,
    // One connection cannot hold more streams than this (a session needs about four at a time;
    // the load generator multiplexes up to a few hundred sessions on one connection).
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  });
  if (!widenServerFlowControl(server, FLOW_CONTROL_WINDOW_BYTES, CONNECTION_WINDOW_BYTES)) {
    o.logger.warn({ windowBytes: FLOW_CONTROL_WINDOW_BYTES }, 'grpc server flow-control window left at the http2 default');
  }
  const health = new HealthService([COORDINATOR_SERVICE]);
  const streams = new Set<grpc.ServerWritableStream<WaitTaskRequest__Output, TaskEvent>>();
  const downloads = new Set<DownloadCall>();
  // Download chunks are the same objects for every client of a round: encode each once.
  const service = withReusedResponseEncoding(loadProtocol().flexmoe.v1.Coordinator.service, 'Download');
  server.addService(service, coordinatorHandlers(coordinator, o, streams, downloads));
  server.addService(loadHealthProtocol().grpc.health.v1.Health.service, health.handlers());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, o.credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    health,
    get downloadsInFlight() {
      return downloads.size;
    },
    stop: async (graceMs: number) => {
      health.setAll('NOT_SERVING');
      const draining = toGrpcStatus(new DrainingError('coordinator shutting down'));
      for (const s of streams) s.emit('error', draining);
      streams.clear();
      health.closeWatchers();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
