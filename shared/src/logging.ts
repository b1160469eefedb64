import pino from 'pino';

/** A pino logger; components take `logger.child({ component: 'x' })`. */
export type Logger = pino.Logger;

/**
 * Creates the root JSON logger at the composition root. Level defaults to `info`; tests pass
 * `silent`. Logs go to stderr so stdout stays free for a command's own output (tables, JSON).
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    { name: options.name ?? 'flexmoe', level: options.level ?? 'info', base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: true }),
  );
}
