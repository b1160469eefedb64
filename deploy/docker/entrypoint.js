#!/usr/bin/env node
'use strict';
// Container entrypoint of the client image: turns `--shard auto/N` into `--shard I/N` and then
// runs the `flexmoe` binary in this same process (so tini's SIGTERM reaches it directly).
//
// Replicas of one compose service or pods of one StatefulSet run the same command line, yet
// each must take its own shard of a simulated dataset. I comes from, in order:
//   1. FLEXMOE_REPLICA_INDEX (0-based), when the orchestrator can set it;
//   2. the container name found by reverse DNS of the container's address: compose names
//      replicas `<project>-<service>-<n>` with n from 1, so I = n - 1;
//   3. the hostname `<name>-<n>` (StatefulSet pods count from 0), so I = n.
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

/** Resolves this replica's 0-based shard index; throws with the reason when it cannot. */
async function resolveReplicaIndex({ env, hostname, addresses, reverse }) {
  if (env.FLEXMOE_REPLICA_INDEX !== undefined && env.FLEXMOE_REPLICA_INDEX !== '') {
    const n = Number(env.FLEXMOE_REPLICA_INDEX);
    if (!Number.isInteger(n) || n < 0) throw new Error(`FLEXMOE_REPLICA_INDEX must be an integer >= 0 (got '${env.FLEXMOE_REPLICA_INDEX}')`);
    return n;
  }
  for (const address of addresses) {
    const names = await reverse(address).catch(() => []);
    for (const name of names) {
      const n = indexFromContainerName(name);
      if (n !== null) return n;
    }
  }
  const n = indexFromHostname(hostname);
  if (n !== null) return n;
  throw new Error(`cannot derive a replica index for --shard auto/N: set FLEXMOE_REPLICA_INDEX, or run as a compose replica or a StatefulSet pod (hostname '${hostname}')`);
}

/** argv with `--shard auto/N` replaced by `--shard I/N`. */
async function rewriteArgs(argv, deps) {
  const found = findAutoShard(argv);
  const envAuto = AUTO.exec(deps.env.FLEXMOE_SHARD || '');
  if (!found && !envAuto) return { argv, env: {} };
  const count = found ? found.count : Number(envAuto[1]);
  const index = await resolveReplicaIndex(deps);
  if (index >= count) throw new Error(`replica index ${index} is outside --shard auto/${count} (run at most ${count} replicas)`);
  const shard = `${index}/${count}`;
  if (!found) return { argv, env: { FLEXMOE_SHARD: shard } };
  const out = argv.slice();
  out[found.at] = found.inline ? `--shard=${shard}` : shard;
  return { argv: out, env: {} };
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
  const deps = { env: process.env, hostname: os.hostname(), addresses: ownAddresses(), reverse: (a) => dns.reverse(a) };
  const { argv, env } = await rewriteArgs(process.argv.slice(2), deps);
  Object.assign(process.env, env, tokenFromFile(process.env));
  const bin = path.join(__dirname, '..', '..', 'bin', 'flexmoe.js');
  if (argv !== process.argv.slice(2) || env.FLEXMOE_SHARD) console.error(`flexmoe entrypoint: ${argv.join(' ')}${env.FLEXMOE_SHARD ? ` (FLEXMOE_SHARD=${env.FLEXMOE_SHARD})` : ''}`);
  process.argv = [process.argv[0], bin, ...argv];
  require(bin);
}

module.exports = { tokenFromFile, findAutoShard, indexFromContainerName, indexFromHostname, resolveReplicaIndex, rewriteArgs };

if (require.main === module) {
  main().catch((err) => {
    console.error(`flexmoe entrypoint: ${err.message}`);
    process.exitCode = 2;
  });
}
