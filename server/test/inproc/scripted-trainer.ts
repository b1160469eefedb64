/**
 * A deterministic stand-in for the ONNX trainer, for in-process tests of the round protocol: it
 * "trains" for a scripted span of the test's clock (so deadlines and heartbeats happen in fake
 * time), moves every parameter it returns by a fixed step, and reports counts derived from the
 * data. The real trainer is tested on its own and in the process-level suite.
 */
import type { Clock } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import type { EvaluateRequest, EvaluateResult, ExportRequest, TrainRequest, TrainResult } from '@flexmoe/ml/training';
import type { TrainerLike } from '@flexmoe/client';

/** How a scripted trainer behaves. */
export interface TrainerScript {
  /** Fake milliseconds one `train` call takes (default 100). */
  trainMs?: number;
  /** Make `train` fail with this error instead (a local failure the daemon reports). */
  fail?: () => Error;
  /** Fail only the first this many calls (default: every call when `fail` is set). */
  failCalls?: number;
}

/** Calls seen, for assertions. */
export interface TrainerLog {
  trained: Array<{ experts: number[]; seed: number } & Pick<TrainRequest, 'lr' | 'optimizer' | 'lrSchedule'>>;
  abandoned: number;
}

/** A trainer whose time passes on `clock` and whose answers are fixed functions of the request. */
export class ScriptedTrainer implements TrainerLike {
  readonly log: TrainerLog = { trained: [], abandoned: 0 };
  private calls = 0;

  constructor(
    private readonly clock: Clock,
    private readonly script: TrainerScript = {},
  ) {}

  async train(request: TrainRequest): Promise<TrainResult> {
    await this.clock.sleep(this.script.trainMs ?? 100, request.signal);
    if (request.signal?.aborted) {
      this.log.abandoned++;
      throw request.signal.reason instanceof Error ? request.signal.reason : new Error('training abandoned');
    }
    this.calls++;
    if (this.script.fail && this.calls <= (this.script.failCalls ?? Infinity)) throw this.script.fail();
    this.log.trained.push({ experts: [...request.assigned], seed: request.seed, lr: request.lr, optimizer: request.optimizer, lrSchedule: request.lrSchedule });
    const n = request.data.n;
    const params: ParamMap = {};
    for (const [name, values] of Object.entries(request.params)) params[name] = values.map((v) => v + 0.01);
    return {
      params,
      experts: request.assigned.map((expert) => ({ expert, usage: n, correct: Math.floor(n / 2), lossSum: n, ownCorrect: Math.floor(n / 2), ownLossSum: n })),
      loss: 1,
      accuracy: 0.5,
      samples: n,
      steps: Math.ceil(n / request.batchSize),
      seconds: (this.script.trainMs ?? 100) / 1000,
      samplesPerSecond: n,
    };
  }

  evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const n = request.data.n;
    return Promise.resolve({ accuracy: 0.5, loss: 1, experts: [], predictions: new Int32Array(n), samples: n });
  }

  exportInference(_request: ExportRequest): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
