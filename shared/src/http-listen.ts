import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server that is listening. */
export interface ListeningHttpServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stops listening and closes open (keep-alive) connections, so shutdown never waits on a scraper. */
  close(): Promise<void>;
}

/** Starts `server` on `host:port` (port 0 picks a free one); rejects if the port cannot be bound. */
export async function listenHttp(server: Server, port: number, host: string): Promise<ListeningHttpServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
