/**
 * `flexmoe loadgen --server HOST:PORT --clients N ...`: many simulated client sessions from one
 * process against a running coordinator, each speaking the real protocol with training replaced by
 * a cheap deterministic weight perturbation. Prints a line per round and a summary; `--json FILE`
 * writes the per-round observations.
 */
import { promises as fs } from 'node:fs';
import { parseCommand, type CommandSpec } from '@flexmoe/shared';
import { readTokensFile } from '@flexmoe/server';
import { describeDistribution, parseDistribution } from '../loadgen/distributions';
import { LoadGenerator, type LoadGenOptions, type LoadReport } from '../loadgen/loadgen';
import type { LoadRecorder } from '../loadgen/recorder';

const SPEC = {
  name: 'loadgen',
  summary: 'Simulates many clients (real protocol, fake training) against a coordinator from one process.',
  options: {
    server: { type: 'string', arg: 'HOST:PORT', required: true, help: 'coordinator gRPC address' },
    clients: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'simulated client sessions' },
    samples: { type: 'string', default: 'lognormal:6,1', arg: 'DIST', help: 'n_c per client: fixed:V | uniform:A,B | lognormal:MU,SIGMA' },
    capacity: { type: 'string', default: 'fixed:2', arg: 'DIST', help: 'k_c per client (capped at E by the coordinator)' },
    thinkMs: { type: 'number', default: 500, min: 0, arg: 'MS', help: 'simulated training time per round' },
    drop: { type: 'number', default: 0, min: 0, max: 0.99, arg: 'P', help: 'probability a client drops out of a round it was given (see --drop-mode)' },
    dropMode: {
      type: 'string',
      default: 'silent',
      choices: ['silent', 'leave'],
      help: 'silent: skip the round, stay connected; leave: Leave, then join again',
    },
    seed: { type: 'integer', default: 1, min: 0, help: 'seed of the fleet (sizes, capacities, drops)' },
    tokenFile: { type: 'string', arg: 'FILE', help: "tokens file of the coordinator (JSON {id: token} or lines 'id token')" },
    durationRounds: { type: 'integer', min: 1, arg: 'R', help: 'stop after R rounds (default: until the run completes)' },
    channels: { type: 'integer', min: 1, max: 256, help: 'gRPC connections shared by the sessions (default ceil(N/128), at most 8)' },
    threads: { type: 'integer', default: 1, min: 1, max: 64, help: 'threads running the sessions (worker threads split sessions and channels)' },
    idPrefix: { type: 'string', default: 'load', help: 'client ids are PREFIX-00001 ...' },
    json: { type: 'string', arg: 'FILE', help: 'write the per-round observations as JSON' },
  },
} as const satisfies CommandSpec;

function roundLine(recorder: LoadRecorder, round: number): string {
  const r = recorder.round(round);
  if (!r) return `round ${round}: no tasks seen`;
  const span = r.lastAckMs > 0 ? ((r.lastAckMs - r.firstTaskMs) / 1000).toFixed(2) : '-';
  const mb = ((r.bytesDown + r.bytesUp) / (1 << 20)).toFixed(1);
  return `round ${round}: tasks ${r.tasks} accepted ${r.accepted} dropped ${r.dropped} refused ${r.refused} first-task-to-last-ack ${span} s ${mb} MiB`;
}

/** Entry point of `flexmoe loadgen`. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  const options: LoadGenOptions = {
    address: o.server,
    clients: o.clients,
    samples: parseDistribution('--samples', o.samples),
    capacity: parseDistribution('--capacity', o.capacity),
    thinkMs: o.thinkMs,
    dropProbability: o.drop,
    dropMode: o.dropMode as 'silent' | 'leave',
    seed: o.seed,
    channels: o.channels,
    durationRounds: o.durationRounds,
    threads: o.threads,
    idPrefix: o.idPrefix,
    tokens: o.tokenFile ? readTokensFile(o.tokenFile) : undefined,
  };
  const gen = new LoadGenerator(options);
  console.log(
    `loadgen: ${o.clients} clients in ${o.threads} thread(s) over ${gen.channelCount} channel(s) to ${o.server}; samples ${describeDistribution(options.samples)}, capacity ${describeDistribution(options.capacity)}, think ${o.thinkMs} ms, drop ${o.drop} (${o.dropMode})`,
  );
  // A round is over for us when the next one's first task arrives.
  gen.recorder.onNewRound((round) => round > 1 && gen.recorder.round(round - 1) && console.log(roundLine(gen.recorder, round - 1)));
  const onSignal = (): void => {
    gen.stop().catch((err: unknown) => console.error(`loadgen: stop failed: ${String(err)}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const report = await gen.start();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const last = gen.recorder.highestRound;
  if (last > 0) console.log(roundLine(gen.recorder, last));
  console.log(summary(report));
  if (o.json) await fs.writeFile(o.json, JSON.stringify({ ...reportJson(report) }, null, 2) + '\n');
  return report.fatal > 0 ? 1 : 0;
}

function summary(r: LoadReport): string {
  const t = r.recorder.totals;
  const errors =
    Object.entries(t.errors)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'none';
  return `loadgen done (${r.stoppedBy}): ${r.complete}/${r.clients} saw the run complete, joins ${t.joins}, rejoins ${t.rejoins}, fatal ${r.fatal}, call errors ${errors}`;
}

/** The report as JSON (totals and per-round observations). */
export function reportJson(r: LoadReport): Record<string, unknown> {
  return { clients: r.clients, channels: r.channels, complete: r.complete, stoppedBy: r.stoppedBy, totals: r.recorder.totals, rounds: r.recorder.allRounds() };
}
