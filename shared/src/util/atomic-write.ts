/**
 * The one way this project replaces a file: write a temporary file beside the target, flush it
 * to disk, rename it over the target, flush the directory. A crash or power loss at any moment
 * leaves either the old or the new file, never a torn or empty one (model.onnx may be read by
 * another process while it is replaced; results and caches are read after restarts).
 */
import { closeSync, fsyncSync, openSync, promises as fs, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** File contents: bytes, text, or several byte ranges written in order. */
export type AtomicData = Uint8Array | string | readonly Uint8Array[];

function parts(data: AtomicData): readonly Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  return data instanceof Uint8Array ? [data] : data;
}

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
}

/** Replaces `file` with `data` durably and atomically (the directory must exist). */
export async function writeFileAtomic(file: string, data: AtomicData): Promise<void> {
  const temp = tempPath(file);
  try {
    const handle = await fs.open(temp, 'w', 0o644);
    try {
      for (const part of parts(data)) await handle.writeFile(part);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** `writeFileAtomic` for synchronous callers (reports written at exit). */
export function writeFileAtomicSync(file: string, data: AtomicData): void {
  const temp = tempPath(file);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      for (const part of parts(data)) {
        for (let done = 0; done < part.length;) done += writeSync(fd, part, done);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectorySync(path.dirname(file));
}

/** Flushes a directory entry so a rename survives power loss; not every platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Directories cannot be opened for fsync on some platforms (Windows); the rename still holds.
  } finally {
    await handle?.close();
  }
}

function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // As above: the rename still holds.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
