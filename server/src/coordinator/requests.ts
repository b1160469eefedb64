/**
 * Validation of what clients send, before anything touches state: joins, submission headers
 * (round, per-expert statistics, metrics, declared sizes) and the assembled tensors.
 */
import { InvalidArgumentError, isPlainSgdTask, PLAIN_SGD_TASK, type TaskOptimizer } from '@flexmoe/shared';
import type { MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, expertSpecs } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, TooLargeError, byteLength, type TensorSpec, type WireTensor } from '@flexmoe/proto';
import type { JoinRequest__Output, SubmitHeader__Output } from '@flexmoe/proto';
import { ProtocolVersionError, StaleRoundError } from '../errors';
import type { JoinInfo } from '../registry/client-registry';
import type { ClientUpdate, ExpertReport, MetricReport, RoundTaskSpec } from '../rounds/types';

/** Longest client id accepted. */
export const MAX_ID_CHARS = 128;
/** Device strings (platform, hostname, ...) are cut to this many characters: they are shown and checkpointed. */
export const MAX_DEVICE_CHARS = 256;

/**
 * The protocol version a client needs for this run: 2 when its local optimizer is anything but
 * plain SGD at a constant rate (a version-1 client ignores RoundTask.local_optimizer and would
 * train plain SGD at, say, Adam's learning rate), else 1.
 */
export function requiredProtocolVersion(optimizer: TaskOptimizer): number {
  return isPlainSgdTask(optimizer) ? MIN_PROTOCOL_VERSION : 2;
}

/**
 * Checks a Join and turns it into registry input (capacity capped at E, device strings cut).
 * `optimizer` is what this run's tasks carry: it decides whether a version-1 client may join.
 */
export function validateJoin(clientId: string, req: JoinRequest__Output, experts: number, optimizer: TaskOptimizer = PLAIN_SGD_TASK): JoinInfo {
  if (req.protocolVersion < MIN_PROTOCOL_VERSION || req.protocolVersion > PROTOCOL_VERSION) {
    throw new ProtocolVersionError(`protocol version ${req.protocolVersion} not supported (coordinator speaks ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION})`);
  }
  if (req.protocolVersion < requiredProtocolVersion(optimizer)) {
    throw new ProtocolVersionError(
      `protocol version ${req.protocolVersion} cannot honour this run's local optimizer (${optimizer.rule}${optimizer.momentum > 0 ? ` momentum ${optimizer.momentum}` : ''}, ${optimizer.schedule} schedule): ` +
        `version ${requiredProtocolVersion(optimizer)} or later is needed`,
    );
  }
  if (req.clientId !== clientId) throw new InvalidArgumentError(`join client_id '${req.clientId}' differs from metadata '${clientId}'`);
  if (!Number.isInteger(req.capacity) || req.capacity < 1) throw new InvalidArgumentError(`capacity must be >= 1 (got ${req.capacity})`);
  if (!Number.isInteger(req.numSamples) || req.numSamples < 1) throw new InvalidArgumentError(`num_samples must be >= 1 (got ${req.numSamples})`);
  if (clientId.length > MAX_ID_CHARS) throw new InvalidArgumentError(`client id longer than ${MAX_ID_CHARS} characters`);
  const d = req.device;
  const text = (v: string | undefined) => (v ?? '').slice(0, MAX_DEVICE_CHARS);
  return {
    clientId,
    capacity: Math.min(experts, req.capacity),
    samples: req.numSamples,
    testSamples: req.numTestSamples,
    device: {
      platform: text(d?.platform),
      arch: text(d?.arch),
      cpus: d?.cpus ?? 0,
      totalMemoryBytes: d?.totalMemoryBytes ?? 0,
      runtime: text(d?.runtime),
      hostname: text(d?.hostname),
    },
  };
}

/** Specs of the tensors that travel for a task: backbone and the assigned experts (never the gate). */
export function taskSpecs(model: MoEConfig, experts: readonly number[]): TensorSpec[] {
  return [...backboneSpecs(model), ...experts.flatMap((e) => expertSpecs(model, e))].map((s) => ({
    name: s.name,
    dtype: 'float32' as const,
    shape: s.shape,
  }));
}

/** The tensors of a task taken from the global parameters. */
export function taskTensors(params: Readonly<ParamMap>, specs: readonly TensorSpec[]): WireTensor[] {
  return specs.map((s) => ({ ...s, data: params[s.name]! }));
}

/** What a validated header allows the rest of the Submit stream to carry. */
export interface SubmitPlan {
  readonly task: RoundTaskSpec;
  readonly specs: ReadonlyMap<string, TensorSpec>;
  readonly expectedBytes: number;
  readonly samples: number;
  readonly experts: ExpertReport[];
  readonly train: MetricReport;
  readonly test: MetricReport;
  readonly preLocal?: MetricReport;
  readonly global?: MetricReport;
  readonly trainSeconds: number;
}

function finiteIn(field: string, v: number, min: number, max: number): number {
  if (!Number.isFinite(v) || v < min || v > max) throw new InvalidArgumentError(`${field} must be in [${min}, ${max}] (got ${v})`);
  return v;
}

/**
 * The expert's own accuracy and loss when reported. Proto3 floats have no presence: a client that
 * does not measure them sends 0, and a cross-entropy of exactly 0 cannot be measured, so
 * own_loss 0 means "not reported" (never a perfect score).
 */
function ownStats(r: SubmitHeader__Output['expertStats'][number]): { ownAccuracy?: number; ownLoss?: number } {
  if (!(r.ownLoss > 0)) return {};
  return {
    ownAccuracy: finiteIn(`own_accuracy of expert ${r.expert}`, r.ownAccuracy, 0, 1),
    ownLoss: finiteIn(`own_loss of expert ${r.expert}`, r.ownLoss, 0, Number.MAX_VALUE),
  };
}

