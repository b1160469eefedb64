/**
 * Reads the coordinator's JSON `/api/status` over loopback HTTP (the fleet's only window into a
 * run: it never shares memory with the coordinator process).
 */
import * as http from 'node:http';
import type { CoordinatorStatus } from '@flexmoe/server';

/** GETs `/api/status` from the coordinator's HTTP port; rejects on a non-200 or bad JSON. */
export function fetchStatus(host: string, port: number, timeoutMs = 5000): Promise<CoordinatorStatus> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/api/status', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`/api/status answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(body) as CoordinatorStatus);
        } catch (err) {
          reject(new Error(`/api/status sent invalid JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`/api/status timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The gRPC and HTTP ports a coordinator prints at startup, or undefined if not printed yet. */
export function parseListeningLine(stdout: string): { port: number; metricsPort: number } | undefined {
  const m = /listening grpc=\S*:(\d+) metrics=\S*:(\d+)/.exec(stdout);
  return m ? { port: Number(m[1]), metricsPort: Number(m[2]) } : undefined;
}
