/**
 * A tiny client speaking the real flexmoe.v1 protocol over real gRPC, for coordinator tests:
 * join, task stream, download, and a Submit that can be made malformed on purpose.
 */
import * as grpc from '@grpc/grpc-js';
import {
  PROTOCOL_VERSION,
  METADATA_CLIENT_ID,
  METADATA_TOKEN,
  TensorAssembler,
  chunkTensors,
  loadHealthProtocol,
  loadProtocol,
  type CoordinatorClient,
  type JoinResponse__Output,
  type RoundTask__Output,
  type SubmitMessage,
  type TaskEvent__Output,
  type TensorChunk,
  type WireTensor,
} from '@flexmoe/proto';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';

/** A gRPC error as tests see it. */
export type CallError = grpc.ServiceError;

/** Options of a test client. */
export interface TestClientOptions {
  readonly address: string;
  readonly clientId: string;
  readonly token?: string;
  readonly credentials?: grpc.ChannelCredentials;
  readonly channelOptions?: grpc.ChannelOptions;
}

/** Waits for the next value of a push-based queue. */
class Queue<T> {
  private items: T[] = [];
  private waiters: Array<(v: T) => void> = [];
  push(v: T): void {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.items.push(v);
  }
  next(timeoutMs: number): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }
}

/** One simulated client. */
export class TestClient {
  readonly client: CoordinatorClient;
  session: JoinResponse__Output | undefined;
  model: MoEConfig | undefined;
  private stream: grpc.ClientReadableStream<TaskEvent__Output> | undefined;
  readonly events = new Queue<TaskEvent__Output | { error: grpc.ServiceError }>();

  constructor(private readonly o: TestClientOptions) {
    const Ctor = loadProtocol().flexmoe.v1.Coordinator;
    this.client = new Ctor(o.address, o.credentials ?? grpc.credentials.createInsecure(), o.channelOptions ?? {}) as CoordinatorClient;
  }

  /** Metadata with the client id and token (override to test authentication). */
  metadata(overrides: { clientId?: string | null; token?: string | null } = {}): grpc.Metadata {
    const md = new grpc.Metadata();
    const id = overrides.clientId === undefined ? this.o.clientId : overrides.clientId;
    const token = overrides.token === undefined ? this.o.token : overrides.token;
    if (id) md.set(METADATA_CLIENT_ID, id);
    if (token) md.set(METADATA_TOKEN, token);
    return md;
  }

  private deadline(ms = 10_000): grpc.CallOptions {
    return { deadline: Date.now() + ms };
  }

  /** Join; resolves with the response or rejects with the gRPC error. */
  join(params: { capacity: number; samples: number; replace?: boolean; md?: grpc.Metadata }): Promise<JoinResponse__Output> {
    const req = {
      clientId: this.o.clientId,
      protocolVersion: PROTOCOL_VERSION,
      capacity: params.capacity,
      numSamples: params.samples,
      numTestSamples: Math.ceil(params.samples / 4),
      device: { platform: 'linux', arch: 'x64', cpus: 1, totalMemoryBytes: 1e9, runtime: 'test', hostname: 'test' },
      replace: params.replace ?? false,
    };
    return new Promise((resolve, reject) =>
      this.client.join(req, params.md ?? this.metadata(), this.deadline(), (err, res) => {
        if (err) return reject(err);
        this.session = res!;
        this.model = defaultModelConfig(JSON.parse(res!.modelConfigJson));
        resolve(res!);
      }),
    );
  }

  /** Opens the task stream; events arrive in `events`. */
  subscribe(): void {
    this.stream = this.client.waitTask({ sessionId: this.session!.sessionId }, this.metadata(), this.deadline(600_000));
    this.stream.on('data', (e: TaskEvent__Output) => this.events.push(e));
    this.stream.on('error', (err: grpc.ServiceError) => this.events.push({ error: err }));
  }

  /** Next round task (skipping keep-alives). */
  async nextTask(timeoutMs = 30_000): Promise<RoundTask__Output> {
    for (;;) {
      const e = await this.events.next(timeoutMs);
      if ('error' in e) throw e.error;
      if (e.task) return e.task;
      if (e.complete) throw new Error('run complete');
    }
  }

