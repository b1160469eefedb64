/**
 * `flexmoe server`: the coordinator. Parses the flags into `createCoordinator`'s options (the
 * same API embedders use), starts it, prints the bound ports, and drains gracefully on SIGTERM /
 * SIGINT (a second signal forces the exit).
 */
import * as path from 'node:path';
import { createLogger, parseCommand, ConfigError, type CommandSpec, type OptionValues } from '@flexmoe/shared';
import { backboneLayouts, defaultModelConfig, LOCAL_OPTIMIZER_OPTIONS, resolveLocalRecipe, type MoEConfig } from '@flexmoe/shared';
import { parseAggregationRule } from '../aggregation/rules';
import { createCoordinator, type CoordinatorService } from '../api/create-coordinator';
import { DEFAULT_NORM_POLICY, type CoordinatorOptions } from '../coordinator/coordinator';
import type { StrategyPortOptions } from '../coordinator/strategy-port';
import { readSecretFile, readTokensFile } from '../transport/auth';
import { serverCredentials } from '../transport/credentials';
import { FITNESS_SIGNALS, type FitnessSignal } from '../fitness/fitness-matrix';
import { strategyRegistry } from '../strategies';

/** Options of `flexmoe server` (defaults documented in --help). */
export const SERVER_COMMAND = {
  name: 'server',
  summary: 'Run the FlexMoE coordinator: clients dial in over gRPC; rounds, checkpoints, metrics.',
  options: {
    host: { type: 'string', default: '0.0.0.0', help: 'gRPC listen address (an --insecure coordinator binds 127.0.0.1 whatever is given)' },
    port: { type: 'integer', default: 50051, min: 0, max: 65535, help: 'gRPC port (0 = any free port, printed at startup)' },
    metricsHost: {
      type: 'string',
      default: '0.0.0.0',
      help: 'HTTP listen address (/metrics, /healthz, /api/status, dashboard); /api/status answers loopback callers only unless --status-token',
    },
    metricsPort: { type: 'integer', default: 9464, min: 0, max: 65535, help: 'HTTP port (0 = any free port)' },
    dataDir: { type: 'string', default: './flexmoe-data', arg: 'DIR', help: 'checkpoint directory (resumed from on start)' },
    strategy: {
      type: 'string',
      default: 'flexmoe',
      help: () => `assignment strategy, registered: ${strategyRegistry.names().join(', ')} (balanced: the flexmoe ILP with a flat Q)`,
    },
    rounds: { type: 'integer', default: 20, min: 1, help: 'rounds to run' },
    experts: { type: 'integer', default: 8, min: 1, max: 1024, help: 'number of experts E' },
    fraction: { type: 'number', default: 1, min: 0, max: 1, help: 'fraction of ready clients sampled per round' },
    minClients: { type: 'integer', default: 2, min: 1, help: 'clients that must report for a round to aggregate' },
    minAvailable: { type: 'integer', default: 0, min: 0, help: 'ready clients needed before a round starts (0 = --min-clients)' },
    roundDeadline: { type: 'number', default: 300, min: 0.1, arg: 'SECONDS', help: 'round deadline; later clients count as failed' },
    reportQuorum: {
      type: 'number',
      default: 0.75,
      min: 0.01,
      max: 1,
      arg: 'Q',
      help: 'close a round once this fraction of its sampled clients (at least --min-clients) reported, then --quorum-grace; 1 = wait for all or the deadline',
    },
    quorumGrace: { type: 'number', default: 10, min: 0, arg: 'SECONDS', help: 'time stragglers still get once the report quorum is reached' },
    solverTimeLimit: {
      type: 'number',
      default: 30,
      min: 0.000001,
      arg: 'SECONDS',
      help: 'assignment solver safety net (the search is bounded by counted work; a solve cut by this is marked timeout)',
    },
    learningRate: {
      type: 'number',
      min: 0,
      help: "peak learning rate of the clients' local steps (default per backbone: 0.002 for resnet with adam, 0.05 with sgd)",
    },
    ...LOCAL_OPTIMIZER_OPTIONS,
    batchSize: { type: 'integer', default: 32, min: 1, help: 'client minibatch size' },
    localEpochs: { type: 'integer', default: 1, min: 1, help: 'local epochs per round' },
    topR: { type: 'integer', default: 1, min: 1, help: 'routing top-r (capped at the experts assigned; r >= k shares the per-expert feedback)' },
    backbone: {
      type: 'string',
      default: 'mlp',
      choices: () => backboneLayouts.names(),
      help: 'backbone (the registered ones)',
    },
    inputShape: { type: 'string', default: '1,28,28', arg: 'C,H,W', help: 'per-sample input shape' },
    classes: { type: 'integer', default: 10, min: 2, help: 'number of classes' },
    featureDim: { type: 'integer', default: 128, min: 1, help: 'backbone output width' },
    expertHidden: { type: 'integer', default: 64, min: 1, help: 'hidden width of each expert' },
    beta: { type: 'number', default: 0.5, min: 0, max: 1, help: 'EMA weight of the fitness update' },
    fitnessSignal: {
      type: 'string',
      default: 'expert-loss',
      choices: FITNESS_SIGNALS,
      help: "fitness signal s_ce: the mixed model's loss or accuracy on the routed samples, or the expert's own (expert-*)",
    },
    fitnessNormalize: { type: 'boolean', default: true, help: "divide a client's scores of a round by their mean (--no-fitness-normalize: raw scores)" },
    exploreAfter: {
      type: 'integer',
      default: 10,
      min: 0,
      arg: 'ROUNDS',
      help: "raise Q of a pair unassigned this many of the client's rounds back to q0 (0 = never)",
    },
    alphaL: { type: 'number', default: 1, min: 0.000001, help: 'alpha_L of the loss signal exp(-alpha_L l)' },
    delta: { type: 'number', default: 0.1, min: 0, max: 1, help: 'load slack around the balanced share' },
    gamma: { type: 'number', default: 0.1, min: 0, help: 'weight of the historical deficit in the bounds' },
    deficitDecay: { type: 'number', default: 0.9, min: 0, max: 1, help: 'per-round decay of the load deficits' },
    aggregation: {
      type: 'string',
      default: 'fedavg',
      arg: 'RULE',
      help: 'per parameter group (backbone, each expert over its trainers): fedavg | median | trimmed-mean:F (drop fraction F at each end)',
    },
    clipMultiplier: {
      type: 'number',
      default: 3,
      min: 1,
      help: "clip each update's distance from the global parameters to this x the last round's median accepted distance (first round: the group's norm)",
    },
    rejectMultiplier: {
      type: 'number',
      default: 10,
      min: 1,
      help: "reject an update beyond the clip bound whose distance exceeds this x the round's median distance",
    },
    expertWeighting: { type: 'string', default: 'usage', choices: ['usage', 'samples'], help: 'expert aggregation weights' },
    heartbeatInterval: { type: 'number', default: 5, min: 0.05, arg: 'SECONDS', help: 'client heartbeat interval' },
    livenessTimeout: { type: 'number', default: 20, min: 0.1, arg: 'SECONDS', help: 'silence after which a client is dropped' },
    maxClients: { type: 'integer', default: 10000, min: 1, help: 'client ids the coordinator keeps records of; a new id beyond it is refused' },
    forgetAfter: {
      type: 'number',
      default: 168,
      min: 0.01,
      arg: 'HOURS',
      help: 'records (and checkpoint entries) of clients not seen for this long are dropped',
    },
    drainGrace: { type: 'number', default: 10, min: 0, arg: 'SECONDS', help: 'on SIGTERM, time the round in flight may take to finish' },
    keepServing: { type: 'boolean', default: false, help: 'stay up after the last round (status page)' },
    seed: { type: 'integer', default: 1, min: 0, help: 'run seed (initial weights, sampling, tie-breaking)' },
    tlsCert: { type: 'string', arg: 'FILE', help: 'TLS certificate (PEM)' },
    tlsKey: { type: 'string', arg: 'FILE', help: 'TLS private key (PEM)' },
    tlsCa: { type: 'string', arg: 'FILE', help: 'CA of client certificates: enables mutual TLS' },
    tokens: { type: 'string', arg: 'FILE', help: "client tokens: JSON {id: token} or lines 'id token'" },
    allowedClients: {
      type: 'list',
      arg: 'IDS',
      help: 'only these client ids may call (comma-separated; with mutual TLS, the certificate must also name the id)',
    },
    insecure: {
      type: 'boolean',
      default: false,
      help: 'run without client authentication (no --tokens, no mutual TLS): binds 127.0.0.1 and warns every minute',
    },
    statusToken: {
      type: 'string',
      arg: 'FILE',
      help: 'file holding a bearer token for /api/status (the dashboard sends it); without it /api/status answers loopback callers only',
    },
    logLevel: { type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], help: 'log level' },
  },
} as const satisfies CommandSpec;

