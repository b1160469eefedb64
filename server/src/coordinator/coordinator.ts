/**
 * The coordinator: global weights, Q, the strategy and its state (deficits, warm start), the client
 * registry, the round loop and the run history, with explicit lifecycle states (waiting ->
 * running -> finished, or draining -> stopped). Transport-agnostic: transport/ turns gRPC calls
 * into the request methods below.
 */
import { randomUUID } from 'node:crypto';
import { PLAIN_SGD_TASK, realClock, taskOptimizer, type Clock, type ClockTimer, type Logger } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import {
  PROTOCOL_VERSION,
  byteLength,
  modelConfigToWire,
  type JoinRequest__Output,
  type SubmitHeader__Output,
  type TensorChunk,
  type TensorSpec,
  type WireTensor,
} from '@flexmoe/proto';
import { NormHistory } from '../aggregation/norms';
import { DrainingError, StaleRoundError } from '../errors';
import { ClientRegistry } from '../registry/client-registry';
import type { SessionEvent } from '../registry/session-proxy';
import { DIVERGED_PREFIX, RoundEngine, type RoundOutcome } from '../rounds/round-engine';
import { RunHistory } from '../rounds/run-history';
import { loadLatestCheckpoint, type Checkpoint } from '../state/checkpoint';
import { appendLogged, checkpointLogged } from './persistence';
import { attemptErrorDelayMs, DEFAULT_ATTEMPT_ERROR_POLICY, RETRY_DELAY_MS } from './attempt-errors';
import { failureLabel, recordRoundMetrics } from './round-metrics';
import { DEFAULT_NORM_POLICY, type CoordinatorDeps, type CoordinatorOptions, type CoordinatorPhase, type JoinResult, type SubmitContext } from './config';
import { DownloadChunkCache } from './download-cache';
import { FitnessState } from './fitness-state';
import { capToDeclared, checkTaskInFlight, completeTensors, planSubmit, taskSpecs, taskTensors, updateOf, validateJoin } from './requests';
import { checkCompatible, globalParameters } from './resume';
import { buildStatus, type CoordinatorStatus } from './status';

export { globalParameters } from './resume';
export * from './config';

/** Characters of a client's failure text kept in logs and the history. */
const MAX_FAILURE_CHARS = 200;

/** Global parameters kept for rolling back after training diverged. */
const ROLLBACK_DEPTH = 3;

/** The coordinator service. Create with `Coordinator.open`, then `start()`. */
export class Coordinator {
  readonly registry: ClientRegistry;
  private phase: CoordinatorPhase = 'waiting';
  private params: ParamMap;
  private readonly fitness: FitnessState;
  private readonly history: RunHistory;
  private completed: number;
  private currentRound = 0;
  private readonly runId: string;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private sweeper: ClockTimer | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly chunkCache = new DownloadChunkCache();
  private readonly norms: NormHistory;
  /** Global parameters before each of the last rounds, newest last (rollback targets). */
  private readonly goodParams: ParamMap[] = [];

  private constructor(
    private readonly options: CoordinatorOptions,
    private readonly deps: CoordinatorDeps,
    checkpoint?: Checkpoint,
  ) {
    this.log = deps.logger.child({ component: 'coordinator' });
    this.clock = deps.clock ?? realClock;
    this.norms = new NormHistory(options.norms ?? DEFAULT_NORM_POLICY);
    this.registry = new ClientRegistry({
      livenessTimeoutMs: options.livenessTimeoutMs,
      maxClients: options.maxClients,
      forgetAfterMs: options.forgetAfterMs,
      logger: deps.logger.child({ component: 'registry' }),
      onChange: () => deps.metrics.clientsConnected.set(this.registry.liveCount),
      clock: this.clock,
    });
    const s = checkpoint?.state;
    this.runId = s?.runId ?? randomUUID();
    this.completed = s?.completedRounds ?? 0;
    // No checkpoint: a fresh run, whatever history.jsonl holds is not ours.
    this.history = new RunHistory(options.dataDir, s?.history ?? [], s ? s.historyBytes : 0);
    this.fitness = new FitnessState(options.fitness, s?.fitness);
    if (s) {
      this.registry.restore(s.clients);
      if (s.strategyState !== undefined && s.strategyState !== null) deps.strategy.restore(s.strategyState);
    }
    this.params = checkpoint?.params ?? globalParameters(options.model, options.round.seed);
    if (this.completed >= options.totalRounds) this.phase = 'finished';
    deps.metrics.round.set(this.completed);
  }

