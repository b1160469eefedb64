/**
 * Atomic file replacement: write a temporary file beside the target, flush it to disk, rename it
 * over the target, flush the directory. A crash at any moment leaves either the old or the new
 * file, never a torn one (model.onnx may be read by another process while we write it).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Replaces `file` with `data` atomically (same directory temp file + fsync + rename). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
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
