/**
 * Explicit full garbage collection for long-running, memory-budgeted processes (the client
 * daemon and its training worker), without starting node with `--expose-gc`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Runs one full (mark-compact) collection of the calling thread's heap, now. The `gc` function
 * is taken from a fresh context created while `--expose-gc` is briefly on, so no global `gc`
 * appears anywhere else. Costs a few milliseconds for heaps of the daemon's size.
 */
export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    try {
      collect = runInNewContext('gc') as () => void;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect();
}

/**
 * Runs a full collection and gives V8 `waitMs` to release the dead ArrayBuffers' memory: their
 * backing stores are freed by a concurrent sweeper after the collection returns, so memory read
 * right after `collectGarbage()` still counts them, and anything allocated meanwhile (a training
 * worker starting) would stack on top of them.
 */
export async function releaseGarbage(waitMs = 100): Promise<void> {
  // Twice: buffers whose owners die in the first collection are only freed by the second.
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** ArrayBuffer bytes the calling thread's heap holds (live or not yet collected). */
function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

/**
 * Collects when the thread's ArrayBuffer memory has grown more than `slackBytes` past the lowest
 * level seen since the previous collection. Tensor-heavy threads that allocate little else (a
 * training worker, a daemon between rounds) promote dead weight buffers to the old generation and
 * V8 would keep them resident for many rounds; calling `settle()` at idle points bounds that
 * garbage. (The level right after a collection is not a baseline: buffers are freed concurrently.)
 */
export class ArrayBufferBudget {
  private floor = Infinity;

  /** `slackBytes`: garbage tolerated before `settle()` collects. */
  constructor(private readonly slackBytes: number) {}

  /** Runs a full collection if over budget; returns whether it did. */
  settle(): boolean {
    const now = arrayBufferBytes();
    this.floor = Math.min(this.floor, now);
    if (now <= this.floor + this.slackBytes) return false;
    collectGarbage();
    this.floor = Infinity;
    return true;
  }
}
