/**
 * One FLEX-MoE round (Flower's `fit_round`): sample S_t, assign via the strategy, dispatch to the
 * client proxies, collect with a deadline (late or dropped clients are failures, never crashes),
 * aggregate when at least min-clients reported, update Q and deficits, and describe the round.
 */
import { setMaxListeners } from 'node:events';
import { realClock, type Clock, type ClockTimer, type Logger } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { PLAIN_SGD_TASK, roundLearningRate, taskOptimizer, type LocalOptimizerSpec, type TaskOptimizer } from '@flexmoe/shared';
import type { NormHistory } from '../aggregation/norms';
import type { ClientRegistry, ClientSession } from '../registry/client-registry';
import { assignedLoad, summarizeLoad } from '../fitness/load-metrics';
import { minimalLoadCv } from '../fitness/balanced-load';
import type { AssignmentAnswer, FitnessPort, RoundAggregator, StrategyPort } from './ports';
import { sampleClients } from './sampling';
import type { ClientUpdate, RoundTaskSpec } from './types';
import type { RoundRecord } from './history';

/** Round parameters (validated by the CLI). */
export interface RoundConfig {
  readonly experts: number;
  readonly fraction: number;
  readonly minClients: number;
  /** Ready clients required before a round starts (Flower's min_available_clients; >= minClients). */
  readonly minAvailable: number;
  readonly roundDeadlineMs: number;
  /**
   * Fraction of the sampled clients whose reports close collection early (after
   * `quorumGraceMs` more for stragglers): silent dropouts then cost the grace, not the deadline.
   * 1 waits for every client or the deadline.
   */
  readonly reportQuorum: number;
  readonly quorumGraceMs: number;
  /** Peak learning rate of the clients' local steps (the epoch schedule lowers it round by round). */
  readonly learningRate: number;
  /** The clients' local update rule and schedule (default: plain SGD at a constant rate). */
  readonly optimizer?: LocalOptimizerSpec;
  /** Rounds the epoch and step schedules span (the run's rounds; default 1). */
  readonly scheduleRounds?: number;
  readonly batchSize: number;
  readonly localEpochs: number;
  readonly topR: number;
  readonly seed: number;
}

/** Collaborators of the engine. */
export interface RoundDeps {
  readonly registry: ClientRegistry;
  /** Assigns, aggregates, and hears about completed rounds. */
  readonly strategy: StrategyPort;
  readonly fitness: FitnessPort;
  readonly logger: Logger;
  /** Median accepted update distances of recent rounds: the clipping bounds come from them. */
  readonly norms: NormHistory;
  /** Called with the solve time (seconds) of each assignment. */
  readonly onSolve?: (seconds: number, answer: AssignmentAnswer) => void;
  /** Deadlines, quorum grace and round timestamps (default: the real clock). */
  readonly clock?: Clock;
}

/** What a round attempt produced. */
export type RoundOutcome =
  | { readonly kind: 'completed'; readonly params: ParamMap; readonly record: RoundRecord }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly failures: readonly ClientFailure[];
      /** More clients reported that training diverged (non-finite loss) than updates were accepted. */
      readonly diverged: boolean;
    };

/** Prefix of the failure reason of a client that reported a non-finite training loss. */
export const DIVERGED_PREFIX = 'reported: diverged';

/** A sampled client that did not deliver. */
export interface ClientFailure {
  readonly clientId: string;
  readonly reason: string;
}

/** A round attempt. */
interface RoundId {
  readonly round: number;
  readonly attempt: number;
}

/** Runs round attempts; holds no state between rounds (the coordinator does). */
export class RoundEngine {
  private sharedFeedbackLogged = false;
  private readonly clock: Clock;

  constructor(
    private readonly config: RoundConfig,
    private readonly deps: RoundDeps,
  ) {
    this.clock = deps.clock ?? realClock;
  }

