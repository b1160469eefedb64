#!/usr/bin/env node
'use strict';
// One-shot `tokens` service of docker-compose.yml: gives each client replica of the compose
// fleet its own token, once. Writes, in the directory given (a named volume):
//   tokens.txt    the coordinator's --tokens file, one `client-I token` line per replica;
//   client-I      replica I's token alone (its FLEXMOE_TOKEN_FILE);
//   status-token  the bearer token of the coordinator's /api/status (its --status-token).
// Existing tokens are kept, so `docker compose down` + `up` changes nothing and scaling up adds
// only the new replicas' tokens. Usage: make-tokens.js DIR COUNT
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

/** `id token` pairs of a tokens file's text (comments and blank lines skipped). */
function parseTokens(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const [id, token] = line.trim().split(/\s+/);
    if (id && token && !id.startsWith('#')) out.set(id, token);
  }
  return out;
}

/** Ensures tokens for client-0 .. client-(count-1) in `dir`; returns the ids it added. */
function ensureTokens(dir, count) {
  if (!Number.isInteger(count) || count < 1) throw new Error(`replica count must be an integer >= 1 (got '${count}')`);
  const file = path.join(dir, 'tokens.txt');
  const tokens = fs.existsSync(file) ? parseTokens(fs.readFileSync(file, 'utf8')) : new Map();
  const added = [];
  for (let i = 0; i < count; i++) {
    const id = `client-${i}`;
    if (!tokens.has(id)) {
      tokens.set(id, crypto.randomBytes(24).toString('hex'));
      added.push(id);
    }
    fs.writeFileSync(path.join(dir, id), `${tokens.get(id)}\n`, { mode: 0o600 });
  }
  const status = path.join(dir, 'status-token');
  if (!fs.existsSync(status)) fs.writeFileSync(status, `${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const text = [...tokens].map(([id, token]) => `${id} ${token}`).join('\n');
  fs.writeFileSync(`${file}.tmp`, `${text}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  return added;
}

module.exports = { ensureTokens, parseTokens };

if (require.main === module) {
  try {
    const [dir, count] = process.argv.slice(2);
    const added = ensureTokens(dir, Number(count));
    console.log(`flexmoe tokens: ${count} replicas in ${dir}${added.length ? `, new: ${added.join(' ')}` : ', none new'}`);
  } catch (err) {
    console.error(`flexmoe tokens: ${err.message}`);
    process.exitCode = 2;
  }
}
