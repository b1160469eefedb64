/**
 * Worker thread of a load generator: runs its share of the sessions (`runSessions`) and forwards
 * every event to the parent's recorder with the moment it happened. The parent posts 'stop' to
 * end the sessions; the worker answers with their outcomes and exits.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadEvents } from './recorder';
import { runSessions } from './sessions';
import type { WorkerInput, WorkerMessage } from './worker-pool';

const input = workerData as WorkerInput;
const port = parentPort!;
const post = (m: WorkerMessage): void => port.postMessage(m);

const events: LoadEvents = {
  task: (round, thinkMs) => post({ event: 'task', args: [round, thinkMs, Date.now()] }),
  drop: (round) => post({ event: 'drop', args: [round] }),
  downloaded: (round, bytes) => post({ event: 'downloaded', args: [round, bytes] }),
  accepted: (round, bytes) => post({ event: 'accepted', args: [round, bytes, Date.now()] }),
  refused: (round, code) => post({ event: 'refused', args: [round, code] }),
  error: (code) => post({ event: 'error', args: [code] }),
  joined: (rejoin) => post({ event: 'joined', args: [rejoin] }),
  fatal: () => post({ event: 'fatal', args: [] }),
};

const abort = new AbortController();
setMaxListeners(0, abort.signal);
port.on('message', (m: unknown) => m === 'stop' && abort.abort());

runSessions(input.address, input.profiles, input.channels, input.settings, events, abort.signal).then(
  (outcomes) => {
    post({ outcomes });
    port.close();
  },
  (err: unknown) => {
    post({ failed: err instanceof Error ? err.message : String(err) });
    port.close();
  },
);
