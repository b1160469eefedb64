/**
 * One round on the client: download the backbone and the assigned experts, train them with the
 * personal gate, evaluate the personalised model on the local test split, keep the gate on disk,
 * submit the update, and write `model.onnx`. Refusals become log lines, never crashes.
 */
import type { Logger } from '@flexmoe/shared';
import { checkAssigned, selectBackbone, selectExpert, type ParamMap } from '@flexmoe/shared';
import type { TrainResult } from '@flexmoe/ml/training';
import { CoordinatorError, TaskRefusedError } from '../errors';
import { describeTraining, localTraining, type LocalTraining } from './local-training';
import type { ClientMetrics } from '../observability/metrics';
import type { StateDir } from '../state/state-dir';
import type { LocalData } from './data';
import type { GateStore } from './gate';
import type { CoordinatorLink, ExpertReport, Phase, RoundTask, Session, SubmitResult, Update } from './link';
import type { TrainerLike } from './trainer';

/** Everything a round needs, owned by the daemon. */
export interface RoundContext {
  link: CoordinatorLink;
  session: Session;
  trainer: TrainerLike;
  data: LocalData;
  gates: GateStore;
  state: StateDir;
  metrics: ClientMetrics;
  logger: Logger;
  /** Tells the heartbeat what the daemon is doing. */
  setPhase(phase: Phase, round: number): void;
}

/** How a round ended, for the daemon's bookkeeping and the tests. */
export interface RoundOutcome {
  round: number;
  /** `accepted`, `refused` (logged reason), `skipped` (bad or expired task). */
  result: 'accepted' | 'refused' | 'skipped';
  experts: number[];
  testAccuracy?: number;
  reason?: string;
}

/**
 * Per-expert report: usage per epoch (the protocol counts one pass), accuracy and mean loss of
 * the mixed model and of the expert's own logits over its routed samples (0 when none were routed:
 * the coordinator then scores nothing).
 */
export function expertReports(result: TrainResult, epochs: number): ExpertReport[] {
  return result.experts.map((s) => ({
    expert: s.expert,
    usage: Math.round(s.usage / Math.max(1, epochs)),
    accuracy: s.usage > 0 ? s.correct / s.usage : 0,
    loss: s.usage > 0 ? s.lossSum / s.usage : 0,
    ownAccuracy: s.usage > 0 ? s.ownCorrect / s.usage : 0,
    ownLoss: s.usage > 0 ? s.ownLossSum / s.usage : 0,
  }));
}

/** Loss, accuracy and sample count of an evaluation, as the update carries them. */
function splitMetrics(ev: { loss: number; accuracy: number; samples: number }): { loss: number; accuracy: number; numSamples: number } {
  return { loss: ev.loss, accuracy: ev.accuracy, numSamples: ev.samples };
}

/** The tensors an update carries: the new backbone and the assigned experts, never the gate. */
export function updateTensors(params: ParamMap, experts: readonly number[]): ParamMap {
  const out: ParamMap = { ...selectBackbone(params) };
  for (const e of experts) Object.assign(out, selectExpert(params, e));
  return out;
}

