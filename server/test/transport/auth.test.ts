import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { FileFormatError } from '@flexmoe/shared';
import { UnauthenticatedError } from '../../src/errors';
import { AUTH_FAILED, authenticate, readTokensFile } from '../../src/transport/auth';

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'flexmoe-tokens-')), 'tokens');
  writeFileSync(f, text);
  return f;
}

function call(md: Record<string, string>, cn?: string, san?: string) {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  const cert = { subject: cn === undefined ? {} : { CN: cn }, ...(san === undefined ? {} : { subjectaltname: san }) };
  const secured = cn !== undefined || san !== undefined;
  return { metadata, getAuthContext: () => (secured ? { transportSecurityType: 'ssl', sslPeerCertificate: cert as never } : {}) };
}

test('tokens files: JSON object or "id token" lines; malformed files name the problem', () => {
  assert.deepEqual(
    [...readTokensFile(file('{"a":"x","b":"y"}'))],
    [
      ['a', 'x'],
      ['b', 'y'],
    ],
  );
  assert.deepEqual(
    [...readTokensFile(file('# fleet\n\na x\nb   y\n'))],
    [
      ['a', 'x'],
      ['b', 'y'],
    ],
  );
  assert.throws(
    () => readTokensFile(file('a x extra\n')),
    (e: unknown) => e instanceof FileFormatError && /:1: expected 'client-id token'/.test(e.message),
  );
  assert.throws(() => readTokensFile(file('{"a": 3}')), /token of client 'a'/);
  assert.throws(() => readTokensFile(file('# nothing\n')), /lists no clients/);
  assert.throws(() => readTokensFile('/does/not/exist'), /cannot read tokens file/);
});

test('authenticate: id required, token checked against the table, certificate name bound under mTLS', () => {
  const tokens = new Map([['a', 'x']]);
  assert.equal(authenticate(call({ 'x-flexmoe-client-id': 'a', 'x-flexmoe-token': 'x' }), { tokens }), 'a');
  assert.throws(() => authenticate(call({ 'x-flexmoe-token': 'x' }), { tokens }), UnauthenticatedError);
  // A wrong token and an unknown id get the very same text: ids cannot be enumerated.
  const texts = [
    call({ 'x-flexmoe-client-id': 'a', 'x-flexmoe-token': 'xx' }),
    call({ 'x-flexmoe-client-id': 'a' }),
    call({ 'x-flexmoe-client-id': 'b', 'x-flexmoe-token': 'x' }),
  ].map((c) => {
    try {
      authenticate(c, { tokens });
      return 'accepted';
    } catch (err) {
      return (err as Error).message;
    }
  });
  assert.deepEqual(texts, [AUTH_FAILED, AUTH_FAILED, AUTH_FAILED]);
  assert.equal(authenticate(call({ 'x-flexmoe-client-id': 'a' }, 'a'), { mutualTls: true }), 'a');
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'a' }, 'b'), { mutualTls: true }), /certificate is for 'b'/);
  assert.throws(() => authenticate(call({ 'x-flexmoe-client-id': 'a' }), { mutualTls: true }), /client certificate required/);
});

test('mTLS identity comes from the SAN or the CN; a certificate with neither is refused; the allow-list binds', () => {
  const md = { 'x-flexmoe-client-id': 'client-b' };
  assert.equal(authenticate(call(md, undefined, 'DNS:client-b'), { mutualTls: true }), 'client-b');
  assert.equal(authenticate(call(md, 'other', 'DNS:x, URI:client-b'), { mutualTls: true }), 'client-b');
  assert.throws(() => authenticate(call(md, undefined, 'DNS:client-a'), { mutualTls: true }), /certificate is for 'client-a', not client 'client-b'/);
  assert.throws(() => authenticate(call(md, '', ''), { mutualTls: true }), /names no identity/);
  assert.throws(() => authenticate(call(md, undefined, 'IP Address:10.0.0.1'), { mutualTls: true }), /names no identity/);
  const allowedClients = new Set(['client-a']);
  assert.throws(
    () => authenticate(call(md, 'client-b'), { mutualTls: true, allowedClients }),
    (e: Error) => e.message === AUTH_FAILED,
  );
  assert.equal(authenticate(call({ 'x-flexmoe-client-id': 'client-a' }, 'client-a'), { mutualTls: true, allowedClients }), 'client-a');
});