  /** Resumes from the newest checkpoint in the data directory, or starts a fresh run. */
  static open(options: CoordinatorOptions, deps: CoordinatorDeps): Coordinator {
    const found = loadLatestCheckpoint(options.dataDir);
    if (found) checkCompatible(found.checkpoint, options, found.file);
    const c = new Coordinator(options, deps, found?.checkpoint);
    if (found) c.log.info({ file: found.file, completedRounds: c.completed }, 'resumed from checkpoint');
    if (c.history.tornBytes > 0) c.log.warn({ bytes: c.history.tornBytes }, 'history.jsonl ended in a partial line (an interrupted write): dropped it');
    return c;
  }

  /** Starts the round loop and the liveness sweeper (until `drain`); resolves when the loop ends. */
  start(): Promise<void> {
    this.sweeper = this.clock.setInterval(
      () => {
        this.registry.sweep();
        this.registry.prune();
      },
      Math.max(200, this.options.heartbeatIntervalMs),
    );
    this.sweeper.unref();
    this.loop ??= this.runLoop();
    return this.loop;
  }

  /** Current lifecycle phase. */
  get state(): CoordinatorPhase {
    return this.phase;
  }

  /** Rounds completed (aggregated and checkpointed). */
  get completedRounds(): number {
    return this.completed;
  }

  private async runLoop(): Promise<void> {
    const engine = new RoundEngine(this.options.round, {
      registry: this.registry,
      strategy: this.deps.strategy,
      fitness: this.fitness,
      norms: this.norms,
      logger: this.deps.logger.child({ component: 'rounds' }),
      clock: this.clock,
      onSolve: (s, answer) => {
        this.deps.metrics.solveSeconds.observe(s);
        if (answer.timedOut) this.deps.metrics.solveTimeouts.inc();
      },
    });
    const policy = { ...DEFAULT_ATTEMPT_ERROR_POLICY, ...this.options.attemptErrors };
    let errors = 0;
    while (this.completed < this.options.totalRounds && !this.draining()) {
      const round = this.completed + 1;
      for (let attempt = 0; !this.draining(); attempt++) {
        this.currentRound = round;
        this.phase = 'running';
        const outcome = await this.attempt(engine, round, attempt);
        if (outcome !== 'error' && outcome?.kind === 'completed') {
          errors = 0;
          this.apply(outcome);
          break;
        }
        if (outcome !== 'error' && outcome?.kind === 'retry' && outcome.diverged) this.rollBack(round, outcome.reason);
        errors = outcome === 'error' ? errors + 1 : 0;
        if (errors >= policy.maxConsecutive) {
          this.fail(round, errors);
          return;
        }
        await this.clock.sleep(errors > 0 ? attemptErrorDelayMs(policy, errors) : RETRY_DELAY_MS, this.abort.signal);
      }
    }
    this.currentRound = 0;
    if (this.completed >= this.options.totalRounds) this.finish();
  }

  private fail(round: number, errors: number): void {
    this.phase = 'failed';
    this.currentRound = 0;
    this.log.error({ round, consecutiveErrors: errors }, 'round attempts keep failing: coordinator failed, the last checkpoint stands');
  }

  private draining(): boolean {
    return this.phase === 'draining' || this.phase === 'stopped';
  }

  /** The attempt's outcome; undefined when aborted, 'error' when it threw. */
  private async attempt(engine: RoundEngine, round: number, attempt: number): Promise<RoundOutcome | 'error' | undefined> {
    try {
      const outcome = await engine.run(round, attempt, this.params, this.abort.signal);
      if (outcome.kind === 'retry') for (const f of outcome.failures) this.deps.metrics.roundFailures.inc({ reason: failureLabel(f.reason) });
      return outcome;
    } catch (err) {
      if (this.abort.signal.aborted) return undefined;
      this.deps.metrics.roundAttemptErrors.inc();
      this.log.error({ round, attempt, err: (err as Error).message }, 'round attempt failed');
      return 'error';
    }
  }

  /**
   * Training diverged on the current global parameters: go back to those before the last
   * aggregated round (they trained) and checkpoint them, so a restart does not resume from the
   * damaged ones. Rounds already counted stay counted.
   */
  private rollBack(round: number, reason: string): void {
    const previous = this.goodParams.pop();
    this.deps.metrics.roundFailures.inc({ reason: 'diverged' });
    if (!previous) {
      this.log.error({ round, reason }, 'training diverged and no earlier global parameters are kept: retrying');
      return;
    }
    this.params = previous;
    this.norms.reset();
    this.log.error({ round, reason, kept: this.goodParams.length }, 'training diverged: rolled back to the global parameters of an earlier round');
    this.checkpoint();
  }

  private apply(outcome: Extract<RoundOutcome, { kind: 'completed' }>): void {
    const r = outcome.record;
    this.goodParams.push(this.params);
    if (this.goodParams.length > ROLLBACK_DEPTH) this.goodParams.shift();
    this.params = outcome.params;
    this.completed = r.round;
    for (const id of r.reported) this.registry.recordRoundCompleted(id);
    appendLogged(this.history, r, this.log);
    recordRoundMetrics(this.deps.metrics, r);
    this.checkpoint();
  }

