/**
 * Debian's Prometheus against a live fleet: the repository's scrape config, turned into its
 * loopback variant (same jobs, targets on 127.0.0.1), scrapes a real coordinator and real client
 * daemons; the FlexMoE series arrive with the run's values; every Grafana panel query is valid
 * PromQL against them; `promtool check metrics` passes on live /metrics pages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadYaml, readRepo, which } from './ops-fixtures';
import { freePort, getJson, getText, startFleet, startProcess, stopProcess, waitFor, type Fleet } from './ops-fleet';

const SPEC_SERIES = [
  'flexmoe_round',
  'flexmoe_round_duration_seconds_bucket',
  'flexmoe_assignment_solve_seconds_bucket',
  'flexmoe_expert_load',
  'flexmoe_expert_load_cv',
  'flexmoe_clients_connected',
  'flexmoe_updates_total',
  'flexmoe_transfer_bytes_total',
  'flexmoe_eval_accuracy',
];

/** The repository config with the compose targets replaced by the fleet's loopback ports. */
function loopbackConfig(fleet: Fleet): string {
  const config = loadYaml('deploy/prometheus/prometheus.yml');
  config.global.scrape_interval = '1s'; // keep the test short; everything else stays as shipped
  config.global.scrape_timeout = '1s';
  for (const job of config.scrape_configs) {
    if (job.job_name === 'flexmoe-coordinator') {
      job.static_configs[0].targets = [`127.0.0.1:${fleet.httpPort}`];
    } else if (job.job_name === 'flexmoe-client') {
      assert.ok(job.dns_sd_configs, 'the client job discovers replicas by DNS in compose');
      delete job.dns_sd_configs;
      job.static_configs = [{ targets: fleet.clientMetricsPorts.map((p) => `127.0.0.1:${p}`) }];
    } else assert.fail(`unexpected job ${job.job_name}`);
  }
  return stringify(config);
}

