/**
 * Who may read /api/status, against the real coordinator's HTTP port and the machine's real
 * network interface: without --status-token only loopback callers get it (a caller on another
 * address gets 403); with it, a bearer token is required from anywhere. /metrics and /healthz
 * stay open for scrapers and probes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopProcess } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function get(host: string, port: number, path: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    http
      .get({ host, port, path, headers, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

test(
  '/api/status: loopback only by default, bearer token with --status-token',
  { timeout: 60_000, skip: external ? false : 'no non-loopback IPv4 interface to call from' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexmoe-status-'));
    const open = await startServer(['--metrics-host', '0.0.0.0', '--data-dir', join(dir, 'a'), ...SMALL_MODEL]);
    try {
      assert.equal(await get('127.0.0.1', open.metricsPort, '/api/status'), 200);
      assert.equal(await get(external!, open.metricsPort, '/api/status'), 403);
      assert.equal(await get(external!, open.metricsPort, '/metrics'), 200);
      assert.equal(await get(external!, open.metricsPort, '/healthz'), 200);
    } finally {
      await stopProcess(open, 'SIGKILL');
    }
    writeFileSync(join(dir, 'status-token'), 's3cret-status\n');
    const guarded = await startServer(['--metrics-host', '0.0.0.0', '--status-token', join(dir, 'status-token'), '--data-dir', join(dir, 'b'), ...SMALL_MODEL]);
    try {
      assert.equal(await get(external!, guarded.metricsPort, '/api/status', 's3cret-status'), 200);
      assert.equal(await get(external!, guarded.metricsPort, '/api/status', 'wrong'), 401);
      assert.equal(await get('127.0.0.1', guarded.metricsPort, '/api/status'), 401, 'with a token, loopback needs it too');
    } finally {
      await stopProcess(guarded, 'SIGKILL');
    }
  },
);