function metricReport(field: string, m: SubmitHeader__Output['train']): MetricReport {
  if (!m) throw new InvalidArgumentError(`${field} metrics missing`);
  return {
    loss: finiteIn(`${field}.loss`, m.loss, 0, Number.MAX_VALUE),
    accuracy: finiteIn(`${field}.accuracy`, m.accuracy, 0, 1),
    samples: finiteIn(`${field}.num_samples`, m.numSamples, 0, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Checks that a request is for the client's task in flight: same round and same attempt. With
 * `strictAttempts` false, an echoed attempt of 0 passes for any attempt (clients that do not
 * echo the field send 0); a nonzero one must match.
 */
export function checkTaskInFlight(task: RoundTaskSpec | undefined, round: number, attempt: number, strictAttempts: boolean): RoundTaskSpec {
  if (!task || task.round !== round) {
    throw new StaleRoundError(`round ${round} is not in progress for this client (current: ${task ? task.round : 'none'})`);
  }
  if (task.attempt !== attempt && (strictAttempts || attempt !== 0)) {
    throw new StaleRoundError(`attempt ${attempt} of round ${round} is over for this client (current attempt: ${task.attempt})`);
  }
  return task;
}

/** Validates a SubmitHeader against the client's task in flight; returns the plan for the tensors. */
export function planSubmit(model: MoEConfig, current: RoundTaskSpec | undefined, h: SubmitHeader__Output, strictAttempts = true): SubmitPlan {
  const task = checkTaskInFlight(current, h.round, h.attempt, strictAttempts);
  const samples = finiteIn('num_samples', h.numSamples, 1, Number.MAX_SAFE_INTEGER);
  const reported = [...h.expertStats].sort((a, b) => a.expert - b.expert);
  if (reported.map((r) => r.expert).join(',') !== task.experts.join(',')) {
    throw new InvalidArgumentError(`expert_stats cover experts [${reported.map((r) => r.expert).join(',')}], assigned [${task.experts.join(',')}]`);
  }
  const experts = reported.map((r) => ({
    expert: r.expert,
    usage: finiteIn(`usage of expert ${r.expert}`, r.usage, 0, samples * Math.max(1, task.localEpochs)),
    accuracy: finiteIn(`accuracy of expert ${r.expert}`, r.accuracy, 0, 1),
    loss: finiteIn(`loss of expert ${r.expert}`, r.loss, 0, Number.MAX_VALUE),
    ...ownStats(r),
  }));
  const specs = taskSpecs(model, task.experts);
  const expectedBytes = specs.reduce((s, t) => s + byteLength(t), 0);
  if (h.totalBytes > expectedBytes) throw new TooLargeError(`update declares ${h.totalBytes} bytes, the model needs ${expectedBytes}`);
  if (h.totalBytes !== expectedBytes || h.tensorCount !== specs.length) {
    throw new InvalidArgumentError(`update declares ${h.tensorCount} tensors / ${h.totalBytes} bytes, expected ${specs.length} / ${expectedBytes}`);
  }
  return {
    task,
    specs: new Map(specs.map((s) => [s.name, s])),
    expectedBytes,
    samples,
    experts,
    train: metricReport('train', h.train),
    test: metricReport('test', h.test),
    preLocal: h.preLocal ? metricReport('pre_local', h.preLocal) : undefined,
    global: h.global ? metricReport('global', h.global) : undefined,
    trainSeconds: Number.isFinite(h.trainSeconds) ? h.trainSeconds : 0,
  };
}

/** Checks that every planned tensor arrived; returns them as parameters. */
export function completeTensors(plan: SubmitPlan, tensors: ReadonlyMap<string, WireTensor>): ParamMap {
  const params: ParamMap = {};
  for (const name of plan.specs.keys()) {
    const t = tensors.get(name);
    if (!t) throw new InvalidArgumentError(`tensor ${name} missing from the update`);
    params[name] = t.data as Float32Array;
  }
  return params;
}

/**
 * Caps what an update claims at what its client declared at join: n_c and the per-expert usage
 * at the declared training samples, the test count at the declared test samples. Returns the
 * capped plan and the fields that were capped (empty when the update was honest).
 */
export function capToDeclared(plan: SubmitPlan, declared: { samples: number; testSamples: number }): { plan: SubmitPlan; capped: string[] } {
  const capped: string[] = [];
  const cap = (field: string, v: number, max: number): number => {
    if (v <= max) return v;
    capped.push(`${field} ${v} > ${max}`);
    return max;
  };
  const samples = cap('num_samples', plan.samples, declared.samples);
  const experts = plan.experts.map((r) => ({ ...r, usage: cap(`usage of expert ${r.expert}`, r.usage, declared.samples) }));
  const train = { ...plan.train, samples: cap('train.num_samples', plan.train.samples, declared.samples) };
  const test = { ...plan.test, samples: cap('test.num_samples', plan.test.samples, declared.testSamples) };
  return { plan: { ...plan, samples, experts, train, test }, capped };
}

/** The round engine's update from a Submit's plan and its received tensors. */
export function updateOf(clientId: string, p: SubmitPlan, params: ParamMap, bytes: { up: number; down: number }): ClientUpdate {
  const { samples, experts, train, test, preLocal, global, trainSeconds } = p;
  return { clientId, round: p.task.round, samples, experts, train, test, preLocal, global, params, bytesUp: bytes.up, bytesDown: bytes.down, trainSeconds };
}
