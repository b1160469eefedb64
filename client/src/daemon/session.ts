/**
 * Serving one joined session: heartbeats on their own timer (liveness, separate from progress),
 * the task stream, and one round at a time. Ends with why it ended so the daemon can rejoin,
 * back off, or exit.
 */
import { realClock, type Clock, type Logger } from '@flexmoe/shared';
import { AbortedError, CoordinatorError } from '../errors';
import type { Phase, RoundTask, Session } from './link';
import { runRound, type RoundContext, type RoundOutcome } from './round';

/** Why a session ended. */
export type SessionEnd =
  | { kind: 'complete'; completedRounds: number; finalAccuracy: number }
  | { kind: 'stopped' }
  | { kind: 'rejoin'; reason: string }
  | { kind: 'lost'; reason: string }
  | { kind: 'fatal'; error: CoordinatorError };

/** Raised into a round when the coordinator has moved past it (seen in a heartbeat). */
class RoundOverError extends AbortedError {
  constructor(round: number, why: string) {
    super(`round ${round} is over at the coordinator: ${why}`);
  }
}

/** A round failed in a way that ends the session (lost connection, unknown session). */
class SessionFailed extends AbortedError {
  constructor(readonly failure: unknown) {
    super('session failed', { cause: failure });
  }
}

/** A session's dependencies (the round context minus what the session fills in). */
export interface SessionDeps extends Omit<RoundContext, 'session' | 'setPhase' | 'trainer'> {
  /** The trainer for a model (started on first use, restarted after a local failure). */
  trainerFor(model: Session['model']): Promise<RoundContext['trainer']>;
  /** Called after every round with its outcome. */
  onRound?: (outcome: RoundOutcome) => void;
  /** Called when a round fails for a local reason (the daemon drops its trainer). */
  onRoundError?: (error: Error) => void;
  /** Called whenever the phase changes (status, /healthz). */
  onPhase?: (phase: Phase, round: number) => void;
  /** Heartbeat timer and stream timing (default: the real clock). */
  clock?: Clock;
}

/** Serves `session` until it ends; `stop` aborts everything in flight. */
export class SessionRunner {
  private phase: Phase = 'idle';
  private round = 0;
  private current: { round: number; abort: AbortController } | undefined;
  private readonly control = new AbortController();
  private readonly log: Logger;
  private readonly clock: Clock;
  /** Resolves when the round in flight (if any) settles. */
  private inFlight: Promise<void> = Promise.resolve();
  /** The task to run next (only the newest one counts). */
  private pending: RoundTask | undefined;
  /** The loop running tasks, while there are any. */
  private worker: Promise<void> | undefined;
  private drainingSeen = false;
  /** Forwards the daemon's stop; removed when the session ends (the stop signal outlives every session). */
  private readonly onStop = (): void => this.control.abort(this.stop.reason);

  constructor(
    private readonly session: Session,
    private readonly deps: SessionDeps,
    private readonly stop: AbortSignal,
  ) {
    this.log = deps.logger;
    this.clock = deps.clock ?? realClock;
    stop.addEventListener('abort', this.onStop, { once: true });
    if (stop.aborted) this.control.abort(stop.reason);
  }

  /** The phase the session is in. */
  get status(): { phase: Phase; round: number } {
    return { phase: this.phase, round: this.round };
  }

  /** Waits for a submission in flight to finish (a graceful stop lets an upload complete). */
  async finishUpload(): Promise<void> {
    if (this.phase === 'uploading') await this.inFlight;
  }

  /** Runs the session to its end. */
  async run(): Promise<SessionEnd> {
    const heartbeat = this.clock.setInterval(() => {
      this.beat().catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    }, this.session.heartbeatIntervalMs);
    try {
      return await this.serveTasks();
    } catch (err) {
      return this.classify(err);
    } finally {
      this.clock.clearInterval(heartbeat);
      this.stop.removeEventListener('abort', this.onStop);
      this.pending = undefined;
      this.current?.abort.abort(new AbortedError('session ended'));
      // The next session must not share the trainer with a round still winding down.
      await this.worker;
    }
  }

  /**
   * Reads the task stream while rounds run beside it, so a newer task (a retried attempt of the
   * same round, or the next round) supersedes the one in flight instead of waiting behind it.
   */
  private async serveTasks(): Promise<SessionEnd> {
    const { link } = this.deps;
    for (;;) {
      const opened = this.clock.now();
      for await (const event of link.tasks(this.session.sessionId, this.control.signal)) {
        if (event.kind === 'task') this.accept(event.task);
        else if (event.kind === 'complete') {
          this.supersede('the run is complete');
          await this.worker;
          return { kind: 'complete', completedRounds: event.completedRounds, finalAccuracy: event.finalAccuracy };
        }
      }
      // A stream that closes at once (not at its own deadline) means the coordinator is going away.
      if (this.clock.now() - opened < 1000) return { kind: 'lost', reason: 'task stream closed by the coordinator' };
      this.log.debug('task stream reopened');
    }
  }

  /** Queues `task` as the next one to run, abandoning the one in flight (the coordinator moved on). */
  private accept(task: RoundTask): void {
    this.supersede(`a newer task arrived for round ${task.round}`);
    this.pending = task;
    if (!this.worker) this.worker = this.work();
  }

