/**
 * Static checks of the fleet definitions: docker-compose.yml, the Prometheus config, the Grafana
 * provisioning, the Kubernetes manifests and the systemd unit. Every command they run must be a
 * real `flexmoe` command whose flags its `--help` documents, and ports, volumes and files must
 * agree with each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { cliCommands, cliFlags, flagsOf, loadYaml, loadYamlDocs, readRepo, repoHas, which, ROOT } from './ops-fixtures';

const compose = loadYaml('docker-compose.yml', {});
const prometheus = loadYaml('deploy/prometheus/prometheus.yml');

/** Asserts `args` is `<flexmoe command> --flags...` with every flag known to that command. */
function assertRealCommand(where: string, args: readonly string[], skip: (why: string) => void): Map<string, string | undefined> | null {
  assert.ok(cliCommands().has(args[0]!), `${where}: '${args[0]}' is not a flexmoe command`);
  const known = cliFlags(args[0]!);
  if (known === null) {
    skip(`flexmoe ${args[0]} is not built yet: its flags cannot be checked`);
    return null;
  }
  const flags = flagsOf(args.slice(1));
  for (const name of flags.keys()) assert.ok(known.has(name), `${where}: flexmoe ${args[0]} has no --${name} (see --help)`);
  return flags;
}

const portOf = (hostPort: string) => hostPort.split(':').pop()!;

test('compose: parses, services are flexmoe commands with real flags', (t) => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['client', 'coordinator', 'grafana', 'prometheus', 'tokens']);
  for (const name of ['coordinator', 'client']) {
    const svc = compose.services[name];
    assert.ok(Array.isArray(svc.command), `${name}: command as a list`);
    assertRealCommand(`compose ${name}`, svc.command, (why) => t.skip(why));
  }
  assert.equal(compose.services.coordinator.command[0], 'server');
  assert.equal(compose.services.client.command[0], 'client');
});

/** A package entry of the built tree, or null when it is not built. */
function built(specifier: string): any {
  try {
    return require(specifier);
  } catch {
    return null;
  }
}

test("compose: the command values pass the commands' own validation (options, data spec, partition, resolved shard)", async (t) => {
  const config = built('@flexmoe/shared');
  const server = built('@flexmoe/server/cli/server');
  const client = built('@flexmoe/client/cli/client-options');
  const data = built('@flexmoe/ml/data');
  const spec = built('@flexmoe/ml/data');
  if (!config || !server || !client || !data || !spec) return t.skip('the CLI is not built yet');
  const entrypoint = require(join(ROOT, 'deploy', 'docker', 'entrypoint.js'));
  for (const clients of ['2', '4', '9']) {
    const c = loadYaml('docker-compose.yml', { FLEXMOE_CLIENTS: clients }).services;
    const coord = config.parseCommand(server.SERVER_COMMAND, c.coordinator.command.slice(1), {}).options;
    assert.equal(coord.strategy, 'flexmoe');
    for (let replica = 0; replica < Number(clients); replica++) {
      const deps = { env: { FLEXMOE_REPLICA_INDEX: String(replica) }, hostname: 'x', addresses: [], reverse: async () => [] };
      const { argv } = await entrypoint.rewriteArgs(c.client.command, deps);
      const o = config.parseCommand(client.CLIENT_COMMAND, argv.slice(1), {}).options;
      assert.deepEqual(data.parseShard(o.shard), { index: replica, count: Number(clients) });
      data.parsePartitionSpec(o.partition);
      spec.parseDataSpec(o.data);
      assert.ok(o.capacity <= coord.experts, 'capacity within the experts');
    }
    assert.ok(coord.minClients <= Number(clients), 'the fleet can reach --min-clients');
  }
});

test('compose: ports agree between coordinator, clients, healthcheck, Dockerfiles and Prometheus', () => {
  const coord = flagsOf(compose.services.coordinator.command);
  const client = flagsOf(compose.services.client.command);
  const metrics = coord.get('metrics-port')!;
  assert.equal(client.get('server'), `coordinator:${coord.get('port')}`, 'clients dial the coordinator gRPC port');
  assert.deepEqual(compose.services.coordinator.ports.map(portOf), [metrics]);
  assert.ok(compose.services.coordinator.healthcheck.test.join(' ').includes(`127.0.0.1:${metrics}/healthz`));
  const jobs = Object.fromEntries(prometheus.scrape_configs.map((j: any) => [j.job_name, j]));
  assert.deepEqual(jobs['flexmoe-coordinator'].static_configs[0].targets, [`coordinator:${metrics}`]);
  const sd = jobs['flexmoe-client'].dns_sd_configs[0];
  assert.deepEqual(sd.names, ['client'], 'Prometheus discovers every replica of the client service');
  assert.equal(String(sd.port), client.get('metrics-port'));
  assert.match(readRepo('Dockerfile.server'), new RegExp(`EXPOSE \\d+ ${metrics}\\b`));
  assert.match(readRepo('Dockerfile.server'), new RegExp(`EXPOSE ${coord.get('port')}\\b`));
  assert.match(readRepo('Dockerfile.client'), new RegExp(`EXPOSE ${client.get('metrics-port')}\\b`));
});

