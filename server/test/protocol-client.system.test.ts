/**
 * The shared protocol client against a real coordinator process over real gRPC on loopback:
 * every RPC with identity and deadlines, typed refusals whose reason tells a stale round from a
 * wrong protocol version (both FAILED_PRECONDITION), the model config as a typed message, a
 * download verified and shared through a tensor store, and a task stream that ends on its own
 * lifetime or on abort.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';
import {
  CallAbortedError,
  ProtocolClient,
  RpcError,
  type ErrorReasonName,
  type JoinParams,
  type RoundTask__Output,
  type TaskStreamEvent,
  type TensorData,
  type TensorSpec,
  type VerifiedTensorStore,
} from '@flexmoe/proto';
import { startServer, stopProcess } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];
const JOIN: JoinParams = {
  capacity: 2,
  numSamples: 100,
  numTestSamples: 25,
  device: { platform: 'linux', arch: 'x64', cpus: 1, totalMemoryBytes: 1, runtime: 'test', hostname: 'test' },
};

/** The simplest store: every verified tensor by name and checksum. */
class MapStore implements VerifiedTensorStore {
  readonly entries = new Map<string, TensorData>();
  get(spec: TensorSpec, crc32: number): TensorData | undefined {
    return this.entries.get(`${spec.name}|${crc32}`);
  }
  put(spec: TensorSpec, crc32: number, data: TensorData): void {
    this.entries.set(`${spec.name}|${crc32}`, data);
  }
}

function specsOf(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  return [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))].map((s) => ({ name: s.name, dtype: 'float32', shape: s.shape }));
}

async function refusal(p: Promise<unknown>, status: Status, reason: ErrorReasonName, call: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RpcError, String(err));
    assert.equal(err.call, call);
    assert.equal(Status[err.status], Status[status], err.message);
    assert.equal(err.reason, reason, err.message);
    return true;
  });
}

/** The next task of a stream, leaving the stream open (a `for await` that returns would close it). */
async function nextTask(events: AsyncIterator<TaskStreamEvent>): Promise<RoundTask__Output> {
  for (;;) {
    const next = await events.next();
    if (next.done) throw new Error('task stream ended without a task');
    if (next.value.kind === 'task') return next.value.task;
  }
}