/** Runs one round; rejects only on a lost connection or a stop (the daemon then rejoins or exits). */
export async function runRound(ctx: RoundContext, task: RoundTask, signal: AbortSignal): Promise<RoundOutcome> {
  const log = ctx.logger.child({ round: task.round });
  const { model } = ctx.session;
  try {
    checkAssigned(model, task.experts);
  } catch (err) {
    log.error({ experts: task.experts, err: (err as Error).message }, 'task refused: bad expert assignment');
    return { round: task.round, result: 'skipped', experts: task.experts, reason: (err as Error).message };
  }
  let training: LocalTraining;
  try {
    training = localTraining(task, ctx.data.train.n);
  } catch (err) {
    if (!(err instanceof TaskRefusedError)) throw err;
    return refuseTask(ctx, task, err, log);
  }
  log.info({ experts: task.experts, epochs: task.localEpochs, optimizer: describeTraining(training) }, 'round task received');
  ctx.setPhase('downloading', task.round);
  const downloadStart = performance.now();
  let downloaded: ParamMap;
  try {
    downloaded = await ctx.link.download(ctx.session, task, signal);
  } catch (err) {
    if (!(err instanceof CoordinatorError) || !['precondition', 'deadline', 'invalid', 'data-loss'].includes(err.kind)) throw err;
    ctx.metrics.rejections.inc({ kind: err.kind });
    log.warn({ kind: err.kind, reason: err.message }, 'download refused or damaged; skipping this round');
    return { round: task.round, result: 'skipped', experts: task.experts, reason: err.message };
  }
  const downloadSeconds = (performance.now() - downloadStart) / 1000;
  const { gate, fresh, damaged } = await ctx.gates.load(model, ctx.session.run.runId);
  if (damaged) log.warn({ reason: damaged }, 'personal gate file damaged: reset to a fresh gate, it is learnt again');
  else if (fresh) log.info('personal gate initialised');
  ctx.setPhase('training', task.round);
  // What the round's aggregated model is worth to this client before it adapts anything: on its
  // own held-out split, and on the class-balanced global test set when it has one.
  const aggregated = { ...downloaded, ...gate };
  const preLocal = await ctx.trainer.evaluate({ params: aggregated, assigned: task.experts, data: ctx.data.test });
  const global = ctx.data.global ? await ctx.trainer.evaluate({ params: aggregated, assigned: task.experts, data: ctx.data.global }) : undefined;
  const trained = await ctx.trainer.train({
    params: { ...downloaded, ...gate },
    assigned: task.experts,
    data: ctx.data.train,
    epochs: task.localEpochs,
    ...training,
    batchSize: task.batchSize,
    seed: task.seed,
    signal,
  });
  ctx.metrics.trainingSeconds.observe(trained.seconds);
  const test = await ctx.trainer.evaluate({ params: trained.params, assigned: task.experts, data: ctx.data.test });
  await ctx.gates.save(model, ctx.session.run.runId, trained.params);
  log.info(
    {
      trained: trained.experts.map((x) => x.expert),
      optimizer: training.optimizer.kind,
      steps: trained.steps,
      loss: trained.loss,
      accuracy: trained.accuracy,
      preLocalAccuracy: preLocal.accuracy,
      testAccuracy: test.accuracy,
      globalAccuracy: global?.accuracy,
      seconds: trained.seconds,
      samplesPerSecond: Math.round(trained.samplesPerSecond),
      rssBytes: ctx.metrics.sampleRss(),
      peakRssBytes: ctx.metrics.peakRssBytes(),
    },
    'local training done',
  );
  const update: Update = {
    round: task.round,
    attempt: task.attempt ?? 0,
    numSamples: ctx.data.train.n,
    experts: expertReports(trained, task.localEpochs),
    train: { loss: trained.loss, accuracy: trained.accuracy, numSamples: ctx.data.train.n },
    test: splitMetrics(test),
    preLocal: splitMetrics(preLocal),
    global: global ? splitMetrics(global) : undefined,
    params: updateTensors(trained.params, task.experts),
    trainSeconds: trained.seconds,
    downloadSeconds,
  };
  ctx.setPhase('uploading', task.round);
  const outcome = await submit(ctx, update, log, signal);
  await ctx.trainer.exportInference({ params: trained.params, assigned: task.experts, file: ctx.state.modelPath });
  ctx.metrics.testAccuracy.set(test.accuracy);
  ctx.metrics.round.set(task.round);
  log.info({ file: ctx.state.modelPath }, 'personalised model written');
  return { ...outcome, experts: task.experts, testAccuracy: test.accuracy };
}

/**
 * Refuses a task this daemon cannot honour: logs why, tells the coordinator at once (a Submit of
 * the failure, so the round does not wait for the deadline), trains and changes nothing.
 */
async function refuseTask(ctx: RoundContext, task: RoundTask, err: TaskRefusedError, log: Logger): Promise<RoundOutcome> {
  log.error({ err: err.message }, 'task refused: its local optimizer cannot be honoured; reporting the round failed');
  ctx.metrics.rejections.inc({ kind: 'task-refused' });
  try {
    const ack = await ctx.link.reportFailure(ctx.session.sessionId, task, err.message, false);
    log.warn({ message: ack.message }, 'round failure reported to the coordinator');
  } catch (e) {
    if (!(e instanceof CoordinatorError)) throw e;
    log.warn({ err: e.message }, 'could not report the round failure');
  }
  return { round: task.round, result: 'skipped', experts: task.experts, reason: err.message };
}

/** Submits; a refusal the daemon can live with becomes a log line and a `refused` outcome. */
async function submit(ctx: RoundContext, update: Update, log: Logger, signal: AbortSignal): Promise<Omit<RoundOutcome, 'experts'>> {
  let ack: SubmitResult;
  try {
    ack = await ctx.link.submit(ctx.session.sessionId, ctx.session.model, update, signal);
  } catch (err) {
    if (!(err instanceof CoordinatorError) || !isRoundRefusal(err)) throw err;
    ctx.metrics.rejections.inc({ kind: err.kind });
    log.warn({ kind: err.kind, reason: err.message }, refusalLine(err));
    return { round: update.round, result: 'refused', reason: err.message };
  }
  if (!ack.accepted) {
    ctx.metrics.rejections.inc({ kind: 'not-accepted' });
    log.warn({ reason: ack.message }, 'update not accepted; waiting for the next task');
    return { round: update.round, result: 'refused', reason: ack.message };
  }
  ctx.metrics.roundsCompleted.inc();
  log.info({ bytes: ack.bytesReceived }, 'update accepted');
  return { round: update.round, result: 'accepted' };
}

/** Refusals that concern this round only; anything else means the session or link is gone. */
function isRoundRefusal(err: CoordinatorError): boolean {
  return ['precondition', 'deadline', 'invalid', 'too-large', 'data-loss'].includes(err.kind);
}

function refusalLine(err: CoordinatorError): string {
  switch (err.kind) {
    case 'precondition':
      return err.reason === 'ERROR_REASON_STALE_ROUND'
        ? 'update refused: the round is over for this client (stale round); waiting for the next task'
        : 'update refused: round is stale or not ours; waiting for the next task';
    case 'deadline':
      return 'update refused: it arrived after the round deadline; waiting for the next task';
    default:
      return `update refused as ${err.kind}; waiting for the next task`;
  }
}
