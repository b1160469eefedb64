/**
 * Runs a set of simulated sessions over their own gRPC channels in the calling thread: the
 * load generator's unit of work, in its main thread or in each of its worker threads.
 */
import { DownloadStore } from './download-store';
import type { LoadEvents } from './recorder';
import { SimulatedClient, type ClientProfile, type SimSettings } from './sim-client';
import { openChannel, type CoordinatorClient } from '@flexmoe/proto';

/** How a session ended (see SimulatedClient.outcome). */
export type SessionOutcome = SimulatedClient['outcome'];

/** Settings of a session group; the download store is made per group. */
export type SessionSettings = Omit<SimSettings, 'downloads'>;

/**
 * `count` channels to `address`, each its own HTTP/2 connection (grpc-js would otherwise share one
 * connection among channels to the same target); sessions are spread over them round-robin.
 */
function openChannels(address: string, count: number): CoordinatorClient[] {
  // Come back fast after a coordinator restart; sessions pace their own retries.
  const options = { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2000 };
  return Array.from({ length: count }, () => openChannel({ address, ownConnection: true, options }));
}

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
