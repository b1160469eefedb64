/**
 * Writing a completed round down: the history line and the checkpoint. A failed write is logged,
 * not thrown: the round stays completed in memory and the next checkpoint covers it.
 */
import type { Logger } from '@flexmoe/shared';
import type { RoundRecord } from '../rounds/history';
import type { RunHistory } from '../rounds/run-history';
import { writeCheckpoint, type Checkpoint } from '../state/checkpoint';

/** Appends the round to history.jsonl; logs a failure. */
export function appendLogged(history: RunHistory, r: RoundRecord, log: Logger): void {
  try {
    history.append(r);
  } catch (err) {
    log.error({ round: r.round, err: (err as Error).message }, 'history append failed');
  }
}

/** Writes a checkpoint into `dataDir`; logs the file or the failure. */
export function checkpointLogged(dataDir: string, checkpoint: Checkpoint, log: Logger): void {
  const round = checkpoint.state.completedRounds;
  try {
    const file = writeCheckpoint(dataDir, checkpoint);
    log.info({ round, file }, 'checkpoint written');
  } catch (err) {
    log.error({ round, err: (err as Error).message }, 'checkpoint failed');
  }
}
