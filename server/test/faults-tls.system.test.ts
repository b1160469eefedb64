/**
 * TLS and mutual TLS with certificates generated here by openssl: a TLS client that trusts the CA
 * joins; a plaintext client cannot talk to a TLS coordinator; under mTLS a client without a
 * certificate is refused and one with a CA-signed certificate whose common name is its client id
 * joins, while a certificate for another id is UNAUTHENTICATED; a SAN-only certificate identifies
 * its client, one naming nobody is refused, and --allowed-clients binds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { RpcError } from '@flexmoe/proto';
import { makeTestCertificates } from '@flexmoe/shared/testing';
import { TestClient } from './helpers/test-client';
import { startServer, stopProcess } from './helpers/processes';

const SMALL_MODEL = [
  '--experts',
  '4',
  '--feature-dim',
  '8',
  '--expert-hidden',
  '8',
  '--input-shape',
  '1,6,6',
  '--classes',
  '3',
  '--rounds',
  '1',
  '--min-clients',
  '2',
];

const pem = (dir: string, name: string) => readFileSync(join(dir, name));

async function joinCode(c: TestClient): Promise<grpc.status | 'ok'> {
  try {
    await c.join({ capacity: 2, samples: 50 });
    return 'ok';
  } catch (err) {
    return (err as RpcError).status;
  } finally {
    c.close();
  }
}

test('TLS: trusted clients join, plaintext clients cannot connect', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-tls-'));
  makeTestCertificates(dir, []);
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--tls-cert',
    join(dir, 'server.crt'),
    '--tls-key',
    join(dir, 'server.key'),
    ...SMALL_MODEL,
  ]);
  try {
    const tls = grpc.credentials.createSsl(pem(dir, 'ca.crt'));
    assert.equal(await joinCode(new TestClient({ address: server.address, clientId: 'a', credentials: tls })), 'ok');
    assert.equal(await joinCode(new TestClient({ address: server.address, clientId: 'b' })), grpc.status.UNAVAILABLE);
  } finally {
    await stopProcess(server);
  }
});

test('mutual TLS: a certificate is required and must name the client', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-mtls-'));
  makeTestCertificates(dir, ['edge-1', 'edge-2']);
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--tls-cert',
    join(dir, 'server.crt'),
    '--tls-key',
    join(dir, 'server.key'),
    '--tls-ca',
    join(dir, 'ca.crt'),
    '--log-level',
    'info',
    ...SMALL_MODEL,
  ]);
  const withCert = (cn: string) => grpc.credentials.createSsl(pem(dir, 'ca.crt'), pem(dir, `${cn}.key`), pem(dir, `${cn}.crt`));
  try {
    assert.equal(await joinCode(new TestClient({ address: server.address, clientId: 'edge-1', credentials: withCert('edge-1') })), 'ok');
    assert.equal(await joinCode(new TestClient({ address: server.address, clientId: 'edge-1', credentials: withCert('edge-2') })), grpc.status.UNAUTHENTICATED);
    const noCert = grpc.credentials.createSsl(pem(dir, 'ca.crt'));
    assert.equal(await joinCode(new TestClient({ address: server.address, clientId: 'edge-2', credentials: noCert })), grpc.status.UNAVAILABLE);
    assert.match(server.logs(), /certificate is for 'edge-2', not client 'edge-1'/);
  } finally {
    await stopProcess(server);
  }
});

test('mutual TLS: identity from the SAN when there is no CN, no identity refused, allow-list enforced', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-mtls-san-'));
  makeTestCertificates(
    dir,
    ['edge-1'],
    [
      ['san-only', '/O=fleet', 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:edge-3'],
      ['nameless', '/O=fleet', 'extendedKeyUsage=clientAuth'],
    ],
  );
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--tls-cert',
    join(dir, 'server.crt'),
    '--tls-key',
    join(dir, 'server.key'),
    '--tls-ca',
    join(dir, 'ca.crt'),
    '--allowed-clients',
    'edge-3,edge-4',
    '--log-level',
    'info',
    ...SMALL_MODEL,
  ]);
  const withCert = (name: string) => grpc.credentials.createSsl(pem(dir, 'ca.crt'), pem(dir, `${name}.key`), pem(dir, `${name}.crt`));
  const join_ = (id: string, cert: string) => joinCode(new TestClient({ address: server.address, clientId: id, credentials: withCert(cert) }));
  try {
    assert.equal(await join_('edge-3', 'san-only'), 'ok', 'a SAN-only certificate identifies its client');
    assert.equal(await join_('edge-4', 'san-only'), grpc.status.UNAUTHENTICATED, 'and no other (the SAN-only certificate no longer joins as anyone)');
    assert.equal(await join_('edge-4', 'nameless'), grpc.status.UNAUTHENTICATED);
    assert.equal(await join_('edge-1', 'edge-1'), grpc.status.UNAUTHENTICATED, 'a valid certificate outside the allow-list');
    assert.match(server.logs(), /certificate is for 'edge-3', not client 'edge-4'/);
    assert.match(server.logs(), /client certificate names no identity/);
  } finally {
    await stopProcess(server);
  }
});