  /** Abandons the round in flight, unless it is uploading: the coordinator judges that update itself. */
  private supersede(why: string): void {
    if (this.phase === 'uploading') return;
    this.current?.abort.abort(new RoundOverError(this.current.round, why));
  }

  /** Runs queued tasks one at a time; a session-level failure ends the session. */
  private async work(): Promise<void> {
    try {
      while (this.pending) {
        const task = this.pending;
        this.pending = undefined;
        await this.runTask(task);
      }
    } catch (err) {
      if (!this.control.signal.aborted) this.control.abort(new SessionFailed(err));
    }
    this.worker = undefined;
  }

  private classify(err: unknown): SessionEnd {
    const reason: unknown = this.control.signal.reason;
    if (this.control.signal.aborted && reason instanceof SessionLost) return { kind: 'rejoin', reason: reason.message };
    if (this.control.signal.aborted && reason instanceof SessionFailed) return this.classifyFailure(reason.failure);
    if (this.control.signal.aborted) return { kind: 'stopped' };
    return this.classifyFailure(err);
  }

  private classifyFailure(err: unknown): SessionEnd {
    if (!(err instanceof CoordinatorError)) throw err;
    // Waiting cannot fix bad credentials or a protocol version the coordinator does not speak.
    if (err.kind === 'unauthenticated' || err.reason === 'ERROR_REASON_PROTOCOL_VERSION') return { kind: 'fatal', error: err };
    if (err.kind === 'not-found') return { kind: 'rejoin', reason: err.message };
    return { kind: 'lost', reason: err.message };
  }

  private setPhase(phase: Phase, round: number): void {
    this.phase = phase;
    this.round = round;
    this.deps.onPhase?.(phase, round);
  }

  private async runTask(task: RoundTask): Promise<void> {
    const abort = new AbortController();
    const onStop = (): void => abort.abort(this.control.signal.reason);
    this.control.signal.addEventListener('abort', onStop, { once: true });
    this.current = { round: task.round, abort };
    const done = this.deps.trainerFor(this.session.model).then((trainer) => {
      const context: RoundContext = { ...this.deps, trainer, session: this.session, setPhase: (p, r) => this.setPhase(p, r) };
      return runRound(context, task, abort.signal);
    });
    this.inFlight = done.then(
      () => undefined,
      () => undefined,
    );
    try {
      this.deps.onRound?.(await done);
    } catch (err) {
      this.handleRoundError(task, abort.signal, err);
    } finally {
      this.control.signal.removeEventListener('abort', onStop);
      this.current = undefined;
      this.setPhase('idle', 0);
    }
  }

  /** Round-level failures are logged and survived; session-level ones propagate. */
  private handleRoundError(task: RoundTask, signal: AbortSignal, err: unknown): void {
    if (this.control.signal.aborted) throw err;
    const log = this.log.child({ round: task.round });
    if (signal.aborted && signal.reason instanceof RoundOverError) {
      log.warn({ reason: signal.reason.message }, 'round abandoned: the coordinator moved on; waiting for the next task');
      return;
    }
    if (err instanceof CoordinatorError) throw err;
    const code = (err as { code?: string }).code;
    log.error({ err: (err as Error).message, code }, 'round failed locally; reporting it to the coordinator and waiting for the next task');
    this.deps.onRoundError?.(err as Error);
    this.report(task, (err as Error).message, code === 'FLEXMOE_ERR_NON_FINITE', log).catch((e: unknown) => log.warn({ err: e }, 'failure report failed'));
  }

  /** Reports a local round failure so the round does not wait for this client until its deadline. */
  private async report(task: RoundTask, reason: string, diverged: boolean, log: Logger): Promise<void> {
    try {
      const ack = await this.deps.link.reportFailure(this.session.sessionId, task, reason, diverged);
      log.warn({ message: ack.message }, 'round failure reported to the coordinator');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not report the round failure');
    }
  }

  /** One heartbeat: liveness only; also notices a coordinator that moved past our round. */
  private async beat(): Promise<void> {
    try {
      const asked = this.current;
      const reply = await this.deps.link.heartbeat(this.session.sessionId, this.phase, this.round, 0);
      const current = this.current;
      const busy = this.phase === 'downloading' || this.phase === 'training';
      // A reply to a heartbeat sent before this task arrived describes the previous round: only
      // a reply about the task in flight when it was sent can say the coordinator moved on.
      if (current && current === asked && busy && reply.currentRound !== current.round) {
        current.abort.abort(new RoundOverError(current.round, `it now runs round ${reply.currentRound}`));
      }
      if (reply.draining && !this.drainingSeen) this.log.info('coordinator is draining');
      this.drainingSeen = reply.draining;
    } catch (err) {
      if (err instanceof CoordinatorError && (err.kind === 'not-found' || err.kind === 'unauthenticated')) {
        this.control.abort(new SessionLost(`heartbeat: ${err.message}`));
      } else {
        this.log.debug({ err: (err as Error).message }, 'heartbeat failed');
      }
    }
  }
}

/** The coordinator no longer knows our session: rejoin at once. */
class SessionLost extends AbortedError {}
