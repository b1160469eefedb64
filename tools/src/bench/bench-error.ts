import { FlexMoEError } from '@flexmoe/shared';

/** A benchmark backend could not be set up (missing module, failed backend initialisation). */
export class BenchBackendError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_BENCH_BACKEND', message, options);
  }
}