test('compose: replicas take distinct shards, start after a healthy coordinator', () => {
  for (const clients of ['4', '7']) {
    const c = loadYaml('docker-compose.yml', { FLEXMOE_CLIENTS: clients }).services.client;
    assert.equal(String(c.deploy.replicas), clients);
    assert.equal(flagsOf(c.command).get('shard'), `auto/${clients}`);
  }
  for (const name of ['client', 'prometheus']) {
    assert.equal(compose.services[name].depends_on.coordinator.condition, 'service_healthy', `${name} waits for a healthy coordinator`);
  }
  assert.ok(compose.services.coordinator.healthcheck, 'service_healthy needs a healthcheck');
  assert.equal(compose.services.coordinator.build.dockerfile, 'Dockerfile.server');
  assert.equal(compose.services.client.build.dockerfile, 'Dockerfile.client');
});

test('compose: volumes are declared, mounted where the commands write, bind sources exist', () => {
  const declared = new Set(Object.keys(compose.volumes));
  const used = new Set<string>();
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    for (const v of svc.volumes ?? []) {
      const [src, dst] = String(v).split(':');
      if (src!.startsWith('.')) assert.ok(repoHas(src!), `${name}: bind source ${src} is missing`);
      else {
        assert.ok(declared.has(src!), `${name}: volume ${src} is not declared`);
        used.add(src!);
      }
      assert.ok(dst!.startsWith('/'));
    }
  }
  assert.deepEqual([...used].sort(), [...declared].sort(), 'every declared volume is used');
  const dataDir = flagsOf(compose.services.coordinator.command).get('data-dir');
  assert.ok(compose.services.coordinator.volumes.includes(`coordinator-data:${dataDir}`), 'the data dir is on the named volume');
  assert.match(readRepo('Dockerfile.server'), new RegExp(`VOLUME \\["${dataDir}"\\]`));
  // Each replica keeps its state in its own directory of the named volume (an anonymous volume
  // per container would be lost to `docker compose down`, and with it the id and the gate).
  const stateDir = flagsOf(compose.services.client.command).get('state-dir')!;
  const mount = /^\/var\/lib\/flexmoe-client\/replica-\{replica\}$/.exec(stateDir);
  assert.ok(mount, `the client state dir is per replica (${stateDir})`);
  assert.ok(compose.services.client.volumes.includes('client-state:/var/lib/flexmoe-client'), 'the client state is on the named volume');
  assert.match(readRepo('Dockerfile.client'), /VOLUME \["\/var\/lib\/flexmoe-client"\]/, 'the named volume covers the image volume (no anonymous one)');
  const gf = compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
  assert.ok(repoHas(gf.replace('/var/lib/grafana/dashboards', 'deploy/grafana/dashboards')));
});