  /** One attempt of `round` on `params`; waits for min-clients ready clients first. */
  async run(round: number, attempt: number, params: Readonly<ParamMap>, signal: AbortSignal): Promise<RoundOutcome> {
    const log = this.deps.logger.child({ round, attempt });
    await this.deps.registry.waitForReady(Math.max(this.config.minClients, this.config.minAvailable), signal);
    const started = this.clock.now();
    const sessions = this.sample(round, attempt);
    const solveStart = performance.now();
    const answer = await this.assign(round, sessions, signal);
    const solveSeconds = (performance.now() - solveStart) / 1000;
    this.deps.onSolve?.(solveSeconds, answer);
    log.info({ clients: sessions.length, solver: answer.solver, status: answer.status, gap: answer.gap }, 'round assigned');
    if (answer.timedOut)
      log.warn({ seconds: solveSeconds, status: answer.status }, 'assignment solve cut by the solver time limit: the answer depends on timing');
    const collectStart = performance.now();
    // Updates within the clipping bound are folded in as they arrive and their tensors dropped;
    // the rest are held until the round closes. A retry drops everything.
    const aggregator = this.deps.strategy.aggregator({ round, attempt, params, experts: this.config.experts, norms: this.deps.norms });
    const collected = await this.collect({ round, attempt }, sessions, answer, aggregator, signal);
    const collectSeconds = (performance.now() - collectStart) / 1000;
    const aggStart = performance.now();
    const robust = aggregator.result();
    const refused = new Set(robust.rejected.map((r) => r.clientId));
    const updates = collected.updates.filter((u) => !refused.has(u.clientId));
    const failures = [...collected.failures, ...robust.rejected];
    for (const f of failures) log.warn({ client: f.clientId, reason: f.reason }, 'client failed this round');
    if (robust.clipped && robust.clipped.length > 0) log.info({ clients: robust.clipped }, 'updates clipped to the norm bound');
    if (updates.length < this.config.minClients) {
      const divergedCount = failures.filter((f) => f.reason.startsWith(DIVERGED_PREFIX)).length;
      const diverged = divergedCount > updates.length;
      const reason = diverged
        ? `training diverged (non-finite loss) on ${divergedCount} of ${sessions.length} clients`
        : `${updates.length} of ${sessions.length} clients reported acceptable updates, ${this.config.minClients} needed`;
      log.warn({ reported: updates.length, diverged }, `round not aggregated: ${reason}`);
      return { kind: 'retry', reason, failures, diverged };
    }
    if (robust.accepted) {
      const backbone = robust.accepted.get('backbone') ?? [];
      log.info({ bound: aggregator.bound?.('backbone'), distances: backbone.map((d) => Number(d.toPrecision(3))).slice(0, 16) }, 'backbone update distances');
      this.deps.norms.record(robust.accepted);
    }
    const next = robust.params;
    const load = assignedLoad(
      answer.assignment,
      sessions.map((s) => s.info.samples),
      this.config.experts,
    );
    const aggregateSeconds = (performance.now() - aggStart) / 1000;
    const timings = { solve: solveSeconds, collect: collectSeconds, aggregate: aggregateSeconds };
    const capacities = sessions.map((s) => Math.min(this.config.experts, s.info.capacity));
    const loadCvMin = minimalLoadCv(
      sessions.map((s) => s.info.samples),
      capacities,
      this.config.experts,
    );
    const record = describeRound({
      round,
      attempt,
      started,
      ended: this.clock.now(),
      sessions,
      answer,
      updates,
      failures,
      load,
      loadCvMin,
      timings,
      experts: this.config.experts,
    });
    this.deps.strategy.roundCompleted({ round, attempt, updates, record, fitness: this.deps.fitness });
    log.info({ accuracy: record.accuracy, reported: updates.length, loadCv: record.loadCv, seconds: record.seconds }, 'round completed');
    return { kind: 'completed', params: next, record };
  }

  private sample(round: number, attempt: number): ClientSession[] {
    const ready = this.deps.registry.readySessions();
    const ids = sampleClients(
      ready.map((s) => s.info.clientId),
      this.config.fraction,
      this.config.minClients,
      this.config.seed,
      round,
      attempt,
    );
    const chosen = new Set(ids);
    return ready.filter((s) => chosen.has(s.info.clientId));
  }

