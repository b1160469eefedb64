import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, createLogger } from '@flexmoe/shared';
import { INSECURE_WARNING_MS, grpcBindHost, isLoopback, warnInsecure } from '../../src/transport/exposure';

function recordingLogger(lines: string[]) {
  const logger = createLogger({ level: 'silent' }).child({});
  logger.warn = ((a: unknown, b?: string) => lines.push(typeof a === 'string' ? a : String(b))) as never;
  return logger;
}

test('an unauthenticated coordinator refuses to start unless --insecure, and then binds loopback', () => {
  const lines: string[] = [];
  const log = recordingLogger(lines);
  assert.throws(
    () => grpcBindHost({ host: '0.0.0.0', tokens: false, mutualTls: false, insecure: false }, log),
    (e: Error) => e instanceof ConfigError && /--insecure/.test(e.message),
  );
  assert.equal(grpcBindHost({ host: '0.0.0.0', tokens: true, mutualTls: false, insecure: false }, log), '0.0.0.0');
  assert.equal(grpcBindHost({ host: '0.0.0.0', tokens: false, mutualTls: true, insecure: false }, log), '0.0.0.0');
  assert.equal(grpcBindHost({ host: '0.0.0.0', tokens: false, mutualTls: false, insecure: true }, log), '127.0.0.1');
  assert.equal(grpcBindHost({ host: '127.0.0.5', tokens: false, mutualTls: false, insecure: true }, log), '127.0.0.5');
  assert.deepEqual(lines, ['insecure coordinator: binding 127.0.0.1 instead of the requested host']);
  assert.deepEqual(['localhost', '::1', '127.0.0.1', '0.0.0.0', '10.0.0.1', '127.example.org'].map(isLoopback), [true, true, true, false, false, false]);
});

test('--insecure warns at once and then every minute', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const lines: string[] = [];
  const stop = warnInsecure(recordingLogger(lines));
  assert.equal(lines.length, 1);
  t.mock.timers.tick(INSECURE_WARNING_MS * 3);
  assert.equal(lines.length, 4);
  assert.match(lines[3]!, /^INSECURE: clients are not authenticated/);
  stop();
  t.mock.timers.tick(INSECURE_WARNING_MS * 3);
  assert.equal(lines.length, 4);
});