test('protocol client: every RPC, typed refusals with reasons, typed model config, verified downloads', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-protocol-client-'));
  const tokens = join(dir, 'tokens.txt');
  writeFileSync(tokens, 'a ta\nb tb\n');
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--tokens',
    tokens,
    '--rounds',
    '1',
    '--min-clients',
    '1',
    '--min-available',
    '2',
    '--round-deadline',
    '60',
    ...SMALL_MODEL,
  ]);
  const received = { a: 0, sent: 0 };
  const a = new ProtocolClient({
    channel: { address: server.address },
    clientId: 'a',
    token: 'ta',
    observe: (d, n) => (d === 'received' ? (received.a += n) : (received.sent += n)),
  });
  const b = new ProtocolClient({ channel: { address: server.address }, clientId: 'b', token: 'tb' });
  const intruder = new ProtocolClient({ channel: { address: server.address }, clientId: 'b', token: 'wrong' });
  let streamB: AsyncGenerator<TaskStreamEvent> | undefined;
  try {
    assert.equal(await a.check(), 'SERVING');
    assert.equal(await a.check('flexmoe.v1.Coordinator'), 'SERVING');
    await refusal(a.join({ ...JOIN, protocolVersion: 99 }), Status.FAILED_PRECONDITION, 'ERROR_REASON_PROTOCOL_VERSION', 'Join');
    await refusal(intruder.join(JOIN), Status.UNAUTHENTICATED, 'ERROR_REASON_UNAUTHENTICATED', 'Join');

    const ja = await a.join(JOIN);
    assert.ok(ja.model, 'the coordinator sends the typed model config');
    const model = defaultModelConfig(ja.modelConfig as Partial<MoEConfig>);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated field is still sent and read for one version
    assert.deepEqual(model, defaultModelConfig(JSON.parse(ja.modelConfigJson) as Partial<MoEConfig>), 'typed message and deprecated JSON agree');
    assert.deepEqual([model.experts, model.featureDim, model.classes, [...model.inputShape]], [4, 8, 3, [1, 6, 6]]);

    // Before the round (it needs two clients available): a stream ends normally when its own lifetime runs out, and on abort.
    const idle = [];
    for await (const e of a.tasks(ja.sessionId, { streamMs: 300 })) idle.push(e);
    assert.deepEqual(idle, []);
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('test stops')), 200);
    await assert.rejects(nextTask(a.tasks(ja.sessionId, { signal: abort.signal })), CallAbortedError);
    await refusal(a.heartbeat({ sessionId: 'no-such-session', phase: 'IDLE' }), Status.NOT_FOUND, 'ERROR_REASON_UNKNOWN_SESSION', 'Heartbeat');

    const streamA = a.tasks(ja.sessionId);
    const taskA = nextTask(streamA);
    const jb = await b.join(JOIN);
    streamB = b.tasks(jb.sessionId);
    const [ta, tb] = await Promise.all([taskA, nextTask(streamB)]);
    assert.equal((await a.heartbeat({ sessionId: ja.sessionId, phase: 'DOWNLOADING', round: ta.round })).currentRound, ta.round);

    const store = new MapStore();
    const da = await a.download({ sessionId: ja.sessionId, round: ta.round, attempt: ta.attempt }, { specs: specsOf(model, ta.experts), store });
    const db = await b.download({ sessionId: jb.sessionId, round: tb.round, attempt: tb.attempt }, { specs: specsOf(model, tb.experts), store });
    assert.deepEqual(
      da.tensors.map((t) => t.name),
      specsOf(model, ta.experts).map((s) => s.name),
      'every tensor, in spec order',
    );
    assert.equal(received.a, da.bytes);
    const backbone = backboneSpecs(model)[0]!.name;
    assert.equal(db.byName.get(backbone)!.data, da.byName.get(backbone)!.data, "b's verified backbone is the stored one, not a copy");

    // Same status as a wrong protocol version, another reason: a stale round.
    const shifted = da.tensors.map((t) => ({ ...t, data: (t.data as Float32Array).map((v) => v + 0.01) }));
    const header = {
      sessionId: ja.sessionId,
      round: ta.round + 5,
      attempt: ta.attempt,
      numSamples: 100,
      expertStats: ta.experts.map((e) => ({ expert: e, usage: 50, accuracy: 0.5, loss: 1 })),
      train: { loss: 1, accuracy: 0.5, numSamples: 100 },
      test: { loss: 1, accuracy: 0.5, numSamples: 25 },
    };
    await refusal(a.submit(header, shifted), Status.FAILED_PRECONDITION, 'ERROR_REASON_STALE_ROUND', 'Submit');
    received.sent = 0;
    const ack = await a.submit({ ...header, round: ta.round }, shifted);
    assert.deepEqual([ack.accepted, ack.round, ack.bytesReceived], [true, ta.round, da.bytes]);
    assert.equal(received.sent, da.bytes);
    const failure = await b.reportFailure({ sessionId: jb.sessionId, round: tb.round, attempt: tb.attempt, failure: 'test: cannot train' });
    assert.equal(failure.round, tb.round);

    // The round is over (one update, one failure, quorum 1): the run of one round is complete.
    const rest = [];
    for (let e = await streamA.next(); !e.done; e = await streamA.next()) rest.push(e.value.kind);
    assert.deepEqual(
      rest.filter((k) => k !== 'keep-alive'),
      ['complete'],
    );
    await a.leave(ja.sessionId, 'done');
    await a.leave(ja.sessionId, 'done again');
  } finally {
    await streamB?.return(undefined);
    for (const c of [a, b, intruder]) c.close();
    await stopProcess(server, 'SIGKILL');
  }
});
