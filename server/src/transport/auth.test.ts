import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { FileFormatError } from '@flexmoe/shared';
import { UnauthenticatedError } from '../errors';
import { authenticate, readTokensFile } from './auth';

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'flexmoe-tokens-')), 'tokens');
  writeFileSync(f, text);
  return f;
}

function call(md: Record<string, string>, cn?: string) {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return { metadata, getAuthContext: () => (cn === undefined ? {} : { transportSecurityType: 'ssl', sslPeerCertificate: { subject: { CN: cn } } as never }) };
}

test('tokens files: JSON object or "id token" lines; malformed files name the problem', () => {
  assert.deepEqual([...readTokensFile(file('{"a":"x","b":"y"}'))], [['a', 'x'], ['b', 'y']]);
  assert.deepEqual([...readTokensFile(file('# fleet\n\na x\nb   y\n'))], [['a', 'x'], ['b', 'y']]);
  assert.throws(() => readTokensFile(file('a x extra\n')), (e: unknown) => e instanceof FileFormatError && /:1: expected 'client-id token'/.test(e.message));
  assert.throws(() => readTokensFile(file('{"a": 3}')), /token of client 'a'/);
  assert.throws(() => readTokensFile(file('# nothing\n')), /lists no clients/);
  assert.throws(() => readTokensFile('/does/not/exist'), /cannot read tokens file/);
});

test('authenticate: id required, token checked against the table, certificate name bound under mTLS', () => {
  const tokens = new Map([['a', 'x']]);
  assert.equal(authenticate(call({ 'x-flexmoe-client-id': 'a', 'x-flexmoe-token': 'x' }), { tokens }), 'a');
  assert.throws(() => authenticate(call({ 'x-flexmoe-token': 'x' }), { tokens }), UnauthenticatedError);
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'a', 'x-flexmoe-token': 'xx' }), { tokens }), /bad or missing token/);
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'b', 'x-flexmoe-token': 'x' }), { tokens }), /unknown client 'b'/);
  assert.equal(authenticate(call({ 'x-flexmoe-client-id': 'a' }, 'a'), { mutualTls: true }), 'a');
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'a' }, 'b'), { mutualTls: true }), /certificate is for 'b'/);
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'a' }), { mutualTls: true }), /client certificate required/);
});
