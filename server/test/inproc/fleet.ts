/**
 * A fleet in one process on one fake clock: a real `Coordinator` (registry, round engine,
 * strategy, checkpoints on disk) behind a `MemoryNetwork`, and real `ClientDaemon`s (session
 * runner, rounds, gates, backoff) dialling it through in-memory links, with scripted trainers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, parseCommand, type Logger } from '@flexmoe/shared';
import { FakeClock } from '@flexmoe/shared/testing';
import type { MoEConfig } from '@flexmoe/shared';
import type { Dataset } from '@flexmoe/ml/data';
import { ClientDaemon, StateDir, createClientMetrics, type DaemonExit, type LocalData } from '@flexmoe/client';
import { SERVER_COMMAND, coordinatorOptions, strategyOptionsOf } from '../../src/cli/server';
import { Coordinator, type CoordinatorOptions } from '../../src/coordinator/coordinator';
import { createAssignPort } from '../../src/coordinator/strategy-port';
import { createMetrics, type CoordinatorMetrics } from '../../src/metrics/metrics';
import { MemoryNetwork } from './memory-link';
import { ScriptedTrainer, type TrainerScript } from './scripted-trainer';

/** A small model: every test of the protocol uses it (tensors of a few hundred floats). */
export const SMALL_MODEL = ['--experts', '4', '--feature-dim', '4', '--expert-hidden', '4', '--input-shape', '1,4,4', '--classes', '3'];

/** Synthetic samples of `model`'s shape: the scripted trainer only counts them. */
function dataset(model: Pick<MoEConfig, 'inputShape' | 'classes'>, n: number, name: string): Dataset {
  const size = model.inputShape.reduce((a, b) => a * b, 1);
  const y = Uint8Array.from({ length: n }, (_, i) => i % model.classes);
  return { name, x: new Float32Array(n * size).fill(0.5), y, n, shape: [...model.inputShape], classes: model.classes };
}

/** One in-process daemon. */
export interface FleetDaemon {
  readonly id: string;
  readonly daemon: ClientDaemon;
  readonly trainer: ScriptedTrainer;
  /** Resolves with the daemon's exit. */
  readonly exited: Promise<DaemonExit>;
}

/** The fleet: one network address, one clock, a temporary directory for every state. */
export class Fleet {
  readonly clock = new FakeClock();
  readonly network = new MemoryNetwork();
  readonly logger: Logger = createLogger({ level: process.env.FLEXMOE_TEST_LOG ?? 'silent' });
  readonly daemons: FleetDaemon[] = [];
  private readonly coordinators: Coordinator[] = [];

  private constructor(readonly dir: string) {}

  static async create(): Promise<Fleet> {
    return new Fleet(await mkdtemp(path.join(tmpdir(), 'flexmoe-inproc-')));
  }

  /** Parsed server CLI arguments (data directory and the small model filled in). */
  private parse(args: readonly string[]) {
    return parseCommand(SERVER_COMMAND, ['--data-dir', path.join(this.dir, 'coordinator'), ...SMALL_MODEL, ...args], {}).options!;
  }

  /**
   * Opens a coordinator (resuming from the data directory's checkpoint, as a restarted process
   * does), starts its round loop and serves it at the fleet's address.
   */
  startCoordinator(
    args: readonly string[],
    extra: Partial<CoordinatorOptions> = {},
  ): { coordinator: Coordinator; metrics: CoordinatorMetrics; loop: Promise<void> } {
    const o = this.parse(args);
    const options = { ...coordinatorOptions(o), ...extra };
    const metrics = createMetrics();
    const strategy = createAssignPort(o.strategy, { ...strategyOptionsOf(o), logger: this.logger });
    const coordinator = Coordinator.open(options, { logger: this.logger.child({ side: 'coordinator' }), metrics, strategy, clock: this.clock });
    this.coordinators.push(coordinator);
    const loop = coordinator.start();
    this.network.serve(coordinator);
    return { coordinator, metrics, loop };
  }

  /** Starts a daemon with `samples` training samples and a scripted trainer. */
  async startDaemon(
    id: string,
    opts: { samples?: number; capacity?: number; script?: TrainerScript; model?: Pick<MoEConfig, 'inputShape' | 'classes'> } = {},
  ): Promise<FleetDaemon> {
    const model = opts.model ?? { inputShape: [1, 4, 4], classes: 3 };
    const samples = opts.samples ?? 20;
    const data: LocalData = { train: dataset(model, samples, `${id}:train`), test: dataset(model, Math.ceil(samples / 4), `${id}:test`) };
    const trainer = new ScriptedTrainer(this.clock, opts.script);
    const daemon = new ClientDaemon({
      clientId: id,
      capacity: opts.capacity ?? 2,
      link: this.network.link(id),
      state: await StateDir.open(path.join(this.dir, id)),
      data,
      trainerFactory: () => Promise.resolve(trainer),
      metrics: createClientMetrics(),
      logger: this.logger.child({ client: id }),
      backoff: { seed: this.daemons.length + 1 },
      clock: this.clock,
    });
    const started: FleetDaemon = { id, daemon, trainer, exited: daemon.run() };
    this.daemons.push(started);
    return started;
  }

  /**
   * Advances the fake clock in `stepMs` steps until `done()` holds; fails after `maxMs` of fake
   * time with `what` in the message. The clock lets file I/O in flight (the daemons' gates)
   * complete before time moves on.
   */
  async until(what: string, done: () => boolean, { stepMs = 50, maxMs = 120_000 } = {}): Promise<void> {
    const start = this.clock.now();
    while (!done()) {
      if (this.clock.now() - start > maxMs) throw new Error(`${what}: not reached within ${maxMs} ms of fake time`);
      await this.clock.advance(stepMs);
    }
  }

  /** Awaits `promise`, advancing the fake clock while it is pending (it may wait on fake timers). */
  async during<T>(promise: Promise<T>, stepMs = 10): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => (settled = true));
    await this.until('a promise to settle', () => settled, { stepMs });
    return watched;
  }

  /** A crash of the coordinator process: connections drop at once and its round loop ends. */
  async crash(coordinator: Coordinator): Promise<void> {
    this.network.cut();
    await this.during(coordinator.drain(0));
  }

  /** Stops every daemon and coordinator, then removes the directory. */
  async close(): Promise<void> {
    await Promise.all(this.daemons.map((d) => d.daemon.stop('test over')));
    const stopping = Promise.all(this.coordinators.map((c) => c.drain(0)));
    // Draining may wait on timers of the fake clock.
    for (let i = 0; i < 100 && this.clock.pending > 0; i++) await this.clock.runNext();
    await stopping;
    await Promise.allSettled(this.daemons.map((d) => d.exited));
    await rm(this.dir, { recursive: true, force: true });
  }
}
