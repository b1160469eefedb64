/**
 * Counted work for the heuristic's search. Each phase (price sweeps, repair, improvement,
 * restarts) charges the elementary steps it performs (candidate moves looked at, list entries
 * touched) and stops when its allowance is spent, so the same instance always gets the same
 * search, however busy the machine is. The wall clock appears only as a safety net far above the
 * normal solve time: when it fires the search stops where it is and `timedOut` records that the
 * answer now depends on timing.
 */

/**
 * The bound repair's allowance in units per (client, expert) pair: each look for a repair move
 * costs C * E, so this is how many moves a start may make (far more than feasible instances need).
 */
export const REPAIR_MOVES = 400;

/** A fixed allowance of work units with the wall-clock safety net and the caller's abort. */
export class WorkBudget {
  private spent = 0;
  private fired = false;

  /**
   * @param limit  work units this budget allows (deterministic)
   * @param net    shared safety net: wall-clock deadline and abort signal
   */
  constructor(
    readonly limit: number,
    private readonly net: SafetyNet,
  ) {}

  /** Records `units` of work; false once the allowance is spent or the safety net fired. */
  charge(units: number): boolean {
    this.spent += units;
    return this.ok();
  }

  /** True while the allowance lasts and the safety net has not fired. */
  ok(): boolean {
    if (this.fired) return false;
    if (this.spent > this.limit || this.net.fired()) this.fired = true;
    return !this.fired;
  }

  /** Work units charged so far. */
  get used(): number {
    return this.spent;
  }
}

/**
 * The far wall-clock deadline and the abort signal shared by every phase of one solve. Once it
 * has fired it stays fired, so every later phase stops at once.
 */
export class SafetyNet {
  private why: 'deadline' | 'aborted' | null = null;

  constructor(
    private readonly deadline: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** True once the deadline passed or the solve was aborted (checked now). */
  fired(): boolean {
    if (this.why !== null) return true;
    if (this.signal?.aborted) this.why = 'aborted';
    else if (performance.now() > this.deadline) this.why = 'deadline';
    return this.why !== null;
  }

  /** Why it fired, or null while it has not. */
  get reason(): 'deadline' | 'aborted' | null {
    return this.why;
  }

  /** A budget of `limit` units under this safety net. */
  budget(limit: number): WorkBudget {
    return new WorkBudget(limit, this);
  }

  /** A budget that only the safety net can end (phases already bounded by their own counts). */
  unbounded(): WorkBudget {
    return new WorkBudget(Infinity, this);
  }
}
