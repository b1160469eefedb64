/**
 * Loopback transfer probe for the system benchmark: a coordinator process with a wide backbone
 * and the shared protocol client downloading and submitting whole rounds through the real codec
 * (chunking, CRC-32, validation on both sides). Compared with raw TCP on the same loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { defaultModelConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';
import { ProtocolClient, type RoundTask__Output, type TensorSpec } from '@flexmoe/proto';

import { FLEXMOE_BIN as BIN } from '../paths';
const FEATURE_DIM = 2048;

/** Measured throughput. */
export interface TransferFigures {
  /** Download plus Submit (until its acknowledgement), both directions together. */
  readonly grpcMBs: number;
  readonly tcpMBs: number;
  readonly megabytes: number;
  /** Download alone (server stream, validated on arrival). */
  readonly downloadMBs: number;
  /**
   * Submit alone, until the acknowledgement arrives: includes the coordinator closing the round
   * (aggregation) when that runs before the acknowledgement leaves its event loop.
   */
  readonly submitMBs: number;
}

/** Seconds spent in each direction, with the bytes moved each way. */
interface RoundTripTimes {
  bytes: number;
  downloadSeconds: number;
  submitSeconds: number;
}

async function roundTrip(client: ProtocolClient, sessionId: string, task: RoundTask__Output): Promise<RoundTripTimes> {
  const t0 = performance.now();
  const cfg = defaultModelConfig({ featureDim: FEATURE_DIM });
  const specs: TensorSpec[] = [...backboneSpecs(cfg), ...task.experts.flatMap((e) => expertSpecs(cfg, e))].map((s) => ({
    name: s.name,
    dtype: 'float32',
    shape: s.shape,
  }));
  const { tensors, bytes } = await client.download({ sessionId, round: task.round, attempt: task.attempt }, { specs });
  const t1 = performance.now();
  const header = {
    sessionId,
    round: task.round,
    attempt: task.attempt,
    numSamples: 100,
    expertStats: task.experts.map((expert) => ({ expert, usage: 50, accuracy: 0.5, loss: 1 })),
    train: { loss: 1, accuracy: 0.5, numSamples: 100 },
    test: { loss: 1, accuracy: 0.5, numSamples: 20 },
  };
  await client.submit(header, tensors);
  return { bytes, downloadSeconds: (t1 - t0) / 1000, submitSeconds: (performance.now() - t1) / 1000 };
}

/** Moves about `megabytes` MB (down + up) through the protocol and the same through raw TCP. */
export async function measureTransfer(megabytes: number): Promise<TransferFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-transfer-'));
  const server = spawn(
    process.execPath,
    [
      BIN,
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--metrics-host',
      '127.0.0.1',
      '--data-dir',
      dir,
      '--rounds',
      '1000',
      '--min-clients',
      '1',
      '--insecure',
      '--feature-dim',
      String(FEATURE_DIM),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const client = await new Promise<ProtocolClient>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /grpc=[^:]+:(\d+)/.exec(out);
      if (m) resolve(new ProtocolClient({ channel: { address: `127.0.0.1:${m[1]}` }, clientId: 'probe' }));
    });
    server.on('exit', () => reject(new Error('transfer probe: coordinator exited')));
  });
  try {
    const join = await client.join({ capacity: 2, numSamples: 100 });
    const total: RoundTripTimes = { bytes: 0, downloadSeconds: 0, submitSeconds: 0 };
    // Leaving the loop closes the stream (the generator cancels its call).
    for await (const event of client.tasks(join.sessionId)) {
      if (event.kind !== 'task') continue;
      const times = await roundTrip(client, join.sessionId, event.task);
      total.bytes += times.bytes;
      total.downloadSeconds += times.downloadSeconds;
      total.submitSeconds += times.submitSeconds;
      if (2 * total.bytes >= megabytes * 1e6) break;
    }
    const moved = 2 * total.bytes;
    return {
      grpcMBs: moved / 1e6 / (total.downloadSeconds + total.submitSeconds),
      tcpMBs: await rawTcpMBs(moved),
      megabytes: moved / 1e6,
      downloadMBs: total.bytes / 1e6 / total.downloadSeconds,
      submitMBs: total.bytes / 1e6 / total.submitSeconds,
    };
  } finally {
    client.close();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw TCP loopback throughput for `bytes` (the transfer baseline). */
export async function rawTcpMBs(bytes: number): Promise<number> {
  const payload = Buffer.alloc(1 << 20, 7);
  return new Promise((resolve, reject) => {
    let received = 0;
    let t0 = 0;
    const server = net.createServer((socket) => {
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= bytes) {
          const seconds = (performance.now() - t0) / 1000;
          socket.destroy();
          server.close();
          resolve(bytes / 1e6 / seconds);
        }
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => {
        t0 = performance.now();
        (async () => {
          for (let sent = 0; sent < bytes; sent += payload.length) {
            if (!socket.write(payload)) await new Promise((r) => socket.once('drain', r));
          }
        })().catch(reject);
      });
      socket.on('error', () => undefined);
    });
  });
}
