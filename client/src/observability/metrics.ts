/**
 * The daemon's Prometheus metrics. Created once at the composition root and passed to the daemon;
 * names are prefixed `flexmoe_client_` so a scrape of a whole fleet stays unambiguous.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics, currentResidentBytes, peakResidentBytes } from '@flexmoe/shared';

/** Every metric the daemon updates. */
export interface ClientMetrics {
  readonly registry: Registry;
  /** Seconds spent in local training per round. */
  readonly trainingSeconds: Histogram;
  /** Rounds whose update the coordinator accepted. */
  readonly roundsCompleted: Counter;
  /** Tensor and message bytes, `direction` = sent | received. */
  readonly transferBytes: Counter<'direction'>;
  /** Refused calls by kind (unauthenticated, stale-round, ...). */
  readonly rejections: Counter<'kind'>;
  /** 1 while joined to a coordinator. */
  readonly connected: Gauge;
  /** Latest round this daemon trained. */
  readonly round: Gauge;
  /** Accuracy of the personalised model on the local test split after the latest round. */
  readonly testAccuracy: Gauge;
  /** Peak resident set size of the whole process (training worker included), bytes: the kernel's VmHWM. */
  readonly peakRss: Gauge;
  /** Resident set size now, bytes (VmRSS; where the kernel keeps no peak, it also feeds the peak). */
  sampleRss(): number;
  /** Peak resident set size so far, bytes (what `peakRss` reports). */
  peakRssBytes(): number;
}

/** Creates the daemon's registry with process defaults (RSS, heap, CPU) and its own metrics. */
export function createClientMetrics(): ClientMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry, 'flexmoe_client_');
  const peakRss = new Gauge({
    name: 'flexmoe_client_peak_rss_bytes',
    help: 'Peak resident set size of the daemon process (VmHWM, training worker included), bytes',
    registers: [registry],
    collect() {
      this.set(peakResidentBytes());
    },
  });
  return {
    registry,
    sampleRss: currentResidentBytes,
    peakRssBytes: peakResidentBytes,
    peakRss,
    trainingSeconds: new Histogram({
      name: 'flexmoe_client_training_seconds',
      help: 'Local training time per round, seconds',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    roundsCompleted: new Counter({ name: 'flexmoe_client_rounds_completed_total', help: 'Rounds whose update was accepted', registers: [registry] }),
    transferBytes: new Counter({
      name: 'flexmoe_client_transfer_bytes_total',
      help: 'Bytes exchanged with the coordinator',
      labelNames: ['direction'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'flexmoe_client_rejections_total',
      help: 'Calls refused by the coordinator, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    connected: new Gauge({ name: 'flexmoe_client_connected', help: '1 while joined to a coordinator', registers: [registry] }),
    round: new Gauge({ name: 'flexmoe_client_round', help: 'Latest round trained', registers: [registry] }),
    testAccuracy: new Gauge({ name: 'flexmoe_client_test_accuracy', help: 'Personalised model accuracy on the local test split', registers: [registry] }),
  };
}

/**
 * Samples RSS every `intervalMs`: on Linux the kernel's VmHWM already holds the true peak; where
 * there is no /proc, this is what lets the peak cover training bursts between scrapes.
 */
export function startRssSampler(metrics: ClientMetrics, intervalMs = 200): () => void {
  const timer = setInterval(() => metrics.sampleRss(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
