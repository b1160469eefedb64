import pino from 'pino';

/**
 * One log method: structured fields first, then the message (`log.info({ round }, 'round
 * completed')`), or a message alone. Fields named `err` carry an Error.
 */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/**
 * What FlexMoE code logs through: the four levels it uses and `child` for a component's bound
 * fields (`logger.child({ component: 'x' })`). Narrow on purpose, so an embedder can pass any
 * structured logger; `createLogger` builds the product's (pino, JSON lines on stderr).
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Creates the root JSON logger at the composition root. Level defaults to `info`; tests pass
 * `silent`. Logs go to stderr so stdout stays free for a command's own output (tables, JSON).
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'flexmoe', level: options.level ?? 'info', base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}