type ServerOptions = OptionValues<typeof SERVER_COMMAND>;

function modelConfig(o: ServerOptions): MoEConfig {
  const shape = o.inputShape.split(',').map((s) => Number(s.trim()));
  if (shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ConfigError(`--input-shape must be C,H,W positive integers (got '${o.inputShape}')`);
  }
  return defaultModelConfig({
    backbone: o.backbone as MoEConfig['backbone'],
    inputShape: shape as [number, number, number],
    classes: o.classes,
    experts: o.experts,
    featureDim: o.featureDim,
    expertHidden: o.expertHidden,
    topR: o.topR,
  });
}

/** Turns validated flags into the coordinator's frozen options. */
export function coordinatorOptions(o: ServerOptions): CoordinatorOptions {
  const model = modelConfig(o);
  const { lr, ...optimizer } = resolveLocalRecipe(model.backbone, { ...o, lr: o.learningRate });
  return Object.freeze({
    model,
    totalRounds: o.rounds,
    strategyName: o.strategy,
    dataDir: path.resolve(o.dataDir),
    heartbeatIntervalMs: Math.round(o.heartbeatInterval * 1000),
    livenessTimeoutMs: Math.round(o.livenessTimeout * 1000),
    maxClients: o.maxClients,
    forgetAfterMs: Math.round(o.forgetAfter * 3600_000),
    round: Object.freeze({
      experts: model.experts,
      fraction: o.fraction,
      minClients: o.minClients,
      minAvailable: Math.max(o.minAvailable, o.minClients),
      roundDeadlineMs: Math.round(o.roundDeadline * 1000),
      reportQuorum: o.reportQuorum,
      quorumGraceMs: Math.round(o.quorumGrace * 1000),
      learningRate: lr,
      optimizer: Object.freeze(optimizer),
      scheduleRounds: o.rounds,
      batchSize: o.batchSize,
      localEpochs: o.localEpochs,
      topR: o.topR,
      seed: o.seed,
    }),
    norms: Object.freeze({ ...DEFAULT_NORM_POLICY, clipMultiplier: o.clipMultiplier, rejectMultiplier: o.rejectMultiplier }),
    fitness: Object.freeze({
      experts: model.experts,
      beta: o.beta,
      q0: 1,
      signal: o.fitnessSignal as FitnessSignal,
      alphaL: o.alphaL,
      normalize: o.fitnessNormalize,
      exploreAfter: o.exploreAfter,
    }),
  });
}

