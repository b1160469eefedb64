#!/usr/bin/env node
'use strict';
// Container entrypoint of the client image: turns `--shard auto/N` into `--shard I/N`, replaces
// `{replica}` in arguments and FLEXMOE_TOKEN_FILE by I, and then runs the `flexmoe` binary in this
// same process (so tini's SIGTERM reaches it directly).
//
// Replicas of one compose service or pods of one StatefulSet run the same command line, yet
// each must take its own shard of a simulated dataset and keep its own state. I comes from:
//   1. FLEXMOE_REPLICA_INDEX (0-based), when the orchestrator can set it;
//   2. on Kubernetes (KUBERNETES_SERVICE_HOST is set in every pod): the StatefulSet pod's
//      hostname `<name>-<ordinal>`, ordinals counting from 0, so I = ordinal. Nothing else is
//      consulted there: the kubelet's /etc/hosts maps the pod IP to that same name, and reading
//      it with the compose rule below would shift every pod by one (pods 0 and 1 sharing shard 0);
//   3. elsewhere, the container name that a DNS PTR query for the container's address returns:
//      Compose v2 names replicas `<project>-<service>-<n>` (v1 `<project>_<service>_<n>`) with n
//      from 1, so I = n - 1. The query goes to the resolver (Docker's embedded DNS) with
//      dns.resolvePtr: dns.reverse reads /etc/hosts first, where Docker writes only the
//      container id (Podman writes the name there, which is why reverse is tried second).
// It also reads FLEXMOE_TOKEN_FILE (a mounted secret) into FLEXMOE_TOKEN, so the token never
// appears in the process arguments.
const os = require('node:os');
const dns = require('node:dns').promises;
const path = require('node:path');
const fs = require('node:fs');

const AUTO = /^auto\/(\d+)$/;

/** Index of `--shard auto/N` (or `--shard=auto/N`) in argv and N, or null when absent. */
function findAutoShard(argv) {
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i] === '--shard' ? argv[i + 1] : argv[i].startsWith('--shard=') ? argv[i].slice(8) : null;
    const m = value == null ? null : AUTO.exec(value);
    if (m) return { at: argv[i] === '--shard' ? i + 1 : i, inline: argv[i] !== '--shard', count: Number(m[1]) };
  }
  return null;
}

/**
 * Compose replica number (1-based) from a reverse-DNS name like `fleet-client-3.fleet_default`
 * (Compose v2) or `fleet_client_3.fleet_default` (v1), the lookup docker/compose#9153 describes.
 */
function indexFromContainerName(name) {
  const m = /[-_](\d+)$/.exec(String(name).split('.')[0]);
  return m && Number(m[1]) >= 1 ? Number(m[1]) - 1 : null;
}

/** StatefulSet ordinal (0-based) from a hostname like `flexmoe-client-2`. */
function indexFromHostname(hostname) {
  const m = /-(\d+)$/.exec(String(hostname));
  return m ? Number(m[1]) : null;
}

