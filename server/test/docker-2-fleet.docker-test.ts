/**
 * The repository's docker-compose.yml run by Compose v2 on a real Docker Engine: coordinator,
 * 4 client replicas and Prometheus (Grafana has no Debian package, so its image cannot be made
 * offline; ops-compose.test.ts parses its provisioning instead). A small override keeps CI short
 * (capped samples, a smaller model) and publishes no host ports; everything else is the
 * file users run, tokens included. Checks: 4 distinct shards from the replicas' own names (Docker's DNS), healthy
 * healthchecks, non-root processes, 5 Prometheus targets up, `restart coordinator` resuming the
 * same run from its checkpoint, SIGTERM exiting 0, and `down` + `up` keeping each client's id,
 * personal gate and volumes. Run by `npm run test:docker` after docker-1-images.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compose,
  containerIp,
  containerLogs,
  containersOf,
  docker,
  getJson,
  inspect,
  mib,
  peakMemory,
  recordMeasurement,
  requireEngine,
  waitFor,
} from './docker-engine';

const ROUNDS = 30; // the compose default; enough that the coordinator restart lands mid-run
const CLIENTS = 4;
const ENV = { FLEXMOE_ROUNDS: String(ROUNDS), FLEXMOE_CLIENTS: String(CLIENTS) };
const SERVICES = ['coordinator', 'client', 'prometheus'];
const MIN = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'flexmoe-compose-'));
const OVERRIDE = join(dir, 'ci.override.yml');
writeFileSync(
  OVERRIDE,
  `services:
  coordinator:
    ports: !reset []
    environment: { FLEXMOE_FEATURE_DIM: "32", FLEXMOE_EXPERT_HIDDEN: "16" }
  client:
    environment: { FLEXMOE_MAX_SAMPLES: "600" }
  prometheus:
    ports: !reset []
`,
);

const up = (): string => compose(OVERRIDE, ['up', '-d', '--no-build', ...SERVICES], ENV);
const jsonLines = (container: string): any[] =>
  containerLogs(container)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
/** The coordinator's /api/status, with the bearer token the compose `tokens` service made. */
async function status(): Promise<any> {
  const token = docker(['exec', 'flexmoeci-coordinator-1', 'cat', '/run/flexmoe/tokens/status-token']).trim();
  return getJson(`http://${containerIp('flexmoeci-coordinator-1')}:9464/api/status`, { authorization: `Bearer ${token}` });
}

/** Every container of the fleet is running and its healthcheck (when it has one) says healthy. */
function allHealthy(): true | undefined {
  const names = [...containersOf('coordinator'), ...containersOf('client')];
  if (names.length !== 1 + CLIENTS) return undefined;
  return names.every((n) => inspect(n).State.Health?.Status === 'healthy') ? true : undefined;
}

/** Client id each replica joined with (from its own `joined` log lines), by container name. */
function clientIds(): Record<string, string[]> {
  return Object.fromEntries(
    containersOf('client').map((c) => [
      c,
      [
        ...new Set(
          jsonLines(c)
            .filter((l) => l.msg === 'joined')
            .map((l) => String(l.client)),
        ),
      ],
    ]),
  );
}

before(() => {
  requireEngine();
  compose(OVERRIDE, ['down', '-v', '--remove-orphans'], ENV);
});

