/**
 * Connects the round engine to the assignment strategies of server/src/strategies
 * (`createStrategy(name, options)` with `assign(problem)`). Resolved at run time so that the
 * coordinator keeps building while the strategies module evolves; a missing module or an
 * unknown name is a clear ConfigError at startup, never a crash mid-run.
 */
import { ConfigError } from '@flexmoe/shared';
import type { AssignPort } from '../rounds/ports';

/** Options the coordinator passes to the strategy factory. */
export interface StrategyOptions {
  readonly seed: number;
  readonly timeLimitSeconds: number;
  readonly delta: number;
}

type Factory = (name: string, options: Record<string, unknown>) => AssignPort;

function loadFactory(): Factory {
  let mod: { createStrategy?: Factory };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../strategies') as { createStrategy?: Factory };
  } catch (err) {
    throw new ConfigError(`assignment strategies are not available (server/src/strategies): ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.createStrategy !== 'function') throw new ConfigError('server/src/strategies exports no createStrategy');
  return mod.createStrategy;
}

/** The named strategy as the round engine's AssignPort; throws ConfigError for an unknown name. */
export function createAssignPort(name: string, options: StrategyOptions): AssignPort {
  const factory = loadFactory();
  try {
    return factory(name, { ...options, timeLimitSeconds: options.timeLimitSeconds });
  } catch (err) {
    throw new ConfigError(`strategy '${name}': ${(err as Error).message}`, { cause: err });
  }
}
