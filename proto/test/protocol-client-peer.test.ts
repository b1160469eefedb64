/**
 * The protocol client against a peer that misbehaves or predates newer fields, over real gRPC on
 * loopback: a chunk whose bytes do not match its CRC-32, a tensor that never arrives, a Join reply
 * with only the deprecated JSON model config, refusals carrying only the deprecated
 * `x-flexmoe-error` trailer or a malformed status-details trailer. The peer is a scripted server
 * of the flexmoe.v1 service: what is under test is the client's handling of what it receives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  BadReplyError,
  LEGACY_ERROR_KEY,
  ProtocolClient,
  RpcError,
  STATUS_DETAILS_KEY,
  decodeStatusDetails,
  encodeStatusDetails,
  loadProtocol,
  tensorToChunks,
  type CoordinatorHandlers,
  type TensorSpec,
} from '../src';

const SPEC: TensorSpec = { name: 'backbone.w', dtype: 'float32', shape: [4] };

function refusal(code: grpc.status, details: string, metadata: grpc.Metadata): Partial<grpc.ServiceError> {
  return { code, details, metadata };
}

/** The scripted peer: Download corrupts a byte after the header's CRC-32 was computed. */
function handlers(): Partial<CoordinatorHandlers> {
  return {
    Join: (_call, callback) =>
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated field is still sent and read for one version
      callback(null, { sessionId: 's1', protocolVersion: 1, modelConfigJson: JSON.stringify({ experts: 3, featureDim: 5 }), numExperts: 3 }),
    Download: (call) => {
      const [chunk] = tensorToChunks({ ...SPEC, data: new Float32Array([1, 2, 3, 4]) });
      const data = Buffer.from(chunk!.data as Uint8Array);
      data[0] = (data[0]! + 1) & 0xff;
      if (call.request.round === 1) call.write({ ...chunk, data });
      // Round 3: the peer never answers (the call's deadline ends it).
      if (call.request.round !== 3) call.end();
    },
    WaitTask: () => undefined, // silent: no task ever comes
    Heartbeat: (_call, callback) => {
      const md = new grpc.Metadata();
      md.set(LEGACY_ERROR_KEY, 'FLEXMOE_ERR_STALE_ROUND');
      callback(refusal(grpc.status.FAILED_PRECONDITION, 'round 3 is over', md));
    },
    Leave: (_call, callback) => {
      const md = new grpc.Metadata();
      md.set(STATUS_DETAILS_KEY, Buffer.from([0xff, 0xff, 0xff]));
      callback(refusal(grpc.status.FAILED_PRECONDITION, 'garbled details', md));
    },
  };
}

async function serve(): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  server.addService(loadProtocol().flexmoe.v1.Coordinator.service, handlers() as CoordinatorHandlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

test('status details: a reason survives the round trip; garbage decodes to nothing', () => {
  const bytes = encodeStatusDetails(grpc.status.FAILED_PRECONDITION, 'x', 'ERROR_REASON_PROTOCOL_VERSION', { code: 'FLEXMOE_ERR_PROTOCOL_VERSION' });
  assert.deepEqual(decodeStatusDetails(bytes), {
    reason: 'ERROR_REASON_PROTOCOL_VERSION',
    reasonText: 'ERROR_REASON_PROTOCOL_VERSION',
    metadata: { code: 'FLEXMOE_ERR_PROTOCOL_VERSION' },
  });
  assert.equal(decodeStatusDetails(Buffer.from([0xff, 0x01])), undefined);
  assert.equal(decodeStatusDetails(Buffer.alloc(0)), undefined, 'a status without details');
});

test('protocol client against a scripted peer: bad CRC, missing tensor, deadlines, legacy model config and reasons', async () => {
  const { server, address } = await serve();
  const client = new ProtocolClient({ channel: { address }, clientId: 'c' });
  try {
    const joined = await client.join({ capacity: 1, numSamples: 1 });
    assert.equal(joined.model, null, 'the peer predates the typed model config');
    assert.deepEqual(joined.modelConfig, { experts: 3, featureDim: 5 }, 'read from the deprecated JSON');

    await assert.rejects(
      client.download({ sessionId: 's1', round: 1 }, { specs: [SPEC] }),
      (err: unknown) => err instanceof BadReplyError && /checksum|CRC/i.test(err.message),
    );
    await assert.rejects(
      client.download({ sessionId: 's1', round: 2 }, { specs: [SPEC] }),
      (err: unknown) => err instanceof BadReplyError && /backbone\.w missing/.test(err.message),
    );
    assert.deepEqual((await client.download({ sessionId: 's1', round: 2 }, { specs: [SPEC], partial: true })).tensors, []);

    await assert.rejects(
      client.heartbeat({ sessionId: 's1' }),
      (err: unknown) => err instanceof RpcError && err.status === grpc.status.FAILED_PRECONDITION && err.reason === 'ERROR_REASON_STALE_ROUND',
    );
    await assert.rejects(
      client.leave('s1', 'bye'),
      (err: unknown) =>
        err instanceof RpcError &&
        err.status === grpc.status.FAILED_PRECONDITION &&
        err.reason === 'ERROR_REASON_UNSPECIFIED' &&
        err.details === 'garbled details',
    );

    await assert.rejects(
      client.download({ sessionId: 's1', round: 3 }, { specs: [SPEC] }, { timeoutMs: 200 }),
      (err: unknown) => err instanceof RpcError && err.status === grpc.status.DEADLINE_EXCEEDED,
    );
    const events = [];
    for await (const e of client.tasks('s1', { streamMs: 200 })) events.push(e);
    assert.deepEqual(events, [], 'a task stream whose own lifetime ran out ends normally');
  } finally {
    client.close();
    server.forceShutdown();
  }
});
