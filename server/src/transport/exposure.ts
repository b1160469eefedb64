/**
 * Secure by default: a coordinator that authenticates nobody (no tokens file, no mutual TLS)
 * refuses to start unless `--insecure` is given, and then listens on loopback only and warns
 * every minute that it runs open.
 */
import { isIP } from 'node:net';
import { ConfigError, type Logger } from '@flexmoe/shared';

/** How often an insecure coordinator repeats its warning. */
export const INSECURE_WARNING_MS = 60_000;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** What the operator asked for. */
export interface Exposure {
  readonly host: string;
  readonly tokens: boolean;
  readonly mutualTls: boolean;
  readonly insecure: boolean;
}

/**
 * The gRPC host to bind: `host` when callers are authenticated; ConfigError when nobody is and
 * `--insecure` was not given; 127.0.0.1 (with a warning) for an insecure non-loopback host.
 */
export function grpcBindHost(e: Exposure, logger: Logger): string {
  if (e.tokens || e.mutualTls) return e.host;
  if (!e.insecure) {
    throw new ConfigError(
      'refusing to start without client authentication: give --tokens FILE or mutual TLS (--tls-cert, --tls-key, --tls-ca), or --insecure to run open on 127.0.0.1',
    );
  }
  if (isLoopback(e.host)) return e.host;
  logger.warn({ requested: e.host }, 'insecure coordinator: binding 127.0.0.1 instead of the requested host');
  return '127.0.0.1';
}

/** Logs the insecure warning now and every minute; returns the function that stops it. */
export function warnInsecure(logger: Logger): () => void {
  const warn = () => logger.warn('INSECURE: clients are not authenticated (--insecure); anyone who reaches this port can join as any client id');
  warn();
  const timer = setInterval(warn, INSECURE_WARNING_MS);
  timer.unref();
  return () => clearInterval(timer);
}