function ownAddresses() {
  return Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

/** `d.c.b.a.in-addr.arpa` for an IPv4 address, the name a PTR query asks for. */
function arpaName(address) {
  return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** First compose replica index that `lookup` finds for one of `addresses`, or null. */
async function indexFromDns(addresses, lookup) {
  for (const address of addresses) {
    const names = await lookup(address).catch(() => []);
    for (const name of names) {
      const n = indexFromContainerName(name);
      if (n !== null) return n;
    }
  }
  return null;
}

/**
 * Resolves this replica's 0-based index; throws with the reason when it cannot. `resolvePtr`
 * asks the DNS server for an address's PTR names, `reverse` is dns.reverse (hosts file first).
 */
async function resolveReplicaIndex({ env, hostname, addresses, resolvePtr, reverse }) {
  if (env.FLEXMOE_REPLICA_INDEX !== undefined && env.FLEXMOE_REPLICA_INDEX !== '') {
    const n = Number(env.FLEXMOE_REPLICA_INDEX);
    if (!Number.isInteger(n) || n < 0) throw new Error(`FLEXMOE_REPLICA_INDEX must be an integer >= 0 (got '${env.FLEXMOE_REPLICA_INDEX}')`);
    return n;
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    const n = indexFromHostname(hostname);
    if (n !== null) return n;
    throw new Error(`cannot derive a replica index on Kubernetes from hostname '${hostname}': run as a StatefulSet pod (<name>-<ordinal>) or set FLEXMOE_REPLICA_INDEX`);
  }
  const n = (await indexFromDns(addresses, resolvePtr)) ?? (await indexFromDns(addresses, reverse));
  if (n !== null) return n;
  throw new Error(`cannot derive a replica index: no container name of the form <project>-<service>-<n> for ${addresses.join(', ') || 'any address'} in DNS; set FLEXMOE_REPLICA_INDEX, or run as a compose replica or a StatefulSet pod (hostname '${hostname}')`);
}

const REPLICA = /\{replica\}/g;

/**
 * argv with `--shard auto/N` replaced by `--shard I/N` and `{replica}` by I in every argument
 * (e.g. `--state-dir=/var/lib/flexmoe-client/replica-{replica}`) and in FLEXMOE_TOKEN_FILE.
 * Returns the environment variables to set as `env`.
 */
async function rewriteArgs(argv, deps) {
  const found = findAutoShard(argv);
  const envAuto = AUTO.exec(deps.env.FLEXMOE_SHARD || '');
  const templated = argv.some((a) => a.includes('{replica}')) || String(deps.env.FLEXMOE_TOKEN_FILE || '').includes('{replica}');
  if (!found && !envAuto && !templated) return { argv, env: {} };
  const index = await resolveReplicaIndex(deps);
  const env = {};
  let out = argv.map((a) => a.replace(REPLICA, String(index)));
  if (deps.env.FLEXMOE_TOKEN_FILE && templated) env.FLEXMOE_TOKEN_FILE = deps.env.FLEXMOE_TOKEN_FILE.replace(REPLICA, String(index));
  if (found || envAuto) {
    const count = found ? found.count : Number(envAuto[1]);
    if (index >= count) throw new Error(`replica index ${index} is outside --shard auto/${count} (run at most ${count} replicas)`);
    const shard = `${index}/${count}`;
    if (found) out[found.at] = found.inline ? `--shard=${shard}` : shard;
    else env.FLEXMOE_SHARD = shard;
  }
  return { argv: out, env };
}

/** FLEXMOE_TOKEN from the file named by FLEXMOE_TOKEN_FILE (trimmed), or {} when unset. */
function tokenFromFile(env, readFile = fs.readFileSync) {
  if (!env.FLEXMOE_TOKEN_FILE) return {};
  let token;
  try {
    token = String(readFile(env.FLEXMOE_TOKEN_FILE, 'utf8')).trim();
  } catch (err) {
    throw new Error(`FLEXMOE_TOKEN_FILE ${env.FLEXMOE_TOKEN_FILE}: cannot read (${err.message})`);
  }
  if (!token) throw new Error(`FLEXMOE_TOKEN_FILE ${env.FLEXMOE_TOKEN_FILE} is empty`);
  return { FLEXMOE_TOKEN: token };
}

async function main() {
  const deps = {
    env: process.env,
    hostname: os.hostname(),
    addresses: ownAddresses(),
    resolvePtr: (a) => dns.resolvePtr(arpaName(a)),
    reverse: (a) => dns.reverse(a),
  };
  const original = process.argv.slice(2);
  const { argv, env } = await rewriteArgs(original, deps);
  Object.assign(process.env, env);
  Object.assign(process.env, tokenFromFile(process.env));
  const bin = path.join(__dirname, '..', '..', 'bin', 'flexmoe.js');
  if (argv !== original) console.error(`flexmoe entrypoint: ${argv.join(' ')}${env.FLEXMOE_SHARD ? ` (FLEXMOE_SHARD=${env.FLEXMOE_SHARD})` : ''}`);
  process.argv = [process.argv[0], bin, ...argv];
  require(bin);
}

module.exports = { tokenFromFile, findAutoShard, indexFromContainerName, indexFromHostname, resolveReplicaIndex, rewriteArgs, arpaName };

if (require.main === module) {
  main().catch((err) => {
    console.error(`flexmoe entrypoint: ${err.message}`);
    process.exitCode = 2;
  });
}
