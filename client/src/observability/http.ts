/**
 * The daemon's small HTTP endpoint: `/metrics` (Prometheus text) and `/healthz` (JSON status;
 * 200 while running, 503 once stopping so a supervisor sees the drain).
 */
import http from 'node:http';
import type { Registry } from 'prom-client';
import { listenHttp, type ListeningHttpServer } from '@flexmoe/shared';

/** What `/healthz` reports. */
export interface HealthStatus {
  /** `running` or `stopping`. */
  state: string;
  [fact: string]: unknown;
}

/** A started HTTP endpoint. */
export type MetricsServer = ListeningHttpServer;

/** Starts the endpoint on `host:port` (port 0 picks a free one). */
export async function startMetricsServer(registry: Registry, health: () => HealthStatus, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    // respond() answers every error itself with a 500; this catch is for a socket already gone.
    respond(req, res, registry, health).catch(() => res.destroy());
  });
  return listenHttp(server, port, host);
}

async function respond(req: http.IncomingMessage, res: http.ServerResponse, registry: Registry, health: () => HealthStatus): Promise<void> {
  const url = (req.url ?? '/').split('?')[0];
  try {
    if (url === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } else if (url === '/healthz') {
      const status = health();
      res.writeHead(status.state === 'running' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics error: ${(err as Error).message}\n`);
  }
}