test('compose: every replica gets its own token from the tokens service, the coordinator the whole table', async () => {
  const { readTokensFile, readSecretFile } = require(join(ROOT, 'server', 'dist', 'src', 'transport', 'auth.js'));
  const { ensureTokens } = require(join(ROOT, 'deploy', 'docker', 'make-tokens.js'));
  const entrypoint = require(join(ROOT, 'deploy', 'docker', 'entrypoint.js'));
  const c = loadYaml('docker-compose.yml', { FLEXMOE_CLIENTS: '3' }).services;
  const [dirArg, countArg] = c.tokens.command as string[];
  assert.equal(countArg, '3', 'one token per replica');
  for (const name of ['coordinator', 'client']) assert.ok(c[name].volumes.includes(`fleet-tokens:${dirArg}:ro`), `${name} reads the tokens read-only`);
  assert.equal(c.coordinator.depends_on.tokens.condition, 'service_completed_successfully');
  const flags = flagsOf(c.coordinator.command);
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-tokens-'));
  try {
    const local = (p: string) => p.replace(dirArg!, dir);
    assert.deepEqual(ensureTokens(dir, 3), ['client-0', 'client-1', 'client-2']);
    const table = readTokensFile(local(flags.get('tokens')!));
    assert.ok(readSecretFile(local(flags.get('status-token')!)).length >= 32);
    for (let i = 0; i < 3; i++) {
      // What the entrypoint makes of replica i's command and environment.
      const out = await entrypoint.rewriteArgs(c.client.command, {
        env: { FLEXMOE_REPLICA_INDEX: String(i), FLEXMOE_TOKEN_FILE: c.client.environment.FLEXMOE_TOKEN_FILE },
        hostname: 'x',
        addresses: [],
        resolvePtr: async () => [],
        reverse: async () => [],
      });
      const id = flagsOf(out.argv).get('id')!;
      assert.equal(
        entrypoint.tokenFromFile({ FLEXMOE_TOKEN_FILE: local(out.env.FLEXMOE_TOKEN_FILE) }).FLEXMOE_TOKEN,
        table.get(id),
        `replica ${i} presents ${id}'s token`,
      );
    }
    assert.deepEqual(ensureTokens(dir, 4), ['client-3'], 'scaling up adds tokens and keeps the old ones');
    assert.equal(readTokensFile(local(flags.get('tokens')!)).get('client-0'), table.get('client-0'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prometheus: promtool check config accepts the repository config', (t) => {
  const promtool = which('promtool');
  if (!promtool) {
    if (process.env.FLEXMOE_REQUIRE_TOOLS) assert.fail('promtool is not installed (apt-get install prometheus), and CI requires it');
    return t.skip('promtool is not installed (apt-get install prometheus): config not checked');
  }
  const r = spawnSync(promtool, ['check', 'config', 'deploy/prometheus/prometheus.yml'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('grafana: datasource and dashboard provisioning agree, every panel queries flexmoe series', () => {
  const ds = loadYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
  assert.equal(ds.url, 'http://prometheus:9090');
  const provider = loadYaml('deploy/grafana/provisioning/dashboards/flexmoe.yml').providers[0];
  const mount = compose.services.grafana.volumes.find((v: string) => v.startsWith('./deploy/grafana/dashboards:'));
  assert.equal(mount.split(':')[1], provider.options.path);
  const dash = JSON.parse(readRepo('deploy/grafana/dashboards/flexmoe.json'));
  const titles = dash.panels.map((p: any) => p.title.toLowerCase()).join('|');
  for (const want of ['round', 'accuracy', 'expert load per expert', 'load cv', 'solve time', 'clients connected', 'transfer'])
    assert.ok(titles.includes(want), `dashboard has a '${want}' panel`);
  for (const p of dash.panels) {
    assert.equal(p.datasource.uid, ds.uid, `panel '${p.title}' uses the provisioned datasource`);
    for (const target of p.targets) assert.match(target.expr, /flexmoe_|up\{job="flexmoe-/, `panel '${p.title}'`);
  }
});

test('kubernetes: manifests parse, commands and flags are real, annotations match the metrics ports', (t) => {
  const kustomization = loadYaml('deploy/k8s/kustomization.yaml');
  const docs = kustomization.resources.flatMap((f: string) => loadYamlDocs(`deploy/k8s/${f}`));
  const byKind = (kind: string) => docs.filter((d: any) => d.kind === kind);
  assert.deepEqual(byKind('Secret'), [], '`kubectl apply -k` must not overwrite the real Secrets with placeholders');
  const secrets = new Set(loadYamlDocs('deploy/k8s/secrets.example.yaml').map((s: any) => s.metadata.name));
  const [sts] = byKind('StatefulSet');
  const [ds] = byKind('DaemonSet');
  assert.equal(ds.spec.template.spec.nodeSelector['kubernetes.io/arch'], 'arm64');
  assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
  for (const w of [sts, ds]) {
    const pod = w.spec.template;
    const c = pod.spec.containers[0];
    const flags = assertRealCommand(`k8s ${w.kind}`, c.args, (why) => t.skip(why)) ?? flagsOf(c.args);
    assert.equal(pod.metadata.annotations['prometheus.io/scrape'], 'true');
    assert.equal(pod.metadata.annotations['prometheus.io/port'], flags.get('metrics-port'));
    assert.ok(c.ports.some((p: any) => String(p.containerPort) === flags.get('metrics-port')));
    for (const v of pod.spec.volumes.filter((v: any) => v.secret)) assert.ok(secrets.has(v.secret.secretName), `secret ${v.secret.secretName} is defined`);
    const mounts = new Map(c.volumeMounts.map((m: any) => [m.name, m.mountPath]));
    for (const [, path] of flags)
      if (path?.startsWith('/etc/flexmoe/'))
        assert.ok(
          [...mounts.values()].some((m) => path.startsWith(`${String(m)}/`)),
          `${path} is on a mounted secret`,
        );
  }
  const config = built('@flexmoe/shared');
  const serverCli = built('@flexmoe/server/cli/server');
  const client = built('@flexmoe/client/cli/client-options');
  const spec = built('@flexmoe/ml/data');
  if (config && serverCli && client && spec) {
    config.parseCommand(serverCli.SERVER_COMMAND, sts.spec.template.spec.containers[0].args.slice(1), {});
    const o = config.parseCommand(client.CLIENT_COMMAND, ds.spec.template.spec.containers[0].args.slice(1), {}).options;
    assert.equal(spec.parseDataSpec(o.data).kind, 'idx');
    assert.equal(o.exitOnComplete, false);
  }
  const coordFlags = flagsOf(sts.spec.template.spec.containers[0].args);
  assert.ok(
    sts.spec.template.spec.containers[0].volumeMounts.some((m: any) => m.name === 'data' && m.mountPath === coordFlags.get('data-dir')),
    'the data dir is on the PVC',
  );
  // The kubelet creates a missing hostPath root-owned and fsGroup skips hostPath: an init
  // container must hand the state dir to the daemon's uid.
  const dsPod = ds.spec.template.spec;
  const state = dsPod.volumes.find(
    (v: any) =>
      v.hostPath && dsPod.containers[0].volumeMounts.some((m: any) => m.name === v.name && m.mountPath === flagsOf(dsPod.containers[0].args).get('state-dir')),
  );
  assert.ok(state, 'the DaemonSet state dir is a hostPath');
  const init = (dsPod.initContainers ?? []).find((c: any) => c.volumeMounts.some((m: any) => m.name === state.name));
  assert.ok(init, 'an init container prepares the hostPath state dir');
  assert.equal(init.image, dsPod.containers[0].image);
  assert.match(init.command.join(' '), new RegExp(`chown ${dsPod.securityContext.runAsUser}:${dsPod.securityContext.runAsGroup} ${state.hostPath.path}`));
  const svc = byKind('Service').find((s: any) => s.metadata.name === 'flexmoe-coordinator');
  const server = flagsOf(ds.spec.template.spec.containers[0].args).get('server')!;
  assert.ok(server.startsWith(`${svc.metadata.name}.`), 'clients dial the coordinator service');
  assert.ok(svc.spec.ports.some((p: any) => server.endsWith(`:${p.port}`)));
});

test('kubernetes: `kubectl kustomize` renders the kustomization without any Secret, all in namespace flexmoe', (t) => {
  const kubectl = which('kubectl');
  if (!kubectl) {
    if (process.env.FLEXMOE_REQUIRE_TOOLS) assert.fail('kubectl is not installed (apt-get install kubernetes-client), and CI requires it');
    return t.skip('kubectl is not installed (apt-get install kubernetes-client): kustomization not rendered');
  }
  const r = spawnSync(kubectl, ['kustomize', 'deploy/k8s'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rendered = parseAllDocuments(r.stdout).map((d) => d.toJS());
  assert.deepEqual(rendered.map((d: any) => d.kind).sort(), ['DaemonSet', 'Namespace', 'Service', 'Service', 'StatefulSet']);
  for (const d of rendered.filter((x: any) => x.kind !== 'Namespace')) assert.equal(d.metadata.namespace, 'flexmoe', `${d.kind} ${d.metadata.name}`);
});

for (const command of ['client', 'server']) {
  test(`systemd: flexmoe-${command}.service runs \`flexmoe ${command}\` and every FLEXMOE_* variable it names is an option`, (t) => {
    const unit = readRepo(`deploy/systemd/flexmoe-${command}.service`);
    assert.match(unit, new RegExp(`^ExecStart=/usr/bin/node /opt/flexmoe/bin/flexmoe\\.js ${command}$`, 'm'));
    assert.match(unit, /^KillSignal=SIGTERM$/m);
    const known = cliFlags(command);
    if (known === null) return t.skip(`flexmoe ${command} is not built yet: its options cannot be checked`);
    const vars = new Set([...unit.matchAll(/\bFLEXMOE_([A-Z_]+)=/g)].map((m) => m[1]!));
    assert.ok(vars.size >= 5);
    for (const v of vars) assert.ok(known.has(v.toLowerCase().replace(/_/g, '-')), `FLEXMOE_${v} is not an option of flexmoe ${command}`);
    // The unit's settings plus the example env file of its header parse as that command's options.
    const env = Object.fromEntries([...unit.matchAll(/^(?:Environment=|#\s+)(FLEXMOE_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    const config = built('@flexmoe/shared');
    const spec = command === 'server' ? built('@flexmoe/server/cli/server')?.SERVER_COMMAND : built('@flexmoe/client/cli/client-options')?.CLIENT_COMMAND;
    if (config && spec) assert.ok(config.parseCommand(spec, [], env).options, `the settings of flexmoe-${command}.service are valid`);
  });
}
