/**
 * The coordinator's HTTP port: `/metrics` (Prometheus), `/healthz` (200 while serving, 503 while
 * draining), `/api/status` (JSON for the dashboard) and the dashboard page at `/` and `/dashboard`.
 */
import * as http from 'node:http';
import type { Registry } from 'prom-client';
import { listenHttp, type ListeningHttpServer, type Logger } from '@flexmoe/shared';
import { DASHBOARD_PATHS, dashboardHtml } from '../dashboard';

/** What the HTTP server reads from. */
export interface HttpSources {
  readonly metrics: Registry;
  /** True while the coordinator serves (not draining or stopped). */
  readonly healthy: () => boolean;
  readonly status: () => unknown;
  readonly logger: Logger;
}

/** A running HTTP server. */
export type RunningHttpServer = ListeningHttpServer;

async function handle(req: http.IncomingMessage, res: http.ServerResponse, s: HttpSources, page: string): Promise<void> {
  const url = (req.url ?? '/').split('?')[0]!;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
  } else if (url === '/metrics') {
    res.writeHead(200, { 'content-type': s.metrics.contentType }).end(await s.metrics.metrics());
  } else if (url === '/healthz') {
    const ok = s.healthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'SERVING' : 'NOT_SERVING' }));
  } else if (url === '/api/status') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(s.status()));
  } else if (DASHBOARD_PATHS.includes(url)) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /api/status or /\n');
  }
}

/** Starts the HTTP server on `host:port` (0 = any free port). */
export async function startHttpServer(host: string, port: number, sources: HttpSources): Promise<RunningHttpServer> {
  const page = dashboardHtml();
  const server = http.createServer((req, res) => {
    handle(req, res, sources, page).catch((err: unknown) => {
      sources.logger.error({ err: (err as Error).message, url: req.url }, 'http request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return listenHttp(server, port, host);
}
