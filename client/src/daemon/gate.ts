/**
 * The personal gate: created once from a seed derived from the client id, kept on this device's
 * disk between rounds and restarts, never sent to the coordinator.
 */
import { createHash } from 'node:crypto';
import type { MoEConfig } from '@flexmoe/shared';
import { gateSpecs, initParameters, selectGate, type ParamMap } from '@flexmoe/shared';
import type { StateDir } from '../state/state-dir';

/** A stable 32-bit seed from a string (the client id). */
export function seedFromString(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** What a stored gate must match: the run and the gate's shapes (a new run starts a fresh gate). */
export function gateSignature(model: MoEConfig, runId: string): string {
  const shapes = gateSpecs(model).map((s) => `${s.name}[${s.shape.join('x')}]`);
  return `${runId}|${shapes.join(',')}`;
}

/** Loads and saves the personal gate in a state directory. */
export class GateStore {
  constructor(
    private readonly state: StateDir,
    private readonly clientId: string,
  ) {}

  /**
   * The stored gate for this model and run, or a fresh seeded one; `fresh` tells which. A damaged
   * gate file is replaced by a fresh gate (it is personal and is learnt again); `damaged` then
   * carries the reason, for the caller's warning.
   */
  async load(model: MoEConfig, runId: string): Promise<{ gate: ParamMap; fresh: boolean; damaged?: string }> {
    let stored: Awaited<ReturnType<StateDir['loadGate']>>;
    try {
      stored = await this.state.loadGate(gateSignature(model, runId));
    } catch (err) {
      return { gate: this.seeded(model), fresh: true, damaged: (err as Error).message };
    }
    if (stored) {
      const gate: ParamMap = {};
      for (const t of stored) gate[t.name] = t.data;
      if (gateSpecs(model).every((s) => gate[s.name] !== undefined)) return { gate, fresh: false };
    }
    return { gate: this.seeded(model), fresh: true };
  }

  private seeded(model: MoEConfig): ParamMap {
    return { ...selectGate(initParameters(model, seedFromString(this.clientId))) };
  }

  /** Saves the `gate.*` tensors of `params` atomically. */
  async save(model: MoEConfig, runId: string, params: ParamMap): Promise<void> {
    const tensors = gateSpecs(model).map((s) => ({ name: s.name, shape: [...s.shape], data: params[s.name] }));
    await this.state.saveGate(tensors, gateSignature(model, runId));
  }
}