  private checkpoint(): void {
    checkpointLogged(this.options.dataDir, { state: this.snapshotState(), params: this.params }, this.log);
  }

  private snapshotState(): Checkpoint['state'] {
    return {
      runId: this.runId,
      seed: this.options.round.seed,
      strategy: this.options.strategyName,
      model: this.options.model,
      totalRounds: this.options.totalRounds,
      completedRounds: this.completed,
      fitness: this.fitness.snapshot(),
      strategyState: this.deps.strategy.snapshot(),
      clients: this.registry.allRecords(),
      history: this.history.records(),
      historyBytes: this.history.fileBytes(),
    };
  }

  private finish(): void {
    this.phase = 'finished';
    const last = this.history.last();
    for (const s of this.registry.liveSessions()) s.proxy.complete(this.completed, last?.accuracy ?? 0);
    this.log.info({ completedRounds: this.completed, accuracy: last?.accuracy }, 'run finished');
  }

  /**
   * Graceful stop: no new rounds or joins; the round in flight may finish within `graceMs`,
   * else it is abandoned (its clients' work is discarded; the last checkpoint stands).
   */
  async drain(graceMs: number): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasFinished = this.phase === 'finished';
    this.phase = 'draining';
    if (this.loop && !wasFinished) {
      // A round still waiting for clients has nothing to finish: abandon it at once.
      const inFlight = this.registry.liveSessions().some((s) => s.proxy.currentTask() !== undefined);
      const abandon = (): void => this.abort.abort(new DrainingError('coordinator shutting down'));
      const timer = inFlight ? this.clock.setTimeout(abandon, graceMs) : undefined;
      if (!inFlight) abandon();
      await this.loop;
      this.clock.clearTimeout(timer);
    }
    this.abort.abort(new DrainingError('coordinator shutting down'));
    if (this.completed > 0) this.checkpoint();
    this.clock.clearInterval(this.sweeper);
    for (const s of this.registry.liveSessions()) s.proxy.close('coordinator stopped');
    this.phase = 'stopped';
  }

  // ---- requests (called by the transport after authentication) ----

  /** Registers a client; DrainingError while shutting down. */
  join(clientId: string, req: JoinRequest__Output): JoinResult {
    if (this.phase === 'draining' || this.phase === 'stopped') throw new DrainingError('coordinator is shutting down');
    const spec = this.options.round.optimizer;
    const optimizer = spec ? taskOptimizer(spec, this.options.totalRounds) : PLAIN_SGD_TASK;
    const info = validateJoin(clientId, req, this.options.model.experts, optimizer);
    const session = this.registry.register(info, req.replace);
    return {
      sessionId: session.sessionId,
      capacity: info.capacity,
      protocolVersion: PROTOCOL_VERSION,
      modelConfigJson: JSON.stringify(this.options.model),
      model: modelConfigToWire(this.options.model),
      numExperts: this.options.model.experts,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      run: {
        runId: this.runId,
        totalRounds: this.options.totalRounds,
        completedRounds: this.completed,
        strategy: this.options.strategyName,
        seed: this.options.round.seed,
      },
    };
  }

  /** Liveness: refreshes the session; returns the round in progress and whether we drain. */
  heartbeat(clientId: string, sessionId: string, phase: string): { currentRound: number; draining: boolean } {
    const session = this.registry.touch(clientId, sessionId);
    session.phase = phase;
    return { currentRound: this.currentRound, draining: this.phase === 'draining' };
  }

  /** Ends a session (idempotent: an unknown session is fine). */
  leave(clientId: string, sessionId: string, reason: string): void {
    const s = this.registry.get(clientId);
    if (s && s.sessionId === sessionId) this.registry.unregister(clientId, reason || 'left');
  }

  /** Opens the task stream of a session; returns the function that closes it. */
  subscribe(clientId: string, sessionId: string, listener: (e: SessionEvent) => void): () => void {
    if (this.phase === 'draining' || this.phase === 'stopped') throw new DrainingError('coordinator is shutting down');
    const session = this.registry.touch(clientId, sessionId);
    const detach = session.proxy.attach(listener);
    this.registry.setReady(session, true);
    if (this.phase === 'finished') listener({ kind: 'complete', completedRounds: this.completed, finalAccuracy: this.lastAccuracy() });
    return () => {
      detach();
      // A replaced stream's late close must not mark the session's newer stream as gone.
      this.registry.setReady(session, session.proxy.attached());
    };
  }

  /** The backbone and assigned experts of the client's task in flight for `round`. */
  download(clientId: string, sessionId: string, round: number, attempt = 0): WireTensor[] {
    const specs = this.downloadSpecs(clientId, sessionId, round, attempt);
    return taskTensors(this.params, specs);
  }

  /**
   * The same tensors as `download`, as wire chunks (header with CRC-32 on each tensor's first
   * chunk); chunked once per round and tensor, shared by every client of the round.
   */
  downloadChunks(clientId: string, sessionId: string, round: number, attempt = 0): TensorChunk[] {
    const specs = this.downloadSpecs(clientId, sessionId, round, attempt);
    return this.chunkCache.chunksFor(this.params, specs);
  }

  /** Checks the task in flight, counts its bytes down and returns the specs of its tensors. */
  private downloadSpecs(clientId: string, sessionId: string, round: number, attempt: number): TensorSpec[] {
    const session = this.registry.touch(clientId, sessionId);
    const task = checkTaskInFlight(session.proxy.currentTask(), round, attempt, this.options.strictAttempts === true);
    const specs = taskSpecs(this.options.model, task.experts);
    const bytes = specs.reduce((s, t) => s + byteLength(t), 0);
    session.proxy.addBytesDown(bytes);
    this.deps.metrics.transferBytes.inc({ direction: 'down' }, bytes);
    return specs;
  }

  /**
   * A Submit header with `failure` set: the client cannot do its task, the round counts it as
   * failed now (a reported divergence feeds the rollback decision). Returns the recorded reason.
   */
  reportFailure(clientId: string, header: SubmitHeader__Output): string {
    const session = this.registry.touch(clientId, header.sessionId);
    const task = checkTaskInFlight(session.proxy.currentTask(), header.round, header.attempt, this.options.strictAttempts === true);
    const text = header.failure.slice(0, MAX_FAILURE_CHARS);
    const reason = header.diverged ? `${DIVERGED_PREFIX}: ${text}` : `reported: ${text}`;
    session.proxy.fail(task, reason);
    this.log.warn({ round: task.round, client: clientId, reason }, 'client reported a failure');
    return reason;
  }

  /** Validates a Submit header against the client's task in flight and claims its upload. */
  beginSubmit(clientId: string, header: SubmitHeader__Output): SubmitContext {
    const session = this.registry.touch(clientId, header.sessionId);
    const planned = planSubmit(this.options.model, session.proxy.currentTask(), header, this.options.strictAttempts === true);
    // A client's say in the weighted mean is what it declared at join, not what it claims now.
    const { plan, capped } = capToDeclared(planned, session.info);
    if (capped.length > 0) this.log.warn({ round: plan.task.round, client: clientId, capped }, 'update claims more samples than declared at join: capped');
    const release = session.proxy.beginUpload(plan.task);
    return { clientId, sessionId: header.sessionId, plan, release };
  }

  /** Hands a fully received, validated update to the round in progress. */
  finishSubmit(ctx: SubmitContext, tensors: ReadonlyMap<string, WireTensor>, bytesUp: number): void {
    const session = this.registry.touch(ctx.clientId, ctx.sessionId);
    const p = ctx.plan;
    if (session.proxy.currentTask() !== p.task) {
      // A new attempt (or round) began while this update was uploading.
      throw new StaleRoundError(`the task of round ${p.task.round} attempt ${p.task.attempt} is over for this client`);
    }
    session.proxy.deliver(updateOf(ctx.clientId, p, completeTensors(p, tensors), { up: bytesUp, down: session.proxy.bytesDown() }));
    this.deps.metrics.transferBytes.inc({ direction: 'up' }, bytesUp);
    this.deps.metrics.updatesTotal.inc({ result: 'accepted' });
    this.log.debug({ round: p.task.round, client: ctx.clientId, bytes: bytesUp }, 'update accepted');
  }

  /** Records a refused update (logged with client and reason, counted by result). */
  rejectUpdate(clientId: string, result: string, reason: string): void {
    this.deps.metrics.updatesTotal.inc({ result });
    this.log.warn({ round: this.currentRound, client: clientId, result, reason }, 'update rejected');
  }

  /** JSON status for /api/status and the dashboard. */
  status(): CoordinatorStatus {
    return buildStatus({
      runId: this.runId,
      phase: this.phase,
      completed: this.completed,
      currentRound: this.currentRound,
      options: this.options,
      history: this.history.records(),
      registry: this.registry,
      q: this.fitness.rows(this.registry.allRecords().map((r) => r.clientId)),
    });
  }

  /** The global parameters (backbone and experts) after the last completed round. */
  parameters(): Readonly<ParamMap> {
    return this.params;
  }

  private lastAccuracy(): number {
    return this.history.last()?.accuracy ?? 0;
  }
}
