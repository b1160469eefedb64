/**
 * The coordinator's HTTP port: `/metrics` (Prometheus), `/healthz` (200 while serving, 503 while
 * draining), `/api/status` (JSON for the dashboard) and the dashboard page at `/` and `/dashboard`.
 * `/api/status` names every client, its data size, device and accuracy: it needs the bearer token
 * (`--status-token`) or, without one, a caller on this machine (loopback). The dashboard page is
 * static; it reads the token from the page address (`#token=...`, never sent to the server) and
 * sends it with its requests.
 */
import * as http from 'node:http';
import type { Registry } from 'prom-client';
import { listenHttp, type ListeningHttpServer, type Logger } from '@flexmoe/shared';
import { DASHBOARD_PATHS, dashboardHtml } from '../dashboard';
import { sameSecret } from '../transport/auth';
import { isLoopback } from '../transport/exposure';

/** What the HTTP server reads from. */
export interface HttpSources {
  readonly metrics: Registry;
  /** True while the coordinator serves (not draining or stopped). */
  readonly healthy: () => boolean;
  readonly status: () => unknown;
  /** Bearer token of /api/status; without it only loopback callers get the status. */
  readonly statusToken?: string;
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
    const refused = statusRefusal(req, s.statusToken);
    if (refused) {
      res.writeHead(refused.code, { 'content-type': 'text/plain', ...(refused.code === 401 ? { 'www-authenticate': 'Bearer' } : {}) }).end(`${refused.text}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(s.status()));
  } else if (DASHBOARD_PATHS.includes(url)) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /api/status or /\n');
  }
}

/** Why a status request is refused (undefined: it may have the status). */
function statusRefusal(req: http.IncomingMessage, token: string | undefined): { code: number; text: string } | undefined {
  if (token === undefined) {
    const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    return isLoopback(peer)
      ? undefined
      : { code: 403, text: 'the status is served to loopback callers only (start the coordinator with --status-token to serve it remotely)' };
  }
  const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return sameSecret(given, token) ? undefined : { code: 401, text: 'bearer token required' };
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
