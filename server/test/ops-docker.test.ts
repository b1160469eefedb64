/**
 * What the real image tests (`npm run test:docker`: offline builds, uid, healthchecks, SIGTERM,
 * a compose fleet) cannot see in the Dockerfiles: which platform each stage runs on, and tini as
 * PID 1. Everything else they check by building and running the images. Also the client
 * entrypoint's shard derivation rules on given lookup answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRepo, ROOT } from './ops-fixtures';
import { join } from 'node:path';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with continuation lines joined, tagged with their stage index. */
function parseDockerfile(path: string): Instruction[] {
  const lines = readRepo(path)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let stage = -1;
  return lines.map((line) => {
    const [op, ...rest] = line.split(/\s+/);
    if (op!.toUpperCase() === 'FROM') stage++;
    return { op: op!.toUpperCase(), args: rest.join(' '), stage };
  });
}

const entrypoint = require(join(ROOT, 'deploy', 'docker', 'entrypoint.js'));

for (const file of ['Dockerfile.server', 'Dockerfile.client']) {
  // `npm run test:docker` builds both images natively, so it cannot see which platform each stage
  // runs on; only the arm64 cross-build (client image) would notice, and only for the client.
  test(`${file}: the build stage runs on the build platform, the runtime stage on the target`, () => {
    const froms = parseDockerfile(file).filter((i) => i.op === 'FROM');
    assert.equal(froms.length, 2);
    assert.match(froms[0]!.args, /^--platform=\$BUILDPLATFORM \$\{(BUILD_)?NODE_IMAGE\} AS build$/);
    assert.doesNotMatch(froms[1]!.args, /--platform/, 'the runtime stage must follow the target platform');
  });

  // The real tests see a healthy, non-root container that stops on SIGTERM, which a shell or
  // node as PID 1 would also give; zombie reaping and signal forwarding need tini.
  test(`${file}: tini is PID 1`, () => {
    const ins = parseDockerfile(file).filter((i) => i.stage === 1);
    assert.match(
      ins
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join(' '),
      /apt-get install -y --no-install-recommends tini/,
    );
    const entry = JSON.parse(ins.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    assert.deepEqual(entry.slice(0, 3), ['/usr/bin/tini', '--', 'node']);
  });
}

// The rules of the entrypoint on given lookup answers. The lookups themselves are exercised for
// real by `npm run test:docker` (Docker's embedded DNS, a Docker-written /etc/hosts).
const none = async (): Promise<string[]> => [];

test('entrypoint: compose replicas take shard n-1 of N from the PTR name, not from /etc/hosts', async () => {
  const asked: string[] = [];
  const deps = {
    env: {},
    hostname: '3f2a9c0d1b7e',
    addresses: ['172.18.0.5'],
    resolvePtr: async (ip: string) => {
      asked.push(ip);
      return ip === '172.18.0.5' ? ['flexmoe-client-3.flexmoe_default'] : [];
    },
    // What dns.reverse answers on Docker: /etc/hosts has only the container id.
    reverse: async () => ['3f2a9c0d1b7e'],
  };
  const out = await entrypoint.rewriteArgs(['client', '--data', 'fashion-mnist', '--shard', 'auto/4', '--seed', '1'], deps);
  assert.deepEqual(out.argv, ['client', '--data', 'fashion-mnist', '--shard', '2/4', '--seed', '1']);
  assert.deepEqual(asked, ['172.18.0.5']);
  const inline = await entrypoint.rewriteArgs(['client', '--shard=auto/4', '--state-dir=/s/replica-{replica}'], deps);
  assert.deepEqual(inline.argv, ['client', '--shard=2/4', '--state-dir=/s/replica-2']);
  const v1 = await entrypoint.rewriteArgs(['client', '--shard', 'auto/4'], { ...deps, resolvePtr: async () => ['fleet_client_1.fleet_default'] });
  assert.deepEqual(v1.argv, ['client', '--shard', '0/4'], 'Compose v1 names use underscores');
  const podman = await entrypoint.rewriteArgs(['client', '--shard', 'auto/4'], { ...deps, resolvePtr: none, reverse: async () => ['fleet-client-2'] });
  assert.deepEqual(podman.argv, ['client', '--shard', '1/4'], 'a name in /etc/hosts (Podman) still counts');
  assert.equal(entrypoint.arpaName('172.18.0.5'), '5.0.18.172.in-addr.arpa');
});

test('entrypoint: StatefulSet pods 0, 1, 2 take shards 0, 1, 2 even with kubelet-style /etc/hosts', async () => {
  const shards = [];
  for (const ordinal of [0, 1, 2]) {
    const name = `flexmoe-client-${ordinal}`;
    const deps = {
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      hostname: name,
      addresses: [`10.244.0.${ordinal + 10}`],
      resolvePtr: async () => [`${name}.flexmoe-client.flexmoe.svc.cluster.local`],
      reverse: async () => [name],
    };
    shards.push((await entrypoint.rewriteArgs(['client', '--shard', 'auto/3'], deps)).argv[2]);
  }
  assert.deepEqual(shards, ['0/3', '1/3', '2/3']);
  await assert.rejects(
    entrypoint.rewriteArgs(['client', '--shard', 'auto/2'], {
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      hostname: 'flexmoe-client-abcde',
      addresses: [],
      resolvePtr: none,
      reverse: none,
    }),
    /on Kubernetes from hostname 'flexmoe-client-abcde'/,
    'a Deployment pod (random suffix) has no ordinal',
  );
});

test('entrypoint: explicit index, env form, {replica} in the token file, and clear refusals', async () => {
  const base = { addresses: [], resolvePtr: none, reverse: none };
  const explicit = await entrypoint.rewriteArgs(['client'], { ...base, env: { FLEXMOE_SHARD: 'auto/5', FLEXMOE_REPLICA_INDEX: '4' }, hostname: 'x' });
  assert.deepEqual(explicit.env, { FLEXMOE_SHARD: '4/5' });
  const token = await entrypoint.rewriteArgs(['client', '--id=client-{replica}'], {
    ...base,
    env: { FLEXMOE_REPLICA_INDEX: '1', FLEXMOE_TOKEN_FILE: '/run/flexmoe/tokens/client-{replica}' },
    hostname: 'x',
  });
  assert.deepEqual(token, { argv: ['client', '--id=client-1'], env: { FLEXMOE_TOKEN_FILE: '/run/flexmoe/tokens/client-1' } });
  const untouched = await entrypoint.rewriteArgs(['client', '--shard', '1/4'], { ...base, env: {}, hostname: 'x' });
  assert.deepEqual(untouched.argv, ['client', '--shard', '1/4']);
  await assert.rejects(
    entrypoint.rewriteArgs(['client', '--shard', 'auto/2'], { ...base, env: { KUBERNETES_SERVICE_HOST: 'k' }, hostname: 'flexmoe-client-2' }),
    /outside --shard auto\/2/,
  );
  await assert.rejects(
    entrypoint.rewriteArgs(['client', '--shard', 'auto/2'], { ...base, env: {}, hostname: 'flexmoe-client-1' }),
    /cannot derive a replica index/,
    'outside Kubernetes a hostname alone does not count',
  );
  await assert.rejects(
    entrypoint.rewriteArgs(['client', '--shard', 'auto/2'], { ...base, env: { FLEXMOE_REPLICA_INDEX: '-1' }, hostname: 'x' }),
    /FLEXMOE_REPLICA_INDEX/,
  );
});

test('entrypoint: the token file becomes FLEXMOE_TOKEN, a missing or empty file is an error', () => {
  const files: Record<string, string> = { '/s/pi-1': 'tok-123\n', '/s/empty': '  \n' };
  const read = (f: string) => {
    if (!(f in files)) throw new Error('ENOENT');
    return files[f]!;
  };
  assert.deepEqual(entrypoint.tokenFromFile({ FLEXMOE_TOKEN_FILE: '/s/pi-1' }, read), { FLEXMOE_TOKEN: 'tok-123' });
  assert.deepEqual(entrypoint.tokenFromFile({}, read), {});
  assert.throws(() => entrypoint.tokenFromFile({ FLEXMOE_TOKEN_FILE: '/s/none' }, read), /cannot read/);
  assert.throws(() => entrypoint.tokenFromFile({ FLEXMOE_TOKEN_FILE: '/s/empty' }, read), /is empty/);
});
