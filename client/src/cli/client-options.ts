/**
 * The options of `flexmoe client`, with their documented defaults.
 */
import { availableParallelism } from 'node:os';
import type { CommandSpec } from '@flexmoe/shared';

/**
 * Default ONNX Runtime intra-op threads: the device's cores (4 on a Raspberry Pi 4), capped at the
 * option's maximum. A daemon usually has its device to itself; several daemons sharing one machine
 * (`flexmoe fleet`) pass `--threads 1` each.
 */
export const DEFAULT_CLIENT_THREADS = Math.min(availableParallelism(), 64);

/** `flexmoe client` options (defaults < --config FILE < FLEXMOE_* env < flags). */
export const CLIENT_COMMAND = {
  name: 'client',
  summary:
    'A client daemon: dials out to the coordinator, trains its assigned experts on local data, keeps its ' +
    'personal gate on its own disk, writes its personalised model (model.onnx) to the state dir after ' +
    'every round, and reconnects by itself.',
  options: {
    server: { type: 'string', arg: 'HOST:PORT', required: true, help: 'coordinator address' },
    data: { type: 'string', arg: 'SPEC', required: true, help: 'local data: fashion-mnist, idx:IMAGES,LABELS, csv:FILE, cifar10:DIR' },
    partition: { type: 'string', arg: 'P', help: 'simulated fleet: iid, dirichlet:ALPHA or classes:K (with --shard; default iid)' },
    shard: { type: 'string', arg: 'I/N', help: "simulated fleet: take client I's share of N (zero-based)" },
    seed: { type: 'integer', min: 0, default: 0, help: 'seed of the partition, the held-out split and the sample cap' },
    capacity: { type: 'integer', arg: 'K', min: 1, default: 2, help: 'experts this device can hold (k_c; the coordinator caps it at E)' },
    id: { type: 'string', arg: 'ID', help: 'client id (default: hostname, plus -sI-N for a shard; persisted in the state dir)' },
    token: { type: 'string', arg: 'T', help: 'client token when the coordinator uses a tokens file (prefer FLEXMOE_TOKEN)' },
    tlsCa: { type: 'string', arg: 'FILE', help: 'CA certificate (PEM) to verify the coordinator; enables TLS' },
    tlsCert: { type: 'string', arg: 'FILE', help: 'client certificate (PEM) for mutual TLS' },
    tlsKey: { type: 'string', arg: 'FILE', help: 'client private key (PEM) for mutual TLS' },
    tlsServerName: { type: 'string', arg: 'NAME', help: "name expected in the coordinator's certificate (default: the host of --server)" },
    stateDir: { type: 'string', arg: 'DIR', help: 'state directory: client id, personal gate, model.onnx (default ~/.flexmoe/client[-sI-N])' },
    testFraction: { type: 'number', arg: 'F', min: 0.01, max: 0.99, default: 0.2, help: 'fraction of user data held out as the local test split' },
    maxSamples: { type: 'integer', arg: 'N', min: 1, help: 'cap on local training samples (seeded subset; the test split shrinks in step)' },
    globalTest: {
      type: 'integer',
      arg: 'N',
      min: 0,
      default: 0,
      help: "also score the downloaded model with the personal gate on N class-balanced samples of the dataset's test split each round (0 = off; simulated fleets)",
    },
    threads: {
      type: 'integer',
      min: 1,
      max: 64,
      default: DEFAULT_CLIENT_THREADS,
      help: "ONNX Runtime intra-op threads (default: this device's cores, 4 on a Raspberry Pi 4)",
    },
    metricsPort: { type: 'integer', arg: 'PORT', min: 0, max: 65535, help: 'serve /metrics and /healthz on this port (0 = any free port)' },
    metricsHost: { type: 'string', arg: 'HOST', default: '0.0.0.0', help: 'address the metrics port binds to' },
    exitOnComplete: { type: 'boolean', default: true, help: 'exit when the coordinator reports the run complete (--no-exit-on-complete stays)' },
    lowMemory: { type: 'boolean', default: true, help: 'small V8 young generation for edge devices (--no-low-memory: V8 defaults)' },
    logLevel: {
      type: 'string',
      default: 'info',
      choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      help: 'log level (JSON logs on stderr)',
    },
  },
} as const satisfies CommandSpec;
