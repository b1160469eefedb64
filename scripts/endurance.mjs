#!/usr/bin/env node
// Endurance run (not part of the default tests): a real coordinator process and simulated
// clients (real protocol over loopback gRPC) for many rounds with random drops and coordinator
// restarts (SIGKILL mid-round, restart on the same port and data directory). Checks that every
// round completes exactly once, that no completed round is lost across a restart, and that the
// coordinator's RSS after the last round is within 10 % of its RSS after round 20. Prints a
// report; exit code 0 when every check passes.
//
//   npm run build && node scripts/endurance.mjs [--clients 200] [--rounds 200] [--drop 0.05]
//     [--drop-mode silent|leave] [--restarts 70,140] [--deadline 5] [--think-ms 100] [--experts 8]
//     [--report-quorum Q] [--quorum-grace S] [--json FILE] [--keep] [--heap-snapshots]
// --heap-snapshots writes a V8 heap snapshot of the coordinator after round 20 and after the last
// round (in the kept run directory) to tell a leak from lazy GC; use it without restarts.
// --drop-mode silent (default): a dropped client stays connected and never reports, so the round
// ends at its deadline; leave: it says Leave and joins again (rounds end as soon as the rest report).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { CoordinatorProcess, LoadGenerator, parseDistribution } = require('@flexmoe/tools');
const { loadLatestCheckpoint } = require('@flexmoe/server');

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '200' },
    drop: { type: 'string', default: '0.05' },
    'drop-mode': { type: 'string', default: 'silent' },
    restarts: { type: 'string', default: '70,140' },
    deadline: { type: 'string', default: '5' },
    'think-ms': { type: 'string', default: '100' },
    experts: { type: 'string', default: '8' },
    'report-quorum': { type: 'string', default: '1' },
    'quorum-grace': { type: 'string', default: '1' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'heap-snapshots': { type: 'boolean', default: false },
  },
});
const clients = Number(args.clients);
const rounds = Number(args.rounds);
const restartAt = args.restarts.split(',').filter(Boolean).map(Number);
const RSS_EARLY_ROUND = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (b) => (b / 2 ** 20).toFixed(1);
const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'flexmoe-endurance-'));
const dataDir = path.join(dir, 'data');
const serverArgs = (port) => [
  '--host', '127.0.0.1', '--port', String(port), '--metrics-host', '127.0.0.1', '--metrics-port', '0',
  '--data-dir', dataDir, '--rounds', String(rounds), '--experts', args.experts,
  '--min-clients', String(Math.ceil(clients / 2)), '--round-deadline', args.deadline,
  '--input-shape', '1,8,8', '--feature-dim', '16', '--expert-hidden', '16',
  '--heartbeat-interval', '2', '--liveness-timeout', '20', '--solver-time-limit', '0.5',
  '--keep-serving', '--log-level', 'warn', '--seed', '3',
  '--report-quorum', args['report-quorum'], '--quorum-grace', args['quorum-grace'],
];

/** Starts the coordinator on `port`, retrying while the old socket is still being released. */
async function startCoordinator(port) {
  for (let attempt = 0; ; attempt++) {
    try {
      const nodeArgs = args['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2'] : [];
      return await CoordinatorProcess.start(serverArgs(port), path.join(dir, 'coordinator.log'), 30_000, nodeArgs);
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(250);
    }
  }
}

const report = { clients, rounds, drop: Number(args.drop), dropMode: args['drop-mode'], restarts: [], rss: {}, checks: {} };
const t0 = Date.now();
let coordinator = await startCoordinator(0);
const port = coordinator.grpcPort;
log(`coordinator pid ${coordinator.pid} on port ${port}; data ${dataDir}`);
const gen = new LoadGenerator({
  address: `127.0.0.1:${port}`,
  clients,
  samples: parseDistribution('samples', 'lognormal:5,1'),
  capacity: parseDistribution('capacity', 'uniform:1,4'),
  thinkMs: Number(args['think-ms']),
  dropProbability: Number(args.drop),
  dropMode: args['drop-mode'],
  seed: 3,
});
const running = gen.start();

let lastLogged = 0;
const pending = [...restartAt];
for (;;) {
  const done = await coordinator.completedRounds().catch(() => -1);
  if (done >= RSS_EARLY_ROUND && report.rss.afterRound20 === undefined) {
    report.rss.afterRound20 = coordinator.sample().rssBytes;
    log(`round ${done}: coordinator RSS ${mib(report.rss.afterRound20)} MiB`);
    if (args['heap-snapshots']) coordinator.proc.kill('SIGUSR2');
  }
  if (done - lastLogged >= 10) {
    lastLogged = done;
    const s = coordinator.sample();
    const m = await coordinator.memory().catch(() => ({ heapTotal: NaN, heapUsed: NaN, external: NaN }));
    log(`round ${done}: RSS ${mib(s.rssBytes)} MiB (V8 heap ${mib(m.heapTotal)}, used ${mib(m.heapUsed)}, external ${mib(m.external)}), peak ${mib(s.peakRssBytes)} MiB, CPU ${s.cpuSeconds.toFixed(1)} s`);
  }
  if (pending.length > 0 && done >= pending[0]) {
    pending.shift();
    report.restarts.push(await restart());
    continue;
  }
  if (done >= rounds) break;
  if (!coordinator.alive) throw new Error(`coordinator died (see ${path.join(dir, 'coordinator.log')})`);
  await sleep(250);
}

