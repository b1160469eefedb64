/**
 * A lock file so that when many processes (a simulated fleet) start on a cold cache, one builds
 * it and the others wait and read it, instead of each parsing 150 MB of JSON at once.
 */
import { open, stat, unlink } from 'node:fs/promises';
import { sleep } from '@flexmoe/shared';

/** A lock older than this is taken to belong to a crashed builder and is broken. */
const STALE_MS = 60_000;
const POLL_MS = 100;

/**
 * Waits for and takes the lock at `lockPath` (created exclusively), returning its release
 * function; undefined when the lock cannot be created at all (e.g. read-only directory), in which
 * case the caller proceeds unlocked.
 */
export async function acquireBuildLock(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_MS) await unlink(lockPath).catch(() => undefined);
    else await sleep(POLL_MS);
  }
}
