/**
 * A small real fleet for attack tests: a coordinator process, honest `flexmoe client` daemons
 * training on shards of Fashion-MNIST, and optionally an attacker peer built on the protocol
 * (TestClient) that answers every task with a poisoned update.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoundTask__Output, WireTensor } from '@flexmoe/proto';
import { REPO_ROOT, getStatus, startServer, stopProcess, waitForStatus, type ServerProcess } from './processes';
import { TestClient, makeUpdate, submitMessages } from './test-client';

const BIN = join(REPO_ROOT, 'bin', 'flexmoe.js');

/** What the attacker does with the downloaded tensors of its task. */
export interface Attack {
  /** Declared at join. */
  readonly declaredSamples: number;
  /** Claimed in every Submit. */
  readonly claimedSamples: number;
  poison: (value: number) => number;
}

/** The outcome of a fleet run. */
export interface FleetRun {
  /** Mean final-round test accuracy of the honest clients (self-reported by honest daemons). */
  readonly honestAccuracy: number;
  /** /api/status at the end. */
  readonly status: any;
  readonly logs: string;
}

/** Honest client ids of the attack fleet. */
export const HONEST = ['honest-0', 'honest-1', 'honest-2'];

/**
 * Runs `rounds` rounds with the three honest daemons (shards 0..2 of 4) and, when given, the
 * attacker; resolves once the coordinator finished.
 */
export async function runAttackFleet(rounds: number, attack: Attack | undefined, extraServerArgs: string[] = []): Promise<FleetRun> {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-attack-'));
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--rounds',
    String(rounds),
    '--min-clients',
    '3',
    '--min-available',
    String(attack ? 4 : 3),
    '--seed',
    '7',
    '--round-deadline',
    '120',
    '--keep-serving',
    '--log-level',
    'info',
    ...extraServerArgs,
  ]);
  const clients: ChildProcess[] = HONEST.map((id, i) =>
    spawn(
      process.execPath,
      [
        BIN,
        'client',
        '--server',
        server.address,
        '--id',
        id,
        '--data',
        'fashion-mnist',
        '--partition',
        'dirichlet:0.3',
        '--shard',
        `${i}/4`,
        '--seed',
        '7',
        '--capacity',
        '2',
        '--max-samples',
        '1500',
        '--state-dir',
        join(dir, id),
        '--log-level',
        'warn',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', openSync(join(dir, `${id}.log`), 'w')] },
    ),
  );
  const attacker = attack ? new TestClient({ address: server.address, clientId: 'mallory' }) : undefined;
  try {
    const attacking = attacker ? attackLoop(attacker, attack!) : Promise.resolve();
    const status = await waitForStatus(server.metricsPort, (s) => s.state === 'finished', 240_000);
    await attacking.catch(() => undefined);
    const last = status.history[status.history.length - 1];
    const accs = HONEST.map((id) => last.clientAccuracy[id] as number);
    return { honestAccuracy: accs.reduce((a, b) => a + b, 0) / accs.length, status, logs: server.logs() };
  } finally {
    attacker?.close();
    for (const c of clients) c.kill('SIGKILL');
    await stopProcess(server, 'SIGKILL');
  }
}

async function attackLoop(c: TestClient, attack: Attack): Promise<void> {
  await c.join({ capacity: 2, samples: attack.declaredSamples });
  c.subscribe();
  for (;;) {
    let task: RoundTask__Output;
    try {
      task = await c.nextTask(240_000);
    } catch {
      return; // run complete or stream closed
    }
    const tensors = await c.download(task.round);
    const poisoned = new Map<string, WireTensor>([...tensors].map(([n, t]) => [n, { ...t, data: (t.data as Float32Array).map(attack.poison) }]));
    const update = makeUpdate(task, poisoned, attack.claimedSamples, 0);
    update.header.test = { loss: 0.1, accuracy: 0.95, numSamples: attack.claimedSamples };
    await c.submitRaw(submitMessages(c.session!.sessionId, update)).catch(() => undefined);
  }
}

export { getStatus, type ServerProcess };
