/**
 * The round loop's proxy for one client session (Flower's ClientProxy) in a protocol where the
 * client dials out: `fit` parks the task until the client's task stream picks it up, and
 * resolves when the client's validated update is delivered. Transport-agnostic: the transport
 * attaches a listener for the task stream and calls `deliver` after validating a Submit.
 */
import { ClientFailureError, ResourceLimitError, StaleRoundError } from '../errors';
import type { ClientProxy, ClientUpdate, RoundTaskSpec } from '../rounds/types';

/** What a task stream receives. */
export type SessionEvent =
  | { readonly kind: 'task'; readonly task: RoundTaskSpec }
  | { readonly kind: 'complete'; readonly completedRounds: number; readonly finalAccuracy: number }
  /** The session ended (replaced, timed out, left): the stream must end too. */
  | { readonly kind: 'closed'; readonly reason: string };

interface Pending {
  readonly task: RoundTaskSpec;
  resolve(update: ClientUpdate): void;
  reject(err: unknown): void;
  delivered: boolean;
  bytesDown: number;
  /** A Submit for this task is open (one at a time). */
  uploading: boolean;
}

/** A client session's proxy: at most one task in flight. */
export class SessionProxy implements ClientProxy {
  private pending: Pending | undefined;
  private listener: ((event: SessionEvent) => void) | undefined;
  private closed: string | undefined;

  constructor(
    readonly id: string,
    readonly samples: number,
    readonly capacity: number,
  ) {}

  /** Dispatches `task` (now, or when the task stream attaches) and waits for the update. */
  fit(task: RoundTaskSpec, signal: AbortSignal): Promise<ClientUpdate> {
    if (this.closed) return Promise.reject(new ClientFailureError(`dropped: ${this.closed}`));
    this.pending?.reject(new ClientFailureError('superseded by a new task'));
    return new Promise<ClientUpdate>((resolve, reject) => {
      const onAbort = () => finish(() => reject(signal.reason));
      const finish = (settle: () => void) => {
        signal.removeEventListener('abort', onAbort);
        if (this.pending === entry) this.pending = undefined;
        settle();
      };
      const entry: Pending = {
        task,
        delivered: false,
        bytesDown: 0,
        uploading: false,
        resolve: (u) => finish(() => resolve(u)),
        reject: (e) => finish(() => reject(e)),
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending = entry;
      this.listener?.({ kind: 'task', task });
    });
  }

  /** The task in flight, if any. */
  currentTask(): RoundTaskSpec | undefined {
    return this.pending?.task;
  }

  /** Counts bytes sent to the client for the task in flight. */
  addBytesDown(bytes: number): void {
    if (this.pending) this.pending.bytesDown += bytes;
  }

  /** Bytes sent for the task in flight. */
  bytesDown(): number {
    return this.pending?.bytesDown ?? 0;
  }

  /** Hands over the validated update of the task in flight; StaleRoundError when it is not. */
  deliver(update: ClientUpdate): void {
    const p = this.pending;
    if (!p || p.task.round !== update.round) {
      throw new StaleRoundError(`round ${update.round} is not in progress for client '${this.id}'`);
    }
    p.delivered = true;
    p.resolve(update);
  }

  /**
   * Claims the upload of the task in flight for one Submit stream; ResourceLimitError while
   * another Submit holds it. Returns the release function (idempotent).
   */
  beginUpload(task: RoundTaskSpec): () => void {
    const p = this.pending;
    if (!p || p.task !== task) throw new StaleRoundError(`round ${task.round} is not in progress for client '${this.id}'`);
    if (p.uploading) throw new ResourceLimitError(`a Submit for round ${task.round} is already open for client '${this.id}'`);
    p.uploading = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      p.uploading = false;
    };
  }

  /** The client reported that it cannot do the task in flight: the round stops waiting for it. */
  fail(task: RoundTaskSpec, reason: string): void {
    const p = this.pending;
    if (!p || p.task !== task) throw new StaleRoundError(`round ${task.round} is not in progress for client '${this.id}'`);
    p.reject(new ClientFailureError(reason));
  }

  /** Attaches the task stream; a parked task is sent at once. Returns the detach function. */
  attach(listener: (event: SessionEvent) => void): () => void {
    this.listener = listener;
    if (this.pending) listener({ kind: 'task', task: this.pending.task });
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Whether a task stream is attached. */
  attached(): boolean {
    return this.listener !== undefined;
  }

  /** Tells the attached stream that the run is over. */
  complete(completedRounds: number, finalAccuracy: number): void {
    this.listener?.({ kind: 'complete', completedRounds, finalAccuracy });
  }

  /** The session ended: the task in flight fails as dropped. Idempotent. */
  close(reason: string): void {
    this.closed ??= reason;
    this.pending?.reject(new ClientFailureError(`dropped: ${reason}`));
    const listener = this.listener;
    this.listener = undefined;
    listener?.({ kind: 'closed', reason });
  }
}
