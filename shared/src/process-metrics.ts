import { collectDefaultMetrics, type Registry } from 'prom-client';

// prom-client's defaults include gauges named `*_total`, a suffix Prometheus reserves for
// counters; `promtool check metrics` rejects the page while they are there.
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Registers prom-client's process and Node.js metrics under `prefix` (memory, CPU, event-loop
 * lag, GC), minus the gauges whose names break the Prometheus naming rules.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(prefix + name);
}
