import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { defaultModelConfig } from '@flexmoe/shared';
import { createLogger } from '@flexmoe/shared';
import type { CoordinatorLink, Session, TaskEvent } from '../../src/daemon/link';
import { SessionRunner, type SessionDeps } from '../../src/daemon/session';

const session: Session = {
  sessionId: 's',
  model: defaultModelConfig({ experts: 4, featureDim: 8, expertHidden: 4 }),
  run: { runId: 'r', totalRounds: 1, completedRounds: 1, strategy: 'flexmoe', seed: 1 },
  heartbeatIntervalMs: 60_000,
  capacity: 2,
};

/** An in-memory link whose task stream reports the run complete at once: a session that ends immediately. */
function completingLink(): CoordinatorLink {
  const refuse = (): Promise<never> => Promise.reject(new Error('not used by a session that completes at once'));
  return {
    join: refuse,
    async *tasks(): AsyncIterable<TaskEvent> {
      yield { kind: 'complete', completedRounds: 1, finalAccuracy: 0.5 };
    },
    download: refuse,
    submit: refuse,
    reportFailure: refuse,
    heartbeat: refuse,
    leave: () => Promise.resolve(),
    close: () => undefined,
  };
}

test('sessions do not leave listeners on the daemon stop signal (a daemon rejoins for weeks)', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const stop = new AbortController();
    // Only what a session that completes at once touches; the rest of the round context is unused.
    const deps = { link: completingLink(), logger: createLogger({ level: 'silent' }) } as unknown as SessionDeps;
    for (let i = 0; i < 30; i++) {
      const end = await new SessionRunner(session, deps, stop.signal).run();
      assert.equal(end.kind, 'complete');
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0, `after session ${i + 1}`);
    }
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  } finally {
    process.off('warning', onWarning);
  }
});
