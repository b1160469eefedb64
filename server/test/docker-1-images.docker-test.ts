/**
 * Both images built by a real Docker Engine (BuildKit, no registry reachable: the base image
 * `node:20-bookworm-slim` is the local one scripts/ci-docker/base-images.sh made), with the
 * machine's CA bundle passed as a build secret that must not end up in the image. Checks the
 * images run as `node` (uid 1000), that an unsupported TARGETARCH is refused by name, and records
 * build times and image sizes. Run by `npm run test:docker`, not by `npm test`.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYamlDocs } from './ops-fixtures';
import { docker, dockerStatus, inspect, mib, recordMeasurement, requireEngine } from './docker-engine';

const CA = process.env.FLEXMOE_CI_CA_BUNDLE || '/etc/ssl/certs/ca-certificates.crt';
const IMAGES = [
  { file: 'Dockerfile.server', tag: 'flexmoe-server:latest', key: 'server' },
  { file: 'Dockerfile.client', tag: 'flexmoe-client:latest', key: 'client' },
] as const;

/** `docker build` with the CA bundle as the `npm_ca` build secret (when the machine has one). */
function build(file: string, tag: string, extra: string[] = []): void {
  const secret = existsSync(CA) ? ['--secret', `id=npm_ca,src=${CA}`] : [];
  docker(['build', '--progress=plain', ...secret, ...extra, '-f', file, '-t', tag, '.'], { env: { DOCKER_BUILDKIT: '1' }, timeoutMs: 1_500_000 });
}

before(() => requireEngine());

for (const image of IMAGES) {
  test(`${image.file} builds offline on the local base image and runs as node (uid 1000)`, { timeout: 1_600_000 }, () => {
    const started = Date.now();
    build(image.file, image.tag);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const info = inspect(image.tag);
    recordMeasurement({ [`${image.key}BuildSeconds`]: seconds, [`${image.key}ImageMiB`]: mib(info.Size) });
    assert.equal(info.Config.User, 'node');
    assert.equal(docker(['run', '--rm', '--entrypoint', 'id', image.tag, '-u']).trim(), '1000');
    // The build secret stays a build secret: not in the environment, not in the file system.
    assert.ok(!(info.Config.Env as string[]).some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'no CA path baked into the environment');
    const probe = dockerStatus([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      image.tag,
      '-c',
      'test ! -e /run/secrets/npm_ca && ! grep -rqs "BEGIN CERTIFICATE" /app/.npmrc /home/node /root',
    ]);
    assert.equal(probe.status, 0, `the npm_ca secret leaked into ${image.tag}: ${probe.output}`);
    const history = docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', image.tag]);
    assert.doesNotMatch(history, /BEGIN CERTIFICATE/);
  });
}

test('Dockerfile.client refuses an unsupported TARGETARCH by name instead of installing x64 libraries', { timeout: 600_000 }, () => {
  const r = dockerStatus([
    'build',
    '--progress=plain',
    '--build-arg',
    'TARGETARCH=arm',
    '--target',
    'runtime',
    '-f',
    'Dockerfile.client',
    '-t',
    'flexmoe-client:unsupported-arch',
    '.',
  ]);
  assert.notEqual(r.status, 0, 'an arm (32-bit) client image must not build');
  assert.match(r.output, /unsupported TARGETARCH 'arm': ONNX Runtime ships Linux CPU libraries for amd64 and arm64 only/);
});

test('client image: StatefulSet pods 0, 1, 2 take shards 0, 1, 2 with a real /etc/hosts naming the pod', { timeout: 300_000 }, () => {
  // Docker writes `<ip> <hostname>` into /etc/hosts like the kubelet; the old rule read that
  // name through dns.reverse and shifted every pod by one.
  const shards = [0, 1, 2].map((ordinal) => {
    const r = dockerStatus([
      'run',
      '--rm',
      '--hostname',
      `flexmoe-client-${ordinal}`,
      '-e',
      'KUBERNETES_SERVICE_HOST=10.96.0.1',
      'flexmoe-client:latest',
      'client',
      '--shard',
      'auto/3',
      '--help',
    ]);
    assert.equal(r.status, 0, r.output);
    return /flexmoe entrypoint: client --shard (\S+) --help/.exec(r.output)?.[1];
  });
  assert.deepEqual(shards, ['0/3', '1/3', '2/3']);
});

test('DaemonSet: the init container makes a root-owned hostPath state dir writable for uid 1000', { timeout: 300_000 }, () => {
  const ds = loadYamlDocs('deploy/k8s/client-daemonset.yaml')[0];
  const init = ds.spec.template.spec.initContainers[0];
  const mount = init.volumeMounts[0].mountPath as string;
  // What the kubelet makes for `type: DirectoryOrCreate`: a new directory, root:root 0755.
  const host = mkdtempSync(join(tmpdir(), 'flexmoe-hostpath-'));
  chmodSync(host, 0o755);
  const write = (): number =>
    dockerStatus(['run', '--rm', '-v', `${host}:${mount}`, '--entrypoint', 'sh', 'flexmoe-client:latest', '-c', `touch ${mount}/client-id`]).status;
  try {
    assert.notEqual(write(), 0, 'control: uid 1000 cannot write the root-owned directory');
    const caps = init.securityContext.capabilities;
    const r = dockerStatus([
      'run',
      '--rm',
      '--user',
      `${init.securityContext.runAsUser}:${init.securityContext.runAsGroup}`,
      '--cap-drop',
      'ALL',
      ...caps.add.flatMap((c: string) => ['--cap-add', c]),
      '-v',
      `${host}:${mount}`,
      '--entrypoint',
      init.command[0],
      init.image.replace(/^.*\//, ''),
      ...init.command.slice(1),
    ]);
    assert.equal(r.status, 0, r.output);
    assert.equal(write(), 0, 'uid 1000 writes its state dir after the init container ran');
  } finally {
    rmSync(host, { recursive: true, force: true });
  }
});
