/**
 * The client daemon: join, serve the session, and on any loss rejoin the current run with
 * jittered exponential backoff, without operator action. States: starting -> running ->
 * stopping -> stopped. Refusals that waiting cannot fix (bad credentials, wrong protocol) end it.
 */
import type { TrainTest } from '@flexmoe/ml/data';
import type { LocalData } from './data';
import { realClock, type Clock, type Logger } from '@flexmoe/shared';
import type { MoEConfig } from '@flexmoe/shared';
import { AbortedError, CoordinatorError } from '../errors';
import type { ClientMetrics } from '../observability/metrics';
import type { StateDir } from '../state/state-dir';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@flexmoe/proto';
import { createBackoff, type Backoff, type BackoffOptions } from './backoff';
import { deviceFacts } from './device';
import { GateStore } from './gate';
import type { CoordinatorLink, Phase, Session } from './link';
import type { RoundOutcome } from './round';
import { SessionRunner, type SessionEnd } from './session';
import type { TrainerFactory, TrainerLike } from './trainer';

/** Options of a daemon; the composition root (CLI or test) builds the parts. */
export interface DaemonOptions {
  clientId: string;
  /** k_c: how many experts this device holds. */
  capacity: number;
  link: CoordinatorLink;
  state: StateDir;
  data: LocalData;
  trainerFactory: TrainerFactory;
  metrics: ClientMetrics;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Exit when the coordinator reports the run complete (default true). */
  exitOnComplete?: boolean;
  /** Observer of every round's outcome. */
  onRound?: (outcome: RoundOutcome) => void;
  /** Backoff waits, heartbeats and session timing (default: the real clock). */
  clock?: Clock;
}

/** How the daemon ended: exit code 0 (run complete or stopped) or 2 (refused for good). */
export interface DaemonExit {
  code: number;
  reason: string;
}

/** How long a daemon that stays after a complete run waits before asking for the next run. */
const IDLE_AFTER_RUN_MS = 30_000;

/**
 * Join refusals that no amount of waiting fixes: bad credentials, a request the coordinator
 * cannot accept, a protocol version it does not speak. Another failed precondition may change
 * with the coordinator's state and is retried; one without a reason (a coordinator that predates
 * error reasons) is taken as fatal, as before reasons existed.
 */
function isFatalJoinRefusal(err: CoordinatorError): boolean {
  if (err.kind === 'unauthenticated' || err.kind === 'invalid') return true;
  if (err.kind !== 'precondition') return false;
  return err.reason === 'ERROR_REASON_PROTOCOL_VERSION' || err.reason === 'ERROR_REASON_UNSPECIFIED';
}

/** One client daemon. `run()` once; `stop()` from a signal handler. */
export class ClientDaemon {
  private state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  private readonly stopControl = new AbortController();
  private readonly backoff: Backoff;
  private readonly gates: GateStore;
  /** When our session was recently replaced by another Join with our id. */
  private replacedAt: number[] = [];
  private readonly log: Logger;
  private readonly clock: Clock;
  private trainer: { model: string; instance: TrainerLike } | undefined;
  private runner: SessionRunner | undefined;
  private phase: Phase = 'idle';
  private round = 0;
  private joined = false;

  constructor(private readonly options: DaemonOptions) {
    this.backoff = createBackoff(options.backoff);
    this.gates = new GateStore(options.state, options.clientId);
    this.log = options.logger;
    this.clock = options.clock ?? realClock;
  }

  /** State, phase and round, for `/healthz`. */
  get status(): { state: string; phase: Phase; round: number; joined: boolean; clientId: string } {
    return { state: this.state, phase: this.phase, round: this.round, joined: this.joined, clientId: this.options.clientId };
  }

  /** Runs until the run completes, a fatal refusal, or `stop()`. */
  async run(): Promise<DaemonExit> {
    this.state = 'running';
    try {
      return await this.loop();
    } finally {
      await this.cleanup();
    }
  }