  /** Downloads the tensors of `round`. */
  async download(round: number): Promise<Map<string, WireTensor>> {
    const call = this.client.download({ sessionId: this.session!.sessionId, round }, this.metadata(), this.deadline());
    const specs = new Map<string, { name: string; dtype: 'float32'; shape: readonly number[] }>();
    const model = this.model!;
    for (const s of backboneSpecs(model)) specs.set(s.name, { name: s.name, dtype: 'float32', shape: s.shape });
    for (let e = 0; e < model.experts; e++) for (const s of expertSpecs(model, e)) specs.set(s.name, { name: s.name, dtype: 'float32', shape: s.shape });
    const asm = new TensorAssembler({ expect: (n) => specs.get(n), maxBytes: 1e9 });
    for await (const chunk of call) asm.push(chunk);
    return asm.finish();
  }

  /** Sends raw Submit messages; resolves with the ack or rejects with the gRPC error. */
  submitRaw(messages: readonly SubmitMessage[]): Promise<{ accepted: boolean; round: number }> {
    return new Promise((resolve, reject) => {
      const call = this.client.submit(this.metadata(), this.deadline(), (err, ack) => (err ? reject(err) : resolve(ack!)));
      for (const m of messages) call.write(m);
      call.end();
    });
  }

  /** Liveness. */
  heartbeat(): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.client.heartbeat({ sessionId: this.session!.sessionId, phase: 'IDLE' }, this.metadata(), this.deadline(), (err, r) => (err ? reject(err) : resolve(r))),
    );
  }

  /** Closes the channel. */
  close(): void {
    this.stream?.cancel();
    this.client.close();
  }
}

/** A well-formed update for `task`: the downloaded tensors shifted by `shift`, plus statistics. */
export function makeUpdate(task: RoundTask__Output, tensors: ReadonlyMap<string, WireTensor>, samples: number, shift: number) {
  const updated: WireTensor[] = [...tensors.values()].map((t) => ({ ...t, data: (t.data as Float32Array).map((v) => v + shift) }));
  const header = {
    sessionId: '',
    round: task.round,
    numSamples: samples,
    expertStats: task.experts.map((e, i) => ({ expert: e, usage: Math.floor(samples / (i + 2)), accuracy: 0.5, loss: 1 })),
    train: { loss: 1, accuracy: 0.5, numSamples: samples },
    test: { loss: 1.1, accuracy: 0.4 + shift, numSamples: Math.ceil(samples / 4) },
    tensorCount: updated.length,
    totalBytes: updated.reduce((s, t) => s + t.data.byteLength, 0),
    trainSeconds: 0.1,
    downloadSeconds: 0.01,
  };
  return { header, tensors: updated };
}

/** The Submit messages of an update (header first, then chunks). */
export function submitMessages(sessionId: string, update: ReturnType<typeof makeUpdate>, mutate?: (chunks: TensorChunk[]) => void): SubmitMessage[] {
  const chunks = [...chunkTensors(update.tensors)];
  mutate?.(chunks);
  return [{ header: { ...update.header, sessionId } }, ...chunks.map((chunk) => ({ chunk }))];
}

/** grpc.health.v1 Check of a service. */
export function healthCheck(address: string, service = ''): Promise<string> {
  const Ctor = loadHealthProtocol().grpc.health.v1.Health;
  const client = new Ctor(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.check({ service }, { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!.status);
    }),
  );
}

/**
 * A well-behaved client: for each task, download, shift every tensor by `shift`, submit. Stops
 * after `rounds` tasks or when the run completes; returns the tasks it served.
 */
export async function serveRounds(c: TestClient, samples: number, shift: number, rounds: number): Promise<RoundTask__Output[]> {
  const served: RoundTask__Output[] = [];
  while (served.length < rounds) {
    let task: RoundTask__Output;
    try {
      task = await c.nextTask(60_000);
    } catch (err) {
      if ((err as Error).message === 'run complete') break;
      throw err;
    }
    const tensors = await c.download(task.round);
    const update = makeUpdate(task, tensors, samples, shift);
    await c.submitRaw(submitMessages(c.session!.sessionId, update));
    served.push(task);
  }
  return served;
}