after(() => {
  try {
    compose(OVERRIDE, ['down', '-v', '--remove-orphans', '-t', '5'], ENV);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compose up, then restart coordinator mid-run: the run resumes from its checkpoint and completes every round', { timeout: 15 * MIN }, async () => {
  // First thing after `up`: the rounds are short (about a second each here), so the restart
  // must come early; frozen clients then cannot finish the run before it.
  up();
  await waitFor('round 2 completed', async () => ((await status()).round >= 2 ? true : undefined), 8 * MIN);
  // Frozen clients (cgroup freezer) cannot finish the run meanwhile: the restart is mid-run.
  compose(OVERRIDE, ['pause', 'client'], ENV);
  let before;
  try {
    before = await status();
    assert.ok(before.round < ROUNDS, `the restart happens mid-run (round ${before.round} of ${ROUNDS})`);
    compose(OVERRIDE, ['restart', 'coordinator'], ENV);
  } finally {
    compose(OVERRIDE, ['unpause', 'client'], ENV);
  }
  const resumed = await waitFor(
    'resumed from checkpoint',
    () =>
      jsonLines('flexmoeci-coordinator-1')
        .filter((l) => l.msg === 'resumed from checkpoint')
        .pop(),
    2 * MIN,
  );
  assert.ok(Number(resumed.completedRounds) >= before.round, `resumed at ${resumed.completedRounds}, had completed ${before.round}`);
  const done = await waitFor(
    `all ${ROUNDS} rounds`,
    async () => {
      const s = await status();
      return s.round === ROUNDS ? s : undefined;
    },
    10 * MIN,
  );
  assert.equal(done.runId, before.runId, 'the same run continued');
  assert.deepEqual(
    done.history.map((r: { round: number }) => r.round),
    Array.from({ length: ROUNDS }, (_, i) => i + 1),
    'no round lost or repeated',
  );
  assert.deepEqual(Object.keys(done.assignment).sort(), ['client-0', 'client-1', 'client-2', 'client-3'], 'every replica joined with its own id and token');
  for (const c of containersOf('client')) {
    const peak = peakMemory(c);
    recordMeasurement({
      [`peak_${c.replace('flexmoeci-', '')}`]: { vmHwmMiB: mib(peak.vmHwmBytes), cgroupMaxMiB: peak.cgroupMaxBytes === null ? null : mib(peak.cgroupMaxBytes) },
    });
  }
  const coord = peakMemory('flexmoeci-coordinator-1');
  recordMeasurement({ peak_coordinator: { vmHwmMiB: mib(coord.vmHwmBytes), cgroupMaxMiB: coord.cgroupMaxBytes === null ? null : mib(coord.cgroupMaxBytes) } });
});

test('4 healthy replicas on 4 distinct shards, every process non-root', { timeout: 10 * MIN }, async () => {
  await waitFor('a healthy coordinator and 4 healthy clients', allHealthy, 5 * MIN);
  const clients = containersOf('client');
  assert.deepEqual(
    clients,
    [1, 2, 3, 4].map((n) => `flexmoeci-client-${n}`),
  );
  const shards = clients.map((c) => /--shard=(\d+)\/4/.exec(containerLogs(c))?.[1]);
  assert.deepEqual(shards, ['0', '1', '2', '3'], "replica n takes shard n-1 (container name from Docker's DNS)");
  for (const c of [...clients, ...containersOf('coordinator'), ...containersOf('prometheus')]) {
    const uids = docker(['top', c, '-eo', 'pid,uid'])
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[1])
      .filter(Boolean);
    assert.ok(uids.length >= 1 && uids.every((u) => u !== '0'), `${c}: processes run as uids ${uids.join(',')}`);
  }
});

test('prometheus scrapes the coordinator and all 4 clients', { timeout: 5 * MIN }, async () => {
  const prom = containerIp('flexmoeci-prometheus-1');
  const targets = await waitFor(
    '5 Prometheus targets up',
    async () => {
      const t = (await getJson(`http://${prom}:9090/api/v1/targets`)).data.activeTargets as { scrapePool: string; health: string }[];
      return t.length === 1 + CLIENTS && t.every((x) => x.health === 'up') ? t : undefined;
    },
    3 * MIN,
  );
  assert.deepEqual(targets.map((t) => t.scrapePool).sort(), ['flexmoe-client', 'flexmoe-client', 'flexmoe-client', 'flexmoe-client', 'flexmoe-coordinator']);
});

test('SIGTERM (compose stop) ends the coordinator and every client with exit code 0', { timeout: 5 * MIN }, () => {
  compose(OVERRIDE, ['stop', 'client', 'coordinator'], ENV);
  for (const c of [...containersOf('client'), ...containersOf('coordinator')]) {
    const state = inspect(c).State;
    assert.equal(state.OOMKilled, false, `${c} was OOM-killed`);
    assert.equal(state.ExitCode, 0, `${c} exited ${state.ExitCode}`);
  }
});

test('compose down + up keeps every client id, personal gate and volume', { timeout: 10 * MIN }, async () => {
  const ids = clientIds();
  assert.ok(
    Object.values(ids).every((v) => v.length === 1),
    `one id per replica: ${JSON.stringify(ids)}`,
  );
  assert.equal(new Set(Object.values(ids).flat()).size, CLIENTS);
  const gates = (): string[] =>
    containersOf('client').map(
      (c, i) =>
        docker(['run', '--rm', '--entrypoint', 'sha256sum', '-v', `flexmoeci_client-state:/s:ro`, 'flexmoe-client:latest', `/s/replica-${i}/gate.bin`]).split(
          ' ',
        )[0]!,
    );
  const gatesBefore = gates();
  const volumes = (): string[] => docker(['volume', 'ls', '-q']).split('\n').filter(Boolean).sort();
  const volumesBefore = volumes();
  compose(OVERRIDE, ['down'], ENV);
  up();
  await waitFor('a healthy fleet after down + up', allHealthy, 5 * MIN);
  await waitFor('every replica joined again', () => (Object.values(clientIds()).every((v) => v.length === 1) ? true : undefined), 3 * MIN);
  assert.deepEqual(clientIds(), ids, 'every replica rejoined with its own id');
  assert.deepEqual(gates(), gatesBefore, 'every personal gate survived');
  assert.deepEqual(volumes(), volumesBefore, 'no new (anonymous) volumes');
  const s = await status();
  assert.equal(s.round, ROUNDS, 'the coordinator kept its finished run');
});