/** The strategy options the flags set (solver limit, bounds, deficits, aggregation). */
export function strategyOptionsOf(o: ServerOptions): StrategyPortOptions {
  return {
    timeLimitSeconds: o.solverTimeLimit,
    delta: o.delta,
    gamma: o.gamma,
    deficitDecay: o.deficitDecay,
    aggregation: parseAggregationRule(o.aggregation),
    weighting: o.expertWeighting as 'usage' | 'samples',
  };
}

/** Entry point of `flexmoe server`; resolves with the exit code once the coordinator stops. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(SERVER_COMMAND, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  const options = coordinatorOptions(o);
  const logger = createLogger({ level: o.logLevel, name: 'flexmoe-server' });
  const tls = serverCredentials({ cert: o.tlsCert, key: o.tlsKey, ca: o.tlsCa });
  const tokens = o.tokens ? readTokensFile(o.tokens) : undefined;
  const service = createCoordinator({
    strategy: o.strategy,
    strategyOptions: { ...strategyOptionsOf(o), logger: logger.child({ component: 'strategy' }) },
    dataDir: options.dataDir,
    model: options.model,
    rounds: options.totalRounds,
    round: options.round,
    fitness: options.fitness,
    norms: options.norms,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    livenessTimeoutMs: options.livenessTimeoutMs,
    maxClients: options.maxClients,
    forgetAfterMs: options.forgetAfterMs,
    grpc: {
      host: o.host,
      port: o.port,
      credentials: tls.credentials,
      auth: { tokens, mutualTls: tls.mutual, allowedClients: o.allowedClients ? new Set(o.allowedClients) : undefined },
      insecure: o.insecure,
    },
    http: { host: o.metricsHost, port: o.metricsPort, statusToken: o.statusToken ? readSecretFile(o.statusToken) : undefined },
    logger,
  });
  const bound = await service.start();
  const host = bound.address.slice(0, bound.address.lastIndexOf(':'));
  logger.info(
    {
      host,
      port: bound.grpcPort,
      metricsPort: bound.httpPort,
      tls: !!o.tlsCert,
      mtls: tls.mutual,
      tokens: !!tokens,
      statusToken: !!o.statusToken,
      localOptimizer: { ...options.round.optimizer, learningRate: options.round.learningRate },
    },
    'coordinator listening',
  );
  console.log(`flexmoe server listening grpc=${bound.address} metrics=${o.metricsHost}:${bound.httpPort}`);
  return lifecycle(service, { keepServing: o.keepServing, drainGraceMs: o.drainGrace * 1000, logger });
}

interface Lifecycle {
  keepServing: boolean;
  drainGraceMs: number;
  logger: ReturnType<typeof createLogger>;
}

/** Runs until the run ends (unless --keep-serving) or a signal arrives; then drains and stops. */
async function lifecycle(service: CoordinatorService, l: Lifecycle): Promise<number> {
  let stopping: Promise<void> | undefined;
  const stop = (why: string) => {
    stopping ??= (async () => {
      l.logger.info({ why }, 'draining');
      await service.stop(l.drainGraceMs);
      l.logger.info({ completedRounds: service.completedRounds }, 'coordinator stopped');
    })();
    return stopping;
  };
  let signalled: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (signalled = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      l.logger.warn({ signal }, 'second signal: forcing exit');
      process.exit(130);
    }
    stop(signal).catch((err: unknown) => l.logger.error({ err }, 'stop failed')); // awaited again below
    signalled();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await service.done();
  // A failed coordinator exits 1 so a supervisor restarts it from the last checkpoint.
  const failed = service.state === 'failed';
  if (failed && !stopping) await stop('round attempts keep failing');
  if (!stopping && !l.keepServing) {
    // Let task streams deliver RunComplete before the server goes away.
    await new Promise((r) => setTimeout(r, 1000));
    if (!stopping) await stop('run finished');
  }
  if (!stopping) await stopRequested; // --keep-serving: serve the status until a signal
  await stopping;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return failed ? 1 : 0;
}