/** SIGKILL in the middle of the next round, check the checkpoint on disk, restart, check the resume. */
async function restart() {
  await sleep(Number(args.deadline) * 500); // mid-round
  const observed = await coordinator.completedRounds();
  coordinator.proc.kill('SIGKILL');
  await coordinator.exited;
  const onDisk = loadLatestCheckpoint(dataDir)?.checkpoint.state.completedRounds ?? 0;
  const killedAt = Date.now();
  coordinator = await startCoordinator(port);
  const resumed = await coordinator.completedRounds();
  await coordinator.waitForRound(resumed + 1);
  const entry = { observedBeforeKill: observed, checkpointOnDisk: onDisk, resumedAt: resumed, secondsToNextRound: (Date.now() - killedAt) / 1000 };
  log(`restart: killed after round ${observed} (on disk ${onDisk}), resumed at ${resumed}, next round done after ${entry.secondsToNextRound.toFixed(1)} s; pid ${coordinator.pid}`);
  return entry;
}

await sleep(500);
const end = coordinator.sample();
if (args['heap-snapshots']) {
  coordinator.proc.kill('SIGUSR2');
  await sleep(10_000); // writing a snapshot blocks the coordinator for a few seconds
}
report.rss.afterLastRound = end.rssBytes;
report.rss.peakLastProcess = end.peakRssBytes;
const status = await coordinator.status();
await coordinator.stop('SIGTERM');
const load = await Promise.race([running, sleep(10_000).then(() => gen.stop())]);
await gen.stop();

const history = status.history;
const roundsSeen = history.map((h) => h.round);
report.seconds = (Date.now() - t0) / 1000;
report.checks.everyRoundOnce = roundsSeen.length === rounds && roundsSeen.every((r, i) => r === i + 1);
report.checks.noCompletedRoundLost = report.restarts.every((r) => r.resumedAt >= r.observedBeforeKill && r.resumedAt === r.checkpointOnDisk);
report.rss.ratio = report.rss.afterLastRound / report.rss.afterRound20;
report.checks.rssWithin10Percent = Math.abs(report.rss.ratio - 1) <= 0.1;
report.checks.clientsSawCompletion = load.complete === clients;
const perRound = history.map((h) => h.seconds);
report.rounds = {
  retriedRounds: history.filter((h) => h.attempt > 0).length,
  meanSeconds: perRound.reduce((a, b) => a + b, 0) / Math.max(1, perRound.length),
  failures: history.reduce((s, h) => s + h.failures.length, 0),
  reportedMean: history.reduce((s, h) => s + (h.reportedCount ?? h.reported.length), 0) / Math.max(1, history.length),
};
report.load = { totals: load.recorder.totals, dropped: load.recorder.allRounds().reduce((s, r) => s + r.dropped, 0) };

console.log('\nendurance report');
console.log(`  ${clients} clients, ${rounds} rounds, drop ${args.drop} (${args['drop-mode']}), restarts after rounds ${restartAt.join(', ')}; ${report.seconds.toFixed(0)} s`);
console.log(`  rounds: ${roundsSeen.length} completed, ${report.rounds.retriedRounds} needed a retry, mean ${report.rounds.meanSeconds.toFixed(2)} s, ${report.rounds.failures} client failures (${report.load.dropped} planned drops), ${report.rounds.reportedMean.toFixed(1)} reports per round`);
for (const r of report.restarts) console.log(`  restart: ${r.observedBeforeKill} completed before SIGKILL, ${r.checkpointOnDisk} on disk, resumed at ${r.resumedAt}, next round after ${r.secondsToNextRound.toFixed(1)} s`);
console.log(`  RSS after round ${RSS_EARLY_ROUND}: ${mib(report.rss.afterRound20)} MiB, after round ${rounds}: ${mib(report.rss.afterLastRound)} MiB (ratio ${report.rss.ratio.toFixed(3)}), peak of last process ${mib(report.rss.peakLastProcess)} MiB`);
console.log(`  sessions: ${load.complete}/${clients} saw the run complete, joins ${load.recorder.totals.joins}, rejoins ${load.recorder.totals.rejoins}, call errors ${JSON.stringify(load.recorder.totals.errors)}`);
for (const [k, v] of Object.entries(report.checks)) console.log(`  ${v ? 'PASS' : 'FAIL'} ${k}`);
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
if (!args.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`  kept ${dir}`);
process.exit(Object.values(report.checks).every(Boolean) ? 0 : 1);