function promtoolCheckMetrics(page: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: page, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const installed = Boolean(which('prometheus') && which('promtool'));

describe(
  'prometheus against a live fleet',
  { skip: installed ? false : 'Debian prometheus is not installed (apt-get install prometheus): live scrape not tested', timeout: 180_000 },
  () => {
    let fleet: Fleet;
    let status: any;
    let prometheus: ChildProcess | undefined;
    let promPort = 0;
    const log: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'flexmoe-prom-'));
    const ctx = () => `${log.join('')}\n${fleet.logs()}`;
    const query = async (q: string): Promise<any[]> => {
      const r = await getJson(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      assert.equal(r.status, 'success', `${q}: ${JSON.stringify(r)}`);
      return r.data.result;
    };

    before(async () => {
      fleet = await startFleet({ clients: 2, rounds: 3, experts: 4, capacity: 2 });
      status = await waitFor(
        'the run to finish',
        async () => {
          const s = await getJson(`http://127.0.0.1:${fleet.httpPort}/api/status`);
          return s.state === 'finished' ? s : undefined;
        },
        90_000,
        fleet.logs,
      );
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, loopbackConfig(fleet));
      const check = spawnSync('promtool', ['check', 'config', configFile], { encoding: 'utf8' });
      assert.equal(check.status, 0, `promtool check config (loopback variant): ${check.stdout}${check.stderr}`);
      promPort = await freePort();
      prometheus = startProcess(
        'prometheus',
        [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
        log,
        'prometheus',
      );
    });

    after(async () => {
      if (prometheus) await stopProcess(prometheus);
      if (fleet) await fleet.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const who of ['coordinator', 'client'] as const) {
      it(`promtool check metrics passes on a live ${who} /metrics page`, async () => {
        const port = who === 'coordinator' ? fleet.httpPort : fleet.clientMetricsPorts[0];
        const page = await getText(`http://127.0.0.1:${port}/metrics`);
        assert.match(page, who === 'coordinator' ? /^flexmoe_round /m : /^flexmoe_client_round /m);
        const lint = promtoolCheckMetrics(page);
        assert.equal(lint.status, 0, `promtool check metrics on the ${who} page:\n${lint.out}`);
      });
    }

    it('the SPEC series arrive with the values of the run', async () => {
      const round = await waitFor(
        'flexmoe_round in Prometheus',
        async () => {
          const r = await query('flexmoe_round{job="flexmoe-coordinator"}');
          return r.length ? Number(r[0].value[1]) : undefined;
        },
        30_000,
        ctx,
      );
      assert.equal(round, status.round, 'Prometheus sees the round the status reports');
      const names = new Set((await query('count by (__name__) ({job="flexmoe-coordinator",__name__=~"flexmoe_.+"})')).map((s) => s.metric.__name__));
      for (const name of SPEC_SERIES) assert.ok(names.has(name), `${name} arrives in Prometheus`);
      const last = status.history[status.history.length - 1];
      const load = await query('flexmoe_expert_load{job="flexmoe-coordinator"}');
      assert.equal(load.length, status.experts, 'one load series per expert');
      for (const s of load) assert.equal(Number(s.value[1]), last.load[Number(s.metric.expert)], `load of expert ${s.metric.expert}`);
      const [acc] = await query('flexmoe_eval_accuracy{job="flexmoe-coordinator"}');
      assert.ok(Math.abs(Number(acc.value[1]) - status.accuracy) < 1e-9, 'accuracy matches the status');
    });

    it('every client daemon is scraped and reports the rounds it trained', async () => {
      const ups = await waitFor(
        'both client targets up',
        async () => {
          const r = await query('up{job="flexmoe-client"} == 1');
          return r.length === fleet.clientIds.length ? r : undefined;
        },
        30_000,
        ctx,
      );
      assert.deepEqual(ups.map((s) => s.metric.instance).sort(), fleet.clientMetricsPorts.map((p) => `127.0.0.1:${p}`).sort());
      assert.ok(
        ups.every((s) => s.metric.role === 'client'),
        'the relabelling of the repository config applies',
      );
      const rounds = await waitFor(
        'flexmoe_client_round for every client',
        async () => {
          const r = await query('flexmoe_client_round{job="flexmoe-client"}');
          return r.length === fleet.clientIds.length ? r : undefined;
        },
        15_000,
        ctx,
      );
      for (const s of rounds) assert.equal(Number(s.value[1]), status.round, `${s.metric.instance} trained every round`);
    });

    it("the images' HEALTHCHECK commands pass against live /healthz and fail without a server", async () => {
      const dead = await freePort();
      for (const [file, port] of [
        ['Dockerfile.server', fleet.httpPort],
        ['Dockerfile.client', fleet.clientMetricsPorts[0]!],
      ] as const) {
        const cmd = JSON.parse(/HEALTHCHECK[^\n]*\n\s*CMD (\[.*\])/.exec(readRepo(file))![1]!) as string[];
        assert.equal(cmd[0], 'node');
        const run = (p: number) =>
          spawnSync(process.execPath, cmd.slice(1), { env: { ...process.env, FLEXMOE_METRICS_PORT: String(p) }, encoding: 'utf8', timeout: 10_000 }).status;
        assert.equal(run(port), 0, `${file} healthcheck on a live process`);
        assert.equal(run(dead), 1, `${file} healthcheck with nothing listening`);
      }
    });

    it('the client replicas, started from the compose command, resolved distinct shards in the entrypoint', () => {
      fleet.clientIds.forEach((id, i) => {
        assert.match(fleet.logs(), new RegExp(`\\[${id}\\] flexmoe entrypoint: client .*--shard=${i}/${fleet.clientIds.length}\\b`));
      });
    });

    it("the Grafana dashboard's queries are valid PromQL and the instant ones return data", async () => {
      await waitFor('flexmoe series in Prometheus', async () => ((await query('flexmoe_round')).length ? true : undefined), 30_000, ctx);
      const dashboard = JSON.parse(readRepo('deploy/grafana/dashboards/flexmoe.json'));
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          const result = await query(target.expr);
          if (!/rate\(|increase\(/.test(target.expr)) assert.ok(result.length > 0, `panel '${panel.title}': ${target.expr} returns data`);
        }
      }
    });
  },
);
