/**
 * The options `createCoordinator` takes, and their resolution into the coordinator's frozen
 * options. Everything but the strategy and the data directory has a default, and the defaults
 * are those of `flexmoe server` (its option table is the one place they are written down), so an
 * embedded coordinator and the command behave alike.
 */
import * as path from 'node:path';
import { checkLocalOptimizerSpec, ConfigError, LOCAL_RECIPES, parseCommand, type Logger } from '@flexmoe/shared';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import type { NormPolicy } from '../aggregation/norms';
import { coordinatorOptions, SERVER_COMMAND } from '../cli/server';
import type { AttemptErrorPolicy } from '../coordinator/attempt-errors';
import type { CoordinatorOptions } from '../coordinator/coordinator';
import type { FitnessOptions } from '../coordinator/fitness-state';
import type { CoordinatorMetrics } from '../metrics/metrics';
import type { RoundConfig } from '../rounds/round-engine';
import type { Strategy, StrategyOptions } from '../strategies/strategy';
import type { GrpcListenOptions, HttpListenOptions } from './listen';

/** What `createCoordinator` takes; only `strategy` and `dataDir` are required. */
export interface CreateCoordinatorOptions {
  /** The round policy: a strategy object, or the name of a registered one (built with `strategyOptions`). */
  readonly strategy: Strategy | string;
  /** Options of a strategy given by name (solver limits, bound slack, aggregation rule). */
  readonly strategyOptions?: StrategyOptions;
  /** Checkpoints and history.jsonl; a run resumes from the newest checkpoint found here. */
  readonly dataDir: string;
  /** The model (default: `defaultModelConfig()`: mlp, 1x28x28, 10 classes, 8 experts). */
  readonly model?: Partial<MoEConfig>;
  /** Rounds to run (default 20). */
  readonly rounds?: number;
  /**
   * Sampling, collection and client training (defaults: `flexmoe server --help`; the optimizer and
   * learning rate default to the backbone's local recipe, LOCAL_RECIPES of @flexmoe/shared).
   */
  readonly round?: Partial<Omit<RoundConfig, 'experts' | 'scheduleRounds'>>;
  /** The fitness matrix Q (defaults: `flexmoe server --help`). */
  readonly fitness?: Partial<Omit<FitnessOptions, 'experts'>>;
  /** Clipping bound and outlier test (defaults: DEFAULT_NORM_POLICY). */
  readonly norms?: Partial<NormPolicy>;
  readonly heartbeatIntervalMs?: number;
  readonly livenessTimeoutMs?: number;
  readonly maxClients?: number;
  readonly forgetAfterMs?: number;
  readonly strictAttempts?: boolean;
  readonly attemptErrors?: Partial<AttemptErrorPolicy>;
  /** Where the gRPC service listens and whom it lets in (default: loopback, any free port, no one authenticated: `insecure` must then be true). */
  readonly grpc?: GrpcListenOptions;
  /** /metrics, /healthz, /api/status and the dashboard; `false` serves none (default: loopback, any free port). */
  readonly http?: HttpListenOptions | false;
  /** Structured logger (default: silent). */
  readonly logger?: Logger;
  /** Prometheus metrics (default: a fresh registry). */
  readonly metrics?: CoordinatorMetrics;
}

/** The coordinator's options with every default filled in; ConfigError naming a bad field. */
export function resolveOptions(o: CreateCoordinatorOptions, strategyName: string): CoordinatorOptions {
  if (typeof o.dataDir !== 'string' || o.dataDir === '') throw new ConfigError('dataDir must name a directory');
  const d = coordinatorOptions(parseCommand(SERVER_COMMAND, [], {}).options!);
  const model = defaultModelConfig(o.model ?? {});
  const minClients = o.round?.minClients ?? d.round.minClients;
  const recipe = LOCAL_RECIPES[model.backbone] ?? LOCAL_RECIPES.mlp!;
  const { lr, ...optimizer } = recipe;
  const totalRounds = o.rounds ?? d.totalRounds;
  const resolved: CoordinatorOptions = {
    model,
    totalRounds,
    strategyName,
    dataDir: path.resolve(o.dataDir),
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    livenessTimeoutMs: o.livenessTimeoutMs ?? d.livenessTimeoutMs,
    maxClients: o.maxClients ?? d.maxClients,
    forgetAfterMs: o.forgetAfterMs ?? d.forgetAfterMs,
    strictAttempts: o.strictAttempts,
    attemptErrors: o.attemptErrors,
    round: Object.freeze({
      ...d.round,
      ...o.round,
      learningRate: o.round?.learningRate ?? lr,
      optimizer: Object.freeze({ ...(o.round?.optimizer ?? optimizer) }),
      scheduleRounds: totalRounds,
      experts: model.experts,
      minAvailable: Math.max(o.round?.minAvailable ?? 0, minClients),
    }),
    fitness: Object.freeze({ ...d.fitness, ...o.fitness, experts: model.experts }),
    norms: Object.freeze({ ...d.norms!, ...o.norms }),
  };
  checkOptions(resolved);
  return Object.freeze(resolved);
}

/** The ranges `flexmoe server` enforces on its flags, for options that arrive as values. */
function checkOptions(o: CoordinatorOptions): void {
  const r = o.round;
  const ints: Array<[string, number, number]> = [
    ['rounds', o.totalRounds, 1],
    ['round.minClients', r.minClients, 1],
    ['round.batchSize', r.batchSize, 1],
    ['round.localEpochs', r.localEpochs, 1],
    ['round.topR', r.topR, 1],
    ['round.seed', r.seed, 0],
    ['maxClients', o.maxClients ?? 1, 1],
  ];
  for (const [name, v, min] of ints) if (!Number.isInteger(v) || v < min) throw new ConfigError(`${name} must be an integer >= ${min} (got ${v})`);
  const positive: Array<[string, number]> = [
    ['round.roundDeadlineMs', r.roundDeadlineMs],
    ['heartbeatIntervalMs', o.heartbeatIntervalMs],
    ['livenessTimeoutMs', o.livenessTimeoutMs],
    ['forgetAfterMs', o.forgetAfterMs ?? 1],
  ];
  for (const [name, v] of positive) if (!Number.isFinite(v) || v <= 0) throw new ConfigError(`${name} must be a number > 0 (got ${v})`);
  const fractions: Array<[string, number]> = [
    ['round.fraction', r.fraction],
    ['round.reportQuorum', r.reportQuorum],
  ];
  for (const [name, v] of fractions) if (!Number.isFinite(v) || v <= 0 || v > 1) throw new ConfigError(`${name} must be in (0, 1] (got ${v})`);
  if (!Number.isFinite(r.learningRate) || r.learningRate < 0) throw new ConfigError(`round.learningRate must be a number >= 0 (got ${r.learningRate})`);
  if (r.optimizer) checkLocalOptimizerSpec(r.optimizer, 'round.optimizer');
  if (!Number.isFinite(r.quorumGraceMs) || r.quorumGraceMs < 0) throw new ConfigError(`round.quorumGraceMs must be a number >= 0 (got ${r.quorumGraceMs})`);
}