  /**
   * Graceful stop: an upload in flight may finish; training or a download in flight is abandoned;
   * then the daemon leaves the coordinator and closes. Idempotent.
   */
  async stop(reason = 'stop requested'): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.log.info({ reason, phase: this.phase, round: this.round }, 'stopping');
    await this.runner?.finishUpload();
    this.stopControl.abort(new AbortedError(reason));
  }

  private async loop(): Promise<DaemonExit> {
    while (!this.stopControl.signal.aborted) {
      const session = await this.joinOnce();
      if (session instanceof CoordinatorError) return { code: 2, reason: joinRefusalLine(session) };
      const misfit = session && dataMisfit(session.model, this.options.data);
      if (misfit) {
        this.log.error({ reason: misfit }, "local data does not fit the coordinator's model");
        await this.leave(session);
        return { code: 2, reason: misfit };
      }
      if (session === null) {
        await this.pause();
        continue;
      }
      const end = await this.serve(session);
      const exit = this.afterSession(end);
      if (exit) return exit;
      // Backoff on a rejoin too: a session refused again and again must not become a tight loop.
      if (end.kind === 'lost' || end.kind === 'rejoin') await this.pause();
      // Staying after a complete run: look for the next run now and then, not in a tight loop.
      if (end.kind === 'complete') await this.clock.sleep(IDLE_AFTER_RUN_MS, this.stopControl.signal);
    }
    return { code: 0, reason: 'stopped' };
  }

  /**
   * Joins once; null when it is worth retrying, the refusal when it is not. A coordinator that
   * refuses this daemon's protocol version is asked once more as version 1: one that speaks only
   * version 1 never sends a local optimizer, so its tasks mean exactly what a version-1 client
   * does. (A coordinator that speaks 2 never refuses 2.) Every join tries the newest version first.
   */
  private async joinOnce(protocolVersion = PROTOCOL_VERSION): Promise<Session | null | CoordinatorError> {
    const { link, clientId, capacity, data } = this.options;
    try {
      const session = await link.join(
        { clientId, capacity, numSamples: data.train.n, numTestSamples: data.test.n, device: deviceFacts(), replace: true, protocolVersion },
        this.stopControl.signal,
      );
      this.log.info({ session: session.sessionId, run: session.run, capacity: session.capacity }, 'joined');
      return session;
    } catch (err) {
      if (err instanceof AbortedError || this.stopControl.signal.aborted) return null;
      if (!(err instanceof CoordinatorError)) throw err;
      this.options.metrics.rejections.inc({ kind: err.kind });
      if (err.reason === 'ERROR_REASON_PROTOCOL_VERSION' && protocolVersion > MIN_PROTOCOL_VERSION) {
        this.log.warn({ reason: err.message }, `protocol version ${protocolVersion} refused; joining as version ${MIN_PROTOCOL_VERSION}`);
        return this.joinOnce(MIN_PROTOCOL_VERSION);
      }
      if (isFatalJoinRefusal(err)) {
        this.log.error({ kind: err.kind, errorReason: err.reason, reason: err.message }, joinRefusalLine(err));
        return err;
      }
      const line = err.kind === 'precondition' ? 'join refused for now (failed precondition); retrying' : 'coordinator not reachable; retrying';
      this.log.warn({ kind: err.kind, errorReason: err.reason, reason: err.message, attempt: this.backoff.attempts + 1 }, line);
      return null;
    }
  }

  private async serve(session: Session): Promise<SessionEnd> {
    this.joined = true;
    this.options.metrics.connected.set(1);
    const opened = this.clock.now();
    try {
      // Start the trainer now so the first round does not pay for it (and a broken one shows early).
      await this.trainerFor(session.model);
      return await this.runSession(session);
    } finally {
      this.runner = undefined;
      this.joined = false;
      this.options.metrics.connected.set(0);
      // A session that stayed up a while was healthy: the next outage starts a fresh schedule.
      if (this.clock.now() - opened > 30_000) this.backoff.reset();
    }
  }

  private async runSession(session: Session): Promise<SessionEnd> {
    this.runner = new SessionRunner(
      session,
      {
        ...this.options,
        clock: this.clock,
        trainerFor: (model) => this.trainerFor(model),
        gates: this.gates,
        onRound: (outcome) => {
          this.backoff.reset();
          this.options.onRound?.(outcome);
        },
        onRoundError: () => {
          this.dropTrainer().catch((err: unknown) => this.log.warn({ err }, 'trainer drop failed'));
        },
        onPhase: (phase, round) => {
          this.phase = phase;
          this.round = round;
        },
      },
      this.stopControl.signal,
    );
    const end = await this.runner.run();
    // A finished run is left too: otherwise the coordinator shows the daemon connected (perhaps
    // still TRAINING) until its liveness timeout. A daemon that stays rejoins for the next run.
    if (end.kind === 'stopped' || end.kind === 'complete') await this.leave(session, end.kind === 'complete' ? 'run complete' : 'daemon stopping');
    return end;
  }

  /**
   * Our session was taken over by a Join with our id. Once is a restart race; three times within
   * a minute means another daemon uses the same id (a cloned image): say so loudly.
   */
  private noteReplaced(now = this.clock.now()): void {
    this.replacedAt = [...this.replacedAt.filter((t) => now - t < 60_000), now];
    if (this.replacedAt.length >= 3) {
      this.log.error(
        { client: this.options.clientId, replacements: this.replacedAt.length },
        'duplicate client id: another daemon keeps taking over this id; give each daemon its own --id',
      );
    }
  }

  /** Logs how a session ended; returns an exit when the daemon should end. */
  private afterSession(end: SessionEnd): DaemonExit | null {
    switch (end.kind) {
      case 'complete':
        this.log.info({ completedRounds: end.completedRounds, finalAccuracy: end.finalAccuracy }, 'run complete');
        return this.options.exitOnComplete === false ? null : { code: 0, reason: 'run complete' };
      case 'stopped':
        return { code: 0, reason: 'stopped' };
      case 'fatal':
        this.log.error({ kind: end.error.kind, errorReason: end.error.reason, reason: end.error.message }, joinRefusalLine(end.error));
        return { code: 2, reason: joinRefusalLine(end.error) };
      case 'rejoin':
        this.log.warn({ reason: end.reason }, 'session no longer known to the coordinator; rejoining');
        if (/replaced by a new session/.test(end.reason)) this.noteReplaced();
        return null;
      case 'lost':
        this.log.warn({ reason: end.reason }, 'connection to the coordinator lost; reconnecting');
        return null;
    }
  }

  /** Tells the coordinator we are going (best effort: it notices a silent client anyway). */
  private async leave(session: Session, reason = 'daemon stopping'): Promise<void> {
    try {
      await this.options.link.leave(session.sessionId, reason);
      this.log.info('left the coordinator');
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'leave failed');
    }
  }

  private async pause(): Promise<void> {
    const ms = this.backoff.next();
    this.log.debug({ ms: Math.round(ms) }, 'backing off');
    await this.clock.sleep(ms, this.stopControl.signal);
  }

  /** The trainer for `model`, started once and replaced when the coordinator's model changes. */
  private async trainerFor(model: MoEConfig): Promise<TrainerLike> {
    const key = JSON.stringify(model);
    if (this.trainer?.model === key) return this.trainer.instance;
    await this.dropTrainer();
    const instance = await this.options.trainerFactory(model);
    this.trainer = { model: key, instance };
    return instance;
  }

  private async dropTrainer(): Promise<void> {
    const old = this.trainer;
    this.trainer = undefined;
    await old?.instance.close().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'trainer close failed'));
  }

  private async cleanup(): Promise<void> {
    this.state = 'stopping';
    await this.dropTrainer();
    this.options.link.close();
    this.state = 'stopped';
    this.log.info('stopped');
  }
}

/** Why local data cannot train the coordinator's model (input shape or classes), or null. */
export function dataMisfit(model: MoEConfig, data: TrainTest): string | null {
  const want = model.inputShape.join('x');
  const have = data.train.shape.join('x');
  if (want !== have) return `local samples are ${have}, the coordinator's model takes ${want}`;
  if (data.train.classes > model.classes) {
    return `local data has ${data.train.classes} classes, the coordinator's model predicts ${model.classes}`;
  }
  return null;
}

function joinRefusalLine(err: CoordinatorError): string {
  switch (err.kind) {
    case 'unauthenticated':
      return 'join refused: unauthenticated (check --token, or the client certificate with --tls-cert/--tls-key)';
    case 'precondition':
      return err.reason === 'ERROR_REASON_PROTOCOL_VERSION'
        ? `refused: the coordinator does not speak this daemon's protocol version ${PROTOCOL_VERSION}; install a flexmoe release that matches the coordinator (${err.message})`
        : `join refused: failed precondition (${err.message})`;
    default:
      return `join refused: ${err.kind} (check --capacity and the data against the coordinator's model)`;
  }
}
