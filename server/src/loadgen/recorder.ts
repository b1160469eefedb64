/**
 * What the load generator saw, per round and in total: tasks received, updates accepted,
 * planned drops, refusals by gRPC status, bytes each way, the slowest think time, when each
 * round's first task arrived and its last ack came back. Cheap counters only: one entry per round.
 */

/** Per-round observations. */
export interface RoundObservation {
  readonly round: number;
  tasks: number;
  accepted: number;
  dropped: number;
  refused: number;
  bytesDown: number;
  bytesUp: number;
  /** Longest think time (ms) of a client that got this round's task. */
  maxThinkMs: number;
  firstTaskMs: number;
  lastAckMs: number;
}

/** Totals over the whole run. */
export interface LoadTotals {
  joins: number;
  rejoins: number;
  completed: number;
  fatal: number;
  /** gRPC status code (or 'local') -> count of failed calls. */
  errors: Record<string, number>;
}

/** Collects observations from every simulated session. */
export class LoadRecorder {
  private readonly rounds = new Map<number, RoundObservation>();
  readonly totals: LoadTotals = { joins: 0, rejoins: 0, completed: 0, fatal: 0, errors: {} };
  private readonly listeners: Array<(round: number) => void> = [];
  private highest = 0;

  /** Called with a round number the first time a task of that round arrives. */
  onNewRound(listener: (round: number) => void): void {
    this.listeners.push(listener);
  }

  private entry(round: number): RoundObservation {
    let r = this.rounds.get(round);
    if (!r) {
      r = { round, tasks: 0, accepted: 0, dropped: 0, refused: 0, bytesDown: 0, bytesUp: 0, maxThinkMs: 0, firstTaskMs: Date.now(), lastAckMs: 0 };
      this.rounds.set(round, r);
      if (round > this.highest) this.highest = round;
      for (const l of this.listeners) l(round);
    }
    return r;
  }

  /** A session received the task of `round` and will think for `thinkMs` if it does not drop. */
  task(round: number, thinkMs: number): void {
    const r = this.entry(round);
    r.tasks++;
    r.maxThinkMs = Math.max(r.maxThinkMs, thinkMs);
  }

  /** A session skipped `round` on purpose (simulated drop). */
  drop(round: number): void {
    this.entry(round).dropped++;
  }

  /** Tensors of `round` downloaded. */
  downloaded(round: number, bytes: number): void {
    this.entry(round).bytesDown += bytes;
  }

  /** An update of `round` was acknowledged as accepted. */
  accepted(round: number, bytes: number): void {
    const r = this.entry(round);
    r.accepted++;
    r.bytesUp += bytes;
    r.lastAckMs = Date.now();
  }

  /** A download or submit of `round` failed with `code` (gRPC status or 'local'). */
  refused(round: number, code: string): void {
    this.entry(round).refused++;
    this.error(code);
  }

  /** Counts a failed call outside a round (join, heartbeat, stream). */
  error(code: string): void {
    this.totals.errors[code] = (this.totals.errors[code] ?? 0) + 1;
  }

  /** Highest round a task was received for. */
  get highestRound(): number {
    return this.highest;
  }

  /** Observation of one round, if any task of it arrived. */
  round(round: number): RoundObservation | undefined {
    return this.rounds.get(round);
  }

  /** All rounds observed, ascending. */
  allRounds(): RoundObservation[] {
    return [...this.rounds.values()].sort((a, b) => a.round - b.round);
  }
}
