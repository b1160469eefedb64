// The binary refuses to start on a Node.js older than 20.15 (zlib.crc32), with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers/processes';

const BIN = path.join(REPO_ROOT, 'bin', 'flexmoe.js');

/** Runs `flexmoe --help` with process.versions.node reported as `version`. */
function runAs(version: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-node-version-'));
  try {
    const preload = path.join(dir, 'version.js');
    writeFileSync(preload, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`);
    const r = spawnSync(process.execPath, ['--require', preload, BIN, '--help'], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('flexmoe refuses Node.js older than 20.15 and names both versions', () => {
  for (const old of ['20.14.0', '18.20.4']) {
    const r = runAs(old);
    assert.equal(r.status, 1, old);
    assert.match(r.stderr, /Node\.js >= 20\.15 is required/);
    assert.equal(r.stdout, '');
  }
});

test('flexmoe starts on Node.js 20.15 and later', () => {
  for (const ok of ['20.15.0', '22.1.0']) {
    const r = runAs(ok);
    assert.equal(r.status, 0, `${ok}: ${r.stderr}`);
    assert.match(r.stdout, /usage: flexmoe <command>/);
  }
});
