/** The Prometheus series a completed round or a failed client moves. */
import type { CoordinatorMetrics } from '../metrics/metrics';
import type { RoundRecord } from '../rounds/history';

/** Round number, duration, load and its CV, accuracies, and the round's client failures by kind. */
export function recordRoundMetrics(m: CoordinatorMetrics, r: RoundRecord): void {
  m.round.set(r.round);
  m.roundDuration.observe(r.seconds);
  r.load.forEach((v, e) => m.expertLoad.set({ expert: String(e) }, v));
  m.expertLoadCv.set(r.loadCv);
  m.routedLoadCv.set(r.routedLoadCv);
  m.evalAccuracy.set(r.accuracy);
  m.roundAccuracy.set({ kind: 'post_local' }, r.accuracy);
  if (typeof r.preLocalAccuracy === 'number') m.roundAccuracy.set({ kind: 'pre_local' }, r.preLocalAccuracy);
  if (typeof r.globalAccuracy === 'number') m.roundAccuracy.set({ kind: 'global' }, r.globalAccuracy);
  for (const f of r.failures) m.roundFailures.inc({ reason: failureLabel(f.reason) });
}

/** The `reason` label of a client failure: late, aborted, dropped, rejected, reported or other. */
export function failureLabel(reason: string): string {
  if (reason === 'late' || reason === 'aborted') return reason;
  for (const label of ['dropped', 'rejected', 'reported']) if (reason.startsWith(label)) return label;
  return 'other';
}
