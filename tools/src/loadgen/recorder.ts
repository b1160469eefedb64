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

/**
 * What a simulated session reports. Times are taken where the event happens (`atMs`), so events
 * forwarded from a worker thread keep their moment.
 */
export interface LoadEvents {
  task(round: number, thinkMs: number, atMs?: number): void;
  drop(round: number): void;
  downloaded(round: number, bytes: number): void;
  accepted(round: number, bytes: number, atMs?: number): void;
  refused(round: number, code: string): void;
  error(code: string): void;
  /** A session joined (`rejoin`: again, after losing its session). */
  joined(rejoin: boolean): void;
  /** A session ended on a refusal joining again cannot help. */
  fatal(): void;
}

/** Collects observations from every simulated session. */
export class LoadRecorder implements LoadEvents {
  private readonly rounds = new Map<number, RoundObservation>();
  readonly totals: LoadTotals = { joins: 0, rejoins: 0, completed: 0, fatal: 0, errors: {} };
  private readonly listeners: Array<(round: number) => void> = [];
  private highest = 0;

  /** Called with a round number the first time a task of that round arrives. */
  onNewRound(listener: (round: number) => void): void {
    this.listeners.push(listener);
  }

  private entry(round: number, atMs = Date.now()): RoundObservation {
    let r = this.rounds.get(round);
    if (!r) {
      r = { round, tasks: 0, accepted: 0, dropped: 0, refused: 0, bytesDown: 0, bytesUp: 0, maxThinkMs: 0, firstTaskMs: atMs, lastAckMs: 0 };
      this.rounds.set(round, r);
      if (round > this.highest) this.highest = round;
      for (const l of this.listeners) l(round);
    }
    return r;
  }

  /** A session received the task of `round` and will think for `thinkMs` if it does not drop. */
  task(round: number, thinkMs: number, atMs = Date.now()): void {
    const r = this.entry(round, atMs);
    r.firstTaskMs = Math.min(r.firstTaskMs, atMs);
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
  accepted(round: number, bytes: number, atMs = Date.now()): void {
    const r = this.entry(round, atMs);
    r.accepted++;
    r.bytesUp += bytes;
    r.lastAckMs = Math.max(r.lastAckMs, atMs);
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

  joined(rejoin: boolean): void {
    if (rejoin) this.totals.rejoins++;
    else this.totals.joins++;
  }

  fatal(): void {
    this.totals.fatal++;
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