  private async assign(round: number, sessions: readonly ClientSession[], signal: AbortSignal): Promise<AssignmentAnswer> {
    const E = this.config.experts;
    const clients = sessions.map((s) => ({ id: s.info.clientId, samples: s.info.samples, capacity: Math.min(E, s.info.capacity) }));
    this.warnSharedFeedback(clients.map((c) => c.capacity));
    const q = this.deps.fitness.matrix(clients.map((c) => c.id));
    const answer = await this.deps.strategy.assign({ clients, experts: E, q, round, seed: this.config.seed }, signal);
    if (answer.assignment.length !== clients.length) {
      throw new Error(`strategy returned ${answer.assignment.length} rows for ${clients.length} clients`);
    }
    return answer;
  }

  /** Once per run: with r >= k every sample reaches every assigned expert of that client. */
  private warnSharedFeedback(capacities: readonly number[]): void {
    const shared = capacities.filter((k) => this.config.topR >= k).length;
    if (shared === 0 || this.sharedFeedbackLogged) return;
    this.sharedFeedbackLogged = true;
    this.deps.logger.warn(
      { topR: this.config.topR, clients: shared },
      'routing top-r >= capacity: every sample reaches every assigned expert, so those experts share their usage and the mixed-model feedback (only the expert-* fitness signals still tell them apart)',
    );
  }

  private async collect(id: RoundId, sessions: readonly ClientSession[], answer: AssignmentAnswer, aggregator: RoundAggregator, outer: AbortSignal) {
    const clock = this.clock;
    const deadline = clock.now() + this.config.roundDeadlineMs;
    // An explicit timer, not AbortSignal.timeout: inside AbortSignal.any, Node 20 holds the
    // timeout signal only weakly, a full GC collects it and the round would wait forever.
    const closed = new AbortController();
    const timer = clock.setTimeout(() => closed.abort(new DOMException('round deadline passed', 'TimeoutError')), this.config.roundDeadlineMs);
    let graceTimer: ClockTimer | undefined;
    const quorum = this.quorumSize(sessions.length);
    let reported = 0;
    const onReport = (): void => {
      if (++reported !== quorum || reported === sessions.length) return;
      graceTimer = clock.setTimeout(
        () => closed.abort(new DOMException(`report quorum ${quorum} of ${sessions.length} reached`, 'QuorumClosedError')),
        this.config.quorumGraceMs,
      );
    };
    const signal = AbortSignal.any([outer, closed.signal]);
    setMaxListeners(0, signal); // every client proxy listens on it
    let settled: PromiseSettledResult<ClientUpdate>[];
    try {
      settled = await Promise.allSettled(
        sessions.map((s, c) =>
          s.proxy.fit(this.task(id, answer.assignment[c]!, deadline, c), signal).then((u): ClientUpdate => {
            aggregator.add(u);
            onReport();
            return { ...u, params: {} };
          }),
        ),
      );
    } finally {
      clock.clearTimeout(timer);
      clock.clearTimeout(graceTimer);
    }
    const updates: ClientUpdate[] = [];
    const failures: ClientFailure[] = [];
    settled.forEach((r, c) => {
      const clientId = sessions[c]!.info.clientId;
      if (r.status === 'fulfilled') updates.push(r.value);
      else failures.push({ clientId, reason: failureReason(r.reason, outer) });
    });
    return { updates, failures };
  }

  /** Reports that close collection early: ceil(quorum x sampled), at least min-clients; never more than sampled. */
  private quorumSize(sampled: number): number {
    const { reportQuorum, minClients } = this.config;
    return Math.min(sampled, Math.max(minClients, Math.ceil(reportQuorum * sampled - 1e-9)));
  }

  /** The rate and optimizer of `round`'s tasks (the same for every client of the round). */
  private localTraining(round: number): { learningRate: number; optimizer: TaskOptimizer } {
    const spec = this.config.optimizer;
    if (!spec) return { learningRate: this.config.learningRate, optimizer: PLAIN_SGD_TASK };
    const rounds = Math.max(round, this.config.scheduleRounds ?? 1);
    return { learningRate: roundLearningRate(spec, this.config.learningRate, round, rounds), optimizer: taskOptimizer(spec, rounds) };
  }

  private task({ round, attempt }: RoundId, experts: readonly number[], deadlineUnixMs: number, index: number): RoundTaskSpec {
    const sorted = [...experts].sort((a, b) => a - b);
    return {
      round,
      attempt,
      experts: sorted,
      ...this.localTraining(round),
      batchSize: this.config.batchSize,
      localEpochs: this.config.localEpochs,
      deadlineUnixMs,
      routingTopK: Math.max(1, Math.min(this.config.topR, sorted.length)),
      seed: (this.config.seed * 1_000_003 + round * 131 + index) >>> 0,
    };
  }
}

