/**
 * The client registry (Flower's ClientManager): who joined, with which capacity and data size,
 * whether they are alive (heartbeats, open task stream) and ready (waiting for a task).
 * Liveness is separate from progress: a client training for a long time is alive as long as it
 * heartbeats. Register rejects a duplicate of a live session; unregister is idempotent.
 */
import { randomUUID } from 'node:crypto';
import { realClock, type Clock, type Logger } from '@flexmoe/shared';
import { DuplicateSessionError, ResourceLimitError, UnknownSessionError } from '../errors';
import { SessionProxy } from './session-proxy';

/** Device facts a client reports when it joins. */
export interface DeviceFacts {
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly totalMemoryBytes: number;
  readonly runtime: string;
  readonly hostname: string;
}

/** What a client declares when it joins. */
export interface JoinInfo {
  readonly clientId: string;
  readonly capacity: number;
  readonly samples: number;
  readonly testSamples: number;
  readonly device: DeviceFacts;
}

/** The persisted part of a registry entry (checkpointed). */
export interface ClientRecord extends JoinInfo {
  readonly firstJoinedAt: number;
  readonly lastJoinedAt: number;
  readonly roundsCompleted: number;
}

/** A live session: the record plus liveness and the proxy the round loop talks to. */
export interface ClientSession {
  readonly sessionId: string;
  readonly info: JoinInfo;
  lastSeenMs: number;
  /** A task stream is open: the client waits for work. */
  ready: boolean;
  phase: string;
  readonly proxy: SessionProxy;
}

/** Registry options. */
export interface RegistryOptions {
  /** A session silent for longer than this (ms, no heartbeat, no open stream) is dead. */
  readonly livenessTimeoutMs: number;
  readonly logger: Logger;
  /** Called whenever the set of live sessions changes. */
  readonly onChange?: () => void;
  /** Client records kept at most (a new id beyond it is refused after pruning); default 10,000. */
  readonly maxClients?: number;
  /** Records of clients not seen for this long (ms, no live session) are dropped; default 7 days. */
  readonly forgetAfterMs?: number;
  /** Liveness and join times (default: the real clock). */
  readonly clock?: Clock;
}

/** Replacements of one client id within REPLACE_WINDOW_MS that mean two daemons share the id. */
export const REPLACE_LOOP_COUNT = 3;
export const REPLACE_WINDOW_MS = 60_000;

/** Live sessions by client id plus the history of every client ever seen. */
export class ClientRegistry {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly records = new Map<string, ClientRecord>();
  private waiters: Array<() => void> = [];
  /** Live sessions with `ready` set, kept in step so change hooks stay O(1). */
  private ready = 0;
  /** Recent replacement times per client id (duplicate-id detection). */
  private readonly replacements = new Map<string, number[]>();

  private readonly clock: Clock;

  constructor(private readonly options: RegistryOptions) {
    this.clock = options.clock ?? realClock;
  }

  /** Restores records from a checkpoint (sessions are not restored: clients join again). */
  restore(records: readonly ClientRecord[]): void {
    for (const r of records) this.records.set(r.clientId, r);
  }

  /** Registers a session; throws DuplicateSessionError if the client has a live one and `replace` is false. */
  register(info: JoinInfo, replace: boolean, now = this.clock.now()): ClientSession {
    const existing = this.sessions.get(info.clientId);
    if (existing && this.isAlive(existing, now) && !replace) {
      throw new DuplicateSessionError(`client '${info.clientId}' already has a live session`);
    }
    if (!existing && !this.records.has(info.clientId)) this.admit(now);
    if (existing) {
      this.noteReplacement(info.clientId, now);
      this.unregister(info.clientId, 'replaced by a new session');
    }
    const sessionId = randomUUID();
    const session: ClientSession = {
      sessionId,
      info,
      lastSeenMs: now,
      ready: false,
      phase: 'IDLE',
      proxy: new SessionProxy(info.clientId, info.samples, info.capacity),
    };
    this.sessions.set(info.clientId, session);
    const prev = this.records.get(info.clientId);
    this.records.set(info.clientId, {
      ...info,
      firstJoinedAt: prev?.firstJoinedAt ?? now,
      lastJoinedAt: now,
      roundsCompleted: prev?.roundsCompleted ?? 0,
    });
    this.options.logger.info({ client: info.clientId, capacity: info.capacity, samples: info.samples }, 'client joined');
    this.changed();
    return session;
  }

