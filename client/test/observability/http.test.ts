import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClientMetrics } from '../../src/observability/metrics';
import { startMetricsServer } from '../../src/observability/http';

test('/metrics exposes the daemon metrics with their values; /healthz follows the state', async () => {
  const metrics = createClientMetrics();
  metrics.roundsCompleted.inc();
  metrics.transferBytes.inc({ direction: 'sent' }, 1234);
  metrics.trainingSeconds.observe(1.5);
  let state = 'running';
  const server = await startMetricsServer(metrics.registry, () => ({ state }), 0, '127.0.0.1');
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const rssBefore = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^flexmoe_client_rounds_completed_total 1$/m);
    assert.match(text, /^flexmoe_client_transfer_bytes_total\{direction="sent"\} 1234$/m);
    assert.match(text, /^flexmoe_client_training_seconds_sum 1.5$/m);
    const rss = Number(/^flexmoe_client_peak_rss_bytes (\d+)/m.exec(text)?.[1]);
    // The kernel's high-water mark: at least the resident size read before the scrape, at most
    // the high-water mark read after it.
    const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    assert.ok(rss > 10e6 && rss >= rssBefore && rss <= hwm, `peak rss ${rss}, resident before ${rssBefore}, VmHWM after ${hwm}`);
    assert.match(text, /^flexmoe_client_process_resident_memory_bytes \d+/m);
    const healthy = await fetch(`${base}/healthz`);
    assert.equal(healthy.status, 200);
    assert.deepEqual(await healthy.json(), { state: 'running' });
    state = 'stopping';
    assert.equal((await fetch(`${base}/healthz`)).status, 503);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    await server.close();
  }
});
