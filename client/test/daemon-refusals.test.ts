/**
 * The daemon acts on the coordinator's precise reason, not on the status code alone: both refusals
 * below are FAILED_PRECONDITION, but only a protocol version the coordinator does not speak stops
 * the daemon (with a message that says so); another failed precondition is retried. In-memory
 * link and a real daemon, state directory and backoff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { createLogger } from '@flexmoe/shared';
import { PROTOCOL_VERSION } from '@flexmoe/proto';
import { ClientDaemon } from '../src/daemon/daemon';
import type { LocalData } from '../src/daemon/data';
import type { CoordinatorLink, JoinParams } from '../src/daemon/link';
import { CoordinatorError } from '../src/errors';
import { createClientMetrics } from '../src/observability/metrics';
import { StateDir } from '../src/state/state-dir';

/** A link whose Joins are refused with `refusals`, in order. */
function refusingLink(refusals: CoordinatorError[]): CoordinatorLink & { joins: number; versions: Array<number | undefined> } {
  const unused = (): Promise<never> => Promise.reject(new Error('not reached: every Join is refused'));
  const link = {
    joins: 0,
    versions: [] as Array<number | undefined>,
    join: (params: JoinParams) => {
      link.joins++;
      link.versions.push(params.protocolVersion);
      return Promise.reject(refusals.shift() ?? new Error('no more refusals'));
    },
    // eslint-disable-next-line require-yield -- never reached
    async *tasks() {
      await unused();
    },
    download: unused,
    submit: unused,
    reportFailure: unused,
    heartbeat: unused,
    leave: () => Promise.resolve(),
    close: () => undefined,
  };
  return link;
}

test('a protocol version the coordinator does not speak is asked again as version 1, then stops the daemon with a clear message; another failed precondition is retried', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-refusals-'));
  const versionRefusal = (v: number) =>
    new CoordinatorError(
      'precondition',
      status.FAILED_PRECONDITION,
      `Join: FAILED_PRECONDITION (ERROR_REASON_PROTOCOL_VERSION): protocol version ${v} not supported (coordinator speaks 3)`,
      { reason: 'ERROR_REASON_PROTOCOL_VERSION' },
    );
  try {
    const link = refusingLink([
      new CoordinatorError('precondition', status.FAILED_PRECONDITION, 'Join: FAILED_PRECONDITION (ERROR_REASON_PRECONDITION): not yet', {
        reason: 'ERROR_REASON_PRECONDITION',
      }),
      versionRefusal(PROTOCOL_VERSION),
      versionRefusal(1),
    ]);
    const daemon = new ClientDaemon({
      clientId: 'c0',
      capacity: 1,
      link,
      state: await StateDir.open(dir),
      data: { train: { n: 10 }, test: { n: 5 } } as unknown as LocalData,
      trainerFactory: () => Promise.reject(new Error('not reached: no session')),
      metrics: createClientMetrics(),
      logger: createLogger({ level: 'silent' }),
      backoff: { initialMs: 1, maxMs: 5, seed: 1 },
    });
    const exit = await daemon.run();
    // A coordinator that speaks only version 1 never sends a local optimizer: joining as 1 is exact.
    assert.deepEqual(link.versions, [PROTOCOL_VERSION, PROTOCOL_VERSION, 1], 'retried after the precondition; version 1 after the version refusal');
    assert.equal(exit.code, 2, 'a refusal of version 1 too is final');
    assert.match(exit.reason, /does not speak this daemon's protocol version 2/);
    assert.match(exit.reason, /coordinator speaks 3/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
