/**
 * `flexmoe client`: the composition root of the daemon. Only this file touches argv, the
 * environment and signals; it builds the parts, runs the daemon and returns its exit code.
 */
import { ConfigError, createLogger, currentResidentBytes, parseCommand, peakResidentBytes, type Logger, type OptionValues } from '@flexmoe/shared';
import { parseShard, type ShardRef } from '@flexmoe/ml/data';
import { ArrayBufferBudget, releaseGarbage } from '@flexmoe/ml/training';
import { ClientDaemon } from '../daemon/daemon';
import { loadLocalData } from '../daemon/data';
import { workerTrainerFactory } from '../daemon/trainer';
import { startMetricsServer, type MetricsServer } from '../observability/http';
import { createClientMetrics, startRssSampler } from '../observability/metrics';
import { defaultClientId, defaultStateDir, StateDir } from '../state/state-dir';
import { createGrpcLink } from '../transport/grpc-link';
import { CLIENT_COMMAND } from './client-options';

type ClientOptions = OptionValues<typeof CLIENT_COMMAND>;

/**
 * Dead ArrayBuffer bytes the daemon's thread may hold after a round: each round decodes and
 * encodes the weights (about 1 MB each way for the default model) and writes the personal model;
 * V8 alone let ~20 MB of them accumulate over 20 rounds.
 */
const ROUND_GARBAGE_SLACK_BYTES = 8 * 2 ** 20;

/**
 * Edge footprint: V8's default 16 MB semi-spaces (young generation ~48 MB per isolate) buy nothing
 * for this workload. `--low-memory` gives the training worker a 3 MB young generation (three 1 MB
 * semi-spaces) through its resourceLimits; the main isolate takes `--max-semi-space-size=1` from
 * NODE_OPTIONS (set by the client image, the systemd unit and `flexmoe fleet`), since V8 flags
 * changed at run time are unsupported.
 */
const LOW_MEMORY_YOUNG_GENERATION_MB = 3;

/** Checks `HOST:PORT` (IPv6 hosts in brackets). */
export function checkServerAddress(address: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new ConfigError(`--server '${address}': expected HOST:PORT, e.g. coordinator.lan:7070`);
  }
  return address.trim();
}

function shardOf(options: ClientOptions): ShardRef | undefined {
  if (options.partition !== undefined && options.shard === undefined) {
    throw new ConfigError('--partition needs --shard I/N (which share of the partition this client takes)');
  }
  return options.shard === undefined ? undefined : parseShard(options.shard);
}

/** Stops the daemon on the first SIGTERM/SIGINT; a second one exits at once. Returns the unbinder. */
function bindSignals(daemon: ClientDaemon, log: Logger): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    daemon.stop(`${signal} received`).catch((err: unknown) => log.error({ err }, 'stop failed'));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/** Runs `flexmoe client`; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(CLIENT_COMMAND, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const options = parsed.options;
  const address = checkServerAddress(options.server);
  const shard = shardOf(options);
  const log = createLogger({ level: options.logLevel, name: 'flexmoe-client' });
  const state = await StateDir.open(options.stateDir ?? defaultStateDir(shard));
  const clientId = await state.resolveClientId(options.id, defaultClientId(shard));
  const logger = log.child({ component: 'daemon', client: clientId });
  const data = await loadLocalData({
    spec: options.data,
    partition: options.partition,
    shard,
    seed: options.seed,
    testFraction: options.testFraction,
    maxSamples: options.maxSamples,
    globalTest: options.globalTest,
    logger,
  });
  // Loading a shard reads the whole Fashion-MNIST cache (55 MB) to copy a few thousand samples,
  // an IDX file with a held-out split is read once and copied into both splits; the daemon then
  // allocates too little for V8 to run a full collection on its own, so the dead buffers would
  // stay resident for the whole run, under the training worker's memory (40-70 MB of the peak).
  await releaseGarbage();
  logger.info(
    { train: data.train.n, test: data.test.n, stateDir: state.dir, server: address, rssBytes: currentResidentBytes(), peakRssBytes: peakResidentBytes() },
    'local data ready',
  );
  const metrics = createClientMetrics();
  const stopSampler = startRssSampler(metrics);
  const link = createGrpcLink({
    address,
    clientId,
    token: options.token,
    tls: { ca: options.tlsCa, cert: options.tlsCert, key: options.tlsKey, serverName: options.tlsServerName },
    observe: (direction, bytes) => metrics.transferBytes.inc({ direction }, bytes),
  });
  const garbage = new ArrayBufferBudget(ROUND_GARBAGE_SLACK_BYTES);
  const daemon = new ClientDaemon({
    clientId,
    capacity: options.capacity,
    link,
    state,
    data,
    metrics,
    logger,
    trainerFactory: workerTrainerFactory(options.threads, options.lowMemory ? LOW_MEMORY_YOUNG_GENERATION_MB : undefined),
    exitOnComplete: options.exitOnComplete,
    onRound: () => garbage.settle(),
  });
  let http: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    http = await startMetricsServer(metrics.registry, () => ({ ...daemon.status }), options.metricsPort, options.metricsHost);
    logger.info({ port: http.port }, 'metrics listening');
  }
  const unbind = bindSignals(daemon, logger);
  try {
    const exit = await daemon.run();
    logger.info({ code: exit.code, reason: exit.reason, peakRssBytes: metrics.peakRssBytes() }, 'exiting');
    return exit.code;
  } finally {
    unbind();
    stopSampler();
    await http?.close();
  }
}
