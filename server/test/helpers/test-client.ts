/**
 * Test fixtures around the shared protocol client (the one the daemon and the load generator
 * use): a client that collects its task events in a queue, a well-formed update for a task, the
 * Submit messages of an update (which tests corrupt on purpose), and a well-behaved serving loop.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  ProtocolClient,
  chunkTensors,
  identityMetadata,
  type Joined,
  type RoundTask__Output,
  type ServingStatus,
  type SubmitAck__Output,
  type SubmitMessage,
  type TaskStreamEvent,
  type TensorChunk,
  type TensorSpec,
  type WireTensor,
} from '@flexmoe/proto';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';

/** Options of a test client. */
export interface TestClientOptions {
  readonly address: string;
  readonly clientId: string;
  readonly token?: string;
  readonly credentials?: grpc.ChannelCredentials;
  readonly channelOptions?: grpc.ChannelOptions;
  /** Sees every tensor chunk's bytes as they go out or come in. */
  readonly observe?: (direction: 'sent' | 'received', bytes: number) => void;
}

/** Waits for the next value of a push-based queue. */
class Queue<T> {
  private items: T[] = [];
  private waiters: ((v: T) => void)[] = [];
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

/** One client of the coordinator under test. */
export class TestClient {
  readonly protocol: ProtocolClient;
  session: Joined | undefined;
  model: MoEConfig | undefined;
  readonly events = new Queue<TaskStreamEvent | { error: unknown }>();
  private readonly stop = new AbortController();

  constructor(private readonly o: TestClientOptions) {
    this.protocol = new ProtocolClient({
      channel: { address: o.address, credentials: o.credentials, options: o.channelOptions },
      clientId: o.clientId,
      token: o.token,
      observe: o.observe,
    });
  }

  /** Metadata with the client id and token; `null` leaves one out (tests of authentication). */
  metadata(overrides: { clientId?: string | null; token?: string | null } = {}): grpc.Metadata {
    const id = overrides.clientId === undefined ? this.o.clientId : overrides.clientId;
    const token = overrides.token === undefined ? this.o.token : overrides.token;
    return identityMetadata(id ?? undefined, token ?? undefined);
  }

  /** Join; resolves with the reply or rejects with the RpcError. */
  async join(params: { capacity: number; samples: number; replace?: boolean; md?: grpc.Metadata }): Promise<Joined> {
    const device = { platform: 'linux', arch: 'x64', cpus: 1, totalMemoryBytes: 1e9, runtime: 'test', hostname: 'test' };
    const reply = await this.protocol.join(
      { capacity: params.capacity, numSamples: params.samples, numTestSamples: Math.ceil(params.samples / 4), device, replace: params.replace ?? false },
      { metadata: params.md },
    );
    this.session = reply;
    this.model = defaultModelConfig(reply.modelConfig as Partial<MoEConfig>);
    return reply;
  }

  /** Opens the task stream; its events (and its error, if it fails) arrive in `events`. */
  subscribe(): void {
    const stream = this.protocol.tasks(this.session!.sessionId, { signal: this.stop.signal });
    (async () => {
      for await (const event of stream) this.events.push(event);
    })().catch((err: unknown) => {
      this.events.push({ error: err });
    });
  }

  /** Next round task (skipping keep-alives). */
  async nextTask(timeoutMs = 30_000): Promise<RoundTask__Output> {
    for (;;) {
      const e = await this.events.next(timeoutMs);
      if ('error' in e) throw e.error;
      if (e.kind === 'task') return e.task;
      if (e.kind === 'complete') throw new Error('run complete');
    }
  }

  /** Downloads the tensors of `round` (any of the model's experts may arrive). */
  async download(round: number, attempt = 0, signal?: AbortSignal): Promise<Map<string, WireTensor>> {
    const model = this.model!;
    const specs: TensorSpec[] = [...backboneSpecs(model), ...Array.from({ length: model.experts }, (_, e) => expertSpecs(model, e)).flat()].map((s) => ({
      name: s.name,
      dtype: 'float32',
      shape: s.shape,
    }));
    const got = await this.protocol.download({ sessionId: this.session!.sessionId, round, attempt }, { specs, partial: true }, { signal });
    return new Map(got.byName);
  }

  /** Sends Submit messages as given; resolves with the ack or rejects with the RpcError. */
  submitRaw(messages: Iterable<SubmitMessage> | AsyncIterable<SubmitMessage>, timeoutMs?: number): Promise<SubmitAck__Output> {
    return this.protocol.submitMessages(messages, { timeoutMs });
  }

  /** Liveness. */
  heartbeat(): Promise<unknown> {
    return this.protocol.heartbeat({ sessionId: this.session!.sessionId, phase: 'IDLE' });
  }

  /** Ends the task stream and closes the channel. */
  close(): void {
    this.stop.abort(new Error('test client closed'));
    this.protocol.close();
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
export async function healthCheck(address: string, service = ''): Promise<ServingStatus> {
  const client = new ProtocolClient({ channel: { address }, clientId: 'health-check' });
  try {
    return await client.check(service, { timeoutMs: 5000 });
  } finally {
    client.close();
  }
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
