/**
 * The seam between the daemon loop and the wire: what the daemon needs from a coordinator, in
 * its own terms. Only `transport/` implements it with gRPC; the loop never sees a status code.
 */
import type { MoEConfig } from '@flexmoe/shared';
import type { ParamMap, TaskOptimizer } from '@flexmoe/shared';

/** Facts about this device, sent with Join. */
export interface DeviceFacts {
  platform: string;
  arch: string;
  cpus: number;
  totalMemoryBytes: number;
  runtime: string;
  hostname: string;
}

/** What the daemon says when it joins. */
export interface JoinParams {
  clientId: string;
  capacity: number;
  numSamples: number;
  numTestSamples: number;
  device: DeviceFacts;
  /** Replace a live session of the same id (a restarted daemon knows its old session is gone). */
  replace: boolean;
  /** Protocol version to state (default PROTOCOL_VERSION). */
  protocolVersion?: number;
}

/** The run as the coordinator describes it at join time. */
export interface RunFacts {
  runId: string;
  totalRounds: number;
  completedRounds: number;
  strategy: string;
  seed: number;
}

/** A joined session. */
export interface Session {
  sessionId: string;
  model: MoEConfig;
  run: RunFacts;
  heartbeatIntervalMs: number;
  /** k_c as accepted by the coordinator. */
  capacity: number;
}

/** One round's work. */
export interface RoundTask {
  round: number;
  /** The round's attempt (0 when the coordinator does not send it); echoed in Download and Submit. */
  attempt?: number;
  experts: number[];
  /** Peak learning rate of the local steps. */
  learningRate: number;
  /** The local update rule and schedule (absent: plain SGD at a constant rate). */
  optimizer?: TaskOptimizer;
  batchSize: number;
  localEpochs: number;
  deadlineUnixMs: number;
  routingTopK: number;
  seed: number;
}

/** An event of the task stream. */
export type TaskEvent = { kind: 'task'; task: RoundTask } | { kind: 'complete'; completedRounds: number; finalAccuracy: number } | { kind: 'keep-alive' };

/** Loss and accuracy over some samples. */
export interface SplitMetrics {
  loss: number;
  accuracy: number;
  numSamples: number;
}

/** Statistics of one trained expert. */
export interface ExpertReport {
  expert: number;
  usage: number;
  accuracy: number;
  loss: number;
  /** Accuracy of the expert's own logits on the samples routed to it. */
  ownAccuracy: number;
  /** Mean cross-entropy of the expert's own logits on those samples. */
  ownLoss: number;
}

/** One round's update. */
export interface Update {
  round: number;
  /** RoundTask.attempt of the task this update answers. */
  attempt: number;
  numSamples: number;
  experts: ExpertReport[];
  train: SplitMetrics;
  test: SplitMetrics;
  /** The downloaded model with the personal gate on the held-out split, before any local step. */
  preLocal?: SplitMetrics;
  /** The same model as `preLocal` (aggregated parts, personal gate) on the shared class-balanced global test set. */
  global?: SplitMetrics;
  /** Updated backbone.* and expert.<e>.* tensors (never the gate). */
  params: ParamMap;
  trainSeconds: number;
  downloadSeconds: number;
}

/** The coordinator's answer to an update. */
export interface SubmitResult {
  accepted: boolean;
  round: number;
  bytesReceived: number;
  message: string;
}

/** What the daemon is doing, for heartbeats. */
export type Phase = 'idle' | 'downloading' | 'training' | 'uploading';

/** The coordinator's side of a heartbeat. */
export interface HeartbeatReply {
  currentRound: number;
  draining: boolean;
}

/** Byte counters the link reports to, so metrics see every tensor byte. */
export interface TransferObserver {
  (direction: 'sent' | 'received', bytes: number): void;
}

/**
 * A connection to one coordinator. Every method rejects with `CoordinatorError` on a refused or
 * failed call and honours its signal; each call carries its own deadline.
 */
export interface CoordinatorLink {
  join(params: JoinParams, signal?: AbortSignal): Promise<Session>;
  /** The task stream; ends when the coordinator closes it, throws on error. */
  tasks(sessionId: string, signal?: AbortSignal): AsyncIterable<TaskEvent>;
  /** Downloads the backbone and the assigned experts for `round`, validated against the model. */
  download(session: Session, task: RoundTask, signal?: AbortSignal): Promise<ParamMap>;
  submit(sessionId: string, model: MoEConfig, update: Update, signal?: AbortSignal): Promise<SubmitResult>;
  /**
   * Tells the coordinator that this client cannot do `task` (a Submit carrying only a header with
   * the failure), so the round stops waiting for it; `diverged` when the loss became non-finite.
   */
  reportFailure(sessionId: string, task: RoundTask, reason: string, diverged: boolean): Promise<SubmitResult>;
  heartbeat(sessionId: string, phase: Phase, round: number, progress: number): Promise<HeartbeatReply>;
  leave(sessionId: string, reason: string): Promise<void>;
  /** Closes the channel. */
  close(): void;
}
