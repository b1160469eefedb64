/**
 * The coordinator as a library: `createCoordinator({ strategy, dataDir, ... })` builds the
 * coordinator (resuming from the newest checkpoint in `dataDir`), and the returned service binds
 * the gRPC and HTTP servers on `start()`, runs the rounds, and drains on `stop()`. `flexmoe
 * server` is this plus flags and signals.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import { createLogger, parseCommand, type Logger } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { strategyOptionsOf, SERVER_COMMAND } from '../cli/server';
import { Coordinator, type CoordinatorPhase } from '../coordinator/coordinator';
import type { CoordinatorStatus } from '../coordinator/status';
import { createAssignPort } from '../coordinator/strategy-port';
import { startHttpServer, type RunningHttpServer } from '../http/http-server';
import { createMetrics } from '../metrics/metrics';
import type { Strategy } from '../strategies/strategy';
import { grpcBindHost, warnInsecure } from '../transport/exposure';
import { startGrpcServer, type RunningGrpcServer } from '../transport/grpc-server';
import type { BoundAddresses, GrpcListenOptions, HttpListenOptions } from './listen';
import { resolveOptions, type CreateCoordinatorOptions } from './options';

/** Time the gRPC server gives open calls once the coordinator has drained. */
const GRPC_STOP_GRACE_MS = 2000;

/** A coordinator with its servers: start it, wait for the run, inspect it, stop it. */
export class CoordinatorService {
  private starting: Promise<BoundAddresses> | undefined;
  private grpc: RunningGrpcServer | undefined;
  private http: RunningHttpServer | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopWarning: () => void = () => undefined;

  /** Use `createCoordinator`. */
  constructor(
    private readonly coordinator: Coordinator,
    /** The round policy this coordinator runs. */
    readonly strategy: Strategy,
    private readonly listen: {
      readonly grpc: Required<Pick<GrpcListenOptions, 'host' | 'port'>> & GrpcListenOptions;
      readonly http: HttpListenOptions | false;
    },
    private readonly deps: { readonly logger: Logger; readonly metrics: ReturnType<typeof createMetrics> },
  ) {}

  /** Binds the gRPC (and HTTP) servers and starts the round loop; resolves with the bound ports (again on later calls). */
  start(): Promise<BoundAddresses> {
    if (this.stopping) return Promise.reject(new Error('coordinator service was stopped'));
    this.starting ??= this.bind();
    return this.starting;
  }

  private async bind(): Promise<BoundAddresses> {
    const { grpc, http } = this.listen;
    const log = this.deps.logger;
    this.grpc = await startGrpcServer(this.coordinator, {
      host: grpc.host,
      port: grpc.port,
      credentials: grpc.credentials ?? ServerCredentials.createInsecure(),
      auth: grpc.auth ?? {},
      logger: log.child({ component: 'transport' }),
    });
    try {
      this.http = http === false ? undefined : await this.startHttp(http);
    } catch (err) {
      await this.grpc.stop(0);
      throw err;
    }
    if (grpc.insecure && !grpc.auth?.tokens && !grpc.auth?.mutualTls) this.stopWarning = warnInsecure(log);
    this.loop = this.coordinator.start();
    return { address: `${grpc.host}:${this.grpc.port}`, grpcPort: this.grpc.port, httpPort: this.http?.port };
  }

  private startHttp(h: HttpListenOptions): Promise<RunningHttpServer> {
    return startHttpServer(h.host ?? '127.0.0.1', h.port ?? 0, {
      metrics: this.deps.metrics.registry,
      healthy: () => !['draining', 'stopped', 'failed'].includes(this.coordinator.state),
      status: () => this.coordinator.status(),
      statusToken: h.statusToken,
      logger: this.deps.logger.child({ component: 'http' }),
    });
  }

  /** Resolves when the round loop ends: the run finished, failed (see `state`) or was stopped. */
  done(): Promise<void> {
    if (!this.loop) return Promise.reject(new Error('coordinator service not started'));
    return this.loop;
  }

  /**
   * Stops: no new rounds or joins, the round in flight may finish within `graceMs` (else it is
   * abandoned and the last checkpoint stands), then the servers close. Safe to call again.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      this.grpc?.health.setAll('NOT_SERVING');
      await this.coordinator.drain(graceMs);
      await this.grpc?.stop(GRPC_STOP_GRACE_MS);
      await this.http?.close();
      this.stopWarning();
    })();
    return this.stopping;
  }

  /** Lifecycle phase: waiting, running, draining, finished, failed or stopped. */
  get state(): CoordinatorPhase {
    return this.coordinator.state;
  }

  /** Rounds aggregated and checkpointed. */
  get completedRounds(): number {
    return this.coordinator.completedRounds;
  }

  /** The /api/status document: phase, rounds, history, clients, Q. */
  status(): CoordinatorStatus {
    return this.coordinator.status();
  }

  /** The global parameters (backbone and experts) after the last completed round. */
  parameters(): Readonly<ParamMap> {
    return this.coordinator.parameters();
  }
}

/**
 * Builds a coordinator: resolves the options (defaults as `flexmoe server`), builds a named
 * strategy from the registry, resumes from the newest checkpoint in `dataDir`, and checks the
 * listen policy. Throws ConfigError for bad options and CheckpointError for a checkpoint of
 * another run; binds nothing until `start()`.
 */
export function createCoordinator(options: CreateCoordinatorOptions): CoordinatorService {
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const metrics = options.metrics ?? createMetrics();
  const strategy = typeof options.strategy === 'string' ? namedStrategy(options.strategy, options, logger) : options.strategy;
  const resolved = resolveOptions(options, strategy.name);
  const g = options.grpc ?? {};
  const auth = g.auth ?? {};
  const host = grpcBindHost(
    { host: g.host ?? '127.0.0.1', tokens: auth.tokens !== undefined, mutualTls: auth.mutualTls === true, insecure: g.insecure === true },
    logger,
  );
  const coordinator = Coordinator.open(resolved, { logger, metrics, strategy });
  const http = options.http === false ? false : (options.http ?? {});
  return new CoordinatorService(coordinator, strategy, { grpc: { ...g, host, port: g.port ?? 0 }, http }, { logger, metrics });
}

/** A registered strategy, with `flexmoe server`'s defaults under the given strategy options. */
function namedStrategy(name: string, options: CreateCoordinatorOptions, logger: Logger): Strategy {
  const defaults = strategyOptionsOf(parseCommand(SERVER_COMMAND, [], {}).options!);
  return createAssignPort(name, {
    ...defaults,
    ...options.strategyOptions,
    logger: options.strategyOptions?.logger ?? logger.child({ component: 'strategy' }),
  });
}
