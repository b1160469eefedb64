/**
 * Runs a set of simulated sessions over their own gRPC channels in the calling thread: the
 * load generator's unit of work, in its main thread or in each of its worker threads.
 */
import { DownloadStore } from './download-store';
import type { LoadEvents } from './recorder';
import { SimulatedClient, type ClientProfile, type SimSettings } from './sim-client';
import { openChannels } from './wire';

/** How a session ended (see SimulatedClient.outcome). */
export type SessionOutcome = SimulatedClient['outcome'];

/** Settings of a session group; the download store is made per group. */
export type SessionSettings = Omit<SimSettings, 'downloads'>;

/** Runs `profiles` over `channels` connections to `address` until each session ends; their outcomes in order. */
export async function runSessions(
  address: string,
  profiles: readonly ClientProfile[],
  channels: number,
  settings: SessionSettings,
  events: LoadEvents,
  signal: AbortSignal,
): Promise<SessionOutcome[]> {
  const pool = openChannels(address, Math.max(1, Math.min(channels, profiles.length)));
  const shared: SimSettings = { ...settings, downloads: new DownloadStore() };
  const clients = profiles.map((p, i) => new SimulatedClient(p, pool[i % pool.length]!, shared, events));
  try {
    await Promise.all(clients.map((c) => c.run(signal)));
  } finally {
    for (const c of pool) c.close();
  }
  return clients.map((c) => c.outcome);
}