  /** Makes room for a new client id: prunes long-gone records, then refuses beyond maxClients. */
  private admit(now: number): void {
    const max = this.options.maxClients ?? 10_000;
    if (this.records.size < max) return;
    this.prune(now);
    if (this.records.size >= max) throw new ResourceLimitError(`the coordinator knows ${this.records.size} clients, its limit (--max-clients ${max})`);
  }

  /** Drops the records of clients without a live session not seen for forgetAfterMs; returns their ids. */
  prune(now = this.clock.now()): string[] {
    const limit = this.options.forgetAfterMs ?? 7 * 24 * 3600_000;
    const gone = [...this.records.values()].filter((r) => !this.sessions.has(r.clientId) && now - r.lastJoinedAt > limit).map((r) => r.clientId);
    for (const id of gone) this.records.delete(id);
    if (gone.length > 0) this.options.logger.info({ clients: gone.length }, 'forgot clients not seen for a long time');
    return gone;
  }

  /** Logs when one client id keeps replacing its own session: two daemons share the id. */
  private noteReplacement(clientId: string, now: number): void {
    const recent = (this.replacements.get(clientId) ?? []).filter((t) => now - t < REPLACE_WINDOW_MS);
    recent.push(now);
    this.replacements.set(clientId, recent);
    if (recent.length >= REPLACE_LOOP_COUNT) {
      this.options.logger.warn(
        { client: clientId, replacements: recent.length, windowSeconds: REPLACE_WINDOW_MS / 1000 },
        'duplicate client id: its session keeps being replaced; two daemons probably share this id (a cloned image?)',
      );
    }
  }

  /** Removes a client's live session (no-op when there is none). */
  unregister(clientId: string, reason: string): void {
    const session = this.sessions.get(clientId);
    if (!session) return;
    this.sessions.delete(clientId);
    if (session.ready) this.ready--;
    session.proxy.close(reason);
    this.options.logger.info({ client: clientId, reason }, 'client left');
    this.changed();
  }

  /** The live session of `clientId` with this session id, refreshing its liveness; else UnknownSessionError. */
  touch(clientId: string, sessionId: string, now = this.clock.now()): ClientSession {
    const session = this.sessions.get(clientId);
    if (!session || session.sessionId !== sessionId) {
      throw new UnknownSessionError(`unknown session for client '${clientId}': join again`);
    }
    session.lastSeenMs = now;
    return session;
  }

  /** Marks the session ready (task stream open) or not. */
  setReady(session: ClientSession, ready: boolean, now = this.clock.now()): void {
    if (this.sessions.get(session.info.clientId) !== session) return;
    if (session.ready !== ready) this.ready += ready ? 1 : -1;
    session.ready = ready;
    session.lastSeenMs = now;
    this.changed();
  }

  /** Counts a completed round for a client (persisted in its record). */
  recordRoundCompleted(clientId: string): void {
    const r = this.records.get(clientId);
    if (r) this.records.set(clientId, { ...r, roundsCompleted: r.roundsCompleted + 1 });
  }

  /** Drops sessions that have been silent past the liveness timeout; returns the ids dropped. */
  sweep(now = this.clock.now()): string[] {
    const dead = [...this.sessions.values()].filter((s) => !this.isAlive(s, now)).map((s) => s.info.clientId);
    for (const id of dead) this.unregister(id, 'liveness timeout');
    return dead;
  }

  /** Live sessions that wait for a task, sorted by client id (deterministic sampling). */
  readySessions(): ClientSession[] {
    return [...this.sessions.values()].filter((s) => s.ready).sort((a, b) => (a.info.clientId < b.info.clientId ? -1 : 1));
  }

  /** Number of live sessions (O(1)). */
  get liveCount(): number {
    return this.sessions.size;
  }

  /** Number of live sessions waiting for a task (O(1)). */
  get readyCount(): number {
    return this.ready;
  }

  /** All live sessions sorted by client id. */
  liveSessions(): ClientSession[] {
    return [...this.sessions.values()].sort((a, b) => (a.info.clientId < b.info.clientId ? -1 : 1));
  }

  /** Every client ever seen (for the checkpoint and the status page). */
  allRecords(): ClientRecord[] {
    return [...this.records.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  }

  /** The live session of a client, if any. */
  get(clientId: string): ClientSession | undefined {
    return this.sessions.get(clientId);
  }

  /** Resolves once at least `n` clients are ready; rejects when `signal` aborts. */
  async waitForReady(n: number, signal: AbortSignal): Promise<void> {
    while (this.ready < n) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private isAlive(s: ClientSession, now: number): boolean {
    return s.ready || now - s.lastSeenMs <= this.options.livenessTimeoutMs;
  }

  private changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    this.options.onChange?.();
  }
}