function failureReason(err: unknown, outer: AbortSignal): string {
  if (outer.aborted) return 'aborted';
  const e = err as { name?: string; message?: string };
  if (e?.name === 'TimeoutError') return 'late';
  if (e?.name === 'QuorumClosedError') return `late: ${e.message}`;
  return e?.message ?? String(err);
}

interface RoundFacts {
  round: number;
  attempt: number;
  started: number;
  ended: number;
  sessions: readonly ClientSession[];
  answer: AssignmentAnswer;
  updates: readonly ClientUpdate[];
  failures: readonly ClientFailure[];
  load: number[];
  loadCvMin: number;
  timings: { solve: number; collect: number; aggregate: number };
  experts: number;
}

function weightedMean(pairs: ReadonlyArray<[value: number, weight: number]>): number {
  const w = pairs.reduce((a, [, x]) => a + x, 0);
  return w > 0 ? pairs.reduce((a, [v, x]) => a + v * x, 0) / w : 0;
}

/** Sample-weighted mean of one optional metric over the updates that carry it; null when none do. */
function optionalMean(updates: readonly ClientUpdate[], pick: (u: ClientUpdate) => { accuracy: number; samples: number } | undefined): number | null {
  const pairs = updates.map(pick).filter((m): m is { accuracy: number; samples: number } => m !== undefined);
  return pairs.length > 0 ? weightedMean(pairs.map((m) => [m.accuracy, m.samples])) : null;
}

function describeRound(f: RoundFacts): RoundRecord {
  const accuracy = weightedMean(f.updates.map((u) => [u.test.accuracy, u.test.samples]));
  const routed = new Array<number>(f.experts).fill(0);
  for (const u of f.updates) for (const r of u.experts) routed[r.expert] += r.usage;
  const assignment: Record<string, number[]> = {};
  f.sessions.forEach((s, c) => (assignment[s.info.clientId] = [...f.answer.assignment[c]!].sort((a, b) => a - b)));
  const a = f.answer;
  return {
    round: f.round,
    attempt: f.attempt,
    startedAtMs: f.started,
    seconds: (f.ended - f.started) / 1000,
    detail: true,
    participantCount: f.sessions.length,
    reportedCount: f.updates.length,
    participants: f.sessions.map((s) => s.info.clientId),
    assignment,
    reported: f.updates.map((u) => u.clientId),
    failures: [...f.failures],
    accuracy,
    preLocalAccuracy: optionalMean(f.updates, (u) => u.preLocal),
    postLocalAccuracy: accuracy,
    globalAccuracy: optionalMean(f.updates, (u) => u.global),
    loss: weightedMean(f.updates.map((u) => [u.test.loss, u.test.samples])),
    trainAccuracy: weightedMean(f.updates.map((u) => [u.train.accuracy, u.train.samples])),
    trainLoss: weightedMean(f.updates.map((u) => [u.train.loss, u.train.samples])),
    clientAccuracy: Object.fromEntries(f.updates.map((u) => [u.clientId, u.test.accuracy])),
    load: f.load,
    routedLoad: routed,
    loadCv: summarizeLoad(f.load).cv,
    loadCvMin: f.loadCvMin,
    loadMaxMean: summarizeLoad(f.load).maxOverMean,
    routedLoadCv: summarizeLoad(routed).cv,
    routedLoadMaxMean: summarizeLoad(routed).maxOverMean,
    bytesDown: f.updates.reduce((s, u) => s + u.bytesDown, 0),
    bytesUp: f.updates.reduce((s, u) => s + u.bytesUp, 0),
    timings: { ...f.timings, trainMean: weightedMean(f.updates.map((u) => [u.trainSeconds, 1])) },
    solver: {
      name: a.solver ?? 'unknown',
      status: a.status ?? 'unknown',
      objective: a.objective ?? 0,
      upperBound: a.upperBound ?? 0,
      gap: a.gap ?? 0,
      violation: a.violation ?? 0,
      timedOut: a.timedOut ?? false,
    },
  };
}
